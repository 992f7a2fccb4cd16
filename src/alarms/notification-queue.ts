/**
 * The outbox's waiting line: a binary min-heap of jobs by due time (then creation), so picking
 * the next due job and arming the timer stay cheap with a large backlog.
 * @module
 */
import type { NotificationJob } from '../core/alarm-port.js';

const before = (a: NotificationJob, b: NotificationJob): boolean =>
  a.nextTs !== b.nextTs ? a.nextTs < b.nextTs : a.createdTs !== b.createdTs ? a.createdTs < b.createdTs : a.id < b.id;

/** Jobs ordered by `nextTs`, then `createdTs`. */
export class JobQueue {
  private readonly heap: NotificationJob[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest job, without removing it. */
  peek(): NotificationJob | undefined {
    return this.heap[0];
  }

  push(job: NotificationJob): void {
    const h = this.heap;
    h.push(job);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Remove and return the earliest job. */
  pop(): NotificationJob | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}
