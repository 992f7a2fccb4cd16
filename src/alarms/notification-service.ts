/**
 * Alarm notifications and escalation: notification targets (e-mail, webhook), on-call rosters,
 * and the durable outbox that delivers to them. `raised` and `escalate` return at once — the
 * messages are saved as jobs and delivered in the background with retries, so a dead SMTP server
 * or webhook never delays an alarm. The journal gets `notify` when a message was delivered,
 * `notify-failed` when it was given up after `maxAttempts`, and `escalate` for each escalation.
 * See docs/alarms.md.
 *
 * @example
 * const notifier = new NotificationService({ store, settings: { smtpFrom: 'lightsout@plant.example', maxAttempts: 10, timeoutMs: 10_000 },
 *   siteTimeZone: (tenant, area) => registry.siteZone(tenant, area), journal: (t, id, kind, text) => alarms.note(t, id, kind, text) });
 * await notifier.start();
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AlarmRecord, AlarmNotifier, AlarmStore, EscalationStep, NotificationJob, NotificationTarget, Roster } from '../core/alarm-port.js';
import { canSomewhere, can, requireRole, type Principal } from '../core/auth.js';
import { LightsoutError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/rule-port.js';
import type { ApiNotificationJob, ApiNotificationTarget, ApiRoster } from '../protocol/alarm-types.js';
import { alarmMessage, type NotificationEvent, type PagedPerson } from './notification-messages.js';
import { NotificationOutbox } from './notification-outbox.js';
import { describeTarget, emailSender, webhookSender, type EmailSender, type NotificationSender, type OutgoingMessage } from './notification-senders.js';
import { checkRoster, checkTarget, redactTarget, rosterView } from './notification-validation.js';
import { escalationEntry, meetsPriority, onDutyEntries, rosterFor, rosterZone } from './roster-calendar.js';

type JournalKind = 'notify' | 'notify-failed' | 'escalate';
type Log = { warn(obj: object, msg?: string): void; error?(obj: object, msg?: string): void; info?(obj: object, msg?: string): void };

/** What the notification service needs. */
export interface NotificationServiceOptions {
  store: AlarmStore;
  clock?: Clock;
  settings: { smtpUrl?: string; smtpFrom: string; maxAttempts: number; timeoutMs: number };
  /** The site's IANA zone for an asset path (its first level), if known. */
  siteTimeZone(tenant: string, area: string): string | undefined;
  /** Journal-only alarm events (AlarmService.note). */
  journal(tenant: string, alarmId: string, kind: JournalKind, text: string): void;
  fetch?: typeof fetch;
  log?: Log;
  /** Jitter source for retries (tests). */
  random?: () => number;
  /** Attempts at once, in total and per target (defaults 16 and 2). */
  concurrency?: { total?: number; perTarget?: number };
}

const key = (tenant: string, id: string): string => `${tenant}\u0000${id}`;

/** Targets, rosters, the outbox, and the escalation plan of each raise. */
export class NotificationService implements AlarmNotifier {
  private readonly targets = new Map<string, NotificationTarget>();
  private readonly rosters = new Map<string, Roster>();
  private readonly clock: Clock;
  private readonly email: EmailSender;
  private readonly webhook: NotificationSender;
  private readonly outbox: NotificationOutbox;

  constructor(private readonly o: NotificationServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.email = emailSender({ smtpUrl: o.settings.smtpUrl, from: o.settings.smtpFrom, timeoutMs: o.settings.timeoutMs });
    this.webhook = webhookSender({ timeoutMs: o.settings.timeoutMs, fetch: o.fetch });
    this.outbox = new NotificationOutbox({
      store: o.store, clock: this.clock, maxAttempts: o.settings.maxAttempts, random: o.random, concurrency: o.concurrency, log: o.log,
      send: (job) => this.deliver(job),
      delivered: (job) => o.journal(job.tenant, job.alarmId, 'notify', `delivered to ${this.targetText(job)}${forWhom(job)}`),
      failed: (job) => o.journal(job.tenant, job.alarmId, 'notify-failed', `gave up after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}${forWhom(job)}: ${job.lastError ?? 'unknown error'}`),
    });
  }

