import { beforeEach, describe, expect, it } from 'vitest';
import type { Point, Value } from '../core/point.js';
import type { SimClock } from '../core/sim-clock.js';
import type { ApiRuleInput } from '../protocol/alarm-types.js';
import type { RuleService } from './rule-service.js';
import { FakeTags, principal, startRules, type MemoryRuleStore, type RecordingSink } from './rule-test-kit.js';

const T = 't1';
const M = 'site/area/line-1/cnc-01';
const T0 = 1_700_000_000_000;
const eng = principal('engineer');

let tags: FakeTags;
// The service under test and what it is built on (startRules).
let store: MemoryRuleStore, sink: RecordingSink, clock: SimClock, svc: RuleService;

function point(rel: string, value: Value, quality: Point['quality'] = 'good', asset = M): Point {
  return { tag: `${asset}/${rel}`, ts: clock.now(), value, quality };
}
/** Feed one batch at the clock's time. */
function feed(...pts: Point[]): void {
  svc.onPoints(T, pts);
}
/** Move the clock by `s` seconds (timers fire). */
function wait(s: number): void {
  clock.advanceTo(clock.now() + s * 1000);
}
function rule(over: Partial<ApiRuleInput> & Pick<ApiRuleInput, 'condition'>): ApiRuleInput {
  return { id: 'r1', asset: M, name: 'Rule one', alarm: { priority: 'high', message: 'value {value}' }, enabled: true, ...over };
}

beforeEach(async () => {
  tags = new FakeTags()
    .add(T, `${M}/spindle_temp`, 'number', { unit: '°C' })
    .add(T, `${M}/spindle/speed`, 'number', { unit: 'rpm' })
    .add(T, `${M}/speed_sp`, 'number', { unit: 'rpm' })
    .add(T, `${M}/running`, 'boolean')
    .add(T, `${M}/state`, 'string')
    .add(T, `${M}/heartbeat`, 'number')
    .add(T, `${M}/stop`, 'boolean', { writable: true })
    .add(T, `${M}/mode`, 'string');
  ({ store, sink, clock, svc } = await startRules(tags, T0));
});

describe('threshold', () => {
  it('raises above the limit and clears only past the deadband', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 2 } }));
    expect(sink.calls.filter((c) => c.op === 'define').map((c) => c.id)).toEqual(['r1']);
    feed(point('spindle_temp', 79));
    expect(sink.conditions('r1')).toEqual([[false, T0]]); // first verdict: inactive at once
    wait(1); feed(point('spindle_temp', 81));
    expect(sink.last('r1')).toMatchObject({ active: true, ts: T0 + 1000, value: 81 });
    wait(1); feed(point('spindle_temp', 79)); // inside the deadband: still active
    wait(1); feed(point('spindle_temp', 78)); // at limit − deadband: not below it yet
    expect(sink.conditions('r1')).toHaveLength(2);
    wait(1); feed(point('spindle_temp', 77.9));
    expect(sink.last('r1')).toMatchObject({ active: false, ts: T0 + 4000, value: 77.9 });
  });

  it('refreshes the message of an active alarm at most every 10 s while its value moves', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 } }));
    feed(point('spindle_temp', 81));
    wait(5); feed(point('spindle_temp', 82));
    expect(sink.conditions('r1')).toEqual([[true, T0]]);
    wait(5); feed(point('spindle_temp', 83));
    expect(sink.last('r1')).toMatchObject({ active: true, ts: T0 + 10_000, value: 83, message: 'value 83 °C' });
    wait(10); feed(point('spindle_temp', 83)); // unchanged: nothing to refresh
    expect(sink.conditions('r1')).toHaveLength(2);
  });

  it('without a deadband, clears as soon as the comparison fails', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 } }));
    feed(point('spindle_temp', 80));
    feed(point('spindle_temp', 80.1));
    feed(point('spindle_temp', 80));
    expect(sink.conditions('r1').map(([a]) => a)).toEqual([false, true, false]);
  });

  it('low alarms work the other way round', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '<=', limit: 10, deadband: 1 } }));
    feed(point('spindle_temp', 10));
    expect(sink.last('r1')?.active).toBe(true);
    feed(point('spindle_temp', 11));
    expect(sink.last('r1')?.active).toBe(true);
    feed(point('spindle_temp', 11.1));
    expect(sink.last('r1')?.active).toBe(false);
  });

  it('bad quality and missing values leave the condition as it was', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 } }));
    expect(sink.conditions('r1')).toEqual([]); // no value yet: nothing said
    feed(point('spindle_temp', 90));
    expect(sink.conditions('r1')).toEqual([[true, T0]]);
    feed(point('spindle_temp', 20, 'bad'));
    feed(point('spindle_temp', 'n/a'));
    expect(sink.conditions('r1')).toEqual([[true, T0]]);
    feed(point('spindle_temp', 20, 'uncertain'));
    expect(sink.last('r1')?.active).toBe(false);
  });

  it('ignores a point older than the newest (replayed data cannot roll it back)', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 } }));
    feed(point('spindle_temp', 90));
    feed({ ...point('spindle_temp', 10), ts: T0 - 5000 });
    expect(sink.last('r1')?.active).toBe(true);
  });
});

