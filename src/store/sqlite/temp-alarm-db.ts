/**
 * For tests of the alarm side: a metadata database in a fresh temporary directory, with the alarm
 * store on it. Opening it again on the same file is a restart. Not used by the platform itself.
 *
 * @example
 * const db = new TempAlarmDb('lightsout-outbox-');
 * const store = await db.open();
 * // … after a "restart":
 * const again = await db.open();
 * await db.remove();
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAlarmStore } from './sqlite-alarm-store.js';
import { SqliteStore } from './sqlite-store.js';

/** A temporary metadata database (see the module comment). */
export class TempAlarmDb {
  readonly dir: string;
  readonly file: string;
  private readonly stores: SqliteStore[] = [];

  constructor(prefix = 'lightsout-alarms-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.file = join(this.dir, 'metadata.sqlite');
  }

  /** Open the database (again): an alarm store on it. */
  async open(): Promise<SqliteAlarmStore> {
    const s = new SqliteStore(this.file);
    await s.open();
    this.stores.push(s);
    return new SqliteAlarmStore(s.connection());
  }

  /** Close every handle opened and delete the directory. */
  async remove(): Promise<void> {
    for (const s of this.stores.splice(0)) await s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
