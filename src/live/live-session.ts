/**
 * One subscriber of the live hub. Ingest only ever touches a pending map (tag → newest point);
 * sending happens on a timer, so a slow socket costs ingest nothing.
 *
 * Flushing is leading-edge throttled: after an idle spell a change goes out at once (on the next
 * turn of the event loop, so one ingest batch still makes one message); under load at most
 * `rate` messages per second go out, each with only the newest value of every changed tag. That
 * is what a remote operator wants: a single change is seen immediately, and a storm never queues.
 *
 * Sessions with the same subscription and rate form a group (live-group.ts). A session in step
 * with its group (`shared`) has no pending map or timer of its own: the group's are used, and the
 * group's delta (its points JSON built once) goes to every such member, each under its own seq.
 * A session that falls behind, overflows, is detached or resumed, or is new, runs on its own
 * pending map and timer, exactly as a lone session would, and rejoins the group's path at one of
 * the group's flushes once it is in step again (see `flush`).
 * @module
 */
import type { Point } from '../core/point.js';
import type { Subscription } from './subscription-matcher.js';

/** Time and timers, injectable so tests run on a controlled clock without sleeping. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Timers are unref'd: a live client must never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the hub needs of a WebSocket (the `ws` WebSocket fits; tests use a fake). */
export interface LiveSocket {
  send(text: string): void;
  /** Bytes queued but not yet written to the network: how far behind the client is. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}

/** `{"tag":"<path>","ts":` — the start of a point's JSON, built once per tag. */
export function pointPrefix(path: string): string {
  return `{"tag":${JSON.stringify(path)},"ts":`;
}

/** A point on its way to subscribers; its JSON is built once, lazily, and shared by every session. */
export class SharedPoint {
  private json: string | undefined;
  constructor(readonly point: Point, private readonly prefix: string) {}

  /** The point as protocol JSON (ApiPoint), by hand: this runs once per delivered point. */
  get text(): string {
    if (this.json !== undefined) return this.json;
    const p = this.point;
    const v = typeof p.value === 'string' ? JSON.stringify(p.value) : String(p.value); // finite numbers and booleans print as JSON
    return (this.json = `${this.prefix}${p.ts},"value":${v},"quality":"${p.quality}"}`);
  }
}

/**
 * What a session needs of its group (an interface, so that session and group do not import each
 * other; the group is live-group.ts).
 */
export interface SessionGroup {
  /** Tag → newest point since the group's last flush (kept while the group has members). */
  readonly pending: ReadonlyMap<string, SharedPoint>;
  /** When the group last sent its delta. */
  readonly lastFlushAt: number;
  /** Whether the group's next flush is scheduled (a session may wait for it to join). */
  readonly flushScheduled: boolean;
  /** Put an in-step session on the shared path; false when it is not in step with the group. */
  join(s: LiveSession): boolean;
  /** Take a member off the shared path (it stays in the group, on its own path). */
  unshare(s: LiveSession): void;
  /** The session leaves the group for good. */
  remove(s: LiveSession): void;
}

/** Settings and shared state a session uses; owned by the hub. */
export interface SessionContext {
  clock: Clock;
  maxPending: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** The current value of every tag the subscription matches. */
  snapshot(tenant: string, sub: Subscription): SharedPoint[];
  counters: { messagesSent: number; pointsSent: number; coalescedMessages: number; overflowSnapshots: number };
}

/** One client's view of the live data; outlives its socket for the resume grace period. */
export class LiveSession {
  /** Seq of the last snapshot or delta sent. */
  seq = 0;
  socket: LiveSocket | undefined;
  /** When the socket went away (for the resume grace period). */
  detachedAt = 0;
  /** Since when the socket has been over its buffer limit. */
  stuckSince: number | undefined;
  /** Pending overflowed and was dropped: the next message must be a fresh snapshot. */
  overflow = false;
  /** The group of sessions with the same subscription and rate; set by the hub. */
  group: SessionGroup | undefined;
  /** On the group's shared path: no pending map or timer of its own, the group flushes for it. */
  shared = false;
  /** When the last snapshot or delta was sent. */
  lastFlushAt = -Infinity;
  private readonly pending = new Map<string, SharedPoint>();
  private intervalMs: number;
  private lastMessageAt: number;
  private fellBehind = false;
  private timer: unknown;
  /** The scheduled flush was held back by the rate (not a leading-edge one). */
  private heldBack = false;
  /** The session's own flush fell due and waits for the group's imminent flush, to join it. */
  private deferred = false;

