/**
 * Password hashing (argon2id), random secrets and digests. Passwords and device secrets are slow
 * to hash on purpose; tokens, session ids and link secrets are 256 random bits, so SHA-256 of
 * them is enough and keeps every request cheap.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { LightsoutError } from '../core/errors.js';

/** Shortest password accepted for people and devices. */
export const MIN_PASSWORD_LENGTH = 12;

// argon2id at OWASP's second recommended profile (19 MiB, 2 passes): ~20–40 ms here.
const ARGON = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hash a password to an argon2id PHC string; refuses a short one with a clear message. */
export async function hashPassword(password: string, what = 'password'): Promise<string> {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `${what} must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1024) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `${what} is longer than 1024 characters`);
  return hash(password, ARGON);
}

/** True when the password matches the PHC string; false (never a throw) for a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  if (password.length > 1024) return false;
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so timing does not reveal user names. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hash('lightsout-no-such-user', ARGON);
  return dummy;
}

/** URL-safe random text of `bytes` random bytes. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A readable generated password: 20 characters from a 56-letter alphabet (~116 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(40);
  let out = '';
  for (const b of bytes) {
    if (b >= 224) continue; // 224 = 4 × 56: unbiased
    out += alphabet[b % 56];
    if (out.length === 20) break;
  }
  return out.length === 20 ? out : generatePassword();
}

/** Hex SHA-256 of a secret. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A short random id (for users, tokens, links): 12 URL-safe characters. */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}
