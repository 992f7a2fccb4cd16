/**
 * The embedded historian backend, on DuckDB.
 *
 * Layout (each choice measured on the 2-core box with bench/query-bench.ts, 1,000 tags × 24 h):
 * - Appends arrive time-ordered with all tags interleaved. Stored that way, a tag's rows sit in
 *   every row group and a per-tag query reads them all. So appends go to an unsorted "hot"
 *   table, and background compaction rewrites it sorted by (tag_id, ts): inside a sorted run a
 *   tag is one contiguous slice, and DuckDB's zone maps skip every row group but one or two.
 * - Three levels, all behind one `points` view (cold ∪ warm ∪ hot_0 ∪ hot_1):
 *   hot_0/hot_1 — appends go to the active one; at `hotMaxRows` (1 M) appends switch to the other
 *     and the full one is compacted. Small, because scanning unsorted rows is the costly part
 *     (a 2 M-row hot table alone took ~10 ms of a query).
 *   warm — the sorted 1 M-row runs of each compaction. At `warmMaxRows` (8 M) or `warmMaxRuns`
 *     (8; at low rates the 10-minute timer makes runs smaller than a row group) it is merged:
 *   cold — big sorted runs. Fewer, longer runs read faster (a query touches one or two row
 *     groups per run) and compress twice as well (2.2 against 4.3 bytes/point for 8 M- against
 *     2 M-row runs). Runs are time-disjoint, so zone maps on ts skip runs outside a range.
 *   Each move (hot → warm, warm → cold) is INSERT … ORDER BY plus DELETE in one transaction, so
 *   a reader or a crash sees every row exactly once. The view never changes after open, so
 *   there is no DDL at run time and prepared statements stay valid. If compaction falls behind,
 *   appends stay on the active hot table (it grows) rather than anything waiting.
 * - Durability: append() feeds a group-commit queue; each group is one appender flush, i.e. one
 *   DuckDB commit, which writes the WAL and fsyncs it (checked with strace) before returning.
 *   A resolved append therefore survives kill -9 (duckdb-crash.test.ts) and, on storage that
 *   honours fsync, power loss. The flush is synchronous: a group of 100 k rows holds the event
 *   loop ~40 ms, more when it waits on a compaction's commit (see bench/append-bench.ts).
 * - latest() is served from memory: updated after each commit, loaded at open from the small
 *   `latest` table (kept by compaction) plus the hot tables, so open never scans the history.
 * - Rows: tag_id INTEGER, ts BIGINT, c UTINYINT (type*4 + quality), v DOUBLE (numbers, booleans
 *   as 0/1), s VARCHAR (strings only; reads skip it unless a tag holds strings).
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { LightsoutError } from '../../../core/errors.js';
import type { HistorianBackend, HistorianStats } from '../../../core/historian-port.js';
import type { Bucket, StoredPoint } from '../../../core/point.js';
import { CREATE_SCHEMA, HOT_TABLES, INSERT_VERSION, SCHEMA_VERSION, SELECT_LATEST_ALL, SELECT_VERSION, countRows } from './duckdb-schema.js';
import { appendPoints } from './chunk-writer.js';
import { DuckdbMaintenance } from './duckdb-maintenance.js';
import { DuckdbReads } from './duckdb-reads.js';
import { GroupCommitQueue } from './group-commit.js';
import { checkBatch, decodePoint } from './point-codec.js';
import { ReaderPool } from './reader-pool.js';
import { storageError } from './storage-error.js';

/** Options of {@link DuckdbBackend}. Only `dir` is required; the rest are tuning knobs. */
export interface DuckdbBackendOptions {
  /** Directory the backend owns (created if missing), or `':memory:'` for a throw-away store (tests). */
  dir: string;
  /** Rows the active hot table takes before appends switch tables and it is compacted. Default 1,000,000. */
  hotMaxRows?: number;
  /** Rows of small sorted runs in `warm` that trigger a merge into one big run in `cold`. Default 8,000,000. */
  warmMaxRows?: number;
  /** Runs in `warm` that trigger the merge even below warmMaxRows (matters at low rates). Default 8. */
  warmMaxRuns?: number;
  /** Compact at least this often (ms) even when the hot table is small. Default 600,000 (10 min). */
  compactIntervalMs?: number;
  /** Most rows per group commit; bounds how long one synchronous commit holds the event loop. Default 100,000. */
  maxCommitRows?: number;
  /** WAL size at which DuckDB checkpoints by itself (maintenance checkpoints after each compaction). Default `'256MB'`. */
  checkpointThreshold?: string;
  /** Read connections (concurrent queries). Default 2. */
  readers?: number;
  /** DuckDB worker threads. Default: DuckDB's own (one per core). */
  threads?: number;
  /** DuckDB memory limit, e.g. `'2GB'`. Default: DuckDB's own (80 % of RAM). */
  memoryLimit?: string;
  /** Told about failures of background work (compaction), which has no caller to reject. */
  onBackgroundError?: (err: LightsoutError) => void;
}

