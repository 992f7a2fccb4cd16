/**
 * Sessions of one tenant with the same subscription (canonical key) and the same rate form a
 * group, so that many operators watching the same line cost about as much as one: ingest writes
 * each point once into the group's pending map, and each flush builds the points JSON once and
 * sends it to every member in step, wrapped in that member's own `{"type":"delta","seq":N,...}`.
 *
 * Members in step (`members`) have no pending map or timer of their own. Every other session of
 * the group (`others`: new, behind, overflowed, detached, just resumed) runs on its own pending map
 * and timer exactly as a lone session would, and publish offers it every point as well. A session
 * rejoins at one of the group's flushes, once it has sent everything it had and may send again
 * without exceeding its rate (LiveSession.groupFlushed). A group keeps a pending map only while it
 * has members.
 * @module
 */
import type { LiveSession, SessionContext, SessionGroup, SharedPoint } from './live-session.js';
import type { Subscription } from './subscription-matcher.js';

/** One subscription at one rate, shared by the sessions asking for it. */
export class LiveGroup implements SessionGroup {
  /** Sessions on the shared path. */
  readonly members: LiveSession[] = [];
  /** Sessions on their own path. */
  readonly others: LiveSession[] = [];
  readonly pending = new Map<string, SharedPoint>();
  lastFlushAt = -Infinity;
  private readonly intervalMs: number;
  private timer: unknown;

  constructor(readonly key: string, readonly subscription: Subscription, rate: number, private readonly ctx: SessionContext) {
    this.intervalMs = 1000 / rate;
  }

  /** The group key of a subscription at a rate. */
  static keyOf(subscription: Subscription, rate: number): string {
    return `${rate}\n${subscription.key}`;
  }

  /** Sessions in the group, on either path. */
  get size(): number {
    return this.members.length + this.others.length;
  }

  get flushScheduled(): boolean {
    return this.timer !== undefined;
  }

  /** A new session of the group, on its own path until it is in step. */
  add(s: LiveSession): void {
    this.others.push(s);
    s.group = this;
  }

  remove(s: LiveSession): void {
    if (removeFrom(this.others, s)) return;
    if (removeFrom(this.members, s)) this.membersLeft();
  }

  join(s: LiveSession): boolean {
    if (this.members.length === 0) {
      // The first member sets the pace (the group kept nothing while it had no members).
      this.pending.clear();
      this.lastFlushAt = s.lastFlushAt;
    } else if (this.pending.size > 0 || s.lastFlushAt > this.lastFlushAt) {
      return false; // not in step: it would get changes it already has, or exceed its rate
    }
    removeFrom(this.others, s);
    this.members.push(s);
    return true;
  }

  unshare(s: LiveSession): void {
    if (!removeFrom(this.members, s)) return;
    this.others.push(s);
    this.membersLeft();
  }

  /** Take a changed point: O(1) for all members together, plus O(1) per session on its own path. */
  offer(item: SharedPoint): void {
    if (this.members.length > 0) {
      const tag = item.point.tag;
      if (this.pending.size >= this.ctx.maxPending && !this.pending.has(tag)) {
        this.overflow();
      } else {
        this.pending.set(tag, item);
        if (this.timer === undefined) this.schedule();
      }
    }
    const others = this.others;
    for (let i = 0; i < others.length; i++) others[i]!.offer(item);
  }

  /** Stop for good (the hub is stopping or the group is empty). */
  dispose(): void {
    this.cancelTimer();
    this.pending.clear();
  }

  /** Too many tags changed: every member needs a fresh snapshot, each on its own path. */
  private overflow(): void {
    const left = this.members.splice(0);
    this.others.push(...left);
    this.membersLeft();
    for (const s of left) s.overflowed();
  }

  /** After members left: with none left the group stops keeping changes and flushing. */
  private membersLeft(): void {
    if (this.members.length > 0) return;
    this.cancelTimer();
    this.pending.clear();
    for (const s of [...this.others]) s.wake();
  }

  private schedule(): void {
    const delay = Math.max(0, this.lastFlushAt + this.intervalMs - this.ctx.clock.now());
    this.timer = this.ctx.clock.setTimeout(() => this.flush(), delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const now = this.ctx.clock.now();
    // A member whose socket is behind continues alone with these changes, as a lone session would.
    for (let i = this.members.length - 1; i >= 0; i--) {
      const s = this.members[i]!;
      if (s.socket!.bufferedAmount > this.ctx.maxBufferedBytes) s.fallBehind(now);
    }
    if (this.members.length > 0 && this.pending.size > 0) {
      const parts = new Array<string>(this.pending.size);
      let n = 0;
      for (const item of this.pending.values()) parts[n++] = item.text;
      this.pending.clear();
      this.lastFlushAt = now;
      const points = parts.join(',');
      for (const s of this.members.slice()) s.sendShared(points, n, now);
    }
    if (this.others.length > 0) for (const s of this.others.slice()) s.groupFlushed(now);
  }
}

function removeFrom(list: LiveSession[], s: LiveSession): boolean {
  const i = list.indexOf(s);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
