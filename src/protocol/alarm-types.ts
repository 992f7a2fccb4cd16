/**
 * Request and response shapes of rules, alarms, notification targets and rosters (docs/alarms.md),
 * shared by the server and the web UI. No node:* imports. These mirror src/core/rule-port.ts and
 * src/core/alarm-port.ts; the server checks bodies against them before anything else.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

const ID = '^[a-z0-9][a-z0-9_.-]{0,99}$';
const ValueSchema = Type.Union([Type.Number(), Type.Boolean(), Type.String()]);
const Rel = (description: string) => Type.String({ minLength: 1, maxLength: 512, description });

export const PRIORITY_NAMES = ['critical', 'high', 'medium', 'low'] as const;
export const PrioritySchema = Type.Union(PRIORITY_NAMES.map((p) => Type.Literal(p)));
export type ApiAlarmPriority = Static<typeof PrioritySchema>;

export const ALARM_STATE_NAMES = [
  'normal', 'unacknowledged', 'acknowledged', 'returned-unacknowledged', 'latched', 'shelved', 'suppressed', 'out-of-service',
] as const;
export const AlarmStateSchema = Type.Union(ALARM_STATE_NAMES.map((s) => Type.Literal(s)));
export type ApiAlarmState = Static<typeof AlarmStateSchema>;

export const ALARM_EVENT_NAMES = [
  'raise', 'clear', 'ack', 'reset', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'out-of-service', 'in-service',
  'comment', 'notify', 'notify-failed', 'escalate', 'action', 'action-failed', 'rule-removed',
] as const;
export const AlarmEventKindSchema = Type.Union(ALARM_EVENT_NAMES.map((s) => Type.Literal(s)));

/** The condition of a rule (see RuleCondition in src/core/rule-port.ts). */
export const RuleConditionSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('threshold'), tag: Rel('tag path relative to the rule\'s asset'),
    op: Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<=')]),
    limit: Type.Number(), deadband: Type.Optional(Type.Number({ minimum: 0 })),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('rate-of-change'), tag: Rel('tag path relative to the rule\'s asset'),
    limitPerMinute: Type.Number({ exclusiveMinimum: 0 }), windowS: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('deviation'), tag: Rel('measured tag'), setpointTag: Rel('setpoint tag'),
    limit: Type.Number({ exclusiveMinimum: 0 }), deadband: Type.Optional(Type.Number({ minimum: 0 })),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('stale'), tag: Rel('tag that must keep updating'), afterS: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('expression'), expression: Type.String({ minLength: 1, maxLength: 2000, description: 'CEL over the asset\'s tags, giving a boolean' }),
  }, { additionalProperties: false }),
]);
export type ApiRuleCondition = Static<typeof RuleConditionSchema>;

export const RuleAlarmSettingsSchema = Type.Object({
  priority: PrioritySchema,
  message: Type.String({ minLength: 1, maxLength: 500, description: '{name} is replaced by the live value of tag name; {limit}, {setpoint}, {value} too' }),
  latched: Type.Optional(Type.Boolean()),
  suppressWhen: Type.Optional(Type.String({ maxLength: 2000, description: 'CEL: suppressed by design while true' })),
  notify: Type.Optional(Type.Array(Type.String({ pattern: ID }), { maxItems: 20 })),
}, { additionalProperties: false });

export const RuleActionSchema = Type.Object({
  on: Type.Union([Type.Literal('raise'), Type.Literal('clear')]),
  command: Type.Union([
    Type.Object({ kind: Type.Literal('write'), tag: Rel('tag relative to the rule\'s asset'), value: ValueSchema }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('call'), method: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), args: Type.Optional(Type.Record(Type.String(), ValueSchema)) }, { additionalProperties: false }),
  ]),
}, { additionalProperties: false });

const ruleBody = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  condition: RuleConditionSchema,
  onDelayS: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
  offDelayS: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
  alarm: RuleAlarmSettingsSchema,
  actions: Type.Optional(Type.Array(RuleActionSchema, { maxItems: 10 })),
  enabled: Type.Boolean(),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
};

/** POST /api/v1/rules, PUT /api/v1/rules/:id (id from the path on PUT). */
export const RuleInputSchema = Type.Object({
  id: Type.Optional(Type.String({ pattern: ID })),
  asset: Type.String({ minLength: 1, maxLength: 512, description: 'asset path the rule is attached to' }),
  ...ruleBody,
}, { additionalProperties: false });
export type ApiRuleInput = Static<typeof RuleInputSchema>;

/** A rule as returned; template instances carry `templateId` and are read-only. */
export const RuleSchema = Type.Object({
  id: Type.String(), tenant: Type.String(), asset: Type.String(), ...ruleBody,
  templateId: Type.Optional(Type.String()),
  updatedTs: Type.Optional(Type.Integer()), updatedBy: Type.Optional(Type.String()),
  /** Why the rule cannot be evaluated now (a tag it names does not exist), if so. */
  problem: Type.Optional(Type.String()),
});
export type ApiRule = Static<typeof RuleSchema>;

