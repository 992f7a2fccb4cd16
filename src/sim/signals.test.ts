import { describe, expect, it } from 'vitest';
import { MachineSim } from './machine-sim.js';
import { MACHINE_TYPES, type MachineKind } from './machine-types.js';
import { Rng } from './prng.js';
import { CycleCounter, Drift, Lag, StateModel, STATE_CODES } from './signals.js';
import type { Value } from '../core/point.js';

const T0 = Date.UTC(2025, 5, 2, 0, 0, 0); // 08:00 in Shanghai
const KINDS = Object.keys(MACHINE_TYPES) as MachineKind[];

/** Run a machine for `hours` at 1 s steps, handing each step's values to `each`. */
function run(kind: MachineKind, seed: string, hours: number, each: (v: Value[], m: MachineSim, prevState: string) => void): MachineSim {
  const m = new MachineSim({ type: MACHINE_TYPES[kind], seed, startMs: T0 });
  for (let s = 1; s <= hours * 3600; s++) {
    const prev = m.state;
    m.step(T0 + s * 1000);
    each(m.values, m, prev);
  }
  return m;
}

function col(m: MachineSim, name: string): number {
  const i = m.tags.findIndex((t) => t.name === name);
  if (i < 0) throw new Error(`no tag ${name}`);
  return i;
}

describe('Rng', () => {
  it('replays the same stream for the same seed and differs across seeds', () => {
    const a = new Rng('x');
    const b = new Rng('x');
    const c = new Rng('y');
    const sa = Array.from({ length: 5 }, () => a.normal());
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.normal())).not.toEqual(sa);
  });

  it('draws exponential times with the asked mean', () => {
    const r = new Rng(7);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += r.exponential(300);
    expect(sum / 20000).toBeGreaterThan(285);
    expect(sum / 20000).toBeLessThan(315);
  });
});

describe('signal primitives', () => {
  it('Lag heats toward a target and cools back more slowly', () => {
    const lag = new Lag(20, 100, 400);
    lag.approach(60, 100);
    expect(lag.value).toBeCloseTo(60 - 40 * Math.exp(-1), 6);
    const hot = lag.value;
    lag.approach(20, 100);
    expect(hot - lag.value).toBeLessThan(hot - 20 - (hot - 20) * Math.exp(-1)); // slower cooling
  });

  it('Drift stays near its standard deviation', () => {
    const d = new Drift(2, 60, new Rng(1));
    let sq = 0;
    for (let i = 0; i < 20000; i++) sq += d.step(5) ** 2;
    expect(Math.sqrt(sq / 20000)).toBeGreaterThan(1.6);
    expect(Math.sqrt(sq / 20000)).toBeLessThan(2.4);
  });

  it('StateModel walks running → fault/idle → running and counts running time exactly', () => {
    const sm = new StateModel({ mtbfS: 600, mttrS: 60, runBetweenStarveS: 300, starveS: 30 }, new Rng(3));
    const seen = new Set<string>();
    let running = 0;
    for (let i = 0; i < 36000; i++) {
      running += sm.advance(1);
      seen.add(sm.state);
    }
    expect([...seen].sort()).toEqual(['fault', 'idle', 'running']);
    expect(sm.transitions).toBeGreaterThan(100);
    // Availability ≈ 1 / (1 + 60/600 + 30/300) ≈ 0.83.
    expect(running / 36000).toBeGreaterThan(0.75);
    expect(running / 36000).toBeLessThan(0.9);
  });

  it('CycleCounter counts one part per cycle of running time with a few percent rejects', () => {
    const c = new CycleCounter(2, 0.03, new Rng(4));
    c.advance(0);
    expect(c.good + c.reject).toBe(0);
    c.advance(20000);
    expect(c.good + c.reject).toBeGreaterThan(9500);
    expect(c.good + c.reject).toBeLessThan(10500);
    expect(c.reject / (c.good + c.reject)).toBeGreaterThan(0.02);
    expect(c.reject / (c.good + c.reject)).toBeLessThan(0.04);
  });
});

