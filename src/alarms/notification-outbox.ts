/**
 * The durable notification outbox: jobs are saved before any attempt, delivered with bounded
 * concurrency (in total and per target, so one slow or dead target never holds up the others),
 * retried with backoff (5 s doubling to 10 min, ±20 % jitter) up to `maxAttempts`, then marked
 * `failed`. Pending jobs are read back at start, so they survive a restart. Delivery is at least
 * once: a crash between a delivery and saving it sends that message again after the restart.
 * @module
 */
import { backoffMs } from '../core/connector-port.js';
import type { AlarmStore, NotificationJob } from '../core/alarm-port.js';
import type { Clock } from '../core/rule-port.js';
import { JobQueue } from './notification-queue.js';

/** First retry delay. */
export const RETRY_BASE_MS = 5_000;
/** Longest retry delay. */
export const RETRY_MAX_MS = 10 * 60_000;

/**
 * The delay before the next attempt after `attempts` failed ones: 5 s, 10 s, 20 s … capped at
 * 10 min, each ±20 % (`random` in [0, 1)).
 */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  return backoffMs(attempts, RETRY_BASE_MS, RETRY_MAX_MS, random);
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
  /** Saved jobs waiting for their time, and due ones whose target was at its limit (per target, in order). */
  private readonly queue = new JobQueue();
  private readonly blocked = new Map<string, NotificationJob[]>();
  /** Jobs waiting per alarm and target, from enqueue until delivered or given up. */
  private readonly open = new Map<string, number>();
  private openCount = 0;
  private readonly running = new Map<string, Promise<void>>();
  private readonly perTarget = new Map<string, number>();
  private readonly total: number;
  private readonly perTargetMax: number;
  private incoming: NotificationJob[] = [];
  private flushing: Promise<void> | undefined;
  private results: NotificationJob[] = [];
  private saving: Promise<void> | undefined;
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
      this.queue.push(j);
      this.opened(j);
    }
    this.started = true;
    this.pump();
  }

  /** Stop attempting; waits for the attempts under way and their saving. Undelivered jobs stay pending in the store. */
  async stop(): Promise<void> {
    this.started = false;
    this.disarm();
    await this.flushing;
    await Promise.allSettled([...this.running.values()]);
    await this.saving;
  }

  /**
   * Queue jobs: saved (durably) together with the others of the same tick, then attempted. A job
   * for an alarm and target that still has one waiting is dropped: an alarm that chatters while
   * its target is down pages once when the target is back, not once per raise. Resolves when saved.
   */
  enqueue(jobs: readonly NotificationJob[]): Promise<void> {
    for (const j of jobs) {
      if (this.open.has(alarmTargetKey(j))) continue;
      this.opened(j);
      this.incoming.push(j);
    }
    this.flushing ??= Promise.resolve().then(() => this.flush());
    return this.flushing;
  }

  /** Jobs not yet delivered or given up (tests, health). */
  pendingCount(): number {
    return this.openCount;
  }

  private opened(j: NotificationJob): void {
    const k = alarmTargetKey(j);
    this.open.set(k, (this.open.get(k) ?? 0) + 1);
    this.openCount++;
  }

  private closed(j: NotificationJob): void {
    const k = alarmTargetKey(j);
    const n = (this.open.get(k) ?? 1) - 1;
    if (n > 0) this.open.set(k, n);
    else this.open.delete(k);
    this.openCount--;
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
    for (const j of batch) this.queue.push(j);
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

  /** Start due jobs, oldest first, within the limits; arm a timer for the next one due later. */
  private pump(): void {
    if (!this.started) return;
    const now = this.o.clock.now();
    for (const [k, list] of this.blocked) {
      while (list.length > 0 && this.running.size < this.total && (this.perTarget.get(k) ?? 0) < this.perTargetMax) this.begin(list.shift()!, k);
      if (list.length === 0) this.blocked.delete(k);
    }
    for (let top = this.queue.peek(); top && top.nextTs <= now && this.running.size < this.total; top = this.queue.peek()) {
      this.queue.pop();
      const k = targetKey(top);
      if ((this.perTarget.get(k) ?? 0) < this.perTargetMax) this.begin(top, k);
      else {
        const list = this.blocked.get(k);
        if (list) list.push(top);
        else this.blocked.set(k, [top]);
      }
    }
    const next = this.queue.peek()?.nextTs ?? Infinity;
    // A due job left in the queue waits for a free slot (an attempt's end pumps again), not for a timer.
    this.arm(now, next > now ? next : Infinity);
  }

  private begin(j: NotificationJob, k: string): void {
    this.perTarget.set(k, (this.perTarget.get(k) ?? 0) + 1);
    this.running.set(j.id, this.attempt(j).finally(() => {
      this.running.delete(j.id);
      const left = (this.perTarget.get(k) ?? 1) - 1;
      if (left > 0) this.perTarget.set(k, left);
      else this.perTarget.delete(k);
      this.schedulePump();
    }));
  }

  /** A timer for the earliest job due later. */
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

  /** One attempt; its outcome is saved with the others of the same tick. */
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
    this.results.push(next);
    // Outcomes that end in the same turn of the event loop share one transaction (one fsync).
    this.saving ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.saveResults());
  }

  private async saveResults(): Promise<void> {
    this.saving = undefined;
    const batch = this.results;
    this.results = [];
    try {
      await this.o.store.saveJobs(batch);
    } catch (err) {
      this.o.log?.error?.({ err, jobs: batch.length }, 'notification job states could not be saved');
    }
    for (const j of batch) {
      if (j.state === 'pending') {
        this.queue.push(j);
        continue;
      }
      this.closed(j);
      try {
        if (j.state === 'delivered') this.o.delivered(j);
        else this.o.failed(j);
      } catch (err) {
        this.o.log?.warn({ err, job: j.id }, 'notification journal callback failed');
      }
    }
    this.schedulePump();
  }
}