/** POST /api/v1/rule-templates, PUT /api/v1/rule-templates/:id */
export const RuleTemplateInputSchema = Type.Object({
  id: Type.Optional(Type.String({ pattern: ID })),
  machineType: Type.String({ pattern: ID }),
  ...ruleBody,
}, { additionalProperties: false });
export type ApiRuleTemplateInput = Static<typeof RuleTemplateInputSchema>;
export const RuleTemplateSchema = Type.Object({
  id: Type.String(), tenant: Type.String(), machineType: Type.String(), ...ruleBody,
  updatedTs: Type.Optional(Type.Integer()), updatedBy: Type.Optional(Type.String()),
  /** Asset paths it applies to now. */
  assets: Type.Array(Type.String()),
});
export type ApiRuleTemplate = Static<typeof RuleTemplateSchema>;

/**
 * POST /api/v1/rules/validate — check a rule without saving. 200 `{ ok: true }`, or 400 with
 * LIGHTSOUT_BAD_EXPRESSION / LIGHTSOUT_NOT_FOUND and `details: { field, position? }`.
 */
export const RuleValidateResponseSchema = Type.Object({ ok: Type.Boolean(), variables: Type.Array(Type.String()) });

/** POST /api/v1/rules/test — how often would this rule have fired over a past period? */
export const RuleTestRequestSchema = Type.Object({
  rule: RuleInputSchema,
  from: Type.Integer({ description: 'epoch ms' }),
  to: Type.Integer({ description: 'epoch ms' }),
}, { additionalProperties: false });
export type ApiRuleTestRequest = Static<typeof RuleTestRequestSchema>;
export const RuleTestResponseSchema = Type.Object({
  /** How many times the alarm would have been raised. */
  raises: Type.Integer(),
  /** Total time the alarm would have been active, ms. */
  activeMs: Type.Integer(),
  /** Points replayed. */
  points: Type.Integer(),
  /** The first 200 episodes. */
  episodes: Type.Array(Type.Object({ from: Type.Integer(), to: Type.Optional(Type.Integer()), value: Type.Optional(ValueSchema) })),
  /** True when the period held more points than were replayed. */
  truncated: Type.Boolean(),
});
export type ApiRuleTestResponse = Static<typeof RuleTestResponseSchema>;

/** An alarm as the console shows it. */
export const AlarmSchema = Type.Object({
  id: Type.String(),
  ruleName: Type.String(),
  area: Type.String(),
  priority: PrioritySchema,
  state: AlarmStateSchema,
  conditionActive: Type.Boolean(),
  message: Type.String(),
  value: Type.Optional(ValueSchema),
  activeTs: Type.Optional(Type.Integer()),
  stateTs: Type.Integer(),
  ackedBy: Type.Optional(Type.String()),
  ackedTs: Type.Optional(Type.Integer()),
  shelved: Type.Optional(Type.Object({ by: Type.String(), reason: Type.String(), ts: Type.Integer(), untilTs: Type.Integer() })),
  outOfService: Type.Optional(Type.Object({ by: Type.String(), reason: Type.String(), ts: Type.Integer() })),
  escalationStep: Type.Optional(Type.Integer()),
  raiseCount: Type.Integer(),
  /** The latest operator comments, newest first (at most 5). */
  comments: Type.Optional(Type.Array(Type.Object({ by: Type.String(), ts: Type.Integer(), text: Type.String() }))),
});
export type ApiAlarm = Static<typeof AlarmSchema>;

/** GET /api/v1/alarms?state=&area=&priority=&all= — alarms not normal (all=true: every alarm). */
export const AlarmListResponseSchema = Type.Object({ alarms: Type.Array(AlarmSchema) });

/** POST /api/v1/alarms/:id/ack | reset | unshelve | in-service (optional comment). */
export const AlarmActionSchema = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
/** POST /api/v1/alarms/:id/shelve */
export const AlarmShelveSchema = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  minutes: Type.Integer({ minimum: 1, description: 'at most alarmMaxShelveMinutes' }),
}, { additionalProperties: false });
/** POST /api/v1/alarms/:id/out-of-service */
export const AlarmOutOfServiceSchema = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
/** POST /api/v1/alarms/:id/comment */
export const AlarmCommentSchema = Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
/** POST /api/v1/alarms/ack — acknowledge many at once (the console's "ack all visible"). */
export const AlarmAckManySchema = Type.Object({ ids: Type.Array(Type.String(), { minItems: 1, maxItems: 1000 }), comment: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });

/** One journal entry. */
export const AlarmEventSchema = Type.Object({
  seq: Type.Integer(), alarmId: Type.String(), ts: Type.Integer(), kind: AlarmEventKindSchema,
  from: AlarmStateSchema, to: AlarmStateSchema, area: Type.String(), priority: PrioritySchema, by: Type.String(),
  text: Type.Optional(Type.String()), value: Type.Optional(ValueSchema), message: Type.Optional(Type.String()),
});
export type ApiAlarmEvent = Static<typeof AlarmEventSchema>;
/** GET /api/v1/alarms/history?from=&to=&area=&priority=&alarm=&kind=&q=&limit=&before= */
export const AlarmHistoryResponseSchema = Type.Object({ events: Type.Array(AlarmEventSchema), nextBefore: Type.Optional(Type.Integer()) });

