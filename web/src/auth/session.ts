/**
 * Who is logged in, as the dashboard knows it. The session itself is an HTTP-only cookie the page
 * never sees: the page only learns who it is (GET /api/v1/auth/me) and hears when the API starts
 * answering 401. Role checks here only decide what to show; the server decides what is allowed.
 * @module
 */
import type { ApiRole, Me } from '../../../src/protocol/auth-types.js';
import { getJson, sendJson, unauthenticated } from '../api.js';
import { Observable } from '../observable.js';

/** 'checking' until the first answer, then the caller or 'anonymous'. */
export type SessionState = 'checking' | 'anonymous' | Me;

/** The current session. */
export const session = new Observable<SessionState>('checking');

unauthenticated.subscribe(() => session.set('anonymous'));

/** Ask the server who we are. */
export async function refreshMe(): Promise<void> {
  try {
    session.set(await getJson<Me>('/api/v1/auth/me'));
  } catch {
    session.set('anonymous');
  }
}

/** Log in with a user name and password (throws ApiCallError: 401, 429 with retryAfterSeconds). */
export async function login(username: string, password: string): Promise<void> {
  session.set(await sendJson<Me>('POST', '/api/v1/auth/login', { username, password }));
}

/**
 * Log in with a one-time link's token. When the link is spent, the page may still hold a session
 * (an old cookie): that is settled before the error goes back, so the screen knows what to show.
 */
export async function loginWithLink(token: string): Promise<void> {
  try {
    session.set(await sendJson<Me>('POST', '/api/v1/auth/link', { token }));
  } catch (e) {
    await refreshMe();
    throw e;
  }
}

/** End the session. */
export async function logout(): Promise<void> {
  await sendJson('POST', '/api/v1/auth/logout').catch(() => undefined);
  session.set('anonymous');
}

/** Change one's own password; the server ends every session, so log in again after. */
export async function changePassword(current: string, password: string): Promise<void> {
  await sendJson('PUT', '/api/v1/auth/password', { current, password });
}

const RANK: Record<ApiRole, number> = { viewer: 1, operator: 2, engineer: 3, admin: 4 };

/** `path` is `scope` or below it ('' covers the whole tenant). */
export function inScope(scope: string, path: string): boolean {
  return scope === '' || path === scope || path.startsWith(scope + '/');
}

/** The user holds `role` (or higher) on `path`. */
export function can(me: SessionState, role: ApiRole, path: string): boolean {
  if (typeof me === 'string') return false;
  return me.grants.some((g) => RANK[g.role] >= RANK[role] && inScope(g.scope, path));
}

/** The user holds `role` (or higher) anywhere (a menu entry worth showing). */
export function canSomewhere(me: SessionState, role: ApiRole): boolean {
  if (typeof me === 'string') return false;
  return me.platformOperator || me.grants.some((g) => RANK[g.role] >= RANK[role]);
}

/** The user may manage tenants. */
export function isPlatformOperator(me: SessionState): boolean {
  return typeof me !== 'string' && me.platformOperator;
}
