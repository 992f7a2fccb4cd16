/**
 * Background work of the DuckDB historian on its own connection: switching the hot table that
 * takes appends, compacting the full one into `warm`, merging `warm` into `cold`, and retention.
 * All of it runs one job at a time on a promise chain, because these jobs delete from the same
 * tables and two such transactions at once would conflict.
 * @module
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LightsoutError } from '../../../core/errors.js';
import { HOT_TABLES, MERGE_STATEMENTS, RETENTION_TABLES, compactStatements } from './duckdb-schema.js';
import { storageError } from './storage-error.js';

// After a failed compaction, wait this long before trying again instead of on every commit.
const RETRY_AFTER_MS = 5_000;

/** Row counts of the tables that maintenance empties, as found at open. */
export interface HotLayout {
  hot: readonly number[];
  warm: number;
}

/** Size targets (see DuckdbBackendOptions). */
export interface MaintenanceLimits {
  hotMaxRows: number;
  warmMaxRows: number;
  warmMaxRuns: number;
  compactIntervalMs: number;
}

/** Hot-table rotation, compaction, merging and retention for one open DuckDB historian. */
export class DuckdbMaintenance {
  /** Index into HOT_TABLES of the table that takes appends now. */
  activeSlot: number;
  private readonly rows: number[];
  private warmRows: number;
  private warmRuns: number;
  private chain: Promise<void> = Promise.resolve();
  private compacting = false;
  private failedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly conn: DuckDBConnection,
    layout: HotLayout,
    private readonly limits: MaintenanceLimits,
    private readonly onError: (err: LightsoutError) => void,
  ) {
    this.rows = [...layout.hot];
    this.warmRows = layout.warm;
    // Run boundaries are not stored; runs are about hotMaxRows each, and only the trigger uses this.
    this.warmRuns = layout.warm > 0 ? Math.max(1, Math.round(layout.warm / limits.hotMaxRows)) : 0;
    // Keep appending where rows already are. After a crash mid-compaction both tables hold rows:
    // the smaller was taking appends, the other gets compacted by start().
    const [a, b] = this.rows as [number, number];
    this.activeSlot = a > 0 && b > 0 ? (a <= b ? 0 : 1) : b > 0 ? 1 : 0;
  }

  /** Rows in both hot tables together. */
  get hotRows(): number {
    return this.rows.reduce((a, b) => a + b, 0);
  }

  /** Rows in `warm` (small sorted runs waiting to be merged). */
  get warmRowCount(): number {
    return this.warmRows;
  }

  /** Compacts what a previous run left behind and starts the periodic compaction timer. */
  start(): void {
    if (this.rows[1 - this.activeSlot]! > 0) this.compact(1 - this.activeSlot);
    this.timer = setInterval(() => this.rotate(), this.limits.compactIntervalMs);
    this.timer.unref(); // never keep the process alive for housekeeping
  }

  /** Called after each group commit (synchronously, from the writer). */
  committed(slot: number, rows: number): void {
    this.rows[slot]! += rows;
    if (this.rows[slot]! >= this.limits.hotMaxRows) this.rotate();
  }

  /**
   * Switches appends to the other hot table and compacts the one that was active — if the other
   * table is empty. If it is not (its compaction is still running or failed), appends stay where
   * they are: the hot table grows past its target instead of anything blocking.
   */
  private rotate(): void {
    if (this.stopped || this.compacting) return;
    const other = 1 - this.activeSlot;
    if (this.rows[other]! > 0) {
      if (Date.now() - this.failedAt >= RETRY_AFTER_MS) this.compact(other);
      return;
    }
    if (this.rows[this.activeSlot] === 0) return;
    const full = this.activeSlot;
    this.activeSlot = other;
    this.compact(full);
  }

  private compact(slot: number): void {
    this.compacting = true;
    void this.enqueue(async () => {
      try {
        const [moved] = await this.transaction(compactStatements(HOT_TABLES[slot]!));
        this.rows[slot] = 0;
        this.warmRows += moved!;
        this.warmRuns++;
        // By runs too: at low rates a timer-driven run is smaller than a row group, and many such
        // runs share row groups whose zone maps then cover every tag; merging bounds that.
        if (this.warmRows >= this.limits.warmMaxRows || this.warmRuns >= this.limits.warmMaxRuns) {
          await this.transaction(MERGE_STATEMENTS);
          this.warmRows = 0;
          this.warmRuns = 0;
        }
        await this.checkpoint();
      } catch (err) {
        this.failedAt = Date.now();
        this.onError(storageError('compaction', err));
      } finally {
        this.compacting = false;
      }
      // Queue the next compaction from inside this job, so idle() sees it on the chain.
      if (this.rows[this.activeSlot]! >= this.limits.hotMaxRows) this.rotate();
    });
  }

  /** Resolves when no job is queued or running (jobs may queue follow-ups, hence the loop). */
  async idle(): Promise<void> {
    for (;;) {
      const current = this.chain;
      await current;
      if (current === this.chain) return;
    }
  }

  /** Compacts both hot tables now and waits (tests, benchmarks). Does not force a merge. */
  async compactAll(): Promise<void> {
    for (let pass = 0; pass < 3 && this.rows.some((n) => n > 0); pass++) {
      await this.idle();
      this.failedAt = 0;
      this.rotate();
      await this.idle();
    }
  }

  /** Deletes rows older than `cutoff` from every table in one transaction; returns how many points went. */
  async deleteBefore(cutoff: number): Promise<number> {
    let deleted = 0;
    await this.enqueue(async () => {
      const changed = await this.transaction(RETENTION_TABLES.map((t) => `DELETE FROM ${t} WHERE ts < ${cutoff}`));
      // Order: cold, warm, hot_0, hot_1, latest. `latest` copies newest points; it adds none.
      deleted = changed.slice(0, -1).reduce((a, b) => a + b, 0);
      this.warmRows = Math.max(0, this.warmRows - changed[1]!);
      for (let i = 0; i < HOT_TABLES.length; i++) this.rows[i] = Math.max(0, this.rows[i]! - changed[2 + i]!);
      await this.checkpoint();
    });
    return deleted;
  }

  /** Stops the timer and waits for the running job. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  /** Closes the maintenance connection. */
  close(): void {
    clearInterval(this.timer);
    this.conn.closeSync();
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  // Checkpoint here, off the event loop, right after the WAL has grown by a hot table's worth.
  // Left to DuckDB, the checkpoint would run inside a writer's synchronous commit and stall the
  // event loop for its whole duration (measured: up to ~230 ms stalls against ~110 ms this way).
  // A failure is harmless (the WAL just stays longer; DuckDB's own threshold still applies).
  private async checkpoint(): Promise<void> {
    await this.conn.run('CHECKPOINT').catch(() => undefined);
  }

  private async transaction(statements: readonly string[]): Promise<number[]> {
    const changed: number[] = [];
    await this.conn.run('BEGIN TRANSACTION');
    try {
      for (const sql of statements) changed.push((await this.conn.run(sql)).rowsChanged);
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return changed;
  }
}
