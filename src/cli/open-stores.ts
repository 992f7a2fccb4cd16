/**
 * Open a data directory's metadata for the management commands (user, token, tenant, device,
 * audit). SQLite in WAL mode lets them run while the platform runs on the same directory.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { AuthAdmin } from '../auth/auth-admin.js';
import { AuthService } from '../auth/auth-service.js';
import type { Principal } from '../core/auth.js';
import type { AuditSink } from '../core/audit-port.js';
import { SqliteAuthStore } from '../store/sqlite/sqlite-auth-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

/** What a management command works with. */
export interface DataDirStores {
  store: SqliteStore;
  auth: AuthService;
  admin: AuthAdmin;
  audit: AuditSink;
  /** The person at the console, as recorded in the audit trail. */
  actor: Principal;
  close(): Promise<void>;
}

/** Open `<dataDir>/metadata.sqlite`; refuses a directory that holds no platform data. */
export async function openStores(dataDir: string, defaultTenant = 'demo'): Promise<DataDirStores> {
  const file = join(dataDir, 'metadata.sqlite');
  if (!existsSync(file)) throw new Error(`no Lightsout data in ${dataDir} (missing metadata.sqlite): start the platform once, or pass --data-dir`);
  const store = new SqliteStore(file);
  await store.open();
  const audit: AuditSink = { record: async () => undefined };
  const authStore = new SqliteAuthStore(store.connection());
  const tenant = (await authStore.listTenants())[0]?.id ?? defaultTenant;
  const auth = new AuthService({ store: authStore, audit, defaultTenant: tenant, sessionHours: 12, loginMaxFailures: 5, loginWindowSeconds: 900 });
  let who = 'console';
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "console"
  }
  const actor: Principal = { kind: 'system', id: 'cli', name: `cli:${who}`, tenant, grants: [{ role: 'admin', scope: '' }], platformOperator: true };
  return { store, auth, admin: new AuthAdmin(auth), audit, actor, close: () => store.close() };
}
