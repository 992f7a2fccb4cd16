/**
 * The alarms of every rule (ISA-18.2): conditions from the rules engine, operator actions, shelve
 * expiry, escalation, automatic actions and notifications, kept durable through the AlarmStore.
 * Transitions are computed by the pure state machine in alarm-state.ts; changes of one tick go to
 * disk in one commit (alarm-writer.ts). Operator actions resolve once durable; listeners hear of
 * a change only after it is durable.
 *
 * Automation: a raise runs the rule's `on: 'raise'` actions, a clear its `on: 'clear'` ones, also
 * while the alarm is shelved or suppressed (automation protects the machine; shelving only hides
 * the alarm from people), but not while it is out of service. Each outcome is journaled.
 * Notifications: whenever an alarm enters `unacknowledged` (a raise, a re-alarm, or a return
 * from shelve, suppression or out-of-service while active) the notifier is told; escalation
 * follows `escalationDueTs` until someone acknowledges. A failing notifier or action never
 * blocks or loses an alarm.
 * @module
 */
import type { AlarmConditionSink, AlarmNotifier, AlarmActionRunner, AlarmRecord, AlarmState, AlarmStore, AlarmEvent, AlarmHistoryQuery } from '../core/alarm-port.js';
import { can, requireRole, type Principal, type Role } from '../core/auth.js';
import { LightsoutError } from '../core/errors.js';
import type { Value } from '../core/point.js';
import { systemClock, type AlarmPriority, type Clock, type RuleDefinition } from '../core/rule-port.js';
import type { ApiAlarm, ApiAlarmEvent, ApiAlarmFigures } from '../protocol/alarm-types.js';
import { alarmFigures, STALE_MS, TEN_MINUTES_MS } from './alarm-figures.js';
import { applyAlarmInput, UNACKED_STATES, type AlarmInput, type AlarmTransition } from './alarm-state.js';
import { runRuleActions } from './alarm-automation.js';
import { AlarmTimers } from './alarm-timers.js';
import { AlarmWriter } from './alarm-writer.js';
import { alarmHistory, selectAlarms, toApiAlarm } from './alarm-views.js';

/** Options of the {@link AlarmService}. */
export interface AlarmServiceOptions {
  store: AlarmStore;
  clock?: Clock;
  notifier?: AlarmNotifier;
  actions?: AlarmActionRunner;
  settings: { maxShelveMinutes: number };
  log?: { warn(obj: object, msg?: string): void; error?(obj: object, msg?: string): void };
}

interface Entry {
  record: AlarmRecord;
  rule?: RuleDefinition;
}

const key = (tenant: string, id: string): string => `${tenant}\u0000${id}`;
const STATE_KINDS = ['raise', 'clear', 'ack', 'reset', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'out-of-service', 'in-service', 'rule-removed'] as const;
const MAX_FIGURES_SPAN_MS = 92 * 24 * 3_600_000;

/** Alarms of all tenants, in memory, durable in the store. */
export class AlarmService implements AlarmConditionSink {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(tenant: string, alarm: ApiAlarm) => void>();
  private readonly clock: Clock;
  private readonly writer: AlarmWriter;
  private readonly timers: AlarmTimers;
  private phase: 'new' | 'started' | 'stopped' = 'new';
  /** Rules engine calls that came before start(): replayed once the records are loaded. */
  private early: Array<() => void> = [];

  constructor(private readonly o: AlarmServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.writer = new AlarmWriter({ store: o.store, clock: this.clock, log: o.log, onDurable: (rs) => this.tell(rs) });
    this.timers = new AlarmTimers(this.clock, {
      shelveExpired: (k) => {
        const e = this.entries.get(k);
        if (e?.record.state === 'shelved') this.apply(e, { kind: 'unshelve', text: 'shelve expired' }, 'system', this.clock.now());
      },
      escalationDue: (k) => {
        const e = this.entries.get(k);
        if (e) this.escalate(e);
      },
    });
  }