describe('on- and off-delays', () => {
  it('raises only after the condition held continuously for onDelayS', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 }, onDelayS: 5 }));
    feed(point('spindle_temp', 70));
    feed(point('spindle_temp', 85));
    wait(3); feed(point('spindle_temp', 70)); // broken after 3 s
    wait(1); feed(point('spindle_temp', 85)); // again at +4 s
    wait(4.9);
    expect(sink.conditions('r1')).toEqual([[false, T0]]);
    wait(0.1);
    expect(sink.conditions('r1')).toEqual([[false, T0], [true, T0 + 9000]]);
    expect(clock.pending).toBe(0);
  });

  it('clears only after the condition was gone for offDelayS', async () => {
    await svc.create(eng, rule({ condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 }, offDelayS: 10 }));
    feed(point('spindle_temp', 85));
    wait(1); feed(point('spindle_temp', 70));
    wait(5); feed(point('spindle_temp', 90)); // back before the off-delay ran out
    wait(20);
    expect(sink.conditions('r1')).toEqual([[true, T0]]);
    feed(point('spindle_temp', 70));
    wait(9.999);
    expect(sink.conditions('r1')).toHaveLength(1);
    wait(0.001);
    expect(sink.last('r1')).toMatchObject({ active: false, ts: T0 + 36_000 });
  });
});

describe('rate of change', () => {
  it('compares the change over the window, per minute, with the limit', async () => {
    await svc.create(eng, rule({ condition: { kind: 'rate-of-change', tag: 'spindle_temp', limitPerMinute: 10, windowS: 60 } }));
    for (let i = 0; i <= 12; i++) {
      feed(point('spindle_temp', 20 + i)); // 6 per minute
      wait(10);
    }
    expect(sink.conditions('r1').every(([a]) => !a)).toBe(true);
    feed(point('spindle_temp', 45)); // +13 in a minute
    expect(sink.last('r1')?.active).toBe(true);
    for (let i = 0; i < 7; i++) { wait(10); feed(point('spindle_temp', 45)); }
    expect(sink.last('r1')?.active).toBe(false);
  });
});

describe('deviation', () => {
  it('compares with a setpoint tag, once per batch, with a deadband', async () => {
    await svc.create(eng, rule({ condition: { kind: 'deviation', tag: 'spindle/speed', setpointTag: 'speed_sp', limit: 100, deadband: 20 }, alarm: { priority: 'low', message: 'speed {value} set {setpoint} limit {limit}' } }));
    const before = svc.stats().evaluations;
    feed(point('spindle/speed', 1000), point('speed_sp', 1000));
    expect(svc.stats().evaluations - before).toBe(1);
    feed(point('spindle/speed', 1150));
    expect(sink.last('r1')).toMatchObject({ active: true, message: 'speed 1150 rpm set 1000 rpm limit 100 rpm' });
    feed(point('speed_sp', 1060)); // 90 off: inside the deadband
    expect(sink.last('r1')?.active).toBe(true);
    feed(point('speed_sp', 1070)); // 80 off: not below limit − deadband
    expect(sink.last('r1')?.active).toBe(true);
    feed(point('speed_sp', 1080)); // 70 off
    expect(sink.last('r1')?.active).toBe(false);
    feed(point('speed_sp', 0, 'bad'), point('spindle/speed', 5000));
    expect(sink.last('r1')?.active).toBe(false);
  });
});

describe('stale', () => {
  it('goes stale after afterS without updates, re-arms on each, and at once on bad quality', async () => {
    await svc.create(eng, rule({ condition: { kind: 'stale', tag: 'heartbeat', afterS: 10 }, alarm: { priority: 'medium', message: 'no heartbeat for {limit}' } }));
    feed(point('heartbeat', 1));
    for (let i = 0; i < 5; i++) { wait(6); feed(point('heartbeat', i)); }
    expect(clock.pending).toBe(1); // one timer per rule, not one per point
    expect(sink.conditions('r1')).toEqual([[false, T0]]);
    wait(9.9);
    expect(sink.conditions('r1')).toHaveLength(1);
    wait(0.1);
    expect(sink.last('r1')).toMatchObject({ active: true, ts: T0 + 40_000, message: 'no heartbeat for 10 s' });
    feed(point('heartbeat', 9));
    expect(sink.last('r1')?.active).toBe(false);
    wait(3); feed(point('heartbeat', 9, 'bad'));
    expect(sink.last('r1')).toMatchObject({ active: true, ts: T0 + 43_000 });
    wait(1); feed(point('heartbeat', 10));
    expect(sink.last('r1')?.active).toBe(false);
  });

  it('a tag never heard from goes stale afterS after start', async () => {
    await svc.create(eng, rule({ condition: { kind: 'stale', tag: 'heartbeat', afterS: 30 } }));
    wait(29);
    expect(sink.conditions('r1')).toEqual([]);
    wait(1);
    expect(sink.conditions('r1')).toEqual([[true, T0 + 30_000]]);
  });

  it('a bad mark kept from before the start waits afterS instead of raising at once', async () => {
    tags.setLatest(T, `${M}/heartbeat`, 7, T0 - 60_000, 'bad'); // the device died before the platform stopped
    await svc.create(eng, rule({ condition: { kind: 'stale', tag: 'heartbeat', afterS: 30 } }));
    wait(20);
    expect(sink.conditions('r1')).toEqual([]);
    feed(point('heartbeat', 8)); // the device is back after the restart
    expect(sink.conditions('r1')).toEqual([[false, T0 + 20_000]]);
    wait(29);
    expect(sink.conditions('r1')).toEqual([[false, T0 + 20_000]]);
  });
});

