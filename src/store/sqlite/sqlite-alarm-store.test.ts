import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent, AlarmRecord, NotificationJob, Roster } from '../../core/alarm-port.js';
import { SqliteAlarmStore } from './sqlite-alarm-store.js';
import { SqliteStore } from './sqlite-store.js';

let dir: string;
let file: string;
let sqlite: SqliteStore;
let store: SqliteAlarmStore;

const record = (id: string, extra: Partial<AlarmRecord> = {}): AlarmRecord => ({
  id, tenant: 'acme', ruleName: `Rule ${id}`, area: 'site/area/line-1/cnc-01', priority: 'high', state: 'unacknowledged',
  conditionActive: true, message: 'Spindle at 85 °C', value: 85, activeTs: 1000, stateTs: 1000, raiseCount: 1, ...extra,
});
const event = (alarmId: string, ts: number, extra: Partial<AlarmEvent> = {}): AlarmEvent => ({
  tenant: 'acme', alarmId, ts, kind: 'raise', from: 'normal', to: 'unacknowledged', area: 'site/area/line-1/cnc-01',
  priority: 'high', by: 'system', ...extra,
});

async function reopen(): Promise<void> {
  await sqlite.close();
  sqlite = new SqliteStore(file);
  await sqlite.open();
  store = new SqliteAlarmStore(sqlite.connection());
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lightsout-alarms-'));
  file = join(dir, 'metadata.sqlite');
  sqlite = new SqliteStore(file);
  await sqlite.open();
  store = new SqliteAlarmStore(sqlite.connection());
});
afterEach(async () => {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteAlarmStore alarms and journal', () => {
  it('commits records and events together, assigns increasing seq, and keeps both across a reopen', async () => {
    const e1 = [event('a', 1000), event('b', 1001)];
    await store.commit([record('a'), record('b')], e1);
    expect(e1[0]!.seq).toBeGreaterThan(0);
    expect(e1[1]!.seq).toBe(e1[0]!.seq! + 1);
    const a2 = record('a', { state: 'acknowledged', ackedBy: 'alice', ackedTs: 2000, stateTs: 2000, comments: [{ by: 'alice', ts: 2000, text: 'on it' }] });
    const e2 = [event('a', 2000, { kind: 'ack', from: 'unacknowledged', to: 'acknowledged', by: 'alice', text: 'on it' })];
    await store.commit([a2], e2);
    await reopen();
    expect(await store.loadAlarms()).toEqual([a2, record('b')]);
    const h = await store.history({ tenant: 'acme', from: 0, to: 10_000, limit: 10 });
    expect(h.map((e) => [e.seq, e.alarmId, e.kind])).toEqual([[e2[0]!.seq, 'a', 'ack'], [e1[1]!.seq, 'b', 'raise'], [e1[0]!.seq, 'a', 'raise']]);
    expect(h[0]).toEqual({ ...e2[0], seq: e2[0]!.seq });
  });

  it('rolls the whole commit back when one part fails', async () => {
    const bad = event('b', 1000);
    (bad as unknown as { kind: null }).kind = null; // NOT NULL column: the insert fails after the records were written
    await expect(store.commit([record('a')], [event('a', 1000), bad])).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
    expect(await store.loadAlarms()).toEqual([]);
    expect(await store.history({ tenant: 'acme', from: 0, to: 10_000, limit: 10 })).toEqual([]);
  });

  it('deletes an alarm but keeps its journal', async () => {
    await store.commit([record('a'), record('b')], [event('a', 1000)]);
    await store.deleteAlarm('acme', 'a');
    expect((await store.loadAlarms()).map((r) => r.id)).toEqual(['b']);
    expect(await store.history({ tenant: 'acme', from: 0, to: 10_000, limit: 10 })).toHaveLength(1);
  });

  it('searches the journal by area (whole levels), priority, alarm, kinds, words, period and pages by seq', async () => {
    await store.commit([
      record('hot', { ruleName: 'Spindle over temperature' }),
      record('oil', { ruleName: 'Press oil temperature', area: 'site/area/line-10/press-01', priority: 'low' }),
    ], [
      event('hot', 1000, { message: 'Spindle at 85 °C' }),
      event('oil', 1100, { area: 'site/area/line-10/press-01', priority: 'low', message: 'Oil at 70 °C' }),
      event('hot', 1200, { kind: 'comment', from: 'unacknowledged', to: 'unacknowledged', by: 'alice', text: 'coolant_pump 100% checked' }),
      event('other', 1300, { tenant: 'other' }),
    ]);
    const q = { tenant: 'acme', from: 0, to: 10_000, limit: 100 };
    const ids = async (extra: object) => (await store.history({ ...q, ...extra })).map((e) => `${e.alarmId}@${e.ts}`);
    expect(await ids({})).toEqual(['hot@1200', 'oil@1100', 'hot@1000']);
    expect(await ids({ area: 'site/area/line-1' })).toEqual(['hot@1200', 'hot@1000']);
    expect(await ids({ area: 'site/area/line-1/' })).toEqual(['hot@1200', 'hot@1000']);
    expect(await ids({ area: 'site/area/line-10/press-01' })).toEqual(['oil@1100']);
    expect(await ids({ area: 'site/area/line' })).toEqual([]);
    expect(await ids({ area: 'site' })).toHaveLength(3);
    expect(await ids({ priority: 'low' })).toEqual(['oil@1100']);
    expect(await ids({ alarmId: 'hot' })).toEqual(['hot@1200', 'hot@1000']);
    expect(await ids({ kinds: ['comment', 'ack'] })).toEqual(['hot@1200']);
    expect(await ids({ text: 'oil' })).toEqual(['oil@1100']);
    expect(await ids({ text: 'SPINDLE' })).toEqual(['hot@1200', 'hot@1000']); // rule name matches the comment too
    expect(await ids({ text: 'spindle 85' })).toEqual(['hot@1000']);
    expect(await ids({ text: '100%' })).toEqual(['hot@1200']);
    expect(await ids({ text: 'pump_' })).toEqual([]); // `_` is literal, not a wildcard
    expect(await ids({ text: 'coolant_pump' })).toEqual(['hot@1200']);
    expect(await ids({ from: 1050, to: 1150 })).toEqual(['oil@1100']);
    const page1 = await store.history({ ...q, limit: 2 });
    expect(page1).toHaveLength(2);
    expect(await ids({ beforeSeq: page1[1]!.seq })).toEqual(['hot@1000']);
    // The rule name stays searchable after the alarm is gone.
    await store.deleteAlarm('acme', 'oil');
    expect(await ids({ text: 'press' })).toEqual(['oil@1100']);
  });

  it('reads events of some kinds in a period and area, oldest first', async () => {
    await store.commit([record('a')], [
      event('a', 3000), event('a', 1000), event('a', 2000, { kind: 'ack' }), event('b', 2500, { area: 'site/other/x' }),
    ]);
    expect((await store.events('acme', 0, 5000, ['raise'])).map((e) => `${e.alarmId}@${e.ts}`)).toEqual(['a@1000', 'b@2500', 'a@3000']);
    expect((await store.events('acme', 0, 5000, ['raise'], 'site/area')).map((e) => e.ts)).toEqual([1000, 3000]);
    expect((await store.events('acme', 1500, 2500, [])).map((e) => e.ts)).toEqual([2000, 2500]);
  });
});