// DuckDB's file lock is per process, so a second open of the same file from this process would
// succeed and two writers would share one file. Refuse it here instead.
const openFiles = new Set<string>();

/**
 * {@link HistorianBackend} on embedded DuckDB.
 * @example
 * const h = new DuckdbBackend({ dir: join(dataDir, 'historian') });
 * await h.open();
 * await h.append([{ tagId: 1, ts: Date.now(), value: 21.5, quality: 'good' }]);
 */
export class DuckdbBackend implements HistorianBackend {
  readonly name = 'duckdb';
  private readonly opts: Required<Omit<DuckdbBackendOptions, 'threads' | 'memoryLimit' | 'onBackgroundError'>> & DuckdbBackendOptions;
  private instance: DuckDBInstance | undefined;
  private writer: DuckDBConnection | undefined;
  private appenders: DuckDBAppender[] = [];
  private pool: ReaderPool | undefined;
  private reads: DuckdbReads | undefined;
  private maint: DuckdbMaintenance | undefined;
  private queue: GroupCommitQueue | undefined;
  private readonly latestMap = new Map<number, StoredPoint>();
  private state: 'closed' | 'opening' | 'open' | 'closing' = 'closed';
  private broken: LightsoutError | undefined;
  // Connections made during open() before their owner exists, so a failed open closes them.
  private openConnections: DuckDBConnection[] = [];

  constructor(options: DuckdbBackendOptions) {
    this.opts = { hotMaxRows: 1_000_000, warmMaxRows: 8_000_000, warmMaxRuns: 8, compactIntervalMs: 600_000, maxCommitRows: 100_000, readers: 2, checkpointThreshold: '256MB', ...options };
  }

  /** The DuckDB file (undefined in memory). */
  get file(): string | undefined {
    return this.opts.dir === ':memory:' ? undefined : join(this.opts.dir, 'historian.duckdb');
  }