  /** Load every alarm; re-arm shelve expiries and escalations (those already due fire now). */
  async start(): Promise<void> {
    for (const r of await this.o.store.loadAlarms()) this.entries.set(key(r.tenant, r.id), { record: r });
    this.phase = 'started';
    const early = this.early;
    this.early = [];
    for (const fn of early) fn();
    const now = this.clock.now();
    for (const e of this.entries.values()) {
      // What fell due while the platform was down happens now.
      if ((AlarmTimers.shelveDue(e.record) ?? Infinity) <= now) this.apply(e, { kind: 'unshelve', text: 'shelve expired' }, 'system', now);
      else if (this.o.notifier && (AlarmTimers.escalationDue(e.record) ?? Infinity) <= now) this.escalate(e);
      this.syncTimers(e);
    }
  }

  /** Stop the timers and write what is pending. */
  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.timers.clearAll();
    this.writer.stop();
    await this.writer.flush();
  }

  /** Resolves when every change so far is durable. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  // ---- AlarmConditionSink (the rules engine)

  define(rule: RuleDefinition): void {
    if (this.later(() => this.define(rule))) return;
    const k = key(rule.tenant, rule.id);
    const e = this.entries.get(k);
    if (!e) {
      const record: AlarmRecord = {
        id: rule.id, tenant: rule.tenant, ruleName: rule.name, area: rule.asset, priority: rule.alarm.priority,
        state: 'normal', conditionActive: false, message: rule.name, stateTs: this.clock.now(), raiseCount: 0,
      };
      this.entries.set(k, { record, rule });
      this.writer.put(record);
      return;
    }
    e.rule = rule;
    const r = e.record;
    if (r.ruleName !== rule.name || r.area !== rule.asset || r.priority !== rule.alarm.priority) {
      e.record = { ...r, ruleName: rule.name, area: rule.asset, priority: rule.alarm.priority };
      this.writer.put(e.record);
    }
    // A disabled rule is no longer evaluated: its alarm clears, without the rule's clear actions
    // (nothing happened on the machine).
    if (!rule.enabled && e.record.conditionActive) {
      this.apply(e, { kind: 'condition', active: false, message: e.record.message, ...valueOf(e.record) }, 'system', this.clock.now(), false);
    }
  }

  remove(tenant: string, id: string): void {
    if (this.later(() => this.remove(tenant, id))) return;
    const e = this.entries.get(key(tenant, id));
    if (!e) return;
    this.timers.clear(key(tenant, id));
    this.entries.delete(key(tenant, id));
    const r = e.record;
    const ts = this.clock.now();
    this.writer.journal([{ tenant, alarmId: id, ts, kind: 'rule-removed', from: r.state, to: 'normal', area: r.area, priority: r.priority, by: 'system' }]);
    this.writer.drop({ ...r, state: 'normal', conditionActive: false, stateTs: ts });
  }

  condition(tenant: string, id: string, active: boolean, ts: number, info: { value?: Value; message: string }): void {
    if (this.later(() => this.condition(tenant, id, active, ts, info))) return;
    const e = this.entries.get(key(tenant, id));
    if (!e) { this.o.log?.warn({ tenant, alarm: id }, 'condition of an alarm that was never defined; ignored'); return; }
    this.apply(e, { kind: 'condition', active, message: info.message, ...(info.value !== undefined ? { value: info.value } : {}) }, 'system', ts);
  }

  suppression(tenant: string, id: string, suppressed: boolean, ts: number): void {
    if (this.later(() => this.suppression(tenant, id, suppressed, ts))) return;
    const e = this.entries.get(key(tenant, id));
    if (e) this.apply(e, { kind: 'suppression', suppressed }, 'system', ts);
  }

  // ---- reading

  /** Alarms the caller may see (viewer on the alarm's area); default those not normal. */
  list(p: Principal, q: { state?: AlarmState[]; area?: string; priority?: AlarmPriority[]; all?: boolean } = {}): ApiAlarm[] {
    return selectAlarms([...this.entries.values()].map((e) => e.record), p, q).map(toApiAlarm);
  }

  get(p: Principal, id: string): ApiAlarm {
    return toApiAlarm(this.entry(p, id, 'viewer', 'see this alarm').record);
  }

  /** The journal, newest first, within the caller's scope; `nextBefore` pages on. */
  history(p: Principal, q: Omit<AlarmHistoryQuery, 'tenant'>): Promise<{ events: ApiAlarmEvent[]; nextBefore?: number }> {
    return alarmHistory(this.o.store, p, q);
  }

  /** ISA-18.2 figures of a period (alarm-figures.ts). */
  async figures(p: Principal, q: { from: number; to: number; area?: string }): Promise<ApiAlarmFigures> {
    const area = (q.area ?? '').replace(/\/+$/, '');
    requireRole(p, 'viewer', area, 'see alarm figures');
    if (!(q.to > q.from) || q.to - q.from > MAX_FIGURES_SPAN_MS) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'alarm figures need from < to, at most 92 days apart');
    }
    const journalFrom = Math.min(q.from - TEN_MINUTES_MS, q.to - STALE_MS - TEN_MINUTES_MS);
    const events = await this.o.store.events(p.tenant, journalFrom, Math.max(q.to, this.clock.now()), STATE_KINDS, area);
    const records = [...this.entries.values()].map((e) => e.record).filter((r) => r.tenant === p.tenant);
    return alarmFigures({ from: q.from, to: q.to, area, events, journalFrom, records });
  }

  /** Hear of every change once it is durable (the live WebSocket). Returns the unsubscribe. */
  subscribe(listener: (tenant: string, alarm: ApiAlarm) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  // ---- operator actions (resolve once durable)

  ack(p: Principal, id: string, comment?: string): Promise<ApiAlarm> {
    return this.operate(p, id, 'operator', 'acknowledge this alarm', { kind: 'ack', ...opt(comment) });
  }

  /** Acknowledge many at once; those not waiting for an acknowledgement are skipped. */
  async ackMany(p: Principal, ids: readonly string[], comment?: string): Promise<ApiAlarm[]> {
    // Every alarm is checked before any is touched: a refused batch changes nothing.
    const es = [...new Set(ids)].map((id) => this.entry(p, id, 'operator', 'acknowledge this alarm'));
    const now = this.clock.now();
    const done = es.filter((e) => UNACKED_STATES.includes(e.record.state));
    for (const e of done) this.apply(e, { kind: 'ack', ...opt(comment) }, p.name, now);
    await this.writer.durable();
    return done.map((e) => toApiAlarm(e.record));
  }

  reset(p: Principal, id: string, comment?: string): Promise<ApiAlarm> {
    return this.operate(p, id, 'operator', 'reset this alarm', { kind: 'reset', ...opt(comment) });
  }

  shelve(p: Principal, id: string, reason: string, minutes: number): Promise<ApiAlarm> {
    const max = this.o.settings.maxShelveMinutes;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > max) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `an alarm is shelved for 1 to ${max} whole minutes (alarmMaxShelveMinutes), not ${minutes}`);
    }
    return this.operate(p, id, 'operator', 'shelve this alarm', { kind: 'shelve', reason: needText(reason, 'reason'), untilTs: this.clock.now() + minutes * 60_000 });
  }

  unshelve(p: Principal, id: string, comment?: string): Promise<ApiAlarm> {
    return this.operate(p, id, 'operator', 'unshelve this alarm', { kind: 'unshelve', ...opt(comment) });
  }

  outOfService(p: Principal, id: string, reason: string): Promise<ApiAlarm> {
    return this.operate(p, id, 'engineer', 'take this alarm out of service', { kind: 'out-of-service', reason: needText(reason, 'reason') });
  }

  inService(p: Principal, id: string, comment?: string): Promise<ApiAlarm> {
    return this.operate(p, id, 'engineer', 'return this alarm to service', { kind: 'in-service', ...opt(comment) });
  }

  comment(p: Principal, id: string, text: string): Promise<ApiAlarm> {
    return this.operate(p, id, 'operator', 'comment on this alarm', { kind: 'comment', text: needText(text, 'text') });
  }

  /** A journal-only entry from the notifier or an automatic action. */
  note(tenant: string, id: string, kind: 'notify' | 'notify-failed' | 'escalate' | 'action' | 'action-failed', text: string): void {
    const e = this.entries.get(key(tenant, id));
    if (!e) { this.o.log?.warn({ tenant, alarm: id, kind, text }, 'note on an alarm that no longer exists'); return; }
    const r = e.record;
    const by = kind.startsWith('action') ? `rule:${id}` : 'system';
    this.writer.journal([{ tenant, alarmId: id, ts: this.clock.now(), kind, from: r.state, to: r.state, area: r.area, priority: r.priority, by, text }]);
  }

  // ---- internals

  /** Before start: keep the call for then (true). After stop: drop it (true). */
  private later(call: () => void): boolean {
    if (this.phase === 'new') this.early.push(call);
    return this.phase !== 'started';
  }

  private entry(p: Principal, id: string, role: Role, what: string): Entry {
    const e = this.entries.get(key(p.tenant, id));
    // An alarm the caller may not even see does not exist for them (as for commands); one they
    // see but may not handle is a 403 naming the role.
    if (!e || !can(p, 'viewer', e.record.area)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no alarm "${id}" in tenant ${p.tenant}`);
    requireRole(p, role, e.record.area, what);
    return e;
  }

  private async operate(p: Principal, id: string, role: Role, what: string, input: AlarmInput): Promise<ApiAlarm> {
    const e = this.entry(p, id, role, what);
    this.apply(e, input, p.name, this.clock.now());
    const result = e.record;
    await this.writer.durable();
    return toApiAlarm(result);
  }

  /** Run one input through the state machine, then automation, notification, persistence, timers. */
  private apply(e: Entry, input: AlarmInput, by: string, ts: number, automate = true): AlarmTransition {
    const t = applyAlarmInput(e.record, input, { ts, by, latched: e.rule?.alarm.latched === true });
    if (!t.changed) return t;
    e.record = t.record;
    const rule = e.rule;
    if (automate && rule && this.o.actions && (t.raised || t.cleared) && t.record.state !== 'out-of-service') {
      runRuleActions(rule, t.raised ? 'raise' : 'clear', this.o.actions, (kind, text) => this.note(rule.tenant, rule.id, kind, text));
    }
    this.writer.journal(t.events);
    if (t.annunciated) this.notifyRaised(e);
    this.writer.put(e.record);
    this.syncTimers(e);
    return t;
  }

  private notifyRaised(e: Entry): void {
    const n = this.o.notifier;
    if (!n) return;
    try {
      const step = n.raised(e.record, e.rule?.alarm.notify ?? []);
      if (step) e.record = { ...e.record, escalationStep: step.step, ...(step.dueTs !== undefined ? { escalationDueTs: step.dueTs } : {}) };
    } catch (err) {
      this.o.log?.error?.({ err, alarm: e.record.id }, 'notifier failed on a raise');
      this.writer.journal([this.noteEvent(e.record, 'notify-failed', `notifier: ${(err as Error).message}`)]);
    }
  }

  private escalate(e: Entry): void {
    const r = e.record;
    if (!this.o.notifier || !UNACKED_STATES.includes(r.state) || r.escalationDueTs === undefined) return;
    const next: AlarmRecord = { ...r };
    delete next.escalationDueTs;
    try {
      const step = this.o.notifier.escalate(r, (r.escalationStep ?? 0) + 1);
      if (step) {
        next.escalationStep = step.step;
        if (step.dueTs !== undefined) next.escalationDueTs = step.dueTs;
      }
    } catch (err) {
      this.o.log?.error?.({ err, alarm: r.id }, 'notifier failed on an escalation');
      this.writer.journal([this.noteEvent(r, 'notify-failed', `escalation: ${(err as Error).message}`)]);
    }
    e.record = next;
    this.writer.put(next);
    this.syncTimers(e);
  }

  private noteEvent(r: AlarmRecord, kind: AlarmEvent['kind'], text: string): AlarmEvent {
    return { tenant: r.tenant, alarmId: r.id, ts: this.clock.now(), kind, from: r.state, to: r.state, area: r.area, priority: r.priority, by: 'system', text };
  }

  private syncTimers(e: Entry): void {
    if (this.phase === 'started') this.timers.sync(key(e.record.tenant, e.record.id), e.record, this.o.notifier !== undefined);
  }

  private tell(records: readonly AlarmRecord[]): void {
    if (this.listeners.size === 0) return;
    for (const r of records) {
      const a = toApiAlarm(r);
      for (const l of this.listeners) {
        try { l(r.tenant, a); } catch (err) { this.o.log?.warn({ err }, 'alarm listener failed'); }
      }
    }
  }
}

const opt = (comment: string | undefined): { text?: string } => (comment !== undefined && comment.trim() !== '' ? { text: comment } : {});
const valueOf = (r: AlarmRecord): { value?: Value } => (r.value !== undefined ? { value: r.value } : {});

function needText(s: string, field: string): string {
  if (typeof s !== 'string' || s.trim() === '') throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `${field} must not be empty`, { details: { field } });
  return s;
}
