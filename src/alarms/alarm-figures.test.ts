import { describe, expect, it } from 'vitest';
import type { AlarmEvent, AlarmRecord, AlarmState } from '../core/alarm-port.js';
import type { AlarmPriority } from '../core/rule-port.js';
import { alarmFigures, operatorPosition, trailingWindow } from './alarm-figures.js';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = 1_699_999_800_000; // a whole 10 minutes of UTC
const TO = T0 + H;
const JOURNAL_FROM = TO - 24 * H - 10 * MIN;

const ev = (alarmId: string, ts: number, area: string, priority: AlarmPriority, from: AlarmState, to: AlarmState, kind: AlarmEvent['kind'] = 'raise'): AlarmEvent => ({
  tenant: 'acme', alarmId, ts, kind, from, to, area, priority, by: 'system',
});
const rec = (id: string, area: string, state: AlarmState, extra: Partial<AlarmRecord> = {}): AlarmRecord => ({
  id, tenant: 'acme', ruleName: `Rule ${id}`, area, priority: 'high', state, conditionActive: state !== 'normal', message: '', stateTs: 0, raiseCount: 1, ...extra,
});

/** The hand-built journal (see each alarm's comment for what it contributes). */
function journal(): AlarmEvent[] {
  const e: AlarmEvent[] = [];
  // x: 12 shown raises every 10 s from T0+1 min: a flood from T0+2:40 to T0+11:10, one chattering burst, 6 a minute at most.
  for (let k = 0; k < 12; k++) e.push(ev('x', T0 + MIN + k * 10_000, 'p/a/l1/m1', 'high', k === 0 ? 'normal' : 'returned-unacknowledged', 'unacknowledged'));
  // y: two shown raises 10 minutes apart.
  e.push(ev('y', T0 + 30 * MIN, 'p/a/l2/m2', 'low', 'normal', 'unacknowledged'), ev('y', T0 + 40 * MIN, 'p/a/l2/m2', 'low', 'normal', 'unacknowledged'));
  // z: three raises within 20 s while shelved: a bad actor and chattering, but no operator load.
  for (let k = 0; k < 3; k++) e.push(ev('z', T0 + 50 * MIN + k * 10_000, 'p/a/l2/m3', 'medium', 'shelved', 'shelved'));
  // w: other position; one raise before the period (only the trailing flood window sees it), one in it.
  e.push(ev('w', T0 - 5 * MIN, 'p/b/l1/m1', 'critical', 'normal', 'unacknowledged'), ev('w', T0 + 5 * MIN, 'p/b/l1/m1', 'critical', 'normal', 'unacknowledged'));
  // q: raised 24 h 5 min before the end, never back to normal: stale.
  e.push(ev('q', TO - 24 * H - 5 * MIN, 'p/a/l3/m1', 'low', 'normal', 'unacknowledged'));
  // o: out of service since before the journal (taken out of service from unacknowledged): hidden, so not stale (nor is z, shelved all along).
  e.push(ev('o', TO - 20 * H, 'p/a/l3/m4', 'low', 'unacknowledged', 'out-of-service', 'out-of-service'));
  // r: raised before the journal, back to normal in the period: not stale.
  e.push(ev('r', T0 + 10 * MIN, 'p/a/l3/m2', 'low', 'acknowledged', 'normal', 'clear'));
  // v: no entry until after the period, which shows it was acknowledged then: stale since its raise 48 h before.
  e.push(ev('v', TO + 5 * MIN, 'p/a/l3/m3', 'low', 'acknowledged', 'normal', 'clear'));
  return e.sort((a, b) => a.ts - b.ts);
}
const records = [
  rec('x', 'p/a/l1/m1', 'unacknowledged', { ruleName: 'Chatter X' }),
  rec('s', 'p/a/l1/m9', 'acknowledged', { ruleName: 'Stale S', activeTs: T0 - 30 * H, stateTs: T0 - 29 * H }),
  rec('v', 'p/a/l3/m3', 'normal', { activeTs: TO - 48 * H, stateTs: TO + 5 * MIN }),
  rec('r', 'p/a/l3/m2', 'normal', { activeTs: TO - 30 * H, stateTs: T0 + 10 * MIN }),
];

