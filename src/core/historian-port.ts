/**
 * The historian backend port. Every backend (DuckDB embedded, PostgreSQL later) implements it,
 * and historian/backend.case.test.ts runs one contract suite against each.
 * @module
 */
import type { Bucket, StoredPoint } from './point.js';

/** Size and shape of what a backend holds. */
export interface HistorianStats {
  /** Points stored (exact or a close estimate, as the backend can tell cheaply). */
  points: number;
  /** Bytes the backend's files take on disk (0 for in-memory). */
  bytesOnDisk: number;
}

/** A time-series store of points keyed by tag id. */
export interface HistorianBackend {
  /** A short name for logs and health, e.g. `duckdb`. */
  readonly name: string;
  /** Open or create the storage. Recovers anything a crash left (e.g. replays a write-ahead log). */
  open(): Promise<void>;
  /** Flush and close. */
  close(): Promise<void>;
  /**
   * Store points. The promise resolves only when every point is durable: it survives a kill -9
   * of the process issued right after resolution. Points may arrive in any ts order.
   */
  append(points: readonly StoredPoint[]): Promise<void>;
  /** Raw points of one tag with from <= ts < to, ascending ts, at most `limit` of them. */
  raw(tagId: number, from: number, to: number, limit: number): Promise<StoredPoint[]>;
  /**
   * One tag's range [from, to) cut into `count` equal buckets; only buckets that hold points are
   * returned, ascending. Bucket `ts` is the bucket's start.
   */
  buckets(tagId: number, from: number, to: number, count: number): Promise<Bucket[]>;
  /** The newest stored point of each given tag (tags with none are absent). */
  latest(tagIds: readonly number[]): Promise<Map<number, StoredPoint>>;
  /** Retention: delete every point with ts < cutoff. Returns how many were deleted (or an estimate). */
  deleteBefore(cutoff: number): Promise<number>;
  /** Size and counts, for health and benchmarks. */
  stats(): Promise<HistorianStats>;
}
