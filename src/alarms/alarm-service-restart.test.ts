import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent, AlarmRecord, AlarmStore } from '../core/alarm-port.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import type { AlarmService } from './alarm-service.js';
import { TENANT, person, rule, startService } from './alarm-test-kit.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const admin = person('ada', 'admin');

let db: TempAlarmDb;
let clock: SimClock;
const services: AlarmService[] = [];

async function service(store: SqliteAlarmStore, extra = {}): Promise<AlarmService> {
  const s = await startService(store, clock, extra);
  services.push(s);
  return s;
}
/** The whole journal, oldest first, paged as the API would. */
async function wholeJournal(svc: AlarmService): Promise<unknown[]> {
  const out: unknown[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await svc.history(admin, { from: 0, to: T0 + 1e10, limit: 1000, ...(before !== undefined ? { beforeSeq: before } : {}) });
    out.push(...page.events);
    if (page.nextBefore === undefined) break;
    before = page.nextBefore;
  }
  return out.reverse();
}
const areaOf = (i: number) => `plant/area-${i % 10}/line-${i % 3}/m-${i}`;

beforeEach(() => {
  db = new TempAlarmDb('lightsout-alarm-svc-');
  clock = new SimClock(T0);
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  await db.remove();
});

describe('AlarmService across restarts', () => {
  it('a shelve expires on time after a restart, and at once when it expired while the platform was down', async () => {
    const first = await service(await db.open());
    first.define(rule('a'));
    first.define(rule('b'));
    first.condition(TENANT, 'a', true, clock.now(), { value: 90, message: 'hot' });
    first.condition(TENANT, 'b', true, clock.now(), { value: 90, message: 'hot' });
    await first.shelve(admin, 'a', 'noisy', 30);
    await first.shelve(admin, 'b', 'noisy', 5);
    await first.stop();
    clock.t += 10 * MIN; // down for 10 minutes: b's shelve ran out meanwhile
    const second = await service(await db.open());
    expect(second.get(admin, 'b').state).toBe('unacknowledged');
    expect(second.get(admin, 'a').state).toBe('shelved');
    clock.advance(19 * MIN);
    expect(second.get(admin, 'a').state).toBe('shelved');
    clock.advance(MIN);
    expect(second.get(admin, 'a').state).toBe('unacknowledged');
    await second.flush();
    const unshelves = (await second.history(admin, { from: 0, to: T0 + 1e9, kinds: ['unshelve'], limit: 10 })).events;
    expect(unshelves.map((e) => [e.alarmId, e.ts, e.by, e.text])).toEqual([['a', T0 + 30 * MIN, 'system', 'shelve expired'], ['b', T0 + 10 * MIN, 'system', 'shelve expired']]);
  });

  it('escalation due during a restart fires at start', async () => {
    const calls: string[] = [];
    const notifier = {
      raised: () => ({ step: 0, person: 'ann', dueTs: clock.now() + 10 * MIN }),
      escalate: (a: AlarmRecord, step: number) => { calls.push(`${a.id} ${step} @${clock.now() - T0}`); return { step, person: 'bob' }; },
    };
    const first = await service(await db.open(), { notifier });
    first.define(rule('a'));
    first.condition(TENANT, 'a', true, clock.now(), { message: 'hot' });
    await first.stop();
    clock.t += 15 * MIN;
    const second = await service(await db.open(), { notifier });
    expect(calls).toEqual([`a 1 @${15 * MIN}`]);
    expect(second.get(admin, 'a').escalationStep).toBe(1);
  });

  it('an escalation not yet due is re-armed at start and fires on time', async () => {
    const calls: number[] = [];
    const notifier = {
      raised: () => ({ step: 0, person: 'ann', dueTs: clock.now() + 10 * MIN }),
      escalate: (_a: AlarmRecord, step: number) => { calls.push(clock.now() - T0); return { step, person: 'bob' }; },
    };
    const first = await service(await db.open(), { notifier });
    first.define(rule('a'));
    first.condition(TENANT, 'a', true, clock.now(), { message: 'hot' });
    await first.stop();
    clock.t += 4 * MIN;
    await service(await db.open(), { notifier });
    expect(calls).toEqual([]);
    clock.advance(5 * MIN);
    expect(calls).toEqual([]);
    clock.advance(MIN);
    expect(calls).toEqual([10 * MIN]);
  });

  it('restarts with 1,000 alarms in mixed states: every record and the journal are identical', async () => {
    const store = await db.open();
    const first = await service(store);
    const rules = Array.from({ length: 1000 }, (_, i) => rule(`r${i}`, { asset: areaOf(i) }, { latched: i % 8 === 4, priority: (['critical', 'high', 'medium', 'low'] as const)[i % 4] }));
    for (const r of rules) first.define(r);
    for (let i = 0; i < 1000; i++) {
      clock.t = T0 + i * 1000;
      const id = `r${i}`;
      const up = () => first.condition(TENANT, id, true, clock.now(), { value: 80 + (i % 20), message: `value ${80 + (i % 20)}` });
      const down = () => first.condition(TENANT, id, false, clock.now(), { value: 50, message: 'value 50' });
      switch (i % 8) {
        case 0: if (i % 16 === 0) { up(); down(); await first.ack(admin, id); } break; // normal
        case 1: up(); break; // unacknowledged
        case 2: up(); await first.ack(admin, id, `ack ${i}`); break; // acknowledged
        case 3: up(); down(); break; // returned-unacknowledged
        case 4: up(); await first.ack(admin, id); down(); break; // latched
        case 5: up(); await first.shelve(admin, id, `shelved ${i}`, 60 + (i % 100)); break;
        case 6: first.suppression(TENANT, id, true, clock.now()); if (i % 3 === 0) up(); break;
        case 7: await first.outOfService(admin, id, `maintenance ${i}`); await first.comment(admin, id, 'parts ordered'); break;
      }
    }
    await first.flush();
    const before = { alarms: first.list(admin, { all: true }), journal: await wholeJournal(first), records: await store.loadAlarms() };
    expect(new Set(before.alarms.map((a) => a.state)).size).toBe(8);
    expect(before.alarms).toHaveLength(1000);
    await first.stop();

    const store2 = await db.open();
    const second = await service(store2);
    for (const r of rules) second.define(r); // the rules engine defines every rule again at start
    await second.flush();
    expect(second.list(admin, { all: true })).toEqual(before.alarms);
    expect(await wholeJournal(second)).toEqual(before.journal);
    expect(await store2.loadAlarms()).toEqual(before.records);
    // And they carry on: the latched ones reset, the shelves run out.
    expect((await second.reset(admin, 'r4')).state).toBe('normal');
    clock.advance(200 * MIN);
    expect(second.list(admin, { state: ['shelved'] })).toEqual([]);
  });

  it('takes a flood of 10,000 raises within one minute: all journaled and visible, in few commits, quickly', async () => {
    const sqlite = await db.open();
    let commits = 0;
    const store: AlarmStore = Object.assign(Object.create(sqlite) as AlarmStore, {
      commit: (rs: readonly AlarmRecord[], es: AlarmEvent[]) => { commits += 1; return sqlite.commit(rs, es); },
    });
    let notified = 0;
    const svc = await service(store as SqliteAlarmStore, { notifier: { raised: () => { notified += 1; return undefined; }, escalate: () => undefined } });
    for (let i = 0; i < 10_000; i++) svc.define(rule(`f${i}`, { asset: areaOf(i) }));
    await svc.flush();
    commits = 0;
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      clock.t = T0 + i * 6; // 10,000 raises in 60 s
      svc.condition(TENANT, `f${i}`, true, clock.now(), { value: i, message: `flood ${i}` });
    }
    await svc.flush();
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(3000);
    expect(commits).toBeLessThanOrEqual(2);
    expect(notified).toBe(10_000);
    expect(svc.list(admin)).toHaveLength(10_000);
    const raises = await svc.history(admin, { from: T0, to: T0 + MIN, kinds: ['raise'], limit: 5000 });
    expect(raises.events).toHaveLength(5000);
    const rest = await svc.history(admin, { from: T0, to: T0 + MIN, kinds: ['raise'], limit: 5000, beforeSeq: raises.nextBefore! });
    expect(new Set([...raises.events, ...rest.events].map((e) => e.alarmId)).size).toBe(10_000);
    const f = await svc.figures(admin, { from: T0, to: T0 + 10 * MIN });
    expect(f.positions).toHaveLength(10);
    expect(f.positions.every((p) => p.raises === 1000 && p.floodMs > 0)).toBe(true);
    expect(f.series[0]!.raises).toBe(10_000);
    console.log(`flood: 10,000 raises handled and durable in ${ms.toFixed(0)} ms (${commits} commit(s))`);
  });
});
