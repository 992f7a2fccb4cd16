/**
 * A rate from a monotonic counter sampled by someone else's timer (the connector supervisor
 * samples all its connectors on one timer instead of one timer each).
 * @module
 */

/** Units per second over the last `windowS` seconds of samples. */
export class RateWindow {
  private readonly samples: Array<{ t: number; n: number }> = [];

  constructor(private readonly windowS = 10) {}

  /** Record the counter's value at time `t` (epoch ms). */
  add(t: number, n: number): void {
    this.samples.push({ t, n });
    while (this.samples.length > 2 && this.samples[0]!.t < t - this.windowS * 1000) this.samples.shift();
  }

  /** Units per second between the oldest and newest sample; 0 until there are two. */
  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const dt = (last.t - first.t) / 1000;
    return dt > 0 ? Math.max(0, last.n - first.n) / dt : 0;
  }
}
