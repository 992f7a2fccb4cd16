/**
 * ISA-18.2 alarms: the record of one alarm (one per rule), its journal of transitions, where both
 * are kept, and the on-call side (notification targets, rosters, the notification outbox).
 * The state machine lives in src/alarms/alarm-service.ts; see docs/alarms.md.
 *
 * States (ISA-18.2 figure 5 letters in brackets):
 * - `normal` [A]: condition inactive, nothing to do.
 * - `unacknowledged` [B]: condition active, not acknowledged.
 * - `acknowledged` [C]: condition active, acknowledged.
 * - `returned-unacknowledged` [D]: condition cleared before anyone acknowledged.
 * - `latched` [E]: a latched alarm that cleared and was acknowledged; waits for a reset.
 * - `shelved` [F]: hidden by an operator for a while (reason, expiry); unshelved automatically.
 * - `suppressed` [G]: suppressed by design while the rule's `suppressWhen` holds.
 * - `out-of-service` [H]: taken out of service (maintenance) until returned.
 * After shelved / suppressed / out-of-service the alarm returns to `unacknowledged` when its
 * condition is active then, else to `normal`.
 * @module
 */
import type { AlarmPriority, RuleAction, RuleDefinition } from './rule-port.js';
import type { Value } from './point.js';

export const ALARM_STATES = [
  'normal', 'unacknowledged', 'acknowledged', 'returned-unacknowledged', 'latched', 'shelved', 'suppressed', 'out-of-service',
] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** One alarm: the state of one rule's condition as operators handle it. Its id is the rule's. */
export interface AlarmRecord {
  id: string;
  tenant: string;
  ruleName: string;
  /** The ISA-95 path of the rule's asset. */
  area: string;
  priority: AlarmPriority;
  state: AlarmState;
  /** The rule's condition as last evaluated (after on/off delays). */
  conditionActive: boolean;
  /** The message with live values, rendered at the last raise (and refreshed while active). */
  message: string;
  /** The value that raised it (the condition's main tag), when there is one. */
  value?: Value;
  /** When the condition last became active (the raise). */
  activeTs?: number;
  /** When the state last changed. */
  stateTs: number;
  ackedBy?: string;
  ackedTs?: number;
  shelved?: { by: string; reason: string; ts: number; untilTs: number };
  outOfService?: { by: string; reason: string; ts: number };
  /** How far escalation went for the current raise: the roster step notified last (0 = first). */
  escalationStep?: number;
  /** When the next escalation step is due (epoch ms), while unacknowledged. */
  escalationDueTs?: number;
  /**
   * The rule's `suppressWhen` holds now. Kept apart from `state` because shelving or taking the
   * alarm out of service hides the suppression; on return the alarm goes back to `suppressed`.
   */
  suppressed?: boolean;
  /** Raises since the record was created. */
  raiseCount: number;
  /** The latest operator comments, newest first (at most 5; all are in the journal). */
  comments?: Array<{ by: string; ts: number; text: string }>;
}

/** What happened to an alarm. */
export const ALARM_EVENT_KINDS = [
  'raise', 'clear', 'ack', 'reset', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'out-of-service', 'in-service',
  'comment', 'notify', 'notify-failed', 'escalate', 'action', 'action-failed', 'rule-removed',
] as const;
export type AlarmEventKind = (typeof ALARM_EVENT_KINDS)[number];

/** One journal entry: every transition, comment, notification and automatic action. Append-only. */
export interface AlarmEvent {
  /** Assigned by the store, increasing. */
  seq?: number;
  tenant: string;
  alarmId: string;
  ts: number;
  kind: AlarmEventKind;
  /** State before and after (equal for comments, notifications, actions). */
  from: AlarmState;
  to: AlarmState;
  area: string;
  priority: AlarmPriority;
  /** A person's name, `system`, or `rule:<id>`. */
  by: string;
  /** Comment, shelve reason, notification target, action outcome, error. */
  text?: string;
  value?: Value;
  message?: string;
}

/** Search of the journal (newest first). */
export interface AlarmHistoryQuery {
  tenant: string;
  from: number;
  to: number;
  /** Asset path prefix (whole levels). */
  area?: string;
  priority?: AlarmPriority;
  alarmId?: string;
  kinds?: AlarmEventKind[];
  /** Words in the message, rule name or text. */
  text?: string;
  limit: number;
  /** Page: events with seq below this. */
  beforeSeq?: number;
}

/** Where notifications go. */
export type NotificationTarget =
  | { id: string; tenant: string; kind: 'webhook'; name: string; url: string; headers?: Record<string, string> }
  | { id: string; tenant: string; kind: 'email'; name: string; to: string };

/** One person of a roster, on call during their working hours. */
export interface RosterEntry {
  person: string;
  /** Notification target ids that reach this person. */
  targets: string[];
  /** Days on call, 0 = Sunday … 6 = Saturday (plant time). Default every day. */
  days?: number[];
  /** Working hours in plant time, `HH:MM`; `to` before `from` spans midnight. Default all day. */
  from?: string;
  to?: string;
}

