/**
 * Alarm routes: the console list, one alarm, operator actions (acknowledge, reset, shelve,
 * unshelve, comment), engineer actions (out of service, back in service), the journal search and
 * the ISA-18.2 figures. The state machine and the role checks live in src/alarms/alarm-service.ts;
 * each action answers with the alarm after it, once it is durable, and is audited.
 * Alarm ids of template instances hold `@` and `/`: send them URL-encoded (encodeURIComponent).
 * @module
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ALARM_EVENT_KINDS, ALARM_STATES, type AlarmEventKind, type AlarmState } from '../../core/alarm-port.js';
import { LightsoutError } from '../../core/errors.js';
import { ALARM_PRIORITIES, type AlarmPriority } from '../../core/rule-port.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import {
  AlarmAckManySchema, AlarmActionSchema, AlarmCommentSchema, AlarmFiguresSchema, AlarmHistoryResponseSchema, AlarmListResponseSchema,
  AlarmOutOfServiceSchema, AlarmSchema, AlarmShelveSchema, PrioritySchema,
} from '../../protocol/alarm-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';
import { audited } from './audited.js';
import { IdParams } from './rules.routes.js';
import { parseTime } from './time-param.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const TAGS = ['alarms'];
const DAY = 24 * 3600_000;

/** A comma-separated (or repeated) list parameter, each item one of `allowed`. */
export function listParam<T extends string>(raw: string | string[] | undefined, name: string, allowed: readonly T[]): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = [raw].flat().flatMap((r) => r.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  if (items.length === 0) return undefined;
  for (const x of items) if (!(allowed as readonly string[]).includes(x)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `${name} "${x}" is not one of ${allowed.join(', ')}`);
  return items as T[];
}

const ListParam = (description: string) => Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })], { description }));
const ListQuery = Type.Object({
  state: ListParam(`states, comma-separated: ${ALARM_STATES.join(', ')}`),
  area: Type.Optional(Type.String({ maxLength: 512, description: 'asset path prefix (whole levels)' })),
  priority: ListParam('priorities, comma-separated'),
  all: Type.Optional(Type.Boolean({ description: 'every alarm, normal ones too' })),
});
const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'epoch ms or ISO 8601; default 24 h before `to`' })),
  to: Type.Optional(Type.String({ description: 'epoch ms or ISO 8601; default now' })),
  area: Type.Optional(Type.String({ maxLength: 512 })),
  priority: Type.Optional(PrioritySchema),
  alarm: Type.Optional(Type.String({ maxLength: 700, description: 'one alarm id' })),
  kind: ListParam(`event kinds, comma-separated: ${ALARM_EVENT_KINDS.join(', ')}`),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'words in the message, rule name or text' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'page: events with seq below this (the previous answer\'s nextBefore)' })),
});
const FiguresQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'epoch ms or ISO 8601; default 24 h before `to`' })),
  to: Type.Optional(Type.String({ description: 'epoch ms or ISO 8601; default now' })),
  area: Type.Optional(Type.String({ maxLength: 512 })),
});

/** The period of a query: `to` defaults to now, `from` to a day before it. */
function period(q: { from?: string; to?: string }): { from: number; to: number } {
  const to = parseTime(q.to, 'to', Date.now());
  const from = parseTime(q.from, 'from', to - DAY);
  if (to <= from) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', '"to" must be after "from"');
  return { from, to };
}

type Id = { Params: { id: string } };

