/**
 * The samples a rate-of-change rule needs: the newest value and the one about `windowS` ago, in
 * a ring of numbers (no allocation per sample once it has grown to the update rate).
 * @module
 */

const MAX_SAMPLES = 65_536;

/** A sliding window of (ts, value) samples, oldest first. */
export class RateWindow {
  private ts = new Float64Array(8);
  private val = new Float64Array(8);
  private head = 0;
  private count = 0;

  constructor(private readonly windowMs: number) {}

  /**
   * Add a sample (older than the newest: ignored; same time: replaces) and give the change per
   * minute over the window: |newest − reference| × 60000 / max(span, window), where the reference
   * is the newest sample at least a window old, else the oldest there is. One sample gives 0.
   */
  push(ts: number, value: number): number {
    const cap = this.ts.length;
    if (this.count > 0) {
      const last = (this.head + this.count - 1) % cap;
      if (ts < this.ts[last]!) return this.rate();
      if (ts === this.ts[last]) {
        this.val[last] = value;
        return this.rate();
      }
    }
    if (this.count === cap) {
      if (cap >= MAX_SAMPLES) this.drop();
      else this.grow();
    }
    const c = this.ts.length;
    const at = (this.head + this.count) % c;
    this.ts[at] = ts;
    this.val[at] = value;
    this.count++;
    // Keep one sample at or before the window's start: the reference.
    while (this.count > 1 && this.ts[(this.head + 1) % c]! <= ts - this.windowMs) this.drop();
    return this.rate();
  }

  /** Samples held. */
  get size(): number {
    return this.count;
  }

  private rate(): number {
    if (this.count < 2) return 0;
    const c = this.ts.length;
    const last = (this.head + this.count - 1) % c;
    const span = this.ts[last]! - this.ts[this.head]!;
    return (Math.abs(this.val[last]! - this.val[this.head]!) * 60_000) / Math.max(span, this.windowMs);
  }

  private drop(): void {
    this.head = (this.head + 1) % this.ts.length;
    this.count--;
  }

  private grow(): void {
    const c = this.ts.length;
    const ts = new Float64Array(c * 2);
    const val = new Float64Array(c * 2);
    for (let i = 0; i < this.count; i++) {
      ts[i] = this.ts[(this.head + i) % c]!;
      val[i] = this.val[(this.head + i) % c]!;
    }
    this.ts = ts;
    this.val = val;
    this.head = 0;
  }
}
