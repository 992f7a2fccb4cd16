/**
 * Audit trail routes: search, CSV export and verification. Admins of a tenant see that tenant's
 * records only (the tenant is the caller's, never a parameter).
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecord } from '../../core/audit-port.js';
import { requireRole } from '../../core/auth.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import { AuditQuerySchema, AuditResponseSchema, AuditVerifyResponseSchema, type ApiAuditRecord, type AuditQueryParams } from '../../protocol/audit-types.js';
import type { AuditSearch } from '../../auth/audit-log.js';
import { auditCsvRow, AUDIT_CSV_COLUMNS } from '../../auth/audit-csv.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';
import { parseTime } from './time-param.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };
/** Most rows one CSV export holds. */
const MAX_CSV_ROWS = 100_000;
const CsvQuerySchema = Type.Object({
  ...AuditQuerySchema.properties,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CSV_ROWS, default: 10_000 })),
}, { additionalProperties: false });

/** The search a request asks for, in the caller's tenant; admin role on the whole tenant required. */
function searchOf(req: FastifyRequest<{ Querystring: AuditQueryParams }>): AuditSearch {
  const p = principalOf(req);
  requireRole(p, 'admin', '', 'read the audit trail');
  const q = req.query;
  const search: AuditSearch = { tenant: p.tenant };
  if (q.from !== undefined) search.from = parseTime(q.from, 'from', 0);
  if (q.to !== undefined) search.to = parseTime(q.to, 'to', 0);
  if (q.actor !== undefined && q.actor !== '') search.actor = q.actor;
  if (q.action !== undefined && q.action !== '') search.action = q.action;
  if (q.target !== undefined && q.target !== '') search.target = q.target;
  if (q.outcome !== undefined) search.outcome = q.outcome;
  if (q.before !== undefined) search.before = q.before;
  return search;
}

/** A record for the API: detail as an object. */
export function apiRecord(r: AuditRecord): ApiAuditRecord {
  const out: ApiAuditRecord = { seq: r.seq, ts: r.ts, tenant: r.tenant, actor: r.actor, actorId: r.actorId, action: r.action, target: r.target, outcome: r.outcome, prevHash: r.prevHash, hash: r.hash };
  if (r.detail !== '') out.detail = JSON.parse(r.detail) as Record<string, unknown>;
  return out;
}

/** Register the audit routes. */
export function auditRoutes(app: FastifyInstance, s: ApiServices): void {
  app.get<{ Querystring: AuditQueryParams }>('/api/v1/audit', {
    schema: {
      summary: 'Search the audit trail (admin): newest first, paged by seq',
      description: 'Records of the caller\'s tenant only. `action` is a prefix (`user.`), `target` a substring, `actor` exact. Page with `before` = the `next` of the previous answer.',
      tags: ['audit'], querystring: AuditQuerySchema, response: { 200: AuditResponseSchema, ...errors },
    },
  }, async (req) => {
    const limit = req.query.limit ?? 100;
    const records = await s.auditLog.search({ ...searchOf(req), limit });
    const last = records.at(-1);
    return { records: records.map(apiRecord), ...(records.length === limit && last && last.seq > 1 ? { next: last.seq } : {}) };
  });

  app.get<{ Querystring: AuditQueryParams }>('/api/v1/audit.csv', {
    schema: {
      summary: 'Export the audit trail as CSV (admin), same filters as /api/v1/audit',
      description: `Newest first, at most ${MAX_CSV_ROWS} rows (default 10000). Text cells that a spreadsheet would run as a formula are prefixed with a single quote.`,
      tags: ['audit'], querystring: CsvQuerySchema, produces: ['text/csv'], response: errors,
    },
  }, async (req, reply) => {
    const search = searchOf(req);
    let left = req.query.limit ?? 10_000;
    const lines: string[] = [AUDIT_CSV_COLUMNS.join(',')];
    while (left > 0) {
      const page = await s.auditLog.search({ ...search, limit: Math.min(left, 1000) });
      for (const r of page) lines.push(auditCsvRow(r));
      left -= page.length;
      if (page.length < 1000) break;
      search.before = page.at(-1)!.seq;
    }
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="lightsout-audit-${principalOf(req).tenant}-${day}.csv"`)
      .header('cache-control', 'no-store')
      .send(`${lines.join('\r\n')}\r\n`);
  });

  app.get('/api/v1/audit/verify', {
    schema: {
      summary: 'Verify the whole audit trail (admin)',
      description: 'Walks the hash chain: names the first edited, deleted or reordered record, or records cut off the end. The trail is one chain for the whole install.',
      tags: ['audit'], response: { 200: AuditVerifyResponseSchema, ...errors },
    },
  }, async (req) => {
    requireRole(principalOf(req), 'admin', '', 'verify the audit trail');
    return s.auditLog.verify();
  });
}