describe('expression and suppressWhen', () => {
  it('evaluates CEL over the asset tags (variables and tags map); bad input changes nothing', async () => {
    await svc.create(eng, rule({
      condition: { kind: 'expression', expression: 'spindle_temp > 80.0 && running && tags["spindle/speed"] > 100' },
      alarm: { priority: 'high', message: 'hot at {spindle_speed}', suppressWhen: 'state == "planned-stop"' },
    }));
    feed(point('spindle_temp', 90), point('running', true), point('spindle/speed', 500), point('state', 'run'));
    expect(sink.last('r1')).toMatchObject({ active: true, message: 'hot at 500 rpm' });
    expect(sink.last('r1')?.value).toBeUndefined();
    expect(sink.calls.filter((c) => c.op === 'suppression')).toMatchObject([{ suppressed: false }]);
    feed(point('running', false, 'bad'));
    expect(sink.last('r1')?.active).toBe(true);
    feed(point('running', false));
    expect(sink.last('r1')?.active).toBe(false);
    feed(point('state', 'planned-stop'));
    expect(sink.calls.filter((c) => c.op === 'suppression').map((c) => c.op === 'suppression' && c.suppressed)).toEqual([false, true]);
    feed(point('state', 'planned-stop'));
    expect(sink.calls.filter((c) => c.op === 'suppression')).toHaveLength(2);
  });

  it('an expression giving a non-boolean leaves the condition as it was', async () => {
    await svc.create(eng, rule({ condition: { kind: 'expression', expression: 'mode == "auto" || spindle_temp > 80.0' } }));
    feed(point('mode', 'auto'), point('spindle_temp', 1));
    expect(sink.last('r1')?.active).toBe(true);
    feed(point('spindle_temp', 'x')); // string > double: no overload, evaluation fails
    feed(point('mode', 'manual'));
    expect(sink.last('r1')?.active).toBe(true);
  });
});

describe('index', () => {
  it('evaluates only the rules that name a changed tag', async () => {
    await svc.create(eng, rule({ id: 'a', condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 } }));
    await svc.create(eng, rule({ id: 'b', condition: { kind: 'threshold', tag: 'spindle/speed', op: '>', limit: 80 } }));
    await svc.create(eng, rule({ id: 'c', condition: { kind: 'expression', expression: 'running' } }));
    const n0 = svc.stats().evaluations;
    feed(point('spindle_temp', 1));
    expect(svc.stats().evaluations - n0).toBe(1);
    feed(point('mode', 'x'), { tag: 'other/asset/spindle_temp', ts: clock.now(), value: 1, quality: 'good' });
    expect(svc.stats().evaluations - n0).toBe(1);
    svc.onPoints('t2', [point('spindle_temp', 1)]);
    expect(svc.stats().evaluations - n0).toBe(1);
    feed(point('running', true), point('spindle/speed', 100));
    expect(svc.stats().evaluations - n0).toBe(3);
    await svc.remove(eng, 'a');
    feed(point('spindle_temp', 100));
    expect(svc.stats().evaluations - n0).toBe(3);
    expect(sink.calls.at(-1)).toMatchObject({ op: 'remove', id: 'a' });
  });
});

describe('messages', () => {
  it('fills placeholders with live values and units, without doubling a written unit', async () => {
    tags.setLatest(T, `${M}/spindle/speed`, 1200, T0);
    await svc.create(eng, rule({
      condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 },
      alarm: { priority: 'high', message: 'Spindle at {spindle_temp} °C (limit {limit}), speed {spindle_speed}, mode {mode}' },
    }));
    feed(point('spindle_temp', 81.234));
    expect(sink.last('r1')?.message).toBe('Spindle at 81.23 °C (limit 80 °C), speed 1200 rpm, mode ?');
  });
});
