/**
 * Counts rejected input by code and source, and logs it without flooding: the first of each code
 * at once, then one summary line per code at most every `intervalMs`.
 * @module
 */
import type { ErrorCode } from '../core/errors.js';
import type { Rejection } from '../core/ingest-port.js';

/** Minimal logger shape (pino-compatible). */
export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/** Rejection counters, shown in /api/v1/health. */
export class RejectionCounter {
  private readonly byCode = new Map<ErrorCode, number>();
  private readonly bySource = new Map<string, number>();
  private readonly lastLogged = new Map<ErrorCode, { at: number; suppressed: number }>();
  private total = 0;

  constructor(private readonly log: WarnLogger | undefined, private readonly intervalMs = 10_000, private readonly now: () => number = Date.now) {}

  /** Count and (maybe) log one rejection. */
  add(r: Rejection): void {
    this.total++;
    this.byCode.set(r.code, (this.byCode.get(r.code) ?? 0) + 1);
    this.bySource.set(r.source, (this.bySource.get(r.source) ?? 0) + 1);
    if (!this.log) return;
    const t = this.now();
    const last = this.lastLogged.get(r.code);
    if (!last || t - last.at >= this.intervalMs) {
      const suppressed = last?.suppressed ?? 0;
      this.lastLogged.set(r.code, { at: t, suppressed: 0 });
      this.log.warn({ code: r.code, source: r.source, subject: r.subject, alsoSinceLastLine: suppressed }, `rejected input: ${r.message}`);
    } else {
      last.suppressed++;
    }
  }

  /** Counters for health. */
  snapshot(): { total: number; byCode: Record<string, number>; bySource: Record<string, number> } {
    return { total: this.total, byCode: Object.fromEntries(this.byCode), bySource: Object.fromEntries(this.bySource) };
  }
}
