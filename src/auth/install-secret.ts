/**
 * The install secret: 32 random bytes in `<dataDir>/secret.key` (mode 0600), created at first
 * use. Everything this install signs or seals (the audit trail's anchor, signed tokens) uses a
 * key derived from it for that one purpose, so no two uses share a key. Whoever can read the file
 * can forge those seals: back it up with the data directory and keep it out of reach.
 * @module
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LightsoutError } from '../core/errors.js';

/** File name of the secret inside the data directory. */
export const INSTALL_SECRET_FILE = 'secret.key';
const SECRET_BYTES = 32;

/**
 * Read the install secret of a data directory, creating it when missing. Two processes racing to
 * create it both end up with the one that was written first (exclusive create).
 */
export function installSecret(dataDir: string): Buffer {
  const file = join(dataDir, INSTALL_SECRET_FILE);
  try {
    writeFileSync(file, randomBytes(SECRET_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `cannot create the install secret ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  let secret: Buffer;
  try {
    secret = readFileSync(file);
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `cannot read the install secret ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (secret.length < SECRET_BYTES) {
    throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `the install secret ${file} holds ${secret.length} bytes, expected ${SECRET_BYTES}: restore it from a backup (a new one would break the audit trail's seal)`);
  }
  try {
    chmodSync(file, 0o600);
  } catch {
    // a read-only mount: the mode was set at creation
  }
  return secret;
}

/** The install secret if the data directory has one (checking tools must not create a new one). */
export function readInstallSecret(dataDir: string): Buffer | undefined {
  if (!existsSync(join(dataDir, INSTALL_SECRET_FILE))) return undefined;
  return installSecret(dataDir);
}

/**
 * A key for one purpose, derived from the install secret (HMAC-SHA256 of the purpose name).
 * @example deriveKey(installSecret(dir), 'audit-anchor')
 */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`lightsout:${purpose}`).digest();
}
