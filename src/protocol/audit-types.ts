/**
 * Request and response shapes of the audit trail API (search, CSV export, verification), shared
 * by the server and the web UI. No node:* imports.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

/** How an audited action ended. */
export const AuditOutcomeSchema = Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('failed')]);

/** Filters of GET /api/v1/audit and /api/v1/audit.csv; the tenant is always the caller's. */
export const AuditQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ description: 'from this time (inclusive): epoch ms or ISO 8601' })),
  to: Type.Optional(Type.String({ description: 'up to this time (exclusive): epoch ms or ISO 8601' })),
  actor: Type.Optional(Type.String({ maxLength: 256, description: 'exact actor name, e.g. alice or token:ci' })),
  action: Type.Optional(Type.String({ maxLength: 128, description: 'action prefix, e.g. user. or command.' })),
  target: Type.Optional(Type.String({ maxLength: 512, description: 'substring of the target' })),
  outcome: Type.Optional(AuditOutcomeSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only records with seq below this: pass the last seq of the previous page' })),
}, { additionalProperties: false });
export type AuditQueryParams = Static<typeof AuditQuerySchema>;

/** One audit record as the API shows it. */
export const AuditRecordSchema = Type.Object({
  seq: Type.Integer(),
  ts: Type.Integer(),
  tenant: Type.String(),
  actor: Type.String(),
  actorId: Type.String(),
  action: Type.String(),
  target: Type.String(),
  outcome: AuditOutcomeSchema,
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type ApiAuditRecord = Static<typeof AuditRecordSchema>;

/** GET /api/v1/audit: newest first; `next` is the `before` of the next page, absent on the last. */
export const AuditResponseSchema = Type.Object({
  records: Type.Array(AuditRecordSchema),
  next: Type.Optional(Type.Integer()),
});
export type AuditResponse = Static<typeof AuditResponseSchema>;

/** GET /api/v1/audit/verify: the whole trail checked. */
export const AuditVerifyResponseSchema = Type.Object({
  ok: Type.Boolean(),
  records: Type.Integer({ description: 'records checked' }),
  firstBad: Type.Optional(Type.Object({
    seq: Type.Integer(),
    problem: Type.Union([Type.Literal('edited'), Type.Literal('deleted'), Type.Literal('reordered'), Type.Literal('tail deleted')]),
    message: Type.String(),
  })),
});
export type AuditVerifyResponse = Static<typeof AuditVerifyResponseSchema>;
