/**
 * The auth records in the SQLite metadata file (tables of migration 3). Synchronous driver calls
 * behind the async port, so a PostgreSQL backend can take its place.
 * @module
 */
import type Database from 'better-sqlite3';
import type { Grant } from '../../core/auth.js';
import type { AuthStore, DeviceRecord, SessionRecord, ShowcaseRecord, TenantRecord, TokenRecord, UserRecord } from '../../core/auth-port.js';
import { LightsoutError } from '../../core/errors.js';

type Row = Record<string, unknown>;

const bool = (v: unknown): boolean => v === 1;
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function tenant(r: Row): TenantRecord {
  return { id: r.id as string, name: r.name as string, sparkplugGroups: JSON.parse(r.sparkplug_groups as string) as string[], disabled: bool(r.disabled), createdTs: r.created_ts as number };
}
function user(r: Row): UserRecord {
  return {
    id: r.id as string, tenant: r.tenant as string, username: r.username as string, passwordHash: r.password_hash as string,
    grants: JSON.parse(r.grants as string) as Grant[], platformOperator: bool(r.platform_operator), disabled: bool(r.disabled),
    createdTs: r.created_ts as number, passwordChangedTs: r.password_changed_ts as number,
  };
}
function token(r: Row): TokenRecord {
  const t: TokenRecord = {
    id: r.id as string, tenant: r.tenant as string, userId: r.user_id as string, name: r.name as string, secretHash: r.secret_hash as string,
    grants: JSON.parse(r.grants as string) as Grant[], platformOperator: bool(r.platform_operator), createdTs: r.created_ts as number, expiresTs: r.expires_ts as number,
  };
  const revoked = opt<number>(r.revoked_ts);
  const used = opt<number>(r.last_used_ts);
  if (revoked !== undefined) t.revokedTs = revoked;
  if (used !== undefined) t.lastUsedTs = used;
  return t;
}
function device(r: Row): DeviceRecord {
  const d: DeviceRecord = { id: r.id as string, tenant: r.tenant as string, secretHash: r.secret_hash as string, disabled: bool(r.disabled), createdTs: r.created_ts as number };
  const desc = opt<string>(r.description);
  if (desc !== undefined) d.description = desc;
  return d;
}
function showcase(r: Row): ShowcaseRecord {
  const s: ShowcaseRecord = {
    id: r.id as string, tenant: r.tenant as string, scope: r.scope as string, secretHash: r.secret_hash as string, title: r.title as string,
    createdBy: r.created_by as string, createdTs: r.created_ts as number, expiresTs: r.expires_ts as number,
  };
  const revoked = opt<number>(r.revoked_ts);
  if (revoked !== undefined) s.revokedTs = revoked;
  return s;
}

/** AuthStore over an open better-sqlite3 database (from SqliteStore.connection()). */
export class SqliteAuthStore implements AuthStore {
  constructor(private readonly db: Database.Database) {}

