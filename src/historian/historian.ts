/**
 * The historian service: a thin wrapper over whichever backend the composition root chose. It
 * owns what every backend would otherwise repeat — argument validation with clear errors, and
 * the retention timer — and passes everything else straight through.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import type { HistorianBackend, HistorianStats } from '../core/historian-port.js';
import type { Bucket, StoredPoint } from '../core/point.js';

/** Most buckets one query may ask for (a chart is rarely wider than this many pixels). */
export const MAX_BUCKETS = 10_000;
/** Default cap on raw points per query: bounds the memory one request can take. */
export const DEFAULT_MAX_RAW_LIMIT = 1_000_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Where the historian reports background trouble (a pino logger fits). */
export interface HistorianLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link Historian}. */
export interface HistorianOptions {
  /** Delete points older than this many days, checked at start and hourly. 0 or absent keeps everything. */
  retentionDays?: number;
  /** Largest `limit` a raw query may ask for. Default {@link DEFAULT_MAX_RAW_LIMIT}. */
  maxRawLimit?: number;
  /** Retention and other background reports. */
  log?: HistorianLog;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

function bad(message: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_REQUEST', message);
}

function checkRange(tagId: number, from: number, to: number): void {
  if (!Number.isSafeInteger(tagId) || tagId < 0) throw bad(`tag id ${tagId} is not a non-negative integer`);
  if (!Number.isSafeInteger(from)) throw bad(`from (${from}) is not an integer epoch-ms time`);
  if (!Number.isSafeInteger(to)) throw bad(`to (${to}) is not an integer epoch-ms time`);
  if (from >= to) throw bad(`from (${from}) must be before to (${to})`);
}

/**
 * A validated, retention-keeping view of a {@link HistorianBackend}. It is itself a
 * HistorianBackend, so it can stand wherever a backend is expected.
 * @example
 * const historian = new Historian(backend, { retentionDays: 90, log });
 * await historian.buckets(tagId, Date.now() - 86_400_000, Date.now(), 1000);
 * historian.stop(); // on shutdown: ends the retention timer
 */
export class Historian implements HistorianBackend {
  private readonly maxRawLimit: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly backend: HistorianBackend, private readonly opts: HistorianOptions = {}) {
    this.maxRawLimit = opts.maxRawLimit ?? DEFAULT_MAX_RAW_LIMIT;
    this.now = opts.now ?? Date.now;
    const days = opts.retentionDays ?? 0;
    if (!(days >= 0) || !Number.isFinite(days)) throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `retentionDays (${days}) must be a number >= 0`);
    if (days > 0) {
      // Once soon after start (not synchronously: the caller may still be wiring things up),
      // then hourly. Unref'd: retention must never keep the process alive.
      this.timer = setTimeout(() => {
        void this.applyRetention();
        this.timer = setInterval(() => void this.applyRetention(), HOUR_MS);
        this.timer.unref();
      }, 0);
      this.timer.unref();
    }
  }

  /** The backend's name. */
  get name(): string {
    return this.backend.name;
  }

  /** Opens the backend. */
  open(): Promise<void> {
    return this.backend.open();
  }

  /** Stops the retention timer and closes the backend. */
  async close(): Promise<void> {
    this.stop();
    await this.running?.catch(() => undefined);
    await this.backend.close();
  }

  /** Stops the retention timer (the backend stays open). */
  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stores points durably (the backend validates each point). */
  append(points: readonly StoredPoint[]): Promise<void> {
    return this.backend.append(points);
  }

  /** Raw points in [from, to); `limit` must be 1..maxRawLimit. */
  async raw(tagId: number, from: number, to: number, limit: number): Promise<StoredPoint[]> {
    checkRange(tagId, from, to);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > this.maxRawLimit) throw bad(`limit (${limit}) must be an integer from 1 to ${this.maxRawLimit}`);
    return this.backend.raw(tagId, from, to, limit);
  }

  /** [from, to) cut into `count` (1..10,000) equal buckets; empty ones are omitted. */
  async buckets(tagId: number, from: number, to: number, count: number): Promise<Bucket[]> {
    checkRange(tagId, from, to);
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_BUCKETS) throw bad(`bucket count (${count}) must be an integer from 1 to ${MAX_BUCKETS}`);
    return this.backend.buckets(tagId, from, to, count);
  }

  /** Newest point of each given tag. */
  async latest(tagIds: readonly number[]): Promise<Map<number, StoredPoint>> {
    return this.backend.latest(tagIds);
  }

  /** Deletes points older than `cutoff`. */
  async deleteBefore(cutoff: number): Promise<number> {
    if (!Number.isSafeInteger(cutoff)) throw bad(`cutoff (${cutoff}) is not an integer epoch-ms time`);
    return this.backend.deleteBefore(cutoff);
  }

  /** Size and counts. */
  stats(): Promise<HistorianStats> {
    return this.backend.stats();
  }

  /**
   * Deletes what is older than `retentionDays` now; returns how many points went (0 when
   * retention is off). Failures are logged and returned as 0: the next hour tries again.
   */
  async applyRetention(): Promise<number> {
    const days = this.opts.retentionDays ?? 0;
    if (days <= 0) return 0;
    if (this.running) return this.running; // an hourly run overlapping a slow one joins it
    const cutoff = Math.floor(this.now() - days * DAY_MS);
    this.running = this.backend.deleteBefore(cutoff).then(
      (deleted) => {
        if (deleted > 0) this.opts.log?.info({ deleted, cutoff }, 'historian retention deleted old points');
        return deleted;
      },
      (err: unknown) => {
        this.opts.log?.warn({ err: err instanceof Error ? err.message : String(err), cutoff }, 'historian retention failed');
        return 0;
      },
    );
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
