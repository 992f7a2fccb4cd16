/**
 * The DuckDB historian's queries. Every read checks its arguments first (a fractional id or an
 * unsafe ts would otherwise surface as a binding error, or worse a silently truncated value) and
 * wraps whatever the driver throws, so a bad read is an error value, never a crash.
 * @module
 */
import { statSync } from 'node:fs';
import { LightsoutError } from '../../../core/errors.js';
import type { HistorianStats } from '../../../core/historian-port.js';
import type { Bucket, StoredPoint } from '../../../core/point.js';
import { COUNT_POINTS, STRING_CODE_MIN, selectBuckets, selectRaw } from './duckdb-schema.js';
import { MAX_TAG_ID, decodePoint, decodeValue } from './point-codec.js';
import { statement } from './reader-pool.js';
import type { Reader, ReaderPool } from './reader-pool.js';

// (ts - from) * count must fit in a BIGINT: 2^62 leaves a factor of two to spare.
const MAX_SPAN_TIMES_COUNT = 2 ** 62;

function bad(message: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_REQUEST', message);
}

function checkRange(tagId: number, from: number, to: number): void {
  if (!Number.isInteger(tagId) || tagId < 0 || tagId > MAX_TAG_ID) throw bad(`tag id ${tagId} is not an integer in 0..${MAX_TAG_ID}`);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw bad(`from (${from}) and to (${to}) must be integer epoch-ms times`);
  if (from >= to) throw bad(`from (${from}) must be before to (${to})`);
}

function wrap(what: string, err: unknown): LightsoutError {
  if (err instanceof LightsoutError) return err;
  return new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `historian ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

type RawColumns = [number[], number[], (number | null)[], (string | null)[]];

async function rawColumns(r: Reader, strings: boolean, tagId: number, from: number, to: number, limit: number): Promise<RawColumns> {
  const ps = await statement(r, selectRaw(strings));
  ps.bindInteger(1, tagId);
  ps.bindBigInt(2, BigInt(from));
  ps.bindBigInt(3, BigInt(to));
  ps.bindBigInt(4, BigInt(limit));
  const reader = await ps.runAndReadAll();
  // With no rows the reader has no column arrays at all, not four empty ones.
  if (reader.currentRowCount === 0) return [[], [], [], []];
  return reader.getColumnsJS() as RawColumns;
}

async function bucketRows(r: Reader, strings: boolean, tagId: number, from: number, to: number, count: number): Promise<unknown[][]> {
  const ps = await statement(r, selectBuckets(strings));
  ps.bindInteger(1, tagId);
  ps.bindBigInt(2, BigInt(from));
  ps.bindBigInt(3, BigInt(to));
  ps.bindBigInt(4, BigInt(count));
  return (await ps.runAndReadAll()).getRowsJS();
}

/** Raw, bucketed and count queries over the `points` view, on pooled read connections. */
export class DuckdbReads {
  constructor(private readonly pool: ReaderPool) {}

  /**
   * Points of one tag with from <= ts < to, ascending, at most `limit`. `strings` says the tag
   * is known to hold strings, so the cheaper string-free query is not worth trying first.
   */
  async raw(tagId: number, from: number, to: number, limit: number, strings = false): Promise<StoredPoint[]> {
    checkRange(tagId, from, to);
    if (!Number.isSafeInteger(limit) || limit < 0) throw bad(`limit ${limit} is not a non-negative integer`);
    if (limit === 0) return [];
    try {
      return await this.pool.use(async (r) => {
        let cols = await rawColumns(r, strings, tagId, from, to, limit);
        if (!strings && cols[1].some((c) => c >= STRING_CODE_MIN)) cols = await rawColumns(r, true, tagId, from, to, limit);
        const [ts, c, v, s] = cols;
        const out = new Array<StoredPoint>(ts.length);
        for (let i = 0; i < ts.length; i++) out[i] = decodePoint(tagId, ts[i]!, c[i]!, v[i]!, s[i]!);
        return out;
      });
    } catch (err) {
      throw wrap('raw read', err);
    }
  }

  /** `count` equal buckets of [from, to); only non-empty ones, ascending. See selectBuckets. */
  async buckets(tagId: number, from: number, to: number, count: number, strings = false): Promise<Bucket[]> {
    checkRange(tagId, from, to);
    if (!Number.isSafeInteger(count) || count < 1) throw bad(`bucket count ${count} is not a positive integer`);
    if ((to - from) * count >= MAX_SPAN_TIMES_COUNT) throw bad(`range ${to - from} ms cut into ${count} buckets is too large`);
    try {
      return await this.pool.use(async (r) => {
        let rows = await bucketRows(r, strings, tagId, from, to, count);
        if (!strings && rows.some((row) => (row[11] as number) >= STRING_CODE_MIN)) rows = await bucketRows(r, true, tagId, from, to, count);
        return rows.map((row): Bucket => {
          const [ts, mn, mx, av, fc, fv, fs, lc, lv, ls, n] = row as [number, number | null, number | null, number | null, number, number | null, string | null, number, number | null, string | null, number];
          return { ts, min: mn, max: mx, avg: av, first: decodeValue(fc, fv, fs), last: decodeValue(lc, lv, ls), count: n };
        });
      });
    } catch (err) {
      throw wrap('bucket read', err);
    }
  }

  /** Exact count over the view plus the size of the database file and its WAL. */
  async stats(file: string | undefined): Promise<HistorianStats> {
    try {
      const points = await this.pool.use(async (r) => Number((await (await statement(r, COUNT_POINTS)).runAndReadAll()).getRowsJS()[0]![0]));
      let bytesOnDisk = 0;
      if (file) {
        for (const f of [file, `${file}.wal`]) {
          try {
            bytesOnDisk += statSync(f).size;
          } catch {
            /* no WAL right after a checkpoint */
          }
        }
      }
      return { points, bytesOnDisk };
    } catch (err) {
      throw wrap('stats', err);
    }
  }
}
