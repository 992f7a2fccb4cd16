/**
 * Showcase link routes. Managing links (create, list, revoke) needs the engineer role on the
 * line. The public side — the view of one line and its live WebSocket (see ws/live.ws.ts) — is
 * open to whoever holds the link, checked here by the showcase service, and shows that line's
 * tags and latest values and nothing else.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ShowcaseRecord } from '../../core/auth-port.js';
import { can, inScope } from '../../core/auth.js';
import { LightsoutError } from '../../core/errors.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import {
  ShowcaseCreatedSchema, ShowcaseCreateRequestSchema, ShowcaseListResponseSchema, ShowcaseViewSchema,
  type ShowcaseCreateRequest, type ShowcaseLink, type ShowcaseView,
} from '../../protocol/showcase-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema };
const TokenParam = Type.Object({ token: Type.String({ maxLength: 128 }) });

function linkOf(r: ShowcaseRecord): ShowcaseLink {
  const l: ShowcaseLink = { id: r.id, scope: r.scope, title: r.title, createdBy: r.createdBy, createdTs: r.createdTs, expiresTs: r.expiresTs };
  if (r.revokedTs !== undefined) l.revokedTs = r.revokedTs;
  return l;
}

/** Where people reach this server: the configured public URL, else the address the request came to. */
function baseUrl(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

/** Register the showcase routes. */
export function showcaseRoutes(app: FastifyInstance, s: ApiServices): void {
  app.post<{ Body: ShowcaseCreateRequest }>('/api/v1/showcase', {
    schema: {
      summary: 'Create a public showcase link to one line (engineer on the line)',
      description: 'A read-only, expiring link to the live view of one line (default 7 days, at most 90). The URL holds the secret and is shown only in this answer.',
      tags: ['showcase'], body: ShowcaseCreateRequestSchema, response: { 201: ShowcaseCreatedSchema, ...errors },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const scope = req.body.scope.replace(/^\/+|\/+$/g, '');
    // A link to a line that has no tags would show nothing; most likely a typo.
    if (can(p, 'engineer', scope) && s.registry.list(p.tenant, `${scope}/`).length === 0) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `asset "${scope}" has no tags in tenant ${p.tenant}`);
    const { record, token } = await s.showcase.create(p, req.body);
    return reply.status(201).send({ id: record.id, url: `${baseUrl(req, s.publicUrl)}/showcase/${token}`, expiresTs: record.expiresTs });
  });

  app.get('/api/v1/showcase', {
    schema: { summary: 'Showcase links of the tenant (those on lines where the caller is engineer)', tags: ['showcase'], response: { 200: ShowcaseListResponseSchema, ...errors } },
  }, async (req) => ({ links: (await s.showcase.list(principalOf(req))).map(linkOf) }));

  app.delete<{ Params: { id: string } }>('/api/v1/showcase/:id', {
    schema: { summary: 'Revoke a showcase link at once', tags: ['showcase'], params: Type.Object({ id: Type.String({ maxLength: 128 }) }), response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await s.showcase.revoke(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get<{ Params: { token: string } }>('/api/v1/showcase/:token/view', {
    config: { public: true },
    schema: {
      summary: 'What a showcase link shows (public: the link is the credential)',
      description: 'The title, the line, its tags (unit, range) and their latest values. Live updates: the WebSocket /api/v1/live?showcase=<token>. An unknown, expired or revoked link answers 404; each link and each client address may make `showcasePerMinute` requests a minute.',
      tags: ['showcase'], security: [], params: TokenParam, response: { 200: ShowcaseViewSchema, 404: ErrorSchema, 429: ErrorSchema },
    },
  }, async (req, reply) => {
    const link = await s.showcase.open(req.params.token, req.ip);
    const view: ShowcaseView = { title: link.title, scope: link.scope, expiresTs: link.expiresTs, tags: [], values: [] };
    for (const t of s.registry.list(link.tenant, `${link.scope}/`)) {
      if (!inScope(link.scope, t.path)) continue;
      view.tags.push({
        path: t.path, type: t.type,
        ...(t.unit !== undefined ? { unit: t.unit } : {}), ...(t.description !== undefined ? { description: t.description } : {}),
        ...(t.min !== undefined ? { min: t.min } : {}), ...(t.max !== undefined ? { max: t.max } : {}),
      });
      const v = s.cache.get(t.id);
      if (v) view.values.push({ tag: t.path, ts: v.ts, value: v.value, quality: v.quality });
    }
    // The link is in the page's URL: keep it out of caches and Referer headers.
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(view);
  });
}