/** GET /api/v1/alarms/figures?from=&to=&area= — ISA-18.2 alarm management figures. */
export const AlarmFiguresSchema = Type.Object({
  from: Type.Integer(), to: Type.Integer(), area: Type.String(),
  /** Operator positions: one per area (site/area level) with alarms in the period. */
  positions: Type.Array(Type.Object({
    position: Type.String(),
    raises: Type.Integer(),
    /** Average alarms per 10 minutes (ISA-18.2: ~1 is manageable, over 2 is too many). */
    per10MinAvg: Type.Number(),
    /** The busiest 10 minutes. */
    per10MinMax: Type.Integer(),
    /** Share of the period in flood (more than 10 alarms in 10 minutes), 0..1. */
    floodFraction: Type.Number(),
    floodMs: Type.Integer(),
  })),
  /** Alarms raised per 10-minute bucket over the period, for the chart. */
  series: Type.Array(Type.Object({ ts: Type.Integer(), raises: Type.Integer() })),
  floodMs: Type.Integer(),
  floodFraction: Type.Number(),
  /** Raised 3 or more times within 60 s. */
  chattering: Type.Array(Type.Object({ alarmId: Type.String(), ruleName: Type.String(), area: Type.String(), bursts: Type.Integer(), maxPerMinute: Type.Integer() })),
  /** Active (not normal) for more than 24 h at the end of the period. */
  stale: Type.Array(Type.Object({ alarmId: Type.String(), ruleName: Type.String(), area: Type.String(), sinceTs: Type.Integer() })),
  /** The ten most frequent alarms. */
  badActors: Type.Array(Type.Object({ alarmId: Type.String(), ruleName: Type.String(), area: Type.String(), priority: PrioritySchema, raises: Type.Integer(), share: Type.Number() })),
  /** Raises by priority (ISA-18.2 suggests ~80% low, 15% high, 5% critical). */
  byPriority: Type.Record(Type.String(), Type.Integer()),
});
export type ApiAlarmFigures = Static<typeof AlarmFiguresSchema>;

/** A notification target (e-mail address or webhook URL). */
export const NotificationTargetInputSchema = Type.Union([
  Type.Object({ id: Type.String({ pattern: ID }), kind: Type.Literal('webhook'), name: Type.String({ minLength: 1, maxLength: 200 }), url: Type.String({ maxLength: 2000 }), headers: Type.Optional(Type.Record(Type.String(), Type.String())) }, { additionalProperties: false }),
  Type.Object({ id: Type.String({ pattern: ID }), kind: Type.Literal('email'), name: Type.String({ minLength: 1, maxLength: 200 }), to: Type.String({ maxLength: 320 }) }, { additionalProperties: false }),
]);
export type ApiNotificationTarget = Static<typeof NotificationTargetInputSchema>;

/** An on-call roster. */
export const RosterInputSchema = Type.Object({
  id: Type.String({ pattern: ID }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  area: Type.String({ maxLength: 512, description: 'asset path prefix it covers; empty = the whole tenant' }),
  timeZone: Type.Optional(Type.String({ description: 'IANA zone of the working hours; default the site\'s' })),
  ackTimeoutMinutes: Type.Number({ exclusiveMinimum: 0, maximum: 1440 }),
  minPriority: Type.Optional(PrioritySchema),
  entries: Type.Array(Type.Object({
    person: Type.String({ minLength: 1, maxLength: 200 }),
    targets: Type.Array(Type.String({ pattern: ID }), { minItems: 1, maxItems: 10 }),
    days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
    from: Type.Optional(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' })),
    to: Type.Optional(Type.String({ pattern: '^([01]\\d|2[0-4]):[0-5]\\d$' })),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 50 }),
}, { additionalProperties: false });
export type ApiRoster = Static<typeof RosterInputSchema>;

/** One notification delivery (the delivery log). */
export const NotificationJobSchema = Type.Object({
  id: Type.String(), alarmId: Type.String(), targetId: Type.String(), subject: Type.String(),
  createdTs: Type.Integer(), attempts: Type.Integer(), nextTs: Type.Integer(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  lastError: Type.Optional(Type.String()),
});
export type ApiNotificationJob = Static<typeof NotificationJobSchema>;

/**
 * WebSocket /api/v1/alarms/live (session cookie or token, like /api/v1/live): on connect the
 * server sends `{ type: 'alarms', alarms }` (every alarm not normal that the caller may see), then
 * `{ type: 'alarm', alarm }` on each change (including a return to normal) and
 * `{ type: 'heartbeat', ts }` every 15 s.
 */
export type AlarmLiveMessage =
  | { type: 'alarms'; alarms: ApiAlarm[] }
  | { type: 'alarm'; alarm: ApiAlarm }
  | { type: 'heartbeat'; ts: number };
