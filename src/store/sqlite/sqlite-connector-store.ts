/**
 * Connectors added through the API, in the SQLite metadata file (table of migration 6).
 * @module
 */
import type Database from 'better-sqlite3';
import type { ConnectorStore, StoredConnector } from '../../core/connector-port.js';
import type { ConnectorDefinition } from '../../core/connector-settings.js';
import { LightsoutError } from '../../core/errors.js';

interface Row { definition: string; updated_ts: number; updated_by: string }
const parse = (r: Row): StoredConnector => ({ definition: JSON.parse(r.definition) as ConnectorDefinition, updatedTs: r.updated_ts, updatedBy: r.updated_by });

/** ConnectorStore over an open better-sqlite3 database (from SqliteStore.connection()). */
export class SqliteConnectorStore implements ConnectorStore {
  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `connectors: cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async list(tenant?: string): Promise<StoredConnector[]> {
    const rows = this.run('list', () => (tenant === undefined
      ? this.db.prepare('SELECT definition, updated_ts, updated_by FROM connectors ORDER BY tenant, id').all()
      : this.db.prepare('SELECT definition, updated_ts, updated_by FROM connectors WHERE tenant = ? ORDER BY id').all(tenant)) as Row[]);
    return rows.map(parse);
  }

  async get(tenant: string, id: string): Promise<StoredConnector | undefined> {
    const r = this.run('read', () => this.db.prepare('SELECT definition, updated_ts, updated_by FROM connectors WHERE tenant = ? AND id = ?').get(tenant, id) as Row | undefined);
    return r ? parse(r) : undefined;
  }

  async save(c: StoredConnector): Promise<void> {
    const d = c.definition;
    this.run('save', () => this.db.prepare(
      `INSERT INTO connectors (tenant, id, kind, definition, updated_ts, updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET kind = excluded.kind, definition = excluded.definition, updated_ts = excluded.updated_ts, updated_by = excluded.updated_by`,
    ).run(d.tenant, d.id, d.kind, JSON.stringify(d), c.updatedTs, c.updatedBy));
  }

  async remove(tenant: string, id: string): Promise<boolean> {
    return this.run('remove', () => this.db.prepare('DELETE FROM connectors WHERE tenant = ? AND id = ?').run(tenant, id).changes > 0);
  }
}
