/**
 * Group commit: many concurrent append() calls share one commit. The commit is synchronous
 * (DuckDB's appender has only flushSync), so while it runs no new append can even be queued;
 * everything that arrives while the event loop is busy elsewhere lands in the queue and goes
 * into the next commit together. The cost of a commit (WAL write + fsync) is paid per group,
 * not per caller, which is what keeps throughput high with small batches.
 * @module
 */
import type { StoredPoint } from '../../../core/point.js';

interface Waiter {
  points: readonly StoredPoint[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Writes one group of batches and makes it durable before returning. Throwing rejects every
 * caller of the group.
 */
export type CommitFn = (batches: readonly (readonly StoredPoint[])[], rows: number) => void;

/** Queues appends and commits them in groups of at most `maxRows` rows (one batch may exceed it). */
export class GroupCommitQueue {
  private queue: Waiter[] = [];
  private queuedRows = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly commit: CommitFn, private readonly maxRows: number) {}

  /** Rows waiting for the next commit. */
  get pendingRows(): number {
    return this.queuedRows;
  }

  /** Resolves once `points` are committed by `commit`. */
  enqueue(points: readonly StoredPoint[]): Promise<void> {
    if (points.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ points, resolve, reject });
      this.queuedRows += points.length;
      this.schedule();
    });
  }

  /** Resolves when nothing is queued (used by close). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: it lets pending I/O callbacks (more appends) run first,
    // so they join this group instead of paying for a commit of their own.
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    let k = 0;
    let rows = 0;
    while (k < this.queue.length && (k === 0 || rows + this.queue[k]!.points.length <= this.maxRows)) {
      rows += this.queue[k]!.points.length;
      k++;
    }
    // One splice per group: shift() per waiter would be quadratic with thousands of tiny appends.
    const group = this.queue.splice(0, k);
    this.queuedRows -= rows;
    let failure: unknown;
    let failed = false;
    try {
      this.commit(group.map((w) => w.points), rows);
    } catch (err) {
      failed = true;
      failure = err;
    }
    for (const w of group) {
      if (failed) w.reject(failure);
      else w.resolve();
    }
    if (this.queue.length > 0) this.schedule();
    else for (const done of this.idleWaiters.splice(0)) done();
  }
}
