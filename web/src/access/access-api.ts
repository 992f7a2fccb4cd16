/**
 * Access management calls of the admin screen: users, API tokens, tenants (shapes in
 * src/protocol/auth-types.ts).
 * @module
 */
import type {
  ApiTenant, ApiToken, ApiUser, TenantCreateRequest, TenantUpdateRequest, TokenCreated, TokenCreateRequest,
  UserCreated, UserCreateRequest, UserUpdateRequest,
} from '../../../src/protocol/auth-types.js';
import { getJson, sendJson } from '../api.js';

const id = (x: string) => encodeURIComponent(x);

/** Users of the tenant. */
export async function listUsers(signal?: AbortSignal): Promise<ApiUser[]> {
  return (await getJson<{ users: ApiUser[] }>('/api/v1/users', signal)).users;
}
/** Create a user; the answer holds the generated password when none was given. */
export function createUser(req: UserCreateRequest): Promise<UserCreated> {
  return sendJson('POST', '/api/v1/users', req);
}
/** Change grants, disable/enable, reset the password. */
export function updateUser(userId: string, req: UserUpdateRequest): Promise<ApiUser> {
  return sendJson('PATCH', `/api/v1/users/${id(userId)}`, req);
}
/** Delete a user. */
export function deleteUser(userId: string): Promise<void> {
  return sendJson('DELETE', `/api/v1/users/${id(userId)}`);
}

/** API tokens (one's own, or the tenant's for admins). */
export async function listTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return (await getJson<{ tokens: ApiToken[] }>('/api/v1/tokens', signal)).tokens;
}
/** Create a token; the secret is in the answer, once. */
export function createToken(req: TokenCreateRequest): Promise<TokenCreated> {
  return sendJson('POST', '/api/v1/tokens', req);
}
/** Revoke a token. */
export function revokeToken(tokenId: string): Promise<void> {
  return sendJson('DELETE', `/api/v1/tokens/${id(tokenId)}`);
}

/** Every tenant (platform operators). */
export async function listTenants(signal?: AbortSignal): Promise<ApiTenant[]> {
  return (await getJson<{ tenants: ApiTenant[] }>('/api/v1/tenants', signal)).tenants;
}
/** Create a tenant. */
export function createTenant(req: TenantCreateRequest): Promise<ApiTenant> {
  return sendJson('POST', '/api/v1/tenants', req);
}
/** Rename, disable or enable a tenant, or change its Sparkplug groups. */
export function updateTenant(tenantId: string, req: TenantUpdateRequest): Promise<ApiTenant> {
  return sendJson('PATCH', `/api/v1/tenants/${id(tenantId)}`, req);
}

/** A password for a reset, generated in the browser (crypto RNG), shown once to the admin. */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const out: string[] = [];
  const limit = 256 - (256 % alphabet.length);
  // Rejection sampling: no character more likely than another.
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (out.length < length && b < limit) out.push(alphabet[b % alphabet.length]!);
    }
  }
  return out.join('');
}
