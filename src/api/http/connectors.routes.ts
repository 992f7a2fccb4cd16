/**
 * Connector routes: list the OPC UA and Modbus TCP connectors with their status, add, change and
 * remove them while the platform runs, and browse an OPC UA server's address space for the picker.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ConnectorDefinition } from '../../core/connector-settings.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import { BrowseResponseSchema, ConnectorDetailSchema, ConnectorInputSchema, ConnectorsResponseSchema, ConnectorViewSchema, type ConnectorInput } from '../../protocol/connector-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A request body as a definition of the caller's tenant (the tenant field is ignored: a connector always belongs to the caller's tenant). */
function definitionOf(body: ConnectorInput, tenant: string): ConnectorDefinition {
  return { ...body, tenant, enabled: body.enabled ?? true } as ConnectorDefinition;
}

/** Register the connector routes. */
export function connectorRoutes(app: FastifyInstance, s: ApiServices): void {
  const sup = s.connectors;
  if (!sup) return;
  app.get('/api/v1/connectors', {
    schema: { summary: 'Connectors (OPC UA, Modbus TCP) of the tenant with their status', tags: ['connectors'], response: { 200: ConnectorsResponseSchema, ...errors } },
  }, async (req) => ({ connectors: sup.list(principalOf(req)) }));

  app.get<{ Params: { id: string } }>('/api/v1/connectors/:id', {
    schema: { summary: 'One connector: status, settings (passwords hidden), tags and per-tag problems (engineer)', tags: ['connectors'], params: IdParams, response: { 200: ConnectorDetailSchema, ...errors } },
  }, async (req) => sup.detail(principalOf(req), req.params.id));

  app.post<{ Body: ConnectorInput }>('/api/v1/connectors', {
    schema: {
      summary: 'Add a connector and start it (engineer)',
      description: 'Settings are checked before anything is saved; the connector then connects on its own and reports its state. See docs/connectors.md.',
      tags: ['connectors'], body: ConnectorInputSchema, response: { 201: ConnectorViewSchema, ...errors },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    return reply.status(201).send(await sup.add(p, definitionOf(req.body, p.tenant)));
  });

  app.put<{ Params: { id: string }; Body: ConnectorInput }>('/api/v1/connectors/:id', {
    schema: {
      summary: 'Replace a connector\'s definition; it restarts with it (engineer)',
      description: 'A password sent as "********" keeps the stored one. Connectors from the config file are changed there (409).',
      tags: ['connectors'], params: IdParams, body: ConnectorInputSchema, response: { 200: ConnectorViewSchema, ...errors },
    },
  }, async (req) => {
    const p = principalOf(req);
    return sup.replace(p, req.params.id, definitionOf(req.body, p.tenant));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/connectors/:id', {
    schema: { summary: 'Stop and remove a connector; its tags turn bad (engineer)', tags: ['connectors'], params: IdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await sup.remove(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get<{ Params: { id: string }; Querystring: { nodeId?: string } }>('/api/v1/connectors/:id/browse', {
    schema: {
      summary: 'Browse an OPC UA connector\'s address space (engineer)',
      description: 'Children of `nodeId` (the Objects folder when omitted), for picking nodes to read.',
      tags: ['connectors'], params: IdParams, querystring: Type.Object({ nodeId: Type.Optional(Type.String({ maxLength: 4096 })) }),
      response: { 200: BrowseResponseSchema, ...errors, 502: ErrorSchema, 504: ErrorSchema },
    },
  }, async (req) => ({ nodeId: req.query.nodeId ?? 'ns=0;i=85', nodes: await sup.browse(principalOf(req), req.params.id, req.query.nodeId) }));
}