describe('SqliteAlarmStore targets, rosters and jobs', () => {
  it('saves, lists and deletes targets and rosters per tenant', async () => {
    await store.saveTarget({ id: 'hook', tenant: 'acme', kind: 'webhook', name: 'Hook', url: 'http://x', headers: { authorization: 's' } });
    await store.saveTarget({ id: 'mail', tenant: 'acme', kind: 'email', name: 'Mail', to: 'a@b.c' });
    await store.saveTarget({ id: 'mail', tenant: 'acme', kind: 'email', name: 'Mail 2', to: 'd@b.c' });
    await store.saveTarget({ id: 'mail', tenant: 'other', kind: 'email', name: 'Other', to: 'o@b.c' });
    expect((await store.listTargets('acme')).map((t) => t.name)).toEqual(['Hook', 'Mail 2']);
    expect(await store.listTargets()).toHaveLength(3);
    expect(await store.deleteTarget('acme', 'mail')).toBe(true);
    expect(await store.deleteTarget('acme', 'mail')).toBe(false);
    const roster: Roster = { id: 'day', tenant: 'acme', name: 'Day', area: 'site', ackTimeoutMinutes: 10, entries: [{ person: 'ann', targets: ['hook'], from: '08:00', to: '17:00' }] };
    await store.saveRoster(roster);
    await reopen();
    expect(await store.listRosters('acme')).toEqual([roster]);
    expect(await store.listRosters('other')).toEqual([]);
    expect(await store.deleteRoster('acme', 'day')).toBe(true);
    expect(await store.listRosters()).toEqual([]);
  });

  it('keeps the outbox: due pending jobs oldest first, state changes, the log newest first', async () => {
    const job = (id: string, createdTs: number, nextTs: number, tenant = 'acme'): NotificationJob => ({
      id, tenant, alarmId: 'a', targetId: 'hook', subject: 's', body: 'b', payload: { x: 1 }, createdTs, attempts: 0, nextTs, state: 'pending',
    });
    await store.saveJobs([job('j1', 100, 500), job('j2', 200, 300), job('j3', 300, 900), job('j4', 50, 100, 'other')]);
    expect((await store.dueJobs(500, 10)).map((j) => j.id)).toEqual(['j4', 'j2', 'j1']);
    expect((await store.dueJobs(500, 1)).map((j) => j.id)).toEqual(['j4']);
    await store.saveJobs([{ ...job('j2', 200, 300), state: 'delivered', attempts: 1 }, { ...job('j1', 100, 5000), attempts: 1, lastError: 'HTTP 500' }]);
    expect((await store.dueJobs(500, 10)).map((j) => j.id)).toEqual(['j4']);
    const log = await store.listJobs('acme', 10);
    expect(log.map((j) => [j.id, j.state, j.attempts])).toEqual([['j3', 'pending', 0], ['j2', 'delivered', 1], ['j1', 'pending', 1]]);
    expect(log[2]!.lastError).toBe('HTTP 500');
    expect(await store.listJobs('acme', 1)).toHaveLength(1);
  });
});