describe('alarm figures', () => {
  it('computes load per position, flood, series, priorities, bad actors, chattering and stale alarms', () => {
    const f = alarmFigures({ from: T0, to: TO, area: '', events: journal(), journalFrom: JOURNAL_FROM, records });
    expect(f.positions).toEqual([
      { position: 'p/a', raises: 14, per10MinAvg: 14 / 6, per10MinMax: 12, floodMs: 510_000, floodFraction: 510_000 / H },
      { position: 'p/b', raises: 1, per10MinAvg: 1 / 6, per10MinMax: 1, floodMs: 0, floodFraction: 0 },
    ]);
    expect(f.floodMs).toBe(510_000);
    expect(f.floodFraction).toBeCloseTo(510_000 / H, 10);
    expect(f.series).toEqual([0, 1, 2, 3, 4, 5].map((i) => ({ ts: T0 + i * 10 * MIN, raises: [13, 0, 0, 1, 1, 0][i] })));
    expect(f.byPriority).toEqual({ critical: 1, high: 12, medium: 0, low: 2 });
    expect(f.badActors.map((b) => [b.alarmId, b.ruleName, b.raises, b.share])).toEqual([
      ['x', 'Chatter X', 12, 12 / 18], ['z', 'z', 3, 3 / 18], ['y', 'y', 2, 2 / 18], ['w', 'w', 1, 1 / 18],
    ]);
    expect(f.badActors[0]).toMatchObject({ area: 'p/a/l1/m1', priority: 'high' });
    expect(f.chattering).toEqual([
      { alarmId: 'x', ruleName: 'Chatter X', area: 'p/a/l1/m1', bursts: 1, maxPerMinute: 6 },
      { alarmId: 'z', ruleName: 'z', area: 'p/a/l2/m3', bursts: 1, maxPerMinute: 3 },
    ]);
    expect(f.stale).toEqual([
      { alarmId: 'v', ruleName: 'Rule v', area: 'p/a/l3/m3', sinceTs: TO - 48 * H },
      { alarmId: 's', ruleName: 'Stale S', area: 'p/a/l1/m9', sinceTs: T0 - 30 * H },
      { alarmId: 'q', ruleName: 'q', area: 'p/a/l3/m1', sinceTs: TO - 24 * H - 5 * MIN },
    ]);
  });

  it('limits everything to the area asked for (whole levels)', () => {
    const f = alarmFigures({ from: T0, to: TO, area: 'p/b', events: journal(), journalFrom: JOURNAL_FROM, records });
    expect(f.positions.map((p) => p.position)).toEqual(['p/b']);
    expect(f.badActors.map((b) => [b.alarmId, b.share])).toEqual([['w', 1]]);
    expect(f.stale).toEqual([]);
    expect(f.series.reduce((n, s) => n + s.raises, 0)).toBe(1);
    expect(alarmFigures({ from: T0, to: TO, area: 'p/a/l1', events: journal(), journalFrom: JOURNAL_FROM, records }).positions[0]!.raises).toBe(12);
    expect(alarmFigures({ from: T0, to: TO, area: 'p/a/l', events: journal(), journalFrom: JOURNAL_FROM, records }).positions).toEqual([]);
  });

  it('counts flood time across the period start from raises just before it, and clips at the end', () => {
    // 11 raises in the minute before the period: a flood until the first of them is 10 minutes old.
    const e = Array.from({ length: 11 }, (_, k) => ev(`a${k}`, T0 - MIN + k * 5_000, 'p/a/x', 'low', 'normal', 'unacknowledged'));
    const f = alarmFigures({ from: T0, to: TO, area: '', events: e, journalFrom: JOURNAL_FROM, records: [] });
    expect(f.floodMs).toBe(9 * MIN);
    // No raise inside the period, but the position was flooded in it.
    expect(f.positions).toEqual([{ position: 'p/a', raises: 0, per10MinAvg: 0, per10MinMax: 0, floodMs: 9 * MIN, floodFraction: 9 * MIN / H }]);
    const g = alarmFigures({ from: T0 - 30_000, to: T0 + MIN, area: '', events: e, journalFrom: JOURNAL_FROM, records: [] });
    expect(g.floodMs).toBe(70_000); // from the 11th raise (T0-10 s) to the end of the period
    expect(g.positions[0]).toMatchObject({ raises: 5, per10MinMax: 5 }); // those from T0-30 s on
  });

  it('sweeps trailing windows exactly at their edges', () => {
    // Raises at 0, 10, 20 with a 20 ms window: at t=20 the raise at 0 has just left.
    expect(trailingWindow([0, 10, 20], 20, 1, 0, 100)).toEqual({ spells: [[10, 30]], max: 2 });
    expect(trailingWindow([0, 10, 20], 21, 2, 0, 100)).toEqual({ spells: [[20, 21]], max: 3 });
    expect(trailingWindow([], 10, 0, 0, 100)).toEqual({ spells: [], max: 0 });
    expect(operatorPosition('site/area/line/cell')).toBe('site/area');
    expect(operatorPosition('site')).toBe('site');
  });
});
