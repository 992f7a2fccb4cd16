/**
 * The HTTP guard. Every `/api/` route needs a principal — from a session cookie or a bearer
 * token — unless its route options say `config: { public: true }` (login, the health probe, the
 * public showcase view). Public routes still see a principal when one is sent.
 * Cookie-authenticated requests that change state must also come from this server's own origin
 * (or an allowed one): the cookie is SameSite=Strict, and this is the second lock.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../core/auth.js';
import { LightsoutError } from '../core/errors.js';
import type { AuthService } from '../auth/auth-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; set by the guard. */
    principal?: Principal;
    /** How: a session cookie, a bearer token. */
    authVia?: 'cookie' | 'token';
  }
  interface FastifyContextConfig {
    /** The route answers without authentication (it checks what it needs itself). */
    public?: boolean;
  }
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'lightsout_session';

/** The principal of a request; throws LIGHTSOUT_UNAUTHENTICATED on a public route called without one. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new LightsoutError('LIGHTSOUT_UNAUTHENTICATED', 'log in, or send "Authorization: Bearer <token>"');
  return req.principal;
}

/** One cookie's value from the Cookie header. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Set (or, with an empty value, clear) the session cookie. */
export function setSessionCookie(reply: FastifyReply, value: string, expiresTs: number, secure: boolean): void {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  parts.push(value === '' ? 'Max-Age=0' : `Expires=${new Date(expiresTs).toUTCString()}`);
  if (secure) parts.push('Secure');
  void reply.header('set-cookie', parts.join('; '));
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Install the guard on the app. */
export function installAuthGuard(app: FastifyInstance, auth: AuthService, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (req) => {
    // Decide on the matched route, not the raw URL, so no spelling of a path slips past.
    const route = req.routeOptions.url ?? '';
    if (!route.startsWith('/api/') || route.startsWith('/api/docs') || route === '/api/openapi.json') return;
    const bearer = req.headers.authorization;
    if (bearer !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(bearer);
      const p = m ? await auth.fromToken(m[1]!, req.ip) : undefined;
      if (!p) throw new LightsoutError('LIGHTSOUT_UNAUTHENTICATED', 'the bearer token is unknown, revoked or expired');
      req.principal = p;
      req.authVia = 'token';
    } else {
      const sid = readCookie(req, SESSION_COOKIE);
      const p = sid ? await auth.fromSession(sid) : undefined;
      if (p) {
        if (!SAFE.has(req.method) && !sameOrigin(req, allowedOrigins)) {
          throw new LightsoutError('LIGHTSOUT_FORBIDDEN', 'a browser request that changes state must come from the dashboard\'s own origin');
        }
        req.principal = p;
        req.authVia = 'cookie';
      }
    }
    if (!req.principal && req.routeOptions.config?.public !== true) {
      throw new LightsoutError('LIGHTSOUT_UNAUTHENTICATED', 'log in, or send "Authorization: Bearer <token>"');
    }
  });
}

/** A cookie request's Origin (or Referer) must be this server or an allowed origin; none sent is allowed (non-browser). */
function sameOrigin(req: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = req.headers.origin ?? (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}