describe('MachineSim', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const trace = (seed: string) => {
      const out: Value[][] = [];
      run('cnc-mill', seed, 0.5, (v) => out.push([...v]));
      return out;
    };
    const a = trace('demo/cnc-01');
    expect(trace('demo/cnc-01')).toEqual(a);
    expect(trace('demo/cnc-02')).not.toEqual(a);
  });

  it.each(KINDS)('%s keeps every tag in its physical range and type', (kind) => {
    // Collect problems instead of calling expect per value: 12 h × every tag is ~10^6 checks.
    const problems = new Set<string>();
    run(kind, `range/${kind}`, 12, (v, m) => {
      m.tags.forEach((t, i) => {
        const x = v[i];
        if (t.kind === 'string' || t.kind === 'boolean') {
          if (typeof x !== t.kind) problems.add(`${t.name} is ${typeof x}`);
        } else if (typeof x !== 'number' || !Number.isFinite(x)) problems.add(`${t.name}=${x}`);
        else if ((t.min !== undefined && x < t.min) || (t.max !== undefined && x > t.max)) problems.add(`${t.name}=${x} out of range`);
        else if ((t.kind === 'int32' || t.kind === 'uint32') && !Number.isInteger(x)) problems.add(`${t.name}=${x} not integer`);
      });
    });
    expect([...problems]).toEqual([]);
  });

  it.each(KINDS)('%s counters are monotonic, move only while running, and states change', (kind) => {
    let good = 0;
    let reject = 0;
    const states = new Set<string>();
    const problems = new Set<string>();
    const m = run(kind, `count/${kind}`, 12, (v, mm, prev) => {
      const g = v[col(mm, 'good_count')] as number;
      const r = v[col(mm, 'reject_count')] as number;
      if (g < good || r < reject) problems.add('counter went back');
      if (prev !== 'running' && mm.state !== 'running' && (g !== good || r !== reject)) problems.add('counted while stopped');
      if (v[col(mm, 'state_code')] !== STATE_CODES[mm.state]) problems.add('state_code disagrees with state');
      states.add(v[col(mm, 'state')] as string);
      good = g;
      reject = r;
    });
    expect([...problems]).toEqual([]);
    expect([...states].sort()).toEqual(['fault', 'idle', 'running']);
    expect(m.transitions).toBeGreaterThan(10);
    const type = MACHINE_TYPES[kind];
    expect(good + reject).toBeGreaterThan((12 * 3600 * 0.6) / type.cycleS);
    expect(reject / (good + reject)).toBeLessThan(type.rejectRate * 2.5);
  });

  it('a CNC mill cools when stopped, vibrates more when running and more still before a fault', () => {
    const m0 = new MachineSim({ type: MACHINE_TYPES['cnc-mill'], seed: 'x', startMs: T0 });
    const [iTemp, iVib, iSp, iSpeed] = ['spindle_temp', 'vibration_rms', 'spindle_speed_sp', 'spindle_speed'].map((n) => col(m0, n)) as [number, number, number, number];
    const vib: Record<string, number[]> = { running: [], idle: [], fault: [] };
    const recent: number[] = [];
    const beforeFault: number[] = [];
    const setpoints = new Set<number>();
    let stopStart: { temp: number; s: number } | undefined;
    const cooled: number[] = [];
    let s = 0;
    run('cnc-mill', 'physics/cnc', 12, (v, m, prev) => {
      s++;
      vib[m.state]!.push(v[iVib] as number);
      setpoints.add(v[iSp] as number);
      if (m.state !== 'running') expect(v[iSpeed]).toBeLessThan(13000);
      if (m.state === 'running') recent.push(v[iVib] as number);
      if (recent.length > 30) recent.shift();
      if (prev === 'running' && m.state === 'fault') beforeFault.push(...recent);
      if (prev === 'running' && m.state !== 'running') stopStart = { temp: v[iTemp] as number, s };
      if (prev !== 'running' && m.state === 'running' && stopStart) {
        if (s - stopStart.s >= 120) cooled.push(stopStart.temp - (v[iTemp] as number));
        stopStart = undefined;
      }
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(vib.running!)).toBeGreaterThan(5 * mean(vib.idle!));
    expect(mean(beforeFault)).toBeGreaterThan(1.5 * mean(vib.running!));
    expect(setpoints.size).toBeGreaterThan(1);
    expect(cooled.length).toBeGreaterThan(3);
    expect(cooled.every((d) => d > 0.3)).toBe(true);
  });

  it('adds extra aux tags that move and stay in range, without changing the own tags', () => {
    const plain = new MachineSim({ type: MACHINE_TYPES.press, seed: 's', startMs: T0 });
    const m = new MachineSim({ type: MACHINE_TYPES.press, seed: 's', startMs: T0, extraTags: 50 });
    expect(plain.tags).toHaveLength(11);
    expect(m.tags).toHaveLength(61);
    expect(m.tags[60]!.name).toBe('aux_050');
    const first = m.values.slice(11);
    for (let s = 1; s < 600; s++) m.step(T0 + s * 1000);
    const aux = m.values.slice(11) as number[];
    expect(aux.every((v) => v >= 0 && v <= 100)).toBe(true);
    expect(aux).not.toEqual(first);
    expect(m.values.slice(0, 2)).toEqual([m.state, STATE_CODES[m.state]]);
  });
});
