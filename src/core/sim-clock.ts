/**
 * A {@link Clock} that moves only when told to: the rule test against history replays on it, and
 * tests drive every delay, expiry and escalation with it. Due timers fire in time order (then in
 * the order they were set) as the clock passes them, each at its own time.
 *
 * @example
 * const clock = new SimClock(0);
 * clock.setTimer(() => console.log(clock.now()), 5000);
 * clock.advance(10_000); // prints 5000; now() is 10000
 * @module
 */
import type { Clock } from './rule-port.js';

interface SimTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock moved by hand (see the module comment). */
export class SimClock implements Clock {
  private readonly timers: SimTimer[] = [];
  private seq = 0;

  /**
   * The time now. Setting it directly moves the clock without firing anything, as when a process
   * was down meanwhile: what fell due fires on the next advance.
   */
  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const timer: SimTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    // Kept sorted by (at, seq); few timers are pending at once.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    (handle as SimTimer).cancelled = true;
  }

  /** Move to the time `to`, firing every timer due on the way at its own time. */
  advanceTo(to: number): void {
    while (this.timers.length > 0 && this.timers[0]!.at <= to) {
      const timer = this.timers.shift()!;
      if (timer.cancelled) continue;
      this.t = Math.max(this.t, timer.at);
      timer.fn();
    }
    this.t = Math.max(this.t, to);
  }

  /** Move forward by `ms` (see {@link advanceTo}). */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** When the earliest pending timer fires, if any. */
  nextAt(): number | undefined {
    return this.timers.find((t) => !t.cancelled)?.at;
  }
}
