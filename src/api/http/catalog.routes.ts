/**
 * Catalog routes: health, the asset tree and the tag list.
 * @module
 */
import { Type } from '@sinclair/typebox';
import { LightsoutError } from '../../core/errors.js';
import type { FastifyInstance } from 'fastify';
import {
  AssetMetaRequestSchema, AssetsResponseSchema, ErrorSchema, HealthResponseSchema, MetaUpdateResponseSchema, TagMetaRequestSchema, TagsResponseSchema,
  type AssetMetaRequest, type TagMetaRequest,
} from '../../protocol/api-types.js';
import { can, requireRole, type Principal } from '../../core/auth.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

/** Register the catalog routes. */
export function catalogRoutes(app: FastifyInstance, s: ApiServices): void {
  app.get('/api/v1/health', {
    schema: {
      summary: 'Platform health',
      description: 'Connectors and their status (the MQTT side, and the OPC UA and Modbus connectors of the caller\'s tenant), ingest rate, rejected input by code and source, historian size. `status` is degraded when a connector is not connected or storage failed recently.',
      tags: ['system'],
      response: { 200: HealthResponseSchema },
    },
  }, async (req) => s.health(principalOf(req).tenant));

  app.get('/api/v1/assets', {
    schema: { summary: 'The asset tree (ISA-95: site / area / line / machine) with tag names', tags: ['catalog'], response: { 200: AssetsResponseSchema } },
  }, async (req) => {
    const p = principalOf(req);
    return { tenant: p.tenant, assets: s.registry.tree(p.tenant, (path) => can(p, 'viewer', path)) };
  });

  app.get<{ Querystring: { prefix?: string } }>('/api/v1/tags', {
    schema: {
      summary: 'Tags whose path starts with a prefix',
      tags: ['catalog'],
      querystring: Type.Object({ prefix: Type.Optional(Type.String({ description: 'e.g. shanghai-lingang/machining/line-1/' })) }),
      response: { 200: TagsResponseSchema, 400: ErrorSchema },
    },
  }, async (req) => {
    const p = principalOf(req);
    return { tags: s.registry.list(p.tenant, req.query.prefix ?? '').filter((t) => can(p, 'viewer', t.path)).map((t) => ({
      path: t.path, type: t.type, source: t.source, createdTs: t.createdTs,
      ...(t.unit !== undefined ? { unit: t.unit } : {}), ...(t.description !== undefined ? { description: t.description } : {}),
      ...(t.min !== undefined ? { min: t.min } : {}), ...(t.max !== undefined ? { max: t.max } : {}),
      ...(t.writable ? { writable: true } : {}), ...(t.critical ? { critical: true } : {}), ...(t.interlock ? { interlock: t.interlock } : {}),
    })) };
  });

  app.patch<{ Body: TagMetaRequest }>('/api/v1/tags', {
    schema: {
      summary: 'Set tag metadata (unit, description, engineering range)',
      description: 'All tags must exist and every entry must be valid, else nothing changes. Devices can also send metadata: a Sparkplug birth metric\'s engUnit/engLow/engHigh properties, or a UNS point object\'s unit/description/min/max.',
      tags: ['catalog'],
      body: TagMetaRequestSchema,
      response: { 200: MetaUpdateResponseSchema, 400: ErrorSchema, 404: ErrorSchema },
    },
  }, async (req) => {
    const p = principalOf(req);
    for (const t of req.body.tags) {
      if (!can(p, 'viewer', t.path)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tag "${t.path}" does not exist in tenant ${p.tenant}`);
      requireRole(p, 'engineer', t.path, 'change tag metadata');
      // An interlock must parse and name only this machine's tags (LIGHTSOUT_BAD_EXPRESSION with the position).
      if (t.interlock && s.registry.get(p.tenant, t.path)) s.commands?.validateInterlock(p.tenant, t.path, t.interlock);
    }
    const before = req.body.tags.map((t) => pick(s.registry.get(p.tenant, t.path), t));
    const updated = await s.registry.updateMeta(p.tenant, req.body.tags);
    await auditChanges(s, p, 'tag.meta', req.body.tags.map((t, i) => ({ path: t.path, old: before[i]!, new: pick(s.registry.get(p.tenant, t.path), t) })));
    return { updated };
  });

  app.patch<{ Body: AssetMetaRequest }>('/api/v1/assets', {
    schema: {
      summary: 'Set asset metadata (a site\'s time zone, a description)',
      description: 'The dashboard shows a site\'s time zone beside the viewer\'s. Time zones are IANA names such as Asia/Shanghai.',
      tags: ['catalog'],
      body: AssetMetaRequestSchema,
      response: { 200: MetaUpdateResponseSchema, 400: ErrorSchema },
    },
  }, async (req) => {
    const p = principalOf(req);
    for (const a of req.body.assets) requireRole(p, 'engineer', a.path, 'change asset metadata');
    const before = req.body.assets.map((a) => pick(s.registry.assetMeta(p.tenant, a.path), a));
    const updated = await s.registry.updateAssets(p.tenant, req.body.assets);
    await auditChanges(s, p, 'asset.meta', req.body.assets.map((a, i) => ({ path: a.path, old: before[i]!, new: pick(s.registry.assetMeta(p.tenant, a.path), a) })));
    return { updated };
  });
}

/** The fields an update names, as the record holds them (undefined → null, so the audit shows a cleared value). */
function pick(rec: object | undefined, update: { path: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(update)) if (k !== 'path') out[k] = (rec as Record<string, unknown> | undefined)?.[k] ?? null;
  return out;
}

/** Most configuration changes recorded one by one; a bigger batch is one record listing them. */
const AUDIT_EACH_MAX = 100;

/** Record configuration changes (old and new values) in the audit trail; unchanged entries are left out. */
async function auditChanges(s: ApiServices, p: Principal, action: string, changes: Array<{ path: string; old: Record<string, unknown>; new: Record<string, unknown> }>): Promise<void> {
  const real = changes.filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.new));
  const base = { tenant: p.tenant, actor: p.name, actorId: p.id, action, outcome: 'ok' as const };
  if (real.length <= AUDIT_EACH_MAX) {
    for (const c of real) await s.audit.record({ ...base, target: c.path, detail: { old: c.old, new: c.new } });
  } else {
    await s.audit.record({ ...base, target: `${real.length} entries: ${real.slice(0, 5).map((c) => c.path).join(', ')}, …`, detail: { changes: real } });
  }
}
