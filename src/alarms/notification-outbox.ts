/**
 * The durable notification outbox: jobs are saved before any attempt, delivered with bounded
 * concurrency (in total and per target, so one slow or dead target never holds up the others),
 * retried with backoff (5 s doubling to 10 min, ±20 % jitter) up to `maxAttempts`, then marked
 * `failed`. Pending jobs are read back at start, so they survive a restart. Delivery is at least
 * once: a crash between a delivery and saving it sends that message again after the restart.
 * @module
 */
import type { AlarmStore, NotificationJob } from '../core/alarm-port.js';
import type { Clock } from '../core/rule-port.js';

/** First retry delay. */
export const RETRY_BASE_MS = 5_000;
/** Longest retry delay. */
export const RETRY_MAX_MS = 10 * 60_000;

/**
 * The delay before the next attempt after `attempts` failed ones: 5 s, 10 s, 20 s … capped at
 * 10 min, each ±20 % (`random` in [0, 1)).
 */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** What the outbox needs. */
export interface NotificationOutboxOptions {
  store: AlarmStore;
  clock: Clock;
  maxAttempts: number;
  /** One attempt; rejects with the reason. An error with `details.permanent` is not retried (e.g. the target is gone). */
  send(job: NotificationJob): Promise<void>;
  /** After a delivery was saved. */
  delivered(job: NotificationJob): void;
  /** After a job was given up (maxAttempts) and saved. */
  failed(job: NotificationJob): void;
  random?: () => number;
  /** Attempts running at once: in total (default 16) and per target (default 2). */
  concurrency?: { total?: number; perTarget?: number };
  log?: { warn(obj: object, msg?: string): void; error?(obj: object, msg?: string): void };
}

const targetKey = (j: NotificationJob): string => `${j.tenant}\u0000${j.targetId}`;

const alarmTargetKey = (j: NotificationJob): string => `${j.tenant}\u0000${j.alarmId}\u0000${j.targetId}`;

/** Delivers queued notification jobs. */
export class NotificationOutbox {
  /** Jobs not delivered or given up, oldest first (a retried job keeps its place). */
  private readonly pending = new Map<string, NotificationJob>();
  /** The waiting job of each alarm and target (queued or pending). */
  private readonly open = new Map<string, string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly perTarget = new Map<string, number>();
  private readonly total: number;
  private readonly perTargetMax: number;
  private incoming: NotificationJob[] = [];
  private flushing: Promise<void> | undefined;
  private pumpQueued = false;
  private timer: unknown;
  private timerTs = Infinity;
  private started = false;

  constructor(private readonly o: NotificationOutboxOptions) {
    this.total = Math.max(1, o.concurrency?.total ?? 16);
    this.perTargetMax = Math.max(1, o.concurrency?.perTarget ?? 2);
  }

  /** Read back the pending jobs and start delivering. */
  async start(): Promise<void> {
    for (const j of await this.o.store.dueJobs(Number.MAX_SAFE_INTEGER, 1_000_000)) {
      if (j.state !== 'pending') continue;
      this.pending.set(j.id, j);
      this.open.set(alarmTargetKey(j), j.id);
    }
    this.started = true;
    this.pump();
  }

  /** Stop attempting; waits for the attempts under way. Undelivered jobs stay pending in the store. */
  async stop(): Promise<void> {
    this.started = false;
    this.disarm();
    await this.flushing;
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Queue jobs: saved (durably) together with the others of the same tick, then attempted. A job
   * for an alarm and target that still has one waiting is dropped: an alarm that chatters while
   * its target is down pages once when the target is back, not once per raise. Resolves when saved.
   */
  enqueue(jobs: readonly NotificationJob[]): Promise<void> {
    for (const j of jobs) {
      const k = alarmTargetKey(j);
      if (this.open.has(k)) continue;
      this.open.set(k, j.id);
      this.incoming.push(j);
    }
    this.flushing ??= Promise.resolve().then(() => this.flush());
    return this.flushing;
  }

  /** Jobs not yet delivered or given up (tests, health). */
  pendingCount(): number {
    return this.pending.size + this.incoming.length;
  }

  private async flush(): Promise<void> {
    this.flushing = undefined;
    const batch = this.incoming;
    this.incoming = [];
    if (batch.length === 0) return;
    try {
      await this.o.store.saveJobs(batch);
    } catch (err) {
      // Paging matters more than the record: deliver anyway; these jobs just cannot survive a restart.
      this.o.log?.error?.({ err, jobs: batch.length }, 'notification jobs could not be saved; delivering them without a durable record');
    }
    for (const j of batch) this.pending.set(j.id, j);
    this.schedulePump();
  }

  /** One pump per tick, however many attempts ended in it. */
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Start due jobs, oldest first, within the limits; arm a timer for the earliest one due later. */
  private pump(): void {
    if (!this.started) return;
    const now = this.o.clock.now();
    let later = Infinity;
    for (const j of this.pending.values()) {
      if (this.running.has(j.id)) continue;
      if (j.nextTs > now) {
        if (j.nextTs < later) later = j.nextTs;
        continue;
      }
      if (this.running.size >= this.total) continue;
      const k = targetKey(j);
      const n = this.perTarget.get(k) ?? 0;
      if (n >= this.perTargetMax) continue;
      this.perTarget.set(k, n + 1);
      this.running.set(j.id, this.attempt(j).finally(() => {
        this.running.delete(j.id);
        const left = (this.perTarget.get(k) ?? 1) - 1;
        if (left > 0) this.perTarget.set(k, left);
        else this.perTarget.delete(k);
        this.schedulePump();
      }));
    }
    this.arm(now, later);
  }

  /** A timer for the earliest job due later; due jobs held back by the limits start when a slot frees. */
  private arm(now: number, next: number): void {
    if (next === this.timerTs) return;
    this.disarm();
    if (next === Infinity) return;
    this.timerTs = next;
    this.timer = this.o.clock.setTimer(() => {
      this.timer = undefined;
      this.timerTs = Infinity;
      this.pump();
    }, next - now);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.o.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerTs = Infinity;
  }

  private async attempt(j: NotificationJob): Promise<void> {
    let error: string | undefined;
    let permanent = false;
    try {
      await this.o.send(j);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      permanent = (err as { details?: { permanent?: unknown } })?.details?.permanent === true;
    }
    const now = this.o.clock.now();
    const next: NotificationJob = { ...j, attempts: j.attempts + 1 };
    if (error === undefined) {
      next.state = 'delivered';
      delete next.lastError;
    } else {
      next.lastError = error.slice(0, 1000);
      if (permanent || next.attempts >= this.o.maxAttempts) next.state = 'failed';
      else next.nextTs = now + retryDelay(next.attempts, this.o.random);
    }
    try {
      await this.o.store.saveJobs([next]);
    } catch (err) {
      this.o.log?.error?.({ err, job: j.id }, 'notification job state could not be saved');
    }
    if (next.state === 'pending') {
      if (this.pending.has(j.id)) this.pending.set(j.id, next);
      return;
    }
    this.pending.delete(j.id);
    if (this.open.get(alarmTargetKey(j)) === j.id) this.open.delete(alarmTargetKey(j));
    try {
      if (next.state === 'delivered') this.o.delivered(next);
      else this.o.failed(next);
    } catch (err) {
      this.o.log?.warn({ err, job: j.id }, 'notification journal callback failed');
    }
  }
}