/** Register the alarm routes (when the platform runs alarms). */
export function alarmRoutes(app: FastifyInstance, s: ApiServices): void {
  const alarms = s.alarms;
  if (!alarms) return;

  app.get<{ Querystring: { state?: string | string[]; area?: string; priority?: string | string[]; all?: boolean } }>('/api/v1/alarms', {
    schema: { summary: 'Alarms you may see (viewer on their area), not normal unless all=true', tags: TAGS, querystring: ListQuery, response: { 200: AlarmListResponseSchema, ...errors } },
  }, async (req) => {
    const q = req.query;
    const state = listParam<AlarmState>(q.state, 'state', ALARM_STATES);
    const priority = listParam<AlarmPriority>(q.priority, 'priority', ALARM_PRIORITIES);
    return { alarms: alarms.list(principalOf(req), { ...(state ? { state } : {}), ...(priority ? { priority } : {}), ...(q.area ? { area: q.area } : {}), ...(q.all ? { all: true } : {}) }) };
  });

  app.get<{ Querystring: { from?: string; to?: string; area?: string; priority?: AlarmPriority; alarm?: string; kind?: string | string[]; q?: string; limit?: number; before?: number } }>('/api/v1/alarms/history', {
    schema: { summary: 'Search the alarm journal, newest first (pages with `before`)', tags: TAGS, querystring: HistoryQuery, response: { 200: AlarmHistoryResponseSchema, ...errors } },
  }, async (req) => {
    const q = req.query;
    const kinds = listParam<AlarmEventKind>(q.kind, 'kind', ALARM_EVENT_KINDS);
    return alarms.history(principalOf(req), {
      ...period(q), limit: q.limit ?? 200,
      ...(q.area ? { area: q.area } : {}), ...(q.priority ? { priority: q.priority } : {}), ...(q.alarm ? { alarmId: q.alarm } : {}),
      ...(kinds ? { kinds } : {}), ...(q.q ? { text: q.q } : {}), ...(q.before !== undefined ? { beforeSeq: q.before } : {}),
    });
  });

  app.get<{ Querystring: { from?: string; to?: string; area?: string } }>('/api/v1/alarms/figures', {
    schema: {
      summary: 'ISA-18.2 alarm management figures over a period',
      description: 'Alarms per 10 minutes per operator position, flood share, chattering and stale alarms, the ten bad actors, raises by priority.',
      tags: TAGS, querystring: FiguresQuery, response: { 200: AlarmFiguresSchema, ...errors },
    },
  }, async (req) => alarms.figures(principalOf(req), { ...period(req.query), ...(req.query.area ? { area: req.query.area } : {}) }));

  app.post<{ Body: { ids: string[]; comment?: string } }>('/api/v1/alarms/ack', {
    schema: { summary: 'Acknowledge many alarms at once (operator on each one\'s area)', tags: TAGS, body: AlarmAckManySchema, response: { 200: AlarmListResponseSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    const { ids, comment } = req.body;
    const done = await audited(s.audit, p, 'alarm.ack', ids.length === 1 ? ids[0]! : `${ids.length} alarms`, { ids, ...(comment ? { comment } : {}) }, () => alarms.ackMany(p, ids, comment));
    return { alarms: done };
  });

  app.get<Id>('/api/v1/alarms/:id', {
    schema: { summary: 'One alarm', tags: TAGS, params: IdParams, response: { 200: AlarmSchema, ...errors } },
  }, async (req) => alarms.get(principalOf(req), req.params.id));

  // Actions that take an optional comment.
  for (const [verb, action, summary] of [
    ['ack', 'ack', 'Acknowledge an alarm (operator on its area)'],
    ['reset', 'reset', 'Reset a latched alarm after it cleared and was acknowledged (operator)'],
    ['unshelve', 'unshelve', 'Unshelve an alarm before its shelving expires (operator)'],
    ['in-service', 'inService', 'Return an alarm to service (engineer on its area)'],
  ] as const) {
    app.post<Id & { Body: { comment?: string } | undefined }>(`/api/v1/alarms/:id/${verb}`, {
      schema: { summary, tags: TAGS, params: IdParams, body: AlarmActionSchema, response: { 200: AlarmSchema, ...errors } },
      // The comment is optional, and so is the whole body.
      preValidation: async (req) => {
        req.body ??= {};
      },
    }, async (req) => {
      const p = principalOf(req);
      const comment = req.body?.comment;
      return audited(s.audit, p, `alarm.${verb}`, req.params.id, comment ? { comment } : undefined, () => alarms[action](p, req.params.id, comment));
    });
  }

  app.post<Id & { Body: { reason: string; minutes: number } }>('/api/v1/alarms/:id/shelve', {
    schema: { summary: 'Shelve an alarm for a while, with a reason (operator; at most alarmMaxShelveMinutes)', tags: TAGS, params: IdParams, body: AlarmShelveSchema, response: { 200: AlarmSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    const { reason, minutes } = req.body;
    return audited(s.audit, p, 'alarm.shelve', req.params.id, { reason, minutes }, () => alarms.shelve(p, req.params.id, reason, minutes));
  });

  app.post<Id & { Body: { reason: string } }>('/api/v1/alarms/:id/out-of-service', {
    schema: { summary: 'Take an alarm out of service for maintenance, with a reason (engineer on its area)', tags: TAGS, params: IdParams, body: AlarmOutOfServiceSchema, response: { 200: AlarmSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    return audited(s.audit, p, 'alarm.out-of-service', req.params.id, { reason: req.body.reason }, () => alarms.outOfService(p, req.params.id, req.body.reason));
  });

  app.post<Id & { Body: { text: string } }>('/api/v1/alarms/:id/comment', {
    schema: { summary: 'Comment on an alarm (operator); kept in the journal', tags: TAGS, params: IdParams, body: AlarmCommentSchema, response: { 200: AlarmSchema, ...errors } },
  }, async (req) => {
    const p = principalOf(req);
    return audited(s.audit, p, 'alarm.comment', req.params.id, { text: req.body.text }, () => alarms.comment(p, req.params.id, req.body.text));
  });
}
