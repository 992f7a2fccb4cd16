/**
 * Authentication routes: log in and out (HTTP-only session cookie), one-time login links, who am
 * I, change one's password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../core/auth.js';
import { NEVER } from '../../auth/auth-service.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import {
  LinkLoginRequestSchema, LoginRequestSchema, MeSchema, PasswordChangeRequestSchema,
  type LinkLoginRequest, type LoginRequest, type Me, type PasswordChangeRequest,
} from '../../protocol/auth-types.js';
import { principalOf, readCookie, SESSION_COOKIE, setSessionCookie } from '../auth-context.js';
import type { ApiServices } from '../services.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema };

/** The API view of a principal. */
export function meOf(p: Principal): Me {
  return { kind: p.kind, id: p.id, name: p.name, tenant: p.tenant, grants: p.grants.map((g) => ({ role: g.role, scope: g.scope })), platformOperator: p.platformOperator, ...(p.expiresTs !== undefined && p.expiresTs < NEVER ? { expiresTs: p.expiresTs } : {}) };
}

/** Register the auth routes. */
export function authRoutes(app: FastifyInstance, s: ApiServices): void {
  app.post<{ Body: LoginRequest }>('/api/v1/auth/login', {
    config: { public: true },
    schema: {
      summary: 'Log in with a user name and password',
      description: 'Sets the HTTP-only session cookie `lightsout_session`. Failed attempts are limited per user name and per client address (429 with Retry-After).',
      tags: ['auth'], body: LoginRequestSchema, response: { 200: MeSchema, ...errors },
    },
  }, async (req, reply) => {
    const r = await s.auth.login(req.body.username, req.body.password, req.ip);
    setSessionCookie(reply, r.sessionId, r.expiresTs, s.secureCookies ?? false);
    return meOf(r.principal);
  });

  app.post<{ Body: LinkLoginRequest }>('/api/v1/auth/link', {
    config: { public: true },
    schema: {
      summary: 'Log in with a one-time link',
      description: '`lightsout start` prints a login link for the first admin; it works once, for 15 minutes.',
      tags: ['auth'], body: LinkLoginRequestSchema, response: { 200: MeSchema, ...errors },
    },
  }, async (req, reply) => {
    const r = await s.auth.redeemLoginLink(req.body.token, req.ip);
    setSessionCookie(reply, r.sessionId, r.expiresTs, s.secureCookies ?? false);
    return meOf(r.principal);
  });

  app.post('/api/v1/auth/logout', {
    config: { public: true },
    schema: { summary: 'Log out (ends the session)', tags: ['auth'], response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid && req.principal && req.authVia === 'cookie') await s.auth.logout(sid, req.principal);
    setSessionCookie(reply, '', 0, s.secureCookies ?? false);
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/me', {
    schema: { summary: 'Who the caller is: tenant, grants, platform operator', tags: ['auth'], response: { 200: MeSchema, ...errors } },
  }, async (req) => meOf(principalOf(req)));

  app.put<{ Body: PasswordChangeRequest }>('/api/v1/auth/password', {
    schema: { summary: 'Change one\'s own password (ends every session of the user)', tags: ['auth'], body: PasswordChangeRequestSchema, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await s.authAdmin.changeOwnPassword(principalOf(req), req.body.current, req.body.password);
    setSessionCookie(reply, '', 0, s.secureCookies ?? false);
    return reply.status(204).send();
  });
}
