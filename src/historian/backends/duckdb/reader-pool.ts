/**
 * A few DuckDB connections for reads, each with its prepared statements. A DuckDB connection runs
 * one statement at a time, and the writer's connection must stay free for the synchronous
 * group commit, so reads take a connection from here and wait when all are busy.
 * @module
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from '@duckdb/node-api';

/** One read connection and its statement cache (keyed by SQL text). */
export interface Reader {
  conn: DuckDBConnection;
  prepared: Map<string, DuckDBPreparedStatement>;
}

/** Prepare `sql` once per connection; later calls reuse it (parsing and planning cost ~ms). */
export async function statement(r: Reader, sql: string): Promise<DuckDBPreparedStatement> {
  let ps = r.prepared.get(sql);
  if (!ps) {
    ps = await r.conn.prepare(sql);
    r.prepared.set(sql, ps);
  }
  return ps;
}

/** A fixed set of read connections handed out one caller at a time. */
export class ReaderPool {
  private readonly all: Reader[] = [];
  private readonly free: Reader[] = [];
  private readonly waiting: ((r: Reader) => void)[] = [];

  /** Opens `size` connections on `instance`. */
  static async open(instance: DuckDBInstance, size: number): Promise<ReaderPool> {
    const pool = new ReaderPool();
    for (let i = 0; i < size; i++) {
      const r: Reader = { conn: await instance.connect(), prepared: new Map() };
      pool.all.push(r);
      pool.free.push(r);
    }
    return pool;
  }

  /** Runs `fn` with a connection of its own; the connection goes back afterwards, even on error. */
  async use<T>(fn: (r: Reader) => Promise<T>): Promise<T> {
    const r = this.free.pop() ?? (await new Promise<Reader>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(r);
    } finally {
      const next = this.waiting.shift();
      if (next) next(r);
      else this.free.push(r);
    }
  }

  /** Resolves when no read is running or waiting (queued reads finish first). */
  async drain(): Promise<void> {
    const held: Reader[] = [];
    while (held.length < this.all.length) {
      held.push(this.free.pop() ?? (await new Promise<Reader>((resolve) => this.waiting.push(resolve))));
    }
    this.free.push(...held);
  }

  /** Closes every connection (callers must have finished: see drain). */
  close(): void {
    for (const r of this.all) {
      for (const ps of r.prepared.values()) ps.destroySync();
      r.conn.closeSync();
    }
    this.all.length = 0;
    this.free.length = 0;
  }
}