  private all<T>(sql: string, map: (r: Row) => T, ...args: unknown[]): T[] {
    return (this.db.prepare(sql).all(...args) as Row[]).map(map);
  }
  private one<T>(sql: string, map: (r: Row) => T, ...args: unknown[]): T | undefined {
    const r = this.db.prepare(sql).get(...args) as Row | undefined;
    return r ? map(r) : undefined;
  }
  private run(sql: string, ...args: unknown[]): number {
    try {
      return this.db.prepare(sql).run(...args).changes;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new LightsoutError('LIGHTSOUT_CONFLICT', `already exists: ${(err as Error).message.replace(/^UNIQUE constraint failed: /, '')}`, { cause: err });
      }
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `auth store write failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async listTenants(): Promise<TenantRecord[]> {
    return this.all('SELECT * FROM tenants ORDER BY id', tenant);
  }
  async getTenant(id: string): Promise<TenantRecord | undefined> {
    return this.one('SELECT * FROM tenants WHERE id = ?', tenant, id);
  }
  async saveTenant(t: TenantRecord): Promise<void> {
    this.run(`INSERT INTO tenants (id, name, sparkplug_groups, disabled, created_ts) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, sparkplug_groups = excluded.sparkplug_groups, disabled = excluded.disabled`,
    t.id, t.name, JSON.stringify(t.sparkplugGroups), t.disabled ? 1 : 0, t.createdTs);
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    return this.one('SELECT * FROM users WHERE id = ?', user, id);
  }
  async findUser(username: string): Promise<UserRecord | undefined> {
    return this.one('SELECT * FROM users WHERE username = ?', user, username);
  }
  async listUsers(t?: string): Promise<UserRecord[]> {
    return t === undefined ? this.all('SELECT * FROM users ORDER BY tenant, username', user) : this.all('SELECT * FROM users WHERE tenant = ? ORDER BY username', user, t);
  }
  async saveUser(u: UserRecord): Promise<void> {
    this.run(`INSERT INTO users (id, tenant, username, password_hash, grants, platform_operator, disabled, created_ts, password_changed_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, grants = excluded.grants, platform_operator = excluded.platform_operator,
        disabled = excluded.disabled, password_changed_ts = excluded.password_changed_ts`,
    u.id, u.tenant, u.username, u.passwordHash, JSON.stringify(u.grants), u.platformOperator ? 1 : 0, u.disabled ? 1 : 0, u.createdTs, u.passwordChangedTs);
  }
  async deleteUser(id: string): Promise<void> {
    this.run('DELETE FROM users WHERE id = ?', id);
  }

  async getToken(id: string): Promise<TokenRecord | undefined> {
    return this.one('SELECT * FROM tokens WHERE id = ?', token, id);
  }
  async listTokens(t: string): Promise<TokenRecord[]> {
    return this.all('SELECT * FROM tokens WHERE tenant = ? ORDER BY created_ts', token, t);
  }
  async saveToken(t: TokenRecord): Promise<void> {
    this.run(`INSERT INTO tokens (id, tenant, user_id, name, secret_hash, grants, platform_operator, created_ts, expires_ts, revoked_ts, last_used_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, grants = excluded.grants, user_id = excluded.user_id, name = excluded.name, platform_operator = excluded.platform_operator, revoked_ts = excluded.revoked_ts, last_used_ts = excluded.last_used_ts, expires_ts = excluded.expires_ts`,
    t.id, t.tenant, t.userId, t.name, t.secretHash, JSON.stringify(t.grants), t.platformOperator ? 1 : 0, t.createdTs, t.expiresTs, t.revokedTs ?? null, t.lastUsedTs ?? null);
  }
  async touchToken(id: string, ts: number): Promise<void> {
    this.run('UPDATE tokens SET last_used_ts = ? WHERE id = ?', ts, id);
  }

  async saveSession(s: SessionRecord): Promise<void> {
    this.run('INSERT INTO sessions (id_hash, user_id, tenant, created_ts, expires_ts) VALUES (?, ?, ?, ?, ?)', s.idHash, s.userId, s.tenant, s.createdTs, s.expiresTs);
  }
  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    return this.one('SELECT * FROM sessions WHERE id_hash = ?', (r) => ({
      idHash: r.id_hash as string, userId: r.user_id as string, tenant: r.tenant as string, createdTs: r.created_ts as number, expiresTs: r.expires_ts as number,
    }), idHash);
  }
  async deleteSession(idHash: string): Promise<void> {
    this.run('DELETE FROM sessions WHERE id_hash = ?', idHash);
  }
  async deleteUserSessions(userId: string): Promise<void> {
    this.run('DELETE FROM sessions WHERE user_id = ?', userId);
  }
  async pruneSessions(now: number): Promise<number> {
    return this.run('DELETE FROM sessions WHERE expires_ts <= ?', now);
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    return this.one('SELECT * FROM devices WHERE id = ?', device, id);
  }
  async listDevices(t: string): Promise<DeviceRecord[]> {
    return this.all('SELECT * FROM devices WHERE tenant = ? ORDER BY id', device, t);
  }
  async saveDevice(d: DeviceRecord): Promise<void> {
    this.run(`INSERT INTO devices (id, tenant, secret_hash, description, disabled, created_ts) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, description = excluded.description, disabled = excluded.disabled`,
    d.id, d.tenant, d.secretHash, d.description ?? null, d.disabled ? 1 : 0, d.createdTs);
  }
  async deleteDevice(id: string): Promise<void> {
    this.run('DELETE FROM devices WHERE id = ?', id);
  }

  async getShowcase(id: string): Promise<ShowcaseRecord | undefined> {
    return this.one('SELECT * FROM showcase_links WHERE id = ?', showcase, id);
  }
  async listShowcases(t: string): Promise<ShowcaseRecord[]> {
    return this.all('SELECT * FROM showcase_links WHERE tenant = ? ORDER BY created_ts', showcase, t);
  }
  async saveShowcase(s: ShowcaseRecord): Promise<void> {
    this.run(`INSERT INTO showcase_links (id, tenant, scope, secret_hash, title, created_by, created_ts, expires_ts, revoked_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET revoked_ts = excluded.revoked_ts, expires_ts = excluded.expires_ts, title = excluded.title`,
    s.id, s.tenant, s.scope, s.secretHash, s.title, s.createdBy, s.createdTs, s.expiresTs, s.revokedTs ?? null);
  }
}
