/**
 * The edge agent's replay progress: how much of the backlog is acknowledged, at what rate, logged
 * every few seconds while replaying and once when caught up.
 * @module
 */
import type { ConnectorLog } from '../core/connector-port.js';

/** Counts one replay (one session's backlog) and logs its progress. */
export class ReplayProgress {
  private total = 0;
  private done = 0;
  private startedAt = 0;
  private lastDone = 0;
  private lastAt = 0;

  constructor(private readonly log: ConnectorLog) {}

  /** A new session's backlog of `total` points; `bytes` for the log. */
  begin(total: number, bytes: number): void {
    const now = Date.now();
    Object.assign(this, { total, done: 0, startedAt: now, lastDone: 0, lastAt: now });
    if (total > 0) this.log.info({ points: total, bytes }, 'edge replaying the buffered backlog (historical)');
  }

  /** `n` historical points acknowledged. */
  add(n: number): void {
    this.done += n;
  }

  /** Logs done/total and the rate since the last report. */
  report(): void {
    const now = Date.now();
    const rate = ((this.done - this.lastDone) * 1000) / Math.max(1, now - this.lastAt);
    this.log.info({ done: this.done, total: this.total, pointsPerSecond: Math.round(rate) }, 'edge replaying');
    this.lastDone = this.done;
    this.lastAt = now;
  }

  /** Logs the end of the replay. */
  caughtUp(): void {
    const secs = (Date.now() - this.startedAt) / 1000;
    this.log.info({ points: this.done, seconds: Number(secs.toFixed(1)), pointsPerSecond: Math.round(this.done / Math.max(secs, 0.001)) }, 'edge caught up: backlog replayed, now live');
  }
}
