/**
 * Points per second over a sliding window, sampled once a second from a monotonic counter.
 * @module
 */

/** A rate over the last `windowS` seconds. */
export class RateMeter {
  private readonly samples: Array<{ t: number; n: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly read: () => number, private readonly windowS = 10) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** Units per second over the window. */
  rate(): number {
    this.sample();
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const dt = (last.t - first.t) / 1000;
    return dt > 0 ? (last.n - first.n) / dt : 0;
  }

  /** Stop sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const t = Date.now();
    this.samples.push({ t, n: this.read() });
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowS * 1000) this.samples.shift();
  }
}