/**
 * Who is on call for an area, and when. Escalation walks the entries that are on duty now, in
 * order: the first is told on raise; if nobody acknowledges within `ackTimeoutMinutes`, the next.
 */
export interface Roster {
  id: string;
  tenant: string;
  name: string;
  /** Asset path prefix it covers (`''` = the whole tenant); the longest match wins. */
  area: string;
  /** IANA zone of the working hours; default: the site's time zone, else UTC. */
  timeZone?: string;
  ackTimeoutMinutes: number;
  /** Only alarms of at least this priority page anyone (default low = all). */
  minPriority?: AlarmPriority;
  entries: RosterEntry[];
}

/** One message to deliver, retried with backoff until delivered or given up. */
export interface NotificationJob {
  id: string;
  tenant: string;
  alarmId: string;
  targetId: string;
  /** Subject line and body text. */
  subject: string;
  body: string;
  /** The alarm as JSON, for webhooks. */
  payload: Record<string, unknown>;
  createdTs: number;
  attempts: number;
  nextTs: number;
  state: 'pending' | 'delivered' | 'failed';
  lastError?: string;
}

/** Durable storage of alarms, the journal, targets, rosters and the notification outbox. */
export interface AlarmStore {
  /** Every alarm record (any tenant), for start-up. */
  loadAlarms(): Promise<AlarmRecord[]>;
  /** Save changed records and append events in one transaction; resolves when durable. Sets `seq` on events. */
  commit(records: readonly AlarmRecord[], events: AlarmEvent[]): Promise<void>;
  deleteAlarm(tenant: string, id: string): Promise<void>;
  history(q: AlarmHistoryQuery): Promise<AlarmEvent[]>;
  /** Events of some kinds in a period, oldest first (figures). */
  events(tenant: string, from: number, to: number, kinds: readonly AlarmEventKind[], area?: string): Promise<AlarmEvent[]>;

  listTargets(tenant?: string): Promise<NotificationTarget[]>;
  saveTarget(t: NotificationTarget): Promise<void>;
  deleteTarget(tenant: string, id: string): Promise<boolean>;
  listRosters(tenant?: string): Promise<Roster[]>;
  saveRoster(r: Roster): Promise<void>;
  deleteRoster(tenant: string, id: string): Promise<boolean>;

  /** Add jobs or save their new state. */
  saveJobs(jobs: readonly NotificationJob[]): Promise<void>;
  /** Pending jobs due at or before `now`, oldest first. */
  dueJobs(now: number, limit: number): Promise<NotificationJob[]>;
  /** Jobs of a tenant, newest first (the UI's delivery log). */
  listJobs(tenant: string, limit: number): Promise<NotificationJob[]>;
}

/**
 * What the rules engine tells the alarms: which rules exist (each has one alarm) and how their
 * conditions and suppression change. Implemented by src/alarms/alarm-service.ts.
 */
export interface AlarmConditionSink {
  /** A rule (or template instance) exists or changed: create or update its alarm's definition. */
  define(rule: RuleDefinition): void;
  /** A rule was removed: its alarm is journaled `rule-removed` and dropped. */
  remove(tenant: string, id: string): void;
  /** The condition (after on/off delays) became active or inactive at `ts`. `message` is rendered with live values. */
  condition(tenant: string, id: string, active: boolean, ts: number, info: { value?: Value; message: string }): void;
  /** The rule's `suppressWhen` became true or false. */
  suppression(tenant: string, id: string, suppressed: boolean, ts: number): void;
}

/** One step of escalation as the notifier planned it. */
export interface EscalationStep {
  /** 0 = the first person on duty. */
  step: number;
  person: string;
  /** When the next step is due if nobody acknowledges; absent on the last step. */
  dueTs?: number;
}

/**
 * Notifications and escalation as the alarms see them (src/alarms/notification-service.ts).
 * Calls return at once: deliveries are queued durably and retried with backoff, so a failing
 * target never delays or blocks an alarm.
 */
export interface AlarmNotifier {
  /** An alarm was raised: queue the rule's direct targets and the roster's first person on duty. */
  raised(alarm: AlarmRecord, directTargets: readonly string[]): EscalationStep | undefined;
  /** Still unacknowledged when the step fell due: notify the roster's next person on duty. */
  escalate(alarm: AlarmRecord, step: number): EscalationStep | undefined;
}

/**
 * Runs a rule's automatic action through the command path (interlocks, confirmation by the rule
 * itself, audit) as the principal `rule:<id>`. Resolves with the command id; rejects with a
 * LightsoutError (e.g. LIGHTSOUT_INTERLOCK) that the alarm journals as `action-failed`.
 */
export interface AlarmActionRunner {
  run(rule: RuleDefinition, action: RuleAction): Promise<string>;
}
