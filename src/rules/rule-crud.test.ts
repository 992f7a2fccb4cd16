import { beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../core/sim-clock.js';
import type { ApiRuleInput } from '../protocol/alarm-types.js';
import { RuleService } from './rule-service.js';
import { FakeTags, RecordingSink, principal, startRules, type MemoryRuleStore } from './rule-test-kit.js';

const T = 't1';
const L1 = 'site/area/line-1';
const M = `${L1}/cnc-01`;
const M2 = 'site/area/line-2/cnc-07';
const T0 = 1_700_000_000_000;
const eng = principal('engineer');

let tags: FakeTags;
// The service under test and what it is built on (startRules).
let store: MemoryRuleStore, sink: RecordingSink, clock: SimClock, svc: RuleService;

const input = (over: Partial<ApiRuleInput> = {}): ApiRuleInput => ({
  asset: M, name: 'Spindle over-temp!', condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 },
  alarm: { priority: 'high', message: 'hot {spindle_temp}' }, enabled: true, ...over,
});

beforeEach(async () => {
  tags = new FakeTags().add(T, `${M}/spindle_temp`).add(T, `${M2}/spindle_temp`).add('t2', `${M}/spindle_temp`);
  ({ store, sink, clock, svc } = await startRules(tags, T0));
});

describe('rule CRUD and roles', () => {
  it('creates with an id made from the name, keeps who and when, refuses a taken id', async () => {
    const r = await svc.create(eng, input());
    expect(r).toMatchObject({ id: 'spindle-over-temp', tenant: T, asset: M, updatedBy: eng.name, updatedTs: T0 });
    expect((await svc.create(eng, input())).id).toBe('spindle-over-temp-2');
    await expect(svc.create(eng, input({ id: 'spindle-over-temp' }))).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    expect(store.rules.size).toBe(2);
    expect(svc.get(eng, 'spindle-over-temp').name).toBe('Spindle over-temp!');
  });

  it('two creates of one id at once: one wins, the other conflicts', async () => {
    const results = await Promise.allSettled([svc.create(eng, input({ id: 'same' })), svc.create(eng, input({ id: 'same' }))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'LIGHTSOUT_CONFLICT' } });
  });

  it('updates (the alarm is told the new definition and re-evaluated) and removes', async () => {
    tags.setLatest(T, `${M}/spindle_temp`, 85, T0);
    await svc.create(eng, input({ id: 'r' }));
    expect(sink.last('r')?.active).toBe(true);
    clock.advanceTo(T0 + 1000);
    await svc.update(eng, 'r', input({ id: 'r', condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 90 } }));
    expect(sink.calls.filter((c) => c.op === 'define')).toHaveLength(2);
    expect(sink.last('r')).toMatchObject({ active: false, ts: T0 + 1000 });
    expect(store.rules.get(`${T}/r`)?.condition).toMatchObject({ limit: 90 });
    await svc.remove(eng, 'r');
    expect(store.rules.size).toBe(0);
    expect(() => svc.get(eng, 'r')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_NOT_FOUND' }));
    await expect(svc.update(eng, 'r', input())).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
  });

  it('a disabled rule is defined but not evaluated', async () => {
    await svc.create(eng, input({ id: 'r', enabled: false }));
    svc.onPoints(T, [{ tag: `${M}/spindle_temp`, ts: T0, value: 99, quality: 'good' }]);
    expect(sink.calls.map((c) => c.op)).toEqual(['define']);
    expect(svc.stats().evaluations).toBe(0);
  });

  it('engineers change rules on their asset only; viewers read in their scope; tenants are apart', async () => {
    const lineEng = principal('engineer', L1);
    await svc.create(lineEng, input({ id: 'a' }));
    await expect(svc.create(lineEng, input({ id: 'b', asset: M2 }))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.create(principal('operator'), input({ id: 'b' }))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await svc.create(eng, input({ id: 'b', asset: M2 }));
    await expect(svc.update(lineEng, 'b', input({ asset: M }))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.update(lineEng, 'a', input({ asset: M2 }))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.remove(lineEng, 'b')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect(svc.list(principal('viewer', L1)).map((r) => r.id)).toEqual(['a']);
    expect(svc.list(eng, { asset: 'site/area/line-2' }).map((r) => r.id)).toEqual(['b']);
    expect(() => svc.get(principal('viewer', L1), 'b')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_FORBIDDEN' }));
    const other = principal('engineer', '', 't2');
    expect(svc.list(other)).toEqual([]);
    expect(() => svc.get(other, 'a')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_NOT_FOUND' }));
    await svc.create(other, input({ id: 'a' })); // same id, other tenant
    expect(svc.rule('t2', 'a')?.tenant).toBe('t2');
    expect(svc.rule(T, 'a')?.tenant).toBe(T);
  });

  it('loads stored rules at start, evaluates them from the last values and arms timers', async () => {
    await svc.create(eng, input({ id: 'hot' }));
    await svc.create(eng, input({ id: 'quiet', condition: { kind: 'stale', tag: 'spindle_temp', afterS: 60 }, alarm: { priority: 'low', message: 'quiet' } }));
    svc.stop();
    tags.setLatest(T, `${M}/spindle_temp`, 95, T0 - 1000);
    const sink2 = new RecordingSink();
    const clock2 = new SimClock(T0 + 10_000);
    const again = new RuleService({ store, tags, latest: tags.latest, alarms: sink2, clock: clock2 });
    await again.start();
    expect(sink2.calls.filter((c) => c.op === 'define').map((c) => c.id).sort()).toEqual(['hot', 'quiet']);
    expect(sink2.conditions('hot')).toEqual([[true, T0 + 10_000]]);
    expect(sink2.conditions('quiet')).toEqual([[false, T0 + 10_000]]);
    clock2.advanceTo(T0 + 70_000);
    expect(sink2.conditions('quiet')).toEqual([[false, T0 + 10_000], [true, T0 + 70_000]]);
    again.stop();
    expect(clock2.pending).toBe(0);
  });
});
