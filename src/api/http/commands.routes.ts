/**
 * Remote command routes: request, confirm, approve, cancel, list, show. The lifecycle and its
 * rules live in src/commands/command-service.ts; docs/commands.md describes them.
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { commandTagPath, type CommandRecord } from '../../core/command-port.js';
import { LightsoutError } from '../../core/errors.js';
import type { CommandInput } from '../../commands/command-service.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import {
  CommandCreatedSchema, CommandListQuerySchema, CommandListSchema, CommandRequestSchema, CommandSchema,
  type ApiCommand, type CommandListQuery, type CommandRequest,
} from '../../protocol/command-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

/** The API shape of a command record. */
export function toApiCommand(c: CommandRecord): ApiCommand {
  const a = c.action;
  return {
    id: c.id, kind: a.kind, tag: commandTagPath(a),
    ...(a.kind === 'write' ? { value: a.value } : { machine: a.machine, method: a.method, ...(a.args ? { args: a.args } : {}) }),
    requestedBy: c.requestedBy, ...(c.approvedBy ? { approvedBy: c.approvedBy } : {}),
    idempotencyKey: c.idempotencyKey, critical: c.critical, ttlSeconds: c.ttlSeconds, createdTs: c.createdTs, expiresTs: c.expiresTs,
    ...(c.sentTs !== undefined ? { sentTs: c.sentTs } : {}), state: c.state, ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.previousValue !== undefined ? { previousValue: c.previousValue } : {}), ...(c.readbackValue !== undefined ? { readbackValue: c.readbackValue } : {}),
    history: c.history,
  };
}

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 410: ErrorSchema, 429: ErrorSchema };

/** Register the command routes. */
export function commandRoutes(app: FastifyInstance, s: ApiServices): void {
  const svc = () => {
    if (!s.commands) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', 'remote commands are not enabled on this server');
    return s.commands;
  };

  app.post<{ Body: CommandRequest }>('/api/v1/commands', {
    schema: {
      summary: 'Request a command: write a tag, or call a machine method',
      description: 'Authorises (operator role on the tag or machine, writable tag, value type and range), checks the interlock on live values and answers 201 with the command awaiting confirmation, the current value and the interlock verdict. The same idempotencyKey from the same caller within 24 h answers 200 with the existing command; with other content, 409 LIGHTSOUT_CONFLICT. An interlock that does not hold answers 409 LIGHTSOUT_INTERLOCK (the command is recorded as rejected). See docs/commands.md.',
      tags: ['commands'], body: CommandRequestSchema, response: { 200: CommandCreatedSchema, 201: CommandCreatedSchema, ...errors },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const b = req.body;
    const input = (b.kind === 'write'
      ? { kind: 'write', tag: b.tag, value: b.value, idempotencyKey: b.idempotencyKey }
      : { kind: 'call', machine: b.machine, method: b.method, ...(b.args !== undefined ? { args: b.args } : {}), idempotencyKey: b.idempotencyKey }) as CommandInput;
    if (b.kind === 'write' && b.tag === undefined) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'a write needs "tag" and "value"');
    if (b.kind === 'call' && (b.machine === undefined || b.method === undefined)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'a call needs "machine" and "method"');
    if (b.ttlSeconds !== undefined) input.ttlSeconds = b.ttlSeconds;
    const r = await svc().request(p, input);
    void reply.status(r.created ? 201 : 200);
    return { command: toApiCommand(r.command), ...(r.currentValue !== undefined ? { currentValue: r.currentValue } : {}), ...(r.interlock ? { interlock: r.interlock } : {}) };
  });

  for (const [verb, summary] of [
    ['confirm', 'Confirm a command you requested (it is then sent, or waits for approval if the tag is critical)'],
    ['approve', 'Approve a critical command someone else requested and confirmed'],
    ['cancel', 'Cancel a command that was not sent yet'],
  ] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/commands/:id/${verb}`, {
      schema: { summary, tags: ['commands'], params: IdParams, response: { 200: CommandSchema, ...errors } },
    }, async (req) => toApiCommand(await svc()[verb](principalOf(req), req.params.id)));
  }

  app.get<{ Querystring: CommandListQuery }>('/api/v1/commands', {
    schema: { summary: 'Commands of your tenant, newest first', tags: ['commands'], querystring: CommandListQuerySchema, response: { 200: CommandListSchema, ...errors } },
  }, async (req) => {
    const q = req.query;
    const list = await svc().list(principalOf(req), { ...(q.state ? { state: q.state } : {}), ...(q.tag ? { tag: q.tag } : {}), ...(q.limit ? { limit: q.limit } : {}) });
    return { commands: list.map(toApiCommand) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/commands/:id', {
    schema: { summary: 'One command with its history', tags: ['commands'], params: IdParams, response: { 200: CommandSchema, ...errors } },
  }, async (req) => toApiCommand(await svc().get(principalOf(req), req.params.id)));
}
