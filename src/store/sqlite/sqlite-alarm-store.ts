/**
 * Alarms, their journal, notification targets, rosters and the notification outbox in the SQLite
 * metadata file (tables of migration 7). Records and definitions are JSON; what is searched
 * (tenant, time, kind, area, priority, state) has columns beside them. The handle is opened with
 * synchronous=FULL (SqliteStore), so a resolved commit is on disk.
 * @module
 */
import type Database from 'better-sqlite3';
import type {
  AlarmEvent, AlarmEventKind, AlarmHistoryQuery, AlarmRecord, AlarmStore, NotificationJob, NotificationTarget, Roster,
} from '../../core/alarm-port.js';
import { LightsoutError } from '../../core/errors.js';

interface EventRow { seq: number; event: string }

/** The journal keeps the rule name beside the event (for text search after the rule is gone). */
type StoredEvent = Omit<AlarmEvent, 'seq'> & { ruleName?: string };

function parseEvent(r: EventRow): AlarmEvent {
  const e = JSON.parse(r.event) as StoredEvent;
  delete e.ruleName;
  return { ...e, seq: r.seq };
}

/** The SQL condition and arguments of "area is `prefix` or below it" (whole levels; '' is everything). */
function areaCondition(column: string, prefix: string | undefined, where: string[], args: unknown[]): void {
  if (prefix === undefined || prefix === '') return;
  const p = prefix.replace(/\/+$/, '');
  where.push(`(${column} = ? OR substr(${column}, 1, ?) = ?)`);
  args.push(p, p.length + 1, `${p}/`);
}