  /** Load targets and rosters, then deliver the pending jobs (those of before a restart too). */
  async start(): Promise<void> {
    for (const t of await this.o.store.listTargets()) this.targets.set(key(t.tenant, t.id), t);
    for (const r of await this.o.store.listRosters()) this.rosters.set(key(r.tenant, r.id), r);
    await this.outbox.start();
  }

  /** Stop delivering (attempts under way finish); pending jobs stay in the store. */
  async stop(): Promise<void> {
    await this.outbox.stop();
    this.email.close();
  }

  /** Jobs waiting for delivery (tests, health). */
  pendingJobs(): number {
    return this.outbox.pendingCount();
  }

  /** Queue the rule's direct targets and the first person on duty of the area's roster. */
  raised(alarm: AlarmRecord, directTargets: readonly string[]): EscalationStep | undefined {
    try {
      const jobs: NotificationJob[] = [];
      const seen = new Set<string>();
      for (const id of directTargets) this.queue(alarm, id, 'raise', undefined, jobs, seen);
      const step = this.page(alarm, 0, 'raise', jobs, seen);
      void this.outbox.enqueue(jobs);
      return step;
    } catch (err) {
      this.o.log?.error?.({ err, alarm: alarm.id }, 'notifications of an alarm raise failed');
      return undefined;
    }
  }

  /**
   * Still unacknowledged: tell the next person on duty. `step` is the step due now; the step after
   * `alarm.escalationStep` is used when that is later (so passing the step notified last works too).
   */
  escalate(alarm: AlarmRecord, step: number): EscalationStep | undefined {
    if (alarm.state !== 'unacknowledged' && alarm.state !== 'returned-unacknowledged') return undefined;
    try {
      const next = Math.max(step, (alarm.escalationStep ?? -1) + 1);
      const jobs: NotificationJob[] = [];
      const planned = this.page(alarm, next, 'escalate', jobs, new Set());
      if (planned) {
        const roster = rosterFor(this.rosters.values(), alarm.tenant, alarm.area);
        this.later(alarm.tenant, alarm.id, 'escalate', `escalated to ${planned.person} (step ${next + 1} of roster "${roster?.name ?? '?'}")`);
      }
      void this.outbox.enqueue(jobs);
      return planned;
    } catch (err) {
      this.o.log?.error?.({ err, alarm: alarm.id }, 'alarm escalation failed');
      return undefined;
    }
  }

  /** The targets of the caller's tenant, secrets redacted. */
  listTargets(p: Principal): ApiNotificationTarget[] {
    this.requireTenantViewer(p);
    return this.ofTenant(this.targets, p.tenant).map(redactTarget);
  }

