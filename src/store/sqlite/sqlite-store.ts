/**
 * SQLite metadata store (embedded profile), on better-sqlite3. WAL mode with synchronous=FULL:
 * each commit is fsynced, so it survives a process crash and, on storage that honours fsync, a
 * power loss. Metadata changes are rare (a tag is created once), so the fsync costs nothing that
 * matters, and a point can never outlive the tag that names it.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LightsoutError } from '../../core/errors.js';
import type { AssetRecord, MetadataStore, TagRecord } from '../../core/metadata-port.js';
import type { ValueType } from '../../core/point.js';
import { MIGRATIONS } from '../migrations/sqlite-migrations.js';

/** Metadata in one SQLite file. */
export class SqliteStore implements MetadataStore {
  private db: Database.Database | undefined;

  /** @param file path of the database file, or `:memory:` */
  constructor(private readonly file: string) {}

  async open(): Promise<void> {
    try {
      if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
      const db = new Database(this.file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // The CLI (user, token, device, audit) writes the same file while the platform runs.
      db.pragma('busy_timeout = 5000');
      db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
      const current = row.v ?? 0;
      for (const m of MIGRATIONS) {
        if (m.version > current) {
          db.transaction(() => {
            db.exec(m.sql);
            db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
          })();
        }
      }
      this.db = db;
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `metadata store ${this.file} cannot be opened: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async loadTags(): Promise<TagRecord[]> {
    const rows = this.handle().prepare('SELECT id, tenant, path, type, source, created_ts, unit, description, range_min, range_max, writable, critical, interlock FROM tags ORDER BY id').all() as Array<{
      id: number; tenant: string; path: string; type: ValueType; source: string; created_ts: number;
      unit: string | null; description: string | null; range_min: number | null; range_max: number | null;
      writable: number | null; critical: number | null; interlock: string | null;
    }>;
    return rows.map((r) => {
      const t: TagRecord = { id: r.id, tenant: r.tenant, path: r.path, type: r.type, source: r.source, createdTs: r.created_ts };
      if (r.unit !== null) t.unit = r.unit;
      if (r.description !== null) t.description = r.description;
      if (r.range_min !== null) t.min = r.range_min;
      if (r.range_max !== null) t.max = r.range_max;
      if (r.writable !== null) t.writable = r.writable === 1;
      if (r.critical !== null) t.critical = r.critical === 1;
      if (r.interlock !== null) t.interlock = r.interlock;
      return t;
    });
  }

  async saveTags(tags: readonly TagRecord[]): Promise<void> {
    if (tags.length === 0) return;
    const db = this.handle();
    // New tags are inserted; known ones get their metadata replaced (identity never changes).
    const upsert = db.prepare(`INSERT INTO tags (id, tenant, path, type, source, created_ts, unit, description, range_min, range_max, writable, critical, interlock)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET unit = excluded.unit, description = excluded.description, range_min = excluded.range_min, range_max = excluded.range_max,
        writable = excluded.writable, critical = excluded.critical, interlock = excluded.interlock`);
    try {
      db.transaction(() => {
        for (const t of tags) upsert.run(t.id, t.tenant, t.path, t.type, t.source, t.createdTs, t.unit ?? null, t.description ?? null, t.min ?? null, t.max ?? null,
          t.writable === undefined ? null : t.writable ? 1 : 0, t.critical === undefined ? null : t.critical ? 1 : 0, t.interlock ?? null);
      })();
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `saving ${tags.length} tags failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async loadAssets(): Promise<AssetRecord[]> {
    const rows = this.handle().prepare('SELECT tenant, path, time_zone, description, machine_type FROM assets ORDER BY tenant, path').all() as Array<{
      tenant: string; path: string; time_zone: string | null; description: string | null; machine_type: string | null;
    }>;
    return rows.map((r) => {
      const a: AssetRecord = { tenant: r.tenant, path: r.path };
      if (r.time_zone !== null) a.timeZone = r.time_zone;
      if (r.description !== null) a.description = r.description;
      if (r.machine_type !== null) a.machineType = r.machine_type;
      return a;
    });
  }

  async saveAssets(assets: readonly AssetRecord[]): Promise<void> {
    if (assets.length === 0) return;
    const db = this.handle();
    const upsert = db.prepare(`INSERT INTO assets (tenant, path, time_zone, description, machine_type) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (tenant, path) DO UPDATE SET time_zone = excluded.time_zone, description = excluded.description, machine_type = excluded.machine_type`);
    try {
      db.transaction(() => {
        for (const a of assets) upsert.run(a.tenant, a.path, a.timeZone ?? null, a.description ?? null, a.machineType ?? null);
      })();
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `saving ${assets.length} assets failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * The open driver handle, for the other record stores kept in this file (auth, audit,
   * commands); app.ts and the CLI hand it to them.
   */
  connection(): Database.Database {
    return this.handle();
  }

  private handle(): Database.Database {
    if (!this.db) throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', 'metadata store is not open');
    return this.db;
  }
}
