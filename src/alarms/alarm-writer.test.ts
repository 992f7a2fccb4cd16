import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent, AlarmRecord, AlarmStore } from '../core/alarm-port.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import { AlarmWriter } from './alarm-writer.js';

const rec = (id: string, state: AlarmRecord['state'] = 'unacknowledged'): AlarmRecord => ({
  id, tenant: 'acme', ruleName: id, area: 'p/a', priority: 'low', state, conditionActive: true, message: 'm', stateTs: 1, raiseCount: 1,
});
const ev = (id: string, ts: number): AlarmEvent => ({ tenant: 'acme', alarmId: id, ts, kind: 'raise', from: 'normal', to: 'unacknowledged', area: 'p/a', priority: 'low', by: 'system' });

let db: TempAlarmDb;
let real: SqliteAlarmStore;
let failures: number;
let commits: number;
let store: AlarmStore;
let clock: SimClock;
let durable: string[];
let writer: AlarmWriter;

beforeEach(async () => {
  db = new TempAlarmDb('lightsout-alarm-writer-');
  real = await db.open();
  failures = 0;
  commits = 0;
  // The real store, with a disk that refuses the next `failures` commits.
  store = Object.assign(Object.create(real) as AlarmStore, {
    commit: async (rs: readonly AlarmRecord[], es: AlarmEvent[]) => {
      commits += 1;
      if (failures > 0) { failures -= 1; throw new Error('disk full'); }
      return real.commit(rs, es);
    },
  });
  clock = new SimClock(1000);
  durable = [];
  writer = new AlarmWriter({ store, clock, onDurable: (rs) => durable.push(...rs.map((r) => `${r.id}:${r.state}`)) });
});
afterEach(async () => {
  writer.stop();
  await db.remove();
});

describe('AlarmWriter', () => {
  it('writes one tick of changes in one commit, the latest version of each record, events in order', async () => {
    writer.put(rec('a', 'unacknowledged'));
    writer.journal([ev('a', 1)]);
    writer.put(rec('b'));
    writer.put(rec('a', 'acknowledged'));
    writer.journal([ev('b', 2), ev('a', 3)]);
    await writer.durable();
    expect(commits).toBe(1);
    expect((await real.loadAlarms()).map((r) => `${r.id}:${r.state}`)).toEqual(['a:acknowledged', 'b:unacknowledged']);
    expect((await real.events('acme', 0, 10, [])).map((e) => `${e.alarmId}@${e.ts}`)).toEqual(['a@1', 'b@2', 'a@3']);
    expect(durable).toEqual(['a:acknowledged', 'b:unacknowledged']);
  });

  it('a failed commit rejects its waiters, is kept, and is retried with what came since', async () => {
    failures = 1;
    writer.put(rec('a'));
    writer.journal([ev('a', 1)]);
    await expect(writer.durable()).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
    expect(durable).toEqual([]);
    writer.put(rec('a', 'acknowledged'));
    writer.journal([ev('a', 2)]);
    clock.advance(1000); // the retry
    await writer.flush();
    expect(commits).toBe(2);
    expect((await real.loadAlarms()).map((r) => r.state)).toEqual(['acknowledged']);
    expect((await real.events('acme', 0, 10, [])).map((e) => e.ts)).toEqual([1, 2]);
    expect(durable).toEqual(['a:acknowledged']);
  });

  it('deletes dropped alarms after their last commit and reports their final version', async () => {
    writer.put(rec('a'));
    await writer.flush();
    writer.put(rec('a', 'acknowledged'));
    writer.drop(rec('a', 'normal'));
    writer.journal([ev('a', 5)]);
    await writer.flush();
    expect(await real.loadAlarms()).toEqual([]);
    expect(durable).toEqual(['a:unacknowledged', 'a:normal']);
    expect(await real.events('acme', 0, 10, [])).toHaveLength(1);
  });
});