  /**
   * Create or replace a target (engineer on the whole tenant). `mode` 'create' refuses an existing
   * id (CONFLICT), 'update' a missing one (NOT_FOUND); without it, either. `********` keeps a secret.
   */
  async saveTarget(p: Principal, input: ApiNotificationTarget, mode?: 'create' | 'update'): Promise<ApiNotificationTarget> {
    requireRole(p, 'engineer', '', 'change notification targets');
    const prev = this.targets.get(key(p.tenant, input.id));
    if (mode === 'create' && prev) throw new LightsoutError('LIGHTSOUT_CONFLICT', `notification target "${input.id}" already exists`);
    if (mode === 'update' && !prev) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `notification target "${input.id}" does not exist`);
    const t = checkTarget(p.tenant, input, prev);
    await this.o.store.saveTarget(t);
    this.targets.set(key(t.tenant, t.id), t);
    return redactTarget(t);
  }

  /** Remove a target; refused (CONFLICT) while a roster still names it. */
  async deleteTarget(p: Principal, id: string): Promise<void> {
    requireRole(p, 'engineer', '', 'remove notification targets');
    this.target(p.tenant, id);
    const users = this.ofTenant(this.rosters, p.tenant).filter((r) => r.entries.some((e) => e.targets.includes(id)));
    if (users.length > 0) throw new LightsoutError('LIGHTSOUT_CONFLICT', `notification target "${id}" is used by roster ${users.map((r) => `"${r.name}"`).join(', ')}; remove it there first`);
    await this.o.store.deleteTarget(p.tenant, id);
    this.targets.delete(key(p.tenant, id));
  }

  /** Send a test message to a target now; throws LIGHTSOUT_NOTIFICATION_FAILED with the reason. */
  async testTarget(p: Principal, id: string): Promise<void> {
    requireRole(p, 'engineer', '', 'test notification targets');
    const t = this.target(p.tenant, id);
    const now = this.clock.now();
    const probe: AlarmRecord = {
      id: 'test', tenant: p.tenant, ruleName: 'Test notification', area: '', priority: 'low', state: 'normal', conditionActive: false,
      message: `Test message for ${t.name}, sent by ${p.name}`, activeTs: now, stateTs: now, raiseCount: 0,
    };
    await this.sender(t)(t, alarmMessage(probe, 'test', 'UTC'));
  }

  /** The rosters of the caller's tenant. */
  listRosters(p: Principal): ApiRoster[] {
    this.requireTenantViewer(p);
    return this.ofTenant(this.rosters, p.tenant).map(rosterView);
  }

  /** Create or replace a roster (engineer on the whole tenant); its targets must exist, its zone be known. */
  async saveRoster(p: Principal, input: ApiRoster, mode?: 'create' | 'update'): Promise<ApiRoster> {
    requireRole(p, 'engineer', '', 'change rosters');
    const prev = this.rosters.get(key(p.tenant, input.id));
    if (mode === 'create' && prev) throw new LightsoutError('LIGHTSOUT_CONFLICT', `roster "${input.id}" already exists`);
    if (mode === 'update' && !prev) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `roster "${input.id}" does not exist`);
    const r = checkRoster(p.tenant, input, (id) => this.targets.has(key(p.tenant, id)));
    await this.o.store.saveRoster(r);
    this.rosters.set(key(r.tenant, r.id), r);
    return rosterView(r);
  }

  /** Remove a roster. */
  async deleteRoster(p: Principal, id: string): Promise<void> {
    requireRole(p, 'engineer', '', 'remove rosters');
    this.roster(p.tenant, id);
    await this.o.store.deleteRoster(p.tenant, id);
    this.rosters.delete(key(p.tenant, id));
  }

  /** The people of a roster on duty at `atTs` (default now), in escalation order. */
  onDuty(p: Principal, rosterId: string, atTs?: number): string[] {
    this.requireTenantViewer(p);
    const r = this.roster(p.tenant, rosterId);
    const zone = rosterZone(r, this.o.siteTimeZone(r.tenant, r.area));
    return onDutyEntries(r, atTs ?? this.clock.now(), zone).map((e) => e.person);
  }

  /** The delivery log of the caller's tenant, newest first, for the alarms the caller may see. */
  async listJobs(p: Principal, limit = 100): Promise<ApiNotificationJob[]> {
    this.requireTenantViewer(p);
    const jobs = await this.o.store.listJobs(p.tenant, Math.max(1, Math.min(1000, Math.floor(limit))));
    return jobs
      .filter((j) => can(p, 'viewer', String((j.payload.alarm as { area?: unknown } | undefined)?.area ?? '')))
      .map((j) => ({
        id: j.id, alarmId: j.alarmId, targetId: j.targetId, subject: j.subject, createdTs: j.createdTs,
        attempts: j.attempts, nextTs: j.nextTs, state: j.state, ...(j.lastError !== undefined ? { lastError: j.lastError } : {}),
      }));
  }

  /** Queue the roster's `step`-th person on duty for `alarm`; the step planned, if anyone is. */
  private page(alarm: AlarmRecord, step: number, event: NotificationEvent, jobs: NotificationJob[], seen: Set<string>): EscalationStep | undefined {
    const roster = rosterFor(this.rosters.values(), alarm.tenant, alarm.area);
    if (!roster || !meetsPriority(alarm.priority, roster.minPriority)) return undefined;
    const now = this.clock.now();
    const zone = rosterZone(roster, this.o.siteTimeZone(alarm.tenant, alarm.area));
    const found = escalationEntry(roster, step, now, zone);
    if (!found) return undefined;
    const paged: PagedPerson = { person: found.entry.person, step, roster: roster.name };
    for (const id of found.entry.targets) this.queue(alarm, id, event, paged, jobs, seen);
    return { step, person: found.entry.person, ...(found.last ? {} : { dueTs: now + Math.round(roster.ackTimeoutMinutes * 60_000) }) };
  }

  private queue(alarm: AlarmRecord, targetId: string, event: NotificationEvent, paged: PagedPerson | undefined, jobs: NotificationJob[], seen: Set<string>): void {
    if (seen.has(targetId)) return;
    seen.add(targetId);
    if (!this.targets.has(key(alarm.tenant, targetId))) {
      this.later(alarm.tenant, alarm.id, 'notify-failed', `notification target "${targetId}" does not exist`);
      return;
    }
    const zone = this.o.siteTimeZone(alarm.tenant, alarm.area) ?? 'UTC';
    const m = alarmMessage(alarm, event, zone, paged);
    const now = this.clock.now();
    jobs.push({
      id: randomUUID(), tenant: alarm.tenant, alarmId: alarm.id, targetId, subject: m.subject, body: m.body, payload: m.payload,
      createdTs: now, attempts: 0, nextTs: now, state: 'pending',
    });
  }

  private async deliver(job: NotificationJob): Promise<void> {
    const t = this.targets.get(key(job.tenant, job.targetId));
    if (!t) throw new LightsoutError('LIGHTSOUT_NOTIFICATION_FAILED', `notification target "${job.targetId}" no longer exists`, { details: { target: job.targetId, permanent: true } });
    const m: OutgoingMessage = { subject: job.subject, body: job.body, payload: job.payload };
    await this.sender(t)(t, m);
  }

  private sender(t: NotificationTarget): NotificationSender {
    return t.kind === 'email' ? this.email.send : this.webhook;
  }

  private targetText(job: NotificationJob): string {
    const t = this.targets.get(key(job.tenant, job.targetId));
    return t ? describeTarget(t) : `target "${job.targetId}"`;
  }

  /** Journal after the current call returns, so the alarm's own event (the raise) comes first. */
  private later(tenant: string, alarmId: string, kind: JournalKind, text: string): void {
    queueMicrotask(() => {
      try {
        this.o.journal(tenant, alarmId, kind, text);
      } catch (err) {
        this.o.log?.warn({ err, alarm: alarmId }, 'alarm journal callback failed');
      }
    });
  }

  private target(tenant: string, id: string): NotificationTarget {
    const t = this.targets.get(key(tenant, id));
    if (!t) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `notification target "${id}" does not exist`);
    return t;
  }

  private roster(tenant: string, id: string): Roster {
    const r = this.rosters.get(key(tenant, id));
    if (!r) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `roster "${id}" does not exist`);
    return r;
  }

  private ofTenant<T extends { tenant: string; id: string }>(m: Map<string, T>, tenant: string): T[] {
    return [...m.values()].filter((x) => x.tenant === tenant).sort((a, b) => a.id.localeCompare(b.id));
  }

  private requireTenantViewer(p: Principal): void {
    if (!canSomewhere(p, 'viewer')) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${p.name} has no role in tenant ${p.tenant}`);
  }
}

function forWhom(job: NotificationJob): string {
  const person = job.payload.person;
  return typeof person === 'string' ? ` for ${person}` : '';
}
