import { describe, expect, it } from 'vitest';
import type { Point } from '../core/point.js';
import { SimClock } from '../core/sim-clock.js';
import type { ApiRuleInput } from '../protocol/alarm-types.js';
import { RuleService } from './rule-service.js';
import { FakeTags, MemoryRuleStore, RecordingSink, principal } from './rule-test-kit.js';

const T = 't1';
const M = 'site/area/line-1/cnc-01';
const F = 1_700_000_000_000;

/** A service whose history is `series` (absolute path → points). */
async function service(series: Record<string, Array<[number, number | boolean, Point['quality']?]>>, seen: number[] = []) {
  const tags = new FakeTags().add(T, `${M}/temp`).add(T, `${M}/beat`).add(T, `${M}/sp`);
  const svc = new RuleService({
    store: new MemoryRuleStore(), tags, latest: tags.latest, alarms: new RecordingSink(), clock: new SimClock(F + 10_000_000),
    history: async (_t, path, from, to, limit) => {
      seen.push(limit);
      return (series[path] ?? []).filter(([ts]) => ts >= from && ts <= to).slice(0, limit).map(([ts, value, quality]) => ({ tag: path, ts, value, quality: quality ?? 'good' }));
    },
  });
  await svc.start();
  return svc;
}
const rule = (over: Partial<ApiRuleInput>): ApiRuleInput => ({
  asset: M, name: 'R', condition: { kind: 'threshold', tag: 'temp', op: '>', limit: 80, deadband: 5 },
  alarm: { priority: 'high', message: 'x' }, enabled: true, ...over,
});
/** One value every `stepS` seconds from F. */
const wave = (values: number[], stepS = 1): Array<[number, number]> => values.map((v, i) => [F + i * stepS * 1000, v]);

describe('test against history', () => {
  it('counts raises, active time and episodes with the live deadband', async () => {
    const svc = await service({ [`${M}/temp`]: wave([70, 85, 78, 90, 74, 70, 82, 60]) });
    const r = await svc.test(principal('viewer'), { rule: rule({}), from: F, to: F + 10_000 });
    expect(r).toEqual({
      raises: 2, activeMs: 3000 + 1000, points: 8, truncated: false,
      episodes: [{ from: F + 1000, to: F + 4000, value: 85 }, { from: F + 6000, to: F + 7000, value: 82 }],
    });
  });

  it('applies the on-delay as live would, and keeps an episode open at the end', async () => {
    const svc = await service({ [`${M}/temp`]: wave([85, 70, 85, 85, 85, 85, 85], 2) });
    const r = await svc.test(principal('viewer'), { rule: rule({ onDelayS: 5 }), from: F, to: F + 20_000 });
    expect(r.raises).toBe(1);
    expect(r.episodes).toEqual([{ from: F + 9000, value: 85 }]);
    expect(r.activeMs).toBe(11_000);
  });

  it('replays stale timers on the simulated clock', async () => {
    const beats: Array<[number, number, Point['quality']?]> = [[F, 1], [F + 5000, 1], [F + 30_000, 1], [F + 31_000, 1, 'bad'], [F + 32_000, 1]];
    const svc = await service({ [`${M}/beat`]: beats });
    const r = await svc.test(principal('viewer'), { rule: rule({ condition: { kind: 'stale', tag: 'beat', afterS: 10 } }), from: F, to: F + 60_000 });
    expect(r.raises).toBe(3); // 15 s → 30 s, bad at 31 s, and silence after 42 s
    expect(r.episodes).toEqual([{ from: F + 15_000, to: F + 30_000, value: 1 }, { from: F + 31_000, to: F + 32_000, value: 1 }, { from: F + 42_000, value: 1 }]);
    expect(r.activeMs).toBe(15_000 + 1000 + 18_000);
  });

  it('counts no communication loss before the tag\'s first point in the period', async () => {
    const svc = await service({ [`${M}/beat`]: [[F + 3_600_000, 1], [F + 3_605_000, 1]] });
    const r = await svc.test(principal('viewer'), { rule: rule({ condition: { kind: 'stale', tag: 'beat', afterS: 10 } }), from: F, to: F + 3_610_000 });
    expect(r.raises).toBe(0);
    expect(r.activeMs).toBe(0);
  });

  it('reads both tags of a deviation, says when the period held more points than replayed', async () => {
    const limits: number[] = [];
    const svc = await service({ [`${M}/temp`]: wave([10, 30, 30, 10]), [`${M}/sp`]: wave([10, 10, 10, 10]) }, limits);
    const r = await svc.test(principal('viewer'), { rule: rule({ condition: { kind: 'deviation', tag: 'temp', setpointTag: 'sp', limit: 5 } }), from: F, to: F + 4000 });
    expect(r).toMatchObject({ raises: 1, activeMs: 2000, points: 8, truncated: false });
    expect(limits).toEqual([250_000, 250_000]);
  });

  it('refuses a bad rule or period, and a caller without a view of the asset', async () => {
    const svc = await service({});
    await expect(svc.test(principal('viewer'), { rule: rule({ condition: { kind: 'expression', expression: 'temp >' } }), from: F, to: F + 1 })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_EXPRESSION' });
    await expect(svc.test(principal('viewer'), { rule: rule({}), from: F, to: F })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(svc.test(principal('viewer', 'elsewhere'), { rule: rule({}), from: F, to: F + 1 })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
  });
});

describe('SimClock', () => {
  it('fires due timers in order at their own time and skips cleared ones', () => {
    const c = new SimClock(0);
    const seen: Array<[string, number]> = [];
    c.setTimer(() => seen.push(['b', c.now()]), 20);
    const h = c.setTimer(() => seen.push(['x', c.now()]), 15);
    c.setTimer(() => { seen.push(['a', c.now()]); c.setTimer(() => seen.push(['c', c.now()]), 5); }, 10);
    c.clearTimer(h);
    c.advanceTo(100);
    expect(seen).toEqual([['a', 10], ['c', 15], ['b', 20]]);
    expect(c.now()).toBe(100);
  });
});
