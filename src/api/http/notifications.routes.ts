/**
 * On-call routes: notification targets (e-mail, webhook), rosters with who is on duty now, and the
 * delivery log. The service (src/alarms/notification-service.ts) checks roles: anyone who may see
 * alarms reads, an engineer on the whole tenant changes. Webhook header values come back as
 * `********`; sending that back keeps the stored value. Every change is audited (never with secrets).
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LightsoutError } from '../../core/errors.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import { NotificationJobSchema, NotificationTargetInputSchema, RosterInputSchema, type ApiNotificationTarget, type ApiRoster } from '../../protocol/alarm-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';
import { audited } from './audited.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const TAGS = ['notifications'];
const TargetListSchema = Type.Object({ targets: Type.Array(NotificationTargetInputSchema) });
const ListedRosterSchema = Type.Intersect([RosterInputSchema, Type.Object({ onDuty: Type.Array(Type.String(), { description: 'people on duty now, in escalation order' }) })]);
const RosterListSchema = Type.Object({ rosters: Type.Array(ListedRosterSchema) });
const JobListSchema = Type.Object({ jobs: Type.Array(NotificationJobSchema) });

/** What a target change may record: never its header values. */
function targetDetail(t: ApiNotificationTarget): Record<string, unknown> {
  return t.kind === 'email' ? { kind: t.kind, name: t.name, to: t.to } : { kind: t.kind, name: t.name, url: t.url.replace(/\/\/[^/@]*@/, '//***@'), headers: Object.keys(t.headers ?? {}) };
}

function samePathId(bodyId: string, pathId: string): void {
  if (bodyId !== pathId) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `the body names id "${bodyId}" but the path names "${pathId}"`);
}

/** Register the notification routes (when the platform runs alarms). */
export function notificationRoutes(app: FastifyInstance, s: ApiServices): void {
  const n = s.notifications;
  if (!n) return;
  type Id = { Params: { id: string } };

  app.get('/api/v1/notification-targets', {
    schema: { summary: 'Notification targets of the tenant (header values hidden)', tags: TAGS, response: { 200: TargetListSchema, ...errors } },
  }, async (req) => ({ targets: await n.listTargets(principalOf(req)) }));

  app.post<{ Body: ApiNotificationTarget }>('/api/v1/notification-targets', {
    schema: { summary: 'Add a notification target: an e-mail address or a webhook URL (engineer on the tenant)', tags: TAGS, body: NotificationTargetInputSchema, response: { 201: NotificationTargetInputSchema, ...errors } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const t = await audited(s.audit, p, 'notification-target.create', req.body.id, targetDetail(req.body), () => n.saveTarget(p, req.body, 'create'));
    return reply.status(201).send(t);
  });

  app.put<Id & { Body: ApiNotificationTarget }>('/api/v1/notification-targets/:id', {
    schema: { summary: 'Replace a notification target; a header sent as ******** keeps its stored value (engineer on the tenant)', tags: TAGS, params: IdParams, body: NotificationTargetInputSchema, response: { 200: NotificationTargetInputSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    samePathId(req.body.id, req.params.id);
    return audited(s.audit, p, 'notification-target.update', req.params.id, targetDetail(req.body), () => n.saveTarget(p, req.body, 'update'));
  });

  app.delete<Id>('/api/v1/notification-targets/:id', {
    schema: { summary: 'Remove a notification target (engineer on the tenant)', tags: TAGS, params: IdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    const p = principalOf(req);
    await audited(s.audit, p, 'notification-target.delete', req.params.id, undefined, () => n.deleteTarget(p, req.params.id));
    return reply.status(204).send();
  });

  app.post<Id>('/api/v1/notification-targets/:id/test', {
    schema: {
      summary: 'Send a test message to a target now (engineer on the tenant)',
      description: '204 when the SMTP server or webhook accepted it; 502 LIGHTSOUT_NOTIFICATION_FAILED with the reason otherwise.',
      tags: TAGS, params: IdParams, response: { 204: { type: 'null' }, ...errors, 502: ErrorSchema },
    },
  }, async (req, reply) => {
    await n.testTarget(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/rosters', {
    schema: { summary: 'On-call rosters of the tenant, with who is on duty now', tags: TAGS, response: { 200: RosterListSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    const rosters = n.listRosters(p);
    return { rosters: rosters.map((r) => ({ ...r, onDuty: n.onDuty(p, r.id) })) };
  });

  app.post<{ Body: ApiRoster }>('/api/v1/rosters', {
    schema: { summary: 'Add an on-call roster (engineer on the tenant)', tags: TAGS, body: RosterInputSchema, response: { 201: RosterInputSchema, ...errors } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const r = await audited(s.audit, p, 'roster.create', req.body.id, { name: req.body.name, area: req.body.area }, () => n.saveRoster(p, req.body, 'create'));
    return reply.status(201).send(r);
  });

  app.put<Id & { Body: ApiRoster }>('/api/v1/rosters/:id', {
    schema: { summary: 'Replace an on-call roster (engineer on the tenant)', tags: TAGS, params: IdParams, body: RosterInputSchema, response: { 200: RosterInputSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    samePathId(req.body.id, req.params.id);
    return audited(s.audit, p, 'roster.update', req.params.id, { name: req.body.name, area: req.body.area }, () => n.saveRoster(p, req.body, 'update'));
  });

  app.delete<Id>('/api/v1/rosters/:id', {
    schema: { summary: 'Remove an on-call roster (engineer on the tenant)', tags: TAGS, params: IdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    const p = principalOf(req);
    await audited(s.audit, p, 'roster.delete', req.params.id, undefined, () => n.deleteRoster(p, req.params.id));
    return reply.status(204).send();
  });

  app.get<{ Querystring: { limit?: number } }>('/api/v1/notifications', {
    schema: {
      summary: 'The notification delivery log, newest first',
      tags: TAGS, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
      response: { 200: JobListSchema, ...errors },
    },
  }, async (req) => ({ jobs: await n.listJobs(principalOf(req), req.query.limit ?? 100) }));
}
