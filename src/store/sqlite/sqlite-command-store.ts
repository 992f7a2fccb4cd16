/**
 * Commands in the SQLite metadata file (table of migration 5): the record as JSON, with the
 * columns the queries need beside it. Synchronous driver calls behind the async port.
 * @module
 */
import type Database from 'better-sqlite3';
import { commandTagPath, FINAL_COMMAND_STATES, type CommandQuery, type CommandRecord, type CommandStore } from '../../core/command-port.js';
import { LightsoutError } from '../../core/errors.js';

const parse = (r: { body: string }): CommandRecord => JSON.parse(r.body) as CommandRecord;

/** CommandStore over an open better-sqlite3 database (from SqliteStore.connection()). */
export class SqliteCommandStore implements CommandStore {
  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `commands: cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async save(c: CommandRecord): Promise<void> {
    this.run('save', () => this.db.prepare(
      `INSERT INTO commands (id, tenant, principal_id, idempotency_key, target, state, created_ts, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body`,
    ).run(c.id, c.tenant, c.requestedBy.id, c.idempotencyKey, commandTagPath(c.action), c.state, c.createdTs, JSON.stringify(c)));
  }

  async get(tenant: string, id: string): Promise<CommandRecord | undefined> {
    const r = this.run('read', () => this.db.prepare('SELECT body FROM commands WHERE tenant = ? AND id = ?').get(tenant, id) as { body: string } | undefined);
    return r ? parse(r) : undefined;
  }

  async byIdempotencyKey(tenant: string, principalId: string, key: string, sinceTs: number): Promise<CommandRecord | undefined> {
    const r = this.run('read', () => this.db.prepare(
      'SELECT body FROM commands WHERE tenant = ? AND principal_id = ? AND idempotency_key = ? AND created_ts >= ? ORDER BY created_ts DESC LIMIT 1',
    ).get(tenant, principalId, key, sinceTs) as { body: string } | undefined);
    return r ? parse(r) : undefined;
  }

  async list(q: CommandQuery): Promise<CommandRecord[]> {
    const where = ['tenant = ?'];
    const args: unknown[] = [q.tenant];
    if (q.state) {
      where.push('state = ?');
      args.push(q.state);
    }
    if (q.tag) {
      where.push('target = ?');
      args.push(q.tag);
    }
    args.push(Math.min(Math.max(q.limit ?? 100, 1), 5000));
    const rows = this.run('list', () => this.db.prepare(`SELECT body FROM commands WHERE ${where.join(' AND ')} ORDER BY created_ts DESC, id LIMIT ?`).all(...args) as Array<{ body: string }>);
    return rows.map(parse);
  }

  async open(): Promise<CommandRecord[]> {
    const finals = [...FINAL_COMMAND_STATES];
    const rows = this.run('list', () => this.db.prepare(`SELECT body FROM commands WHERE state NOT IN (${finals.map(() => '?').join(', ')}) ORDER BY created_ts`).all(...finals) as Array<{ body: string }>);
    return rows.map(parse);
  }
}
