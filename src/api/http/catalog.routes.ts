/**
 * Catalog routes: health, the asset tree and the tag list.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AssetsResponseSchema, ErrorSchema, HealthResponseSchema, TagsResponseSchema } from '../../protocol/api-types.js';
import type { ApiServices } from '../services.js';

/** Register the catalog routes. */
export function catalogRoutes(app: FastifyInstance, s: ApiServices): void {
  app.get('/api/v1/health', {
    schema: {
      summary: 'Platform health',
      description: 'Connectors and their status, ingest rate, rejected input by code and source, historian size. `status` is degraded when a connector is not connected or storage failed recently.',
      tags: ['system'],
      response: { 200: HealthResponseSchema },
    },
  }, async () => s.health());

  app.get('/api/v1/assets', {
    schema: { summary: 'The asset tree (ISA-95: site / area / line / machine) with tag names', tags: ['catalog'], response: { 200: AssetsResponseSchema } },
  }, async () => ({ tenant: s.tenant, assets: s.registry.tree(s.tenant) }));

  app.get<{ Querystring: { prefix?: string } }>('/api/v1/tags', {
    schema: {
      summary: 'Tags whose path starts with a prefix',
      tags: ['catalog'],
      querystring: Type.Object({ prefix: Type.Optional(Type.String({ description: 'e.g. shanghai-lingang/machining/line-1/' })) }),
      response: { 200: TagsResponseSchema, 400: ErrorSchema },
    },
  }, async (req) => ({
    tags: s.registry.list(s.tenant, req.query.prefix ?? '').map((t) => ({ path: t.path, type: t.type, source: t.source, createdTs: t.createdTs })),
  }));
}