  constructor(readonly id: string, readonly tenant: string, readonly subscription: Subscription, public rate: number, private readonly ctx: SessionContext) {
    this.intervalMs = 1000 / rate;
    this.lastMessageAt = ctx.clock.now();
  }

  /** Change the most messages per second (a resume may ask for another rate; the hub regroups). */
  setRate(rate: number): void {
    this.rate = rate;
    this.intervalMs = 1000 / rate;
  }

  /** Take a changed point (a session on its own path; the group takes them for shared ones). O(1); never sends. */
  offer(item: SharedPoint): void {
    if (this.overflow) return;
    const tag = item.point.tag;
    // The hub already dropped points older than the cached value, so the newest simply wins here.
    if (this.pending.size >= this.ctx.maxPending && !this.pending.has(tag)) {
      // Bounded memory: forget the details, send a fresh snapshot instead.
      this.overflow = true;
      this.pending.clear();
    } else {
      this.pending.set(tag, item);
    }
    if (this.timer === undefined && !this.deferred && this.socket !== undefined && this.stuckSince === undefined) this.schedule();
  }

  /** Send the current snapshot on the attached socket (a new subscription, or after overflow). */
  sendSnapshot(points: SharedPoint[] = this.ctx.snapshot(this.tenant, this.subscription)): void {
    this.pending.clear();
    this.overflow = false;
    this.seq++;
    this.write(`{"type":"snapshot","session":${JSON.stringify(this.id)},"seq":${this.seq},"points":[${points.map((p) => p.text).join(',')}]}`, points.length);
    this.lastFlushAt = this.ctx.clock.now();
  }

  /** Attach a (new) socket after a resume and send what changed meanwhile, marked `resumed`. */
  resume(socket: LiveSocket): void {
    this.unshare(); // resumed while still attached elsewhere
    this.deferred = false;
    this.socket = socket;
    this.stuckSince = undefined;
    this.sendDelta(true);
    this.tryJoin();
  }

  /** Attach the socket of a new subscription and send its snapshot (already built by the hub). */
  start(socket: LiveSocket, points: SharedPoint[]): void {
    this.socket = socket;
    this.sendSnapshot(points);
    this.tryJoin();
  }

  /** The socket went away; keep collecting for a resume. */
  detach(now: number): void {
    this.unshare();
    this.socket = undefined;
    this.detachedAt = now;
    this.stuckSince = undefined;
    this.deferred = false;
    this.cancelTimer();
  }

  /** Leave the group, keeping what is pending (the hub regroups a session whose rate changed). */
  leaveGroup(): void {
    this.unshare();
    this.group?.remove(this);
    this.group = undefined;
    this.wake();
  }

  /** Stop the timer for good and leave the group. */
  dispose(): void {
    this.leaveGroup();
    this.deferred = false;
    this.socket = undefined;
    this.cancelTimer();
    this.pending.clear();
  }

  /** Send a heartbeat now (answer to a ping), unless the client is stuck. */
  heartbeat(now: number): void {
    if (this.socket === undefined || this.socket.bufferedAmount > this.ctx.maxBufferedBytes) return;
    this.write(`{"type":"heartbeat","ts":${now},"seq":${this.seq}}`, 0);
  }

  /**
   * Periodic upkeep by the hub: heartbeats when idle, stuck detection, restart of a flush held
   * back by a full buffer. Returns how long the session has been stuck (0 when it is not).
   */
  tick(now: number): number {
    if (this.socket === undefined) return 0;
    if (this.socket.bufferedAmount > this.ctx.maxBufferedBytes) {
      this.stuckSince ??= now;
      if (this.shared) {
        // Off the shared path with the group's changes; a flush the group had scheduled becomes
        // this session's own (it will find the buffer full, as a lone session's would).
        const scheduled = this.group!.flushScheduled;
        this.unshare();
        if (scheduled && this.timer === undefined) this.schedule();
      }
      return now - this.stuckSince;
    }
    this.stuckSince = undefined;
    if ((this.pending.size > 0 || this.overflow) && this.timer === undefined && !this.deferred) this.schedule();
    if (now - this.lastMessageAt >= this.ctx.heartbeatMs) this.heartbeat(now);
    return 0;
  }

  /** The group's flush for a shared member: the group's points JSON under this session's seq. */
  sendShared(points: string, count: number, now: number): void {
    this.seq++;
    this.write(`{"type":"delta","seq":${this.seq},"points":[${points}]}`, count);
    this.lastFlushAt = now;
  }