/** `%word%` for LIKE with `\` as escape. */
const likeWord = (w: string): string => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** AlarmStore over an open better-sqlite3 database (from SqliteStore.connection()). */
export class SqliteAlarmStore implements AlarmStore {
  private upsertAlarm: Database.Statement | undefined;
  private insertEvent: Database.Statement | undefined;

  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `alarms: cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async loadAlarms(): Promise<AlarmRecord[]> {
    const rows = this.run('load alarms', () => this.db.prepare('SELECT record FROM alarms ORDER BY tenant, id').all() as Array<{ record: string }>);
    return rows.map((r) => JSON.parse(r.record) as AlarmRecord);
  }

  async commit(records: readonly AlarmRecord[], events: AlarmEvent[]): Promise<void> {
    if (records.length === 0 && events.length === 0) return;
    const seqs = this.run('commit alarm changes', () => {
      this.upsertAlarm ??= this.db.prepare(
        `INSERT INTO alarms (tenant, id, state, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant, id) DO UPDATE SET state = excluded.state, record = excluded.record`);
      this.insertEvent ??= this.db.prepare('INSERT INTO alarm_events (tenant, alarm_id, ts, kind, area, priority, event) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const upsert = this.upsertAlarm;
      const insert = this.insertEvent;
      const names = new Map<string, string>();
      for (const r of records) names.set(`${r.tenant}\u0000${r.id}`, r.ruleName);
      return this.db.transaction(() => {
        for (const r of records) upsert.run(r.tenant, r.id, r.state, JSON.stringify(r));
        const out: number[] = [];
        for (const e of events) {
          const { seq: _seq, ...rest } = e;
          const stored: StoredEvent = { ...rest };
          const name = names.get(`${e.tenant}\u0000${e.alarmId}`);
          if (name !== undefined) stored.ruleName = name;
          out.push(Number(insert.run(e.tenant, e.alarmId, e.ts, e.kind, e.area, e.priority, JSON.stringify(stored)).lastInsertRowid));
        }
        return out;
      })();
    });
    events.forEach((e, i) => { e.seq = seqs[i]; });
  }

  async deleteAlarm(tenant: string, id: string): Promise<void> {
    this.run('delete alarm', () => this.db.prepare('DELETE FROM alarms WHERE tenant = ? AND id = ?').run(tenant, id));
  }

  async history(q: AlarmHistoryQuery): Promise<AlarmEvent[]> {
    const where = ['e.tenant = ?', 'e.ts >= ?', 'e.ts <= ?'];
    const args: unknown[] = [q.tenant, q.from, q.to];
    areaCondition('e.area', q.area, where, args);
    if (q.priority) { where.push('e.priority = ?'); args.push(q.priority); }
    if (q.alarmId) { where.push('e.alarm_id = ?'); args.push(q.alarmId); }
    if (q.kinds && q.kinds.length > 0) { where.push(`e.kind IN (${q.kinds.map(() => '?').join(', ')})`); args.push(...q.kinds); }
    if (q.beforeSeq !== undefined) { where.push('e.seq < ?'); args.push(q.beforeSeq); }
    // Every word must appear in the message, the text, the rule name or the alarm id.
    const words = (q.text ?? '').split(/\s+/).filter((w) => w.length > 0).slice(0, 10);
    for (const w of words) {
      where.push(`(json_extract(e.event, '$.message') LIKE ? ESCAPE '\\' OR json_extract(e.event, '$.text') LIKE ? ESCAPE '\\'
        OR COALESCE(json_extract(e.event, '$.ruleName'), json_extract(a.record, '$.ruleName')) LIKE ? ESCAPE '\\' OR e.alarm_id LIKE ? ESCAPE '\\')`);
      const l = likeWord(w);
      args.push(l, l, l, l);
    }
    args.push(Math.min(Math.max(Math.trunc(q.limit), 1), 10_000));
    const join = words.length > 0 ? 'LEFT JOIN alarms a ON a.tenant = e.tenant AND a.id = e.alarm_id' : '';
    // Pick the page's seqs first and read the events after: sorting bare seqs instead of whole
    // rows keeps a search over a long journal fast (measured ~10x on 400k entries).
    const rows = this.run('search the alarm journal', () => this.db.prepare(
      `SELECT seq, event FROM alarm_events WHERE seq IN (
         SELECT e.seq FROM alarm_events e ${join} WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT ?
       ) ORDER BY seq DESC`,
    ).all(...args) as EventRow[]);
    return rows.map(parseEvent);
  }

  async events(tenant: string, from: number, to: number, kinds: readonly AlarmEventKind[], area?: string): Promise<AlarmEvent[]> {
    const where = ['tenant = ?', 'ts >= ?', 'ts <= ?'];
    const args: unknown[] = [tenant, from, to];
    if (kinds.length > 0) { where.push(`kind IN (${kinds.map(() => '?').join(', ')})`); args.push(...kinds); }
    areaCondition('area', area, where, args);
    const rows = this.run('read the alarm journal', () => this.db.prepare(
      `SELECT seq, event FROM alarm_events WHERE ${where.join(' AND ')} ORDER BY ts, seq`,
    ).all(...args) as EventRow[]);
    return rows.map(parseEvent);
  }

  async listTargets(tenant?: string): Promise<NotificationTarget[]> {
    return this.definitions<NotificationTarget>('notification_targets', tenant);
  }

  async saveTarget(t: NotificationTarget): Promise<void> {
    this.saveDefinition('notification_targets', t.tenant, t.id, t);
  }

  async deleteTarget(tenant: string, id: string): Promise<boolean> {
    return this.deleteDefinition('notification_targets', tenant, id);
  }

  async listRosters(tenant?: string): Promise<Roster[]> {
    return this.definitions<Roster>('rosters', tenant);
  }

  async saveRoster(r: Roster): Promise<void> {
    this.saveDefinition('rosters', r.tenant, r.id, r);
  }

  async deleteRoster(tenant: string, id: string): Promise<boolean> {
    return this.deleteDefinition('rosters', tenant, id);
  }

  async saveJobs(jobs: readonly NotificationJob[]): Promise<void> {
    if (jobs.length === 0) return;
    this.run('save notification jobs', () => {
      const st = this.db.prepare(
        `INSERT INTO notification_jobs (id, tenant, state, next_ts, created_ts, job) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, next_ts = excluded.next_ts, job = excluded.job`);
      this.db.transaction(() => {
        for (const j of jobs) st.run(j.id, j.tenant, j.state, j.nextTs, j.createdTs, JSON.stringify(j));
      })();
    });
  }

  async dueJobs(now: number, limit: number): Promise<NotificationJob[]> {
    const rows = this.run('read due notification jobs', () => this.db.prepare(
      `SELECT job FROM notification_jobs WHERE state = 'pending' AND next_ts <= ? ORDER BY next_ts, created_ts, id LIMIT ?`,
    ).all(now, Math.max(1, Math.trunc(limit))) as Array<{ job: string }>);
    return rows.map((r) => JSON.parse(r.job) as NotificationJob);
  }

  async listJobs(tenant: string, limit: number): Promise<NotificationJob[]> {
    const rows = this.run('list notification jobs', () => this.db.prepare(
      'SELECT job FROM notification_jobs WHERE tenant = ? ORDER BY created_ts DESC, id DESC LIMIT ?',
    ).all(tenant, Math.max(1, Math.trunc(limit))) as Array<{ job: string }>);
    return rows.map((r) => JSON.parse(r.job) as NotificationJob);
  }

  private definitions<T>(table: 'notification_targets' | 'rosters', tenant?: string): T[] {
    const rows = this.run(`list ${table}`, () => (tenant === undefined
      ? this.db.prepare(`SELECT definition FROM ${table} ORDER BY tenant, id`).all()
      : this.db.prepare(`SELECT definition FROM ${table} WHERE tenant = ? ORDER BY id`).all(tenant)) as Array<{ definition: string }>);
    return rows.map((r) => JSON.parse(r.definition) as T);
  }

  private saveDefinition(table: 'notification_targets' | 'rosters', tenant: string, id: string, d: object): void {
    this.run(`save to ${table}`, () => this.db.prepare(
      `INSERT INTO ${table} (tenant, id, definition) VALUES (?, ?, ?) ON CONFLICT (tenant, id) DO UPDATE SET definition = excluded.definition`,
    ).run(tenant, id, JSON.stringify(d)));
  }

  private deleteDefinition(table: 'notification_targets' | 'rosters', tenant: string, id: string): boolean {
    return this.run(`delete from ${table}`, () => this.db.prepare(`DELETE FROM ${table} WHERE tenant = ? AND id = ?`).run(tenant, id).changes > 0);
  }
}
