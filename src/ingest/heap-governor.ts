/**
 * Keeps the JavaScript heap near its live size. V8 sizes its heap from the machine's memory, so on a
 * large host a busy ingest lets hundreds of MB of garbage sit in the old generation before a full
 * collection; on a small edge box that is memory other processes need. Every `intervalMs` this
 * compares the heap in use with the live size measured after the last full collection and, when
 * garbage exceeds the allowance, runs one full collection (a pause of a few tens of ms per 100 MB).
 * The live size is the smallest of the last few measurements, so one taken in a burst (with many
 * points in flight) does not raise the bar for the quiet time after it; and when no collection
 * ran for `remeasureMs` while the heap sits above the last measurement, one runs to measure again.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Counters of the governor, for health. */
export interface HeapGovernorStats {
  collections: number;
  liveBytes: number;
  lastPauseMs: number;
}

/** Periodic heap trimming. */
export class HeapGovernor {
  private readonly gc: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly counters: HeapGovernorStats = { collections: 0, liveBytes: 0, lastPauseMs: 0 };
  /** Live sizes measured after the last collections, newest last. */
  private readonly recentLive: number[] = [];
  private lastCollection = performance.now();
  /** A collection that only re-measures the live size runs at most this often. */
  private readonly remeasureMs = 30_000;

  /**
   * @param allowanceBytes garbage tolerated above the live size before a collection (default 64 MB)
   * @param intervalMs how often to look (default 5 s)
   */
  constructor(private readonly allowanceBytes = 64 * 1024 * 1024, intervalMs = 5000) {
    try {
      setFlagsFromString('--expose-gc');
      this.gc = runInNewContext('gc') as () => void;
    } catch {
      this.gc = undefined; // the runtime refused: V8's own heuristics stay in charge
    }
    this.counters.liveBytes = process.memoryUsage().heapUsed;
    if (this.gc) {
      this.timer = setInterval(() => this.check(), intervalMs);
      this.timer.unref();
    }
  }

  /** Collect now if the heap holds more garbage than allowed. */
  check(): void {
    if (!this.gc) return;
    const used = process.memoryUsage().heapUsed;
    const live = this.recentLive.length > 0 ? Math.min(...this.recentLive) : this.counters.liveBytes;
    const allowed = Math.max(live * 1.5, live + this.allowanceBytes);
    const stale = performance.now() - this.lastCollection > this.remeasureMs && used > live * 1.2 + 8 * 1024 * 1024;
    if (used <= allowed && !stale) return;
    const t0 = performance.now();
    this.gc();
    this.lastCollection = performance.now();
    this.counters.lastPauseMs = this.lastCollection - t0;
    this.counters.collections++;
    this.counters.liveBytes = process.memoryUsage().heapUsed;
    this.recentLive.push(this.counters.liveBytes);
    if (this.recentLive.length > 6) this.recentLive.shift();
  }

  /** Counters. */
  stats(): HeapGovernorStats {
    return { ...this.counters };
  }

  /** Stop looking. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