  /** Opens or creates the store; DuckDB replays its WAL, so every committed append is back. */
  async open(): Promise<void> {
    if (this.state !== 'closed') throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `historian is already ${this.state}`);
    this.state = 'opening';
    try {
      const config: Record<string, string> = {};
      // Checkpoints are run by maintenance after each compaction; DuckDB's own trigger (default
      // 16 MB of WAL) would fire inside the writer's synchronous commit, so it is only a backstop.
      config['checkpoint_threshold'] = this.opts.checkpointThreshold;
      if (this.opts.threads !== undefined) config['threads'] = String(this.opts.threads);
      if (this.opts.memoryLimit !== undefined) config['memory_limit'] = this.opts.memoryLimit;
      if (this.file) {
        if (openFiles.has(resolve(this.file))) throw new Error(`${this.file} is already open in this process`);
        mkdirSync(this.opts.dir, { recursive: true });
      }
      this.instance = await DuckDBInstance.create(this.file ?? ':memory:', config);
      const maintConn = await this.instance.connect();
      this.openConnections.push(maintConn);
      for (const sql of CREATE_SCHEMA) await maintConn.run(sql);
      const version = (await maintConn.runAndReadAll(SELECT_VERSION)).getRowsJS();
      if (version.length === 0) await maintConn.run(INSERT_VERSION);
      else if (version[0]![0] !== SCHEMA_VERSION) throw new Error(`file has layout version ${String(version[0]![0])}, expected ${SCHEMA_VERSION}`);
      const count = async (t: string): Promise<number> => Number((await maintConn.runAndReadAll(countRows(t))).getRowsJS()[0]![0]);
      const layout = { hot: [await count(HOT_TABLES[0]), await count(HOT_TABLES[1])], warm: await count('warm') };
      this.latestMap.clear();
      for (const [tag, ts, c, v, s] of (await maintConn.runAndReadAll(SELECT_LATEST_ALL)).getRowsJS()) {
        this.latestMap.set(tag as number, decodePoint(tag as number, ts as number, c as number, v as number | null, s as string | null));
      }
      this.writer = await this.instance.connect();
      this.appenders = [];
      for (const t of HOT_TABLES) this.appenders.push(await this.writer.createAppender(t));
      this.pool = await ReaderPool.open(this.instance, this.opts.readers);
      this.reads = new DuckdbReads(this.pool);
      this.maint = new DuckdbMaintenance(maintConn, layout, this.opts, (err) => this.opts.onBackgroundError?.(err));
      this.queue = new GroupCommitQueue((batches, rows) => this.commit(batches, rows), this.opts.maxCommitRows);
      this.broken = undefined;
      this.openConnections = [];
      if (this.file) openFiles.add(resolve(this.file));
      this.state = 'open';
      this.maint.start();
    } catch (err) {
      this.release();
      this.state = 'closed';
      throw storageError('open', err);
    }
  }

  /** Waits for queued appends and a running compaction, then closes DuckDB (it checkpoints). */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    try {
      await this.queue!.drain();
      await this.maint!.stop();
      await this.pool!.drain();
    } finally {
      this.release();
      this.state = 'closed';
    }
  }

  /** Resolves once every point is committed to DuckDB's fsynced WAL (see the module comment). */
  append(points: readonly StoredPoint[]): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.notOpen());
    try {
      checkBatch(points);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.queue!.enqueue(points);
  }

  /** Raw points of one tag in [from, to), ascending ts, at most `limit`. */
  raw(tagId: number, from: number, to: number, limit: number): Promise<StoredPoint[]> {
    if (this.state !== 'open') return Promise.reject(this.notOpen());
    return this.reads!.raw(tagId, from, to, limit, this.holdsStrings(tagId));
  }

  /** `count` equal buckets over [from, to), computed in SQL; empty buckets are left out. */
  buckets(tagId: number, from: number, to: number, count: number): Promise<Bucket[]> {
    if (this.state !== 'open') return Promise.reject(this.notOpen());
    return this.reads!.buckets(tagId, from, to, count, this.holdsStrings(tagId));
  }

  /** Newest point of each tag, from memory (no query). */
  async latest(tagIds: readonly number[]): Promise<Map<number, StoredPoint>> {
    if (this.state !== 'open') throw this.notOpen();
    const out = new Map<number, StoredPoint>();
    for (const id of tagIds) {
      const p = this.latestMap.get(id);
      if (p) out.set(id, { ...p });
    }
    return out;
  }

  /** Deletes every point with ts < cutoff; returns how many went. */
  async deleteBefore(cutoff: number): Promise<number> {
    if (this.state !== 'open') throw this.notOpen();
    if (!Number.isSafeInteger(cutoff)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `cutoff ${cutoff} is not an integer epoch-ms time`);
    let deleted: number;
    try {
      deleted = await this.maint!.deleteBefore(cutoff);
    } catch (err) {
      throw storageError('retention', err);
    }
    for (const [id, p] of this.latestMap) if (p.ts < cutoff) this.latestMap.delete(id);
    return deleted;
  }

  /** Exact point count (a count over the view) and the size of the DuckDB file and WAL. */
  async stats(): Promise<HistorianStats> {
    if (this.state !== 'open') throw this.notOpen();
    return this.reads!.stats(this.file);
  }

  /** Rows waiting in the unsorted hot tables, and in the small sorted runs of `warm` (benchmarks, health). */
  get layout(): { hotRows: number; warmRows: number } {
    return { hotRows: this.maint?.hotRows ?? 0, warmRows: this.maint?.warmRowCount ?? 0 };
  }

  /** Resolves when queued appends are committed and no compaction or retention is running. */
  async idle(): Promise<void> {
    if (this.state !== 'open') return;
    await this.queue!.drain();
    await this.maint!.idle();
  }

  /** Compacts both hot tables into `warm` now and waits (tests and benchmarks; merging still follows warmMaxRows). */
  async compactNow(): Promise<void> {
    if (this.state !== 'open') throw this.notOpen();
    await this.queue!.drain();
    try {
      await this.maint!.compactAll();
    } catch (err) {
      throw storageError('compaction', err);
    }
  }

  // Runs synchronously inside the group-commit queue: rows → data chunks → appender → flushSync
  // (one DuckDB commit). Nothing else can run on the event loop meanwhile, which is also why the
  // maintenance side may switch the active table at any moment between two commits.
  private commit(batches: readonly (readonly StoredPoint[])[], rows: number): void {
    if (this.broken) throw this.broken;
    const slot = this.maint!.activeSlot;
    const appender = this.appenders[slot]!;
    try {
      appendPoints(appender, batches);
      appender.flushSync();
    } catch (err) {
      // A failed appender may hold half a group: refuse writes until fresh appenders replace it.
      const failure = storageError('append', err);
      this.broken = failure;
      void this.repairAppenders();
      throw failure;
    }
    this.maint!.committed(slot, rows);
    for (const batch of batches) {
      for (const p of batch) {
        const prev = this.latestMap.get(p.tagId);
        if (!prev || p.ts >= prev.ts) this.latestMap.set(p.tagId, { tagId: p.tagId, ts: p.ts, value: p.value, quality: p.quality });
      }
    }
  }

  // Replaces both appenders after a failed commit. If DuckDB itself is gone (it invalidates the
  // database after a fatal I/O error), this fails too and appends keep failing until a restart.
  private async repairAppenders(): Promise<void> {
    for (const a of this.appenders) {
      try {
        a.clear(); // drop the failed group's buffered rows: closing would otherwise commit them
        a.closeSync();
      } catch {
        /* dropping it is the point */
      }
    }
    this.appenders = [];
    try {
      for (const t of HOT_TABLES) this.appenders.push(await this.writer!.createAppender(t));
      this.broken = undefined;
    } catch (err) {
      this.broken = storageError('append (appender repair)', err);
      this.opts.onBackgroundError?.(this.broken);
    }
  }

  // A hint only: reads check the codes they get back and re-read with strings if needed.
  private holdsStrings(tagId: number): boolean {
    return typeof this.latestMap.get(tagId)?.value === 'string';
  }

  private notOpen(): LightsoutError {
    return this.state === 'closing'
      ? new LightsoutError('LIGHTSOUT_SHUTTING_DOWN', 'historian is closing')
      : new LightsoutError('LIGHTSOUT_STORAGE_FAILED', 'historian is not open');
  }

  // Closes whatever exists, in dependency order; each step on its own, so one failure (say a
  // connection already closed) cannot leave the database file locked by this process.
  private release(): void {
    const quietly = (fn: () => void): void => {
      try {
        fn();
      } catch {
        /* closing anyway */
      }
    };
    for (const a of this.appenders) quietly(() => a.closeSync());
    this.appenders = [];
    for (const c of this.openConnections.splice(0)) quietly(() => c.closeSync());
    quietly(() => this.pool?.close());
    quietly(() => this.maint?.close());
    quietly(() => this.writer?.closeSync());
    quietly(() => this.instance?.closeSync());
    if (this.instance && this.file) openFiles.delete(resolve(this.file));
    this.pool = this.reads = this.maint = this.queue = this.writer = this.instance = undefined;
  }
}
