/**
 * Data routes: ingest, latest values and history.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LightsoutError } from '../../core/errors.js';
import type { StoredPoint } from '../../core/point.js';
import {
  ErrorSchema, HistoryResponseSchema, IngestRequestSchema, IngestResponseSchema, LatestResponseSchema,
  type ApiPoint, type HistoryResponse, type IngestRequest, type IngestResponse, type LatestResponse,
} from '../../protocol/api-types.js';
import { can } from '../../core/auth.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';
import { parseTime } from './time-param.js';

const MAX_RAW = 100_000;
const MAX_BUCKETS = 10_000;

const errors = { 400: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 503: ErrorSchema };

/** Register the data routes. */
export function dataRoutes(app: FastifyInstance, s: ApiServices): void {
  app.post<{ Body: IngestRequest }>('/api/v1/ingest', {
    bodyLimit: s.maxPayloadBytes,
    schema: {
      summary: 'Write points',
      description: 'Each point is checked on its own: bad ones are listed in `rejected`, good ones are stored. The response is sent only once the accepted points are durable. If no point is accepted, the answer is 400.',
      tags: ['data'],
      body: IngestRequestSchema,
      response: { 200: IngestResponseSchema, ...errors },
    },
  }, async (req) => {
    const p = principalOf(req);
    // Writing points is an operator's right on the tag's asset; points outside it are refused one by one.
    const forbidden: Array<{ index: number; tag: string; code: string; message: string }> = [];
    const candidates = req.body.points.filter((c, i) => {
      if (typeof c.tag === 'string' && can(p, 'operator', c.tag)) return true;
      forbidden.push({ index: i, tag: String(c.tag), code: 'LIGHTSOUT_FORBIDDEN', message: `${p.name} needs the operator role on "${String(c.tag)}" to write it` });
      return false;
    });
    const positionsOf = new Map<string, number[]>();
    req.body.points.forEach((c, i) => { if (!forbidden.some((f) => f.index === i)) { const l = positionsOf.get(c.tag); if (l) l.push(i); else positionsOf.set(c.tag, [i]); } });
    const result = candidates.length > 0 ? await s.ingest.submit({ tenant: p.tenant, source: 'http', points: candidates }) : { accepted: 0, rejected: [] };
    const rejected = [...forbidden, ...result.rejected.map((r) => {
      const positions = positionsOf.get(r.subject ?? '');
      return { index: positions?.shift() ?? -1, tag: r.subject ?? '', code: r.code, message: r.message };
    })].sort((a, b) => a.index - b.index);
    if (result.accepted === 0 && rejected.length > 0) {
      throw new LightsoutError(rejected[0]!.code as 'LIGHTSOUT_BAD_VALUE', `no point accepted: ${rejected[0]!.message}${rejected.length > 1 ? ` (and ${rejected.length - 1} more)` : ''}`, { details: { rejected } });
    }
    const body: IngestResponse = { accepted: result.accepted, rejected };
    return body;
  });

  app.get<{ Querystring: { tag: string | string[] } }>('/api/v1/latest', {
    schema: {
      summary: 'Latest value of tags',
      tags: ['data'],
      querystring: Type.Object({ tag: Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 10_000 })], { description: 'tag path; repeat for several' }) }),
      response: { 200: LatestResponseSchema, ...errors },
    },
  }, async (req) => {
    const tags = Array.isArray(req.query.tag) ? req.query.tag : [req.query.tag];
    const body: LatestResponse = { points: [], unknown: [] };
    const who = principalOf(req);
    for (const path of tags) {
      const tag = can(who, 'viewer', path) ? s.registry.get(who.tenant, path) : undefined;
      const p = tag ? s.cache.get(tag.id) : undefined;
      if (!tag) body.unknown.push(path);
      else if (p) body.points.push({ tag: path, ts: p.ts, value: p.value, quality: p.quality });
    }
    return body;
  });

  app.get<{ Querystring: { tag: string; from?: string; to?: string; buckets?: number; limit?: number } }>('/api/v1/history', {
    schema: {
      summary: 'History of one tag',
      description: 'Raw points in [from, to), or with `buckets` the range cut into that many equal buckets (min, max, avg, first, last, count), computed by the historian. Default range: the last hour.',
      tags: ['data'],
      querystring: Type.Object({
        tag: Type.String(),
        from: Type.Optional(Type.String({ description: 'epoch ms or ISO 8601; default: to − 1 h' })),
        to: Type.Optional(Type.String({ description: 'epoch ms or ISO 8601; default: now' })),
        buckets: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BUCKETS })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RAW, default: 10_000, description: 'most raw points returned' })),
      }),
      response: { 200: HistoryResponseSchema, ...errors },
    },
  }, async (req) => {
    const q = req.query;
    const p = principalOf(req);
    const tag = can(p, 'viewer', q.tag) ? s.registry.get(p.tenant, q.tag) : undefined;
    if (!tag) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tag "${q.tag}" does not exist in tenant ${p.tenant}`);
    const to = parseTime(q.to, 'to', Date.now());
    const from = parseTime(q.from, 'from', to - 3_600_000);
    if (from >= to) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `from (${from}) must be before to (${to})`);
    const body: HistoryResponse = { tag: q.tag, from, to };
    if (q.buckets !== undefined) {
      body.buckets = await s.historian.buckets(tag.id, from, to, q.buckets);
    } else {
      const limit = q.limit ?? 10_000;
      const rows = await s.historian.raw(tag.id, from, to, limit + 1);
      body.truncated = rows.length > limit;
      body.points = rows.slice(0, limit).map((p: StoredPoint): ApiPoint => ({ tag: q.tag, ts: p.ts, value: p.value, quality: p.quality }));
    }
    return body;
  });
}