  /** The group found this member's socket behind at its flush: continue alone, as a lone session would. */
  fallBehind(now: number): void {
    this.unshare();
    this.fellBehind = true;
    this.stuckSince ??= now;
  }

  /** The group's pending map overflowed: continue alone towards a fresh snapshot. */
  overflowed(): void {
    this.shared = false;
    this.overflow = true;
    this.pending.clear();
    if (this.timer === undefined && this.socket !== undefined && this.stuckSince === undefined) this.schedule();
  }

  /** The group stopped flushing (it has no members left): a session waiting for it flushes on its own. */
  wake(): void {
    if (!this.deferred) return;
    this.deferred = false;
    if (this.timer === undefined && this.socket !== undefined) this.schedule();
  }

  /**
   * The group just flushed (at `now`). A session waiting for it sends its own delta now and joins;
   * one whose own flush is due (or that has nothing pending) and is in step does the same.
   */
  groupFlushed(now: number): void {
    if (this.deferred) {
      this.deferred = false;
      this.flush(false, now);
      return;
    }
    if (this.socket === undefined || this.stuckSince !== undefined || this.fellBehind || this.overflow) return;
    if (this.pending.size === 0) return this.tryJoin();
    if (now < this.lastFlushAt + this.intervalMs) return; // sending now would exceed the rate
    this.cancelTimer();
    this.flush(false, now);
  }

  /** Leave the shared path, taking the group's pending changes as this session's own. */
  private unshare(): void {
    if (!this.shared) return;
    const g = this.group!;
    for (const [tag, item] of g.pending) this.pending.set(tag, item);
    this.shared = false;
    g.unshare(this);
  }

  /** Join the group's shared path if in step with it (attached, keeping up, nothing pending). */
  private tryJoin(): void {
    const g = this.group;
    if (g === undefined || this.shared || this.deferred || this.socket === undefined) return;
    if (this.stuckSince !== undefined || this.fellBehind || this.overflow || this.pending.size > 0) return;
    if (!g.join(this)) return;
    this.shared = true;
    this.cancelTimer(); // nothing pending: it would have found nothing to send
  }

  private schedule(): void {
    const delay = Math.max(0, this.lastFlushAt + this.intervalMs - this.ctx.clock.now());
    this.heldBack = delay > 0;
    this.timer = this.ctx.clock.setTimeout(() => this.flush(true), delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The session's own flush. `mayDefer`: a delta held back by the rate may instead wait for the
   * group's flush, which is already scheduled and less than one interval away, so as to join the
   * group's path there; a leading-edge delta (after a quiet spell) is never delayed.
   */
  private flush(mayDefer: boolean, now = this.ctx.clock.now()): void {
    this.timer = undefined;
    const socket = this.socket;
    if (socket === undefined) return;
    if (socket.bufferedAmount > this.ctx.maxBufferedBytes) {
      // Stay in latest-value-per-tag mode; tick() restarts flushing once the buffer drains.
      this.fellBehind = true;
      this.stuckSince ??= now;
      return;
    }
    if (this.overflow) {
      this.ctx.counters.overflowSnapshots++;
      this.sendSnapshot();
    } else if (this.pending.size > 0) {
      if (mayDefer && this.heldBack && !this.fellBehind && this.stuckSince === undefined && this.group?.flushScheduled) {
        this.deferred = true;
        return;
      }
      this.sendDelta(false, now);
    }
    this.tryJoin();
  }

  private sendDelta(resumed: boolean, now = this.ctx.clock.now()): void {
    if (this.overflow) throw new Error('sendDelta after overflow'); // callers check; a delta would leave a gap
    const parts: string[] = [];
    for (const item of this.pending.values()) parts.push(item.text);
    this.pending.clear();
    this.seq++;
    let flags = '';
    if (resumed) flags += ',"resumed":true';
    if (this.fellBehind) {
      flags += ',"coalesced":true';
      this.fellBehind = false;
      this.ctx.counters.coalescedMessages++;
    }
    this.write(`{"type":"delta","seq":${this.seq}${flags},"points":[${parts.join(',')}]}`, parts.length);
    this.lastFlushAt = now;
  }

  private write(text: string, points: number): void {
    this.lastMessageAt = this.ctx.clock.now();
    try {
      this.socket?.send(text);
      this.ctx.counters.messagesSent++;
      this.ctx.counters.pointsSent += points;
    } catch {
      // A socket that fails to send is closing; its close event detaches the session.
    }
  }
}
