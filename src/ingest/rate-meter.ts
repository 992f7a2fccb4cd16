/**
 * Points per second over a sliding window, sampled once a second from a monotonic counter.
 * @module
 */

/** A rate over the last `windowS` seconds, and a short history of it for charts. */
export class RateMeter {
  private readonly samples: Array<{ t: number; n: number }> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly past: Array<[number, number]> = [];
  private ticks = 0;
  /** Seconds between history entries, and how many are kept (default: every 5 s for 10 min). */
  private readonly historyEveryS = 5;
  private readonly historyLength = 120;

  constructor(private readonly read: () => number, private readonly windowS = 10) {
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
      if (++this.ticks % this.historyEveryS === 0) {
        this.past.push([Date.now(), Math.round(this.rate())]);
        if (this.past.length > this.historyLength) this.past.shift();
      }
    }, 1000);
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

  /** `[ts, rate]` every few seconds over the last minutes, oldest first. */
  history(): Array<[number, number]> {
    return this.past.map((e) => [e[0], e[1]]);
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
