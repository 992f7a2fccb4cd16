/**
 * One subscriber of the live hub. Ingest only ever touches its pending map (tag → newest point);
 * sending happens on the session's own timer, so a slow socket costs ingest nothing.
 *
 * Flushing is leading-edge throttled: after an idle spell a change goes out at once (on the next
 * turn of the event loop, so one ingest batch still makes one message); under load at most
 * `rate` messages per second go out, each with only the newest value of every changed tag. That
 * is what a remote operator wants: a single change is seen immediately, and a storm never queues.
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
  private readonly pending = new Map<string, SharedPoint>();
  private intervalMs: number;
  private lastFlushAt = -Infinity;
  private lastMessageAt: number;
  private fellBehind = false;
  private timer: unknown;

  constructor(readonly id: string, readonly tenant: string, readonly subscription: Subscription, rate: number, private readonly ctx: SessionContext) {
    this.intervalMs = 1000 / rate;
    this.lastMessageAt = ctx.clock.now();
  }

  /** Change the most messages per second (a resume may ask for another rate). */
  setRate(rate: number): void {
    this.intervalMs = 1000 / rate;
  }

  /** Take a changed point. O(1); never sends. */
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
    if (this.timer === undefined && this.socket !== undefined && this.stuckSince === undefined) this.schedule();
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
    this.socket = socket;
    this.stuckSince = undefined;
    this.sendDelta(true);
  }

  /** Attach the socket of a new subscription and send its snapshot (already built by the hub). */
  start(socket: LiveSocket, points: SharedPoint[]): void {
    this.socket = socket;
    this.sendSnapshot(points);
  }

  /** The socket went away; keep collecting for a resume. */
  detach(now: number): void {
    this.socket = undefined;
    this.detachedAt = now;
    this.stuckSince = undefined;
    this.cancelTimer();
  }

  /** Stop the timer for good. */
  dispose(): void {
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
      return now - this.stuckSince;
    }
    this.stuckSince = undefined;
    if ((this.pending.size > 0 || this.overflow) && this.timer === undefined) this.schedule();
    if (now - this.lastMessageAt >= this.ctx.heartbeatMs) this.heartbeat(now);
    return 0;
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
    const socket = this.socket;
    if (socket === undefined) return;
    if (socket.bufferedAmount > this.ctx.maxBufferedBytes) {
      // Stay in latest-value-per-tag mode; tick() restarts flushing once the buffer drains.
      this.fellBehind = true;
      this.stuckSince ??= this.ctx.clock.now();
      return;
    }
    if (this.overflow) {
      this.ctx.counters.overflowSnapshots++;
      this.sendSnapshot();
    } else if (this.pending.size > 0) {
      this.sendDelta(false);
    }
  }

  private sendDelta(resumed: boolean): void {
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
    this.lastFlushAt = this.ctx.clock.now();
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
