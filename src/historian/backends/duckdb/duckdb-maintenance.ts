/**
 * Background work of the DuckDB historian on its own connection: switching the hot table that
 * takes appends, compacting the full one into `cold`, and retention. All of it runs one job at a
 * time on a promise chain, because compaction and retention both delete from the hot tables and
 * two such transactions at once would conflict.
 * @module
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LightsoutError } from '../../../core/errors.js';
import { HOT_TABLES, RETENTION_TABLES, compactStatements } from './duckdb-schema.js';
import { storageError } from './storage-error.js';

// After a failed compaction, wait this long before trying again instead of on every commit.
const RETRY_AFTER_MS = 5_000;

/** Hot-table rotation, compaction and retention for one open DuckDB historian. */
export class DuckdbMaintenance {
  /** Index into HOT_TABLES of the table that takes appends now. */
  activeSlot: number;
  private readonly rows: number[];
  private chain: Promise<void> = Promise.resolve();
  private compacting = false;
  private failedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly conn: DuckDBConnection,
    hotRows: readonly number[],
    private readonly hotMaxRows: number,
    private readonly intervalMs: number,
    private readonly onError: (err: LightsoutError) => void,
  ) {
    this.rows = [...hotRows];
    // After a crash both tables may hold rows: keep appending to the smaller, compact the other.
    this.activeSlot = this.rows[0]! <= this.rows[1]! ? 0 : 1;
  }

  /** Rows in both hot tables together. */
  get hotRows(): number {
    return this.rows.reduce((a, b) => a + b, 0);
  }

  /** Compacts what a previous run left behind and starts the periodic compaction timer. */
  start(): void {
    if (this.rows[1 - this.activeSlot]! > 0) this.compact(1 - this.activeSlot);
    this.timer = setInterval(() => this.rotate(), this.intervalMs);
    this.timer.unref(); // never keep the process alive for housekeeping
  }

  /** Called after each group commit (synchronously, from the writer). */
  committed(slot: number, rows: number): void {
    this.rows[slot]! += rows;
    if (this.rows[slot]! >= this.hotMaxRows) this.rotate();
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
      await this.transaction(compactStatements(HOT_TABLES[slot]!));
      this.rows[slot] = 0;
      await this.checkpoint();
    })
      .catch((err: unknown) => {
        this.failedAt = Date.now();
        this.onError(storageError('compaction', err));
      })
      .finally(() => {
        this.compacting = false;
        if (this.rows[this.activeSlot]! >= this.hotMaxRows) this.rotate();
      });
  }

  /** Compacts both hot tables now and waits (tests, benchmarks). */
  async compactAll(): Promise<void> {
    for (let pass = 0; pass < 3 && this.rows.some((n) => n > 0); pass++) {
      await this.chain;
      this.failedAt = 0;
      this.rotate();
      await this.chain;
    }
  }

  /** Deletes rows older than `cutoff` from every table in one transaction; returns how many points went. */
  async deleteBefore(cutoff: number): Promise<number> {
    let deleted = 0;
    await this.enqueue(async () => {
      const changed = await this.transaction(RETENTION_TABLES.map((t) => `DELETE FROM ${t} WHERE ts < ${cutoff}`));
      // The last table is `latest`, a copy of newest points rather than points of its own.
      deleted = changed.slice(0, -1).reduce((a, b) => a + b, 0);
      for (let i = 0; i < HOT_TABLES.length; i++) this.rows[i] = Math.max(0, this.rows[i]! - changed[1 + i]!);
      await this.checkpoint();
    });
    return deleted;
  }

  /** Stops the timer and waits for the running job. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
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
