/**
 * Coalesces alarm changes into one store commit per tick: every record changed and every journal
 * entry made in the same turn of the event loop goes to disk in one transaction, so a flood of
 * raises costs one fsync, not thousands. Batches are written one after another, in order.
 * A failed commit is kept and retried a second later (newer record versions win); callers
 * waiting on it get the error.
 * @module
 */
import type { AlarmEvent, AlarmRecord, AlarmStore } from '../core/alarm-port.js';
import { asLightsoutError } from '../core/errors.js';
import type { Clock } from '../core/rule-port.js';

interface Batch {
  records: Map<string, AlarmRecord>;
  events: AlarmEvent[];
  /** Alarms to delete after the commit, with their last version (for listeners). */
  drops: Map<string, AlarmRecord>;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const key = (r: { tenant: string; id: string }): string => `${r.tenant}\u0000${r.id}`;
const RETRY_MS = 1000;

/** The write side of the AlarmService. */
export class AlarmWriter {
  private pending: Batch | undefined;
  private chain: Promise<void> = Promise.resolve();
  private retry: unknown;

  constructor(private readonly o: {
    store: AlarmStore;
    clock: Clock;
    /** Called after a commit is durable with the records it saved (and dropped). */
    onDurable: (records: readonly AlarmRecord[]) => void;
    log?: { error?(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  }) {}

  /** Save this version of a record with the current batch. */
  put(rec: AlarmRecord): void {
    const b = this.batch();
    const k = key(rec);
    b.drops.delete(k);
    b.records.set(k, rec);
  }

  /** Append journal entries to the current batch. */
  journal(events: readonly AlarmEvent[]): void {
    if (events.length > 0) this.batch().events.push(...events);
  }

  /** Delete an alarm once the current batch is durable; `last` is its final version. */
  drop(last: AlarmRecord): void {
    const b = this.batch();
    b.records.delete(key(last));
    b.drops.set(key(last), last);
  }

  /** Resolves when everything handed over so far is durable; rejects if that commit failed. */
  durable(): Promise<void> {
    return this.pending ? this.pending.done : this.chain;
  }

  /** Write the current batch now and wait for it. */
  async flush(): Promise<void> {
    const b = this.pending;
    if (b) {
      this.write(b);
      await b.done;
    }
    await this.chain;
  }

  /** Stop the retry timer. */
  stop(): void {
    if (this.retry !== undefined) this.o.clock.clearTimer(this.retry);
    this.retry = undefined;
  }

  private batch(schedule = true): Batch {
    if (this.pending) return this.pending;
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    done.catch(() => undefined); // nobody may be waiting; the error is logged below
    const b: Batch = { records: new Map(), events: [], drops: new Map(), done, resolve, reject };
    this.pending = b;
    if (schedule) setImmediate(() => this.write(b));
    return b;
  }

  private write(b: Batch): void {
    if (this.pending !== b) return;
    this.pending = undefined;
    this.chain = this.chain.then(async () => {
      const records = [...b.records.values()];
      try {
        await this.o.store.commit(records, b.events);
      } catch (err) {
        this.o.log?.error?.({ err, records: records.length, events: b.events.length }, 'alarm changes not saved; retrying');
        this.requeue(b);
        b.reject(asLightsoutError(err, 'LIGHTSOUT_STORAGE_FAILED'));
        return;
      }
      for (const d of b.drops.values()) {
        try {
          await this.o.store.deleteAlarm(d.tenant, d.id);
        } catch (err) {
          this.o.log?.warn({ err, alarm: d.id }, 'removed alarm not deleted from the store');
        }
      }
      b.resolve();
      this.o.onDurable([...records, ...b.drops.values()]);
    });
  }

  /** Put a failed batch back in front of whatever came since, and retry it later. */
  private requeue(b: Batch): void {
    const n = this.batch(false);
    for (const [k, r] of b.records) if (!n.records.has(k) && !n.drops.has(k)) n.records.set(k, r);
    for (const [k, r] of b.drops) if (!n.records.has(k)) n.drops.set(k, r);
    n.events = [...b.events, ...n.events];
    if (this.retry === undefined) {
      this.retry = this.o.clock.setTimer(() => {
        this.retry = undefined;
        if (this.pending) this.write(this.pending);
      }, RETRY_MS);
    }
  }
}
