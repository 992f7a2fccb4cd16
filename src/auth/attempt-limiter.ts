/**
 * Counts failures (logins, tokens, MQTT passwords) per key in a sliding window and refuses further
 * attempts once a key has too many, so passwords and tokens cannot be guessed at speed. A success
 * does not clear the address count: one good password must not unlock unlimited guesses elsewhere.
 * @module
 */

/** Failure counter with a sliding window. Memory is bounded by pruning on use. */
export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private lastPrune = 0;

  /**
   * @param max failures allowed per key within the window
   * @param windowMs the window
   * @param now the clock (tests pass a fake one)
   */
  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const list = this.recent(key);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now()) / 1000));
  }

  /** Record a failure of the key. */
  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    this.prune();
  }

  /** Forget a key's failures (a user's, after a successful login). */
  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = this.failures.get(key) ?? [];
    while (list.length > 0 && list[0]! <= since) list.shift();
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  private prune(): void {
    const t = this.now();
    if (t - this.lastPrune < this.windowMs && this.failures.size < 100_000) return;
    this.lastPrune = t;
    for (const key of [...this.failures.keys()]) this.recent(key);
  }
}

/** A fixed-window rate limiter: at most `max` events per key per window (commands, showcase views). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Count one event; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (this.windows.size > 100_000) for (const [k, v] of this.windows) if (t - v.start >= this.windowMs) this.windows.delete(k);
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.max) return Math.max(1, Math.ceil((w.start + this.windowMs - t) / 1000));
    w.count++;
    return 0;
  }
}
