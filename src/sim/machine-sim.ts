/**
 * One simulated machine: its state model, counters and kind physics stepped together, so the
 * values it reports stay consistent (counters stop when it stops, temperatures cool, vibration
 * rises before a fault).
 * @module
 */
import { createKindModel, round, type KindModel, type StepContext } from './machine-models.js';
import { COMMON_TAGS, machineMethods, tagsFor, type MachineType, type TagSpec } from './machine-types.js';
import { Rng, type Seed } from './prng.js';
import { clamp, CycleCounter, hallTemperatureC, STATE_CODES, StateModel, type SimState } from './signals.js';
import type { Value } from '../core/point.js';

/** Options of one simulated machine. */
export interface MachineSimOptions {
  type: MachineType;
  /** Seed of this machine's random stream; derive it from the plant seed and the asset path. */
  seed: Seed;
  /** Simulated time of the first values, epoch ms. */
  startMs: number;
  /** Auxiliary tags added to the type's own (scale runs). Default 0. */
  extraTags?: number;
}

/**
 * Extra `aux_NNN` tags for scale runs. Kept in typed arrays and stepped together because a
 * benchmark may ask for hundreds of thousands of them per second.
 */
class AuxBank {
  private readonly base: Float64Array;
  private readonly drift: Float64Array;

  constructor(count: number, private readonly rng: Rng) {
    this.base = new Float64Array(count);
    this.drift = new Float64Array(count);
    for (let i = 0; i < count; i++) this.base[i] = rng.uniform(20, 80);
  }

  step(dtS: number, runFrac: number, out: Value[], offset: number): void {
    // Same mean-reverting drift as signals.Drift (sd 5, tau 300 s), with the decay shared.
    const decay = Math.exp(-dtS / 300);
    const kick = 5 * Math.sqrt(1 - decay * decay);
    for (let i = 0; i < this.base.length; i++) {
      const d = this.drift[i]! * decay + kick * this.rng.normal();
      this.drift[i] = d;
      out[offset + i] = round(clamp(this.base[i]! + d + 10 * runFrac, 0, 100), 2);
    }
  }
}

/**
 * A simulated machine. Call {@link MachineSim.step} with increasing times; read
 * {@link MachineSim.values}, aligned with {@link MachineSim.tags}.
 *
 * @example
 * const m = new MachineSim({ type: MACHINE_TYPES['cnc-mill'], seed: 'demo/cnc-01', startMs: Date.now() });
 * m.step(Date.now() + 1000);
 * console.log(m.tags.map((t, i) => `${t.name}=${m.values[i]}`));
 */
export class MachineSim {
  /** The tags this machine publishes, in a fixed order. */
  readonly tags: readonly TagSpec[];
  /** Latest value of each tag, aligned with {@link tags}; reused between steps (copy to keep). */
  readonly values: Value[];
  /** The methods it takes: `start`, `stop`, `reset`, then its type's fault injections. */
  readonly methods: readonly string[];
  private readonly type: MachineType;
  private readonly rng: Rng;
  private readonly states: StateModel;
  private readonly counter: CycleCounter;
  private readonly kind: KindModel;
  private readonly kindOut: Value[];
  private readonly aux: AuxBank | undefined;
  private readonly ownCount: number;
  private lastMs: number;

  constructor(opts: MachineSimOptions) {
    this.type = opts.type;
    this.rng = new Rng(opts.seed);
    this.tags = tagsFor(opts.type, opts.extraTags);
    this.methods = machineMethods(opts.type);
    this.values = new Array<Value>(this.tags.length).fill(0);
    this.ownCount = opts.type.tags.length;
    this.states = new StateModel(opts.type.reliability, this.rng);
    this.counter = new CycleCounter(opts.type.cycleS, opts.type.rejectRate, this.rng);
    this.kind = createKindModel(opts.type, this.rng);
    this.kindOut = new Array<Value>(opts.type.tags.length - COMMON_TAGS.length).fill(0);
    const auxCount = this.tags.length - this.ownCount;
    this.aux = auxCount > 0 ? new AuxBank(auxCount, this.rng) : undefined;
    this.lastMs = opts.startMs;
    this.compute(0, 0, 0);
  }

  /** Current state. */
  get state(): SimState {
    return this.states.state;
  }

  /** State changes so far. */
  get transitions(): number {
    return this.states.transitions;
  }

  /**
   * A remote write to a writable tag (a setpoint). Applied at once: {@link values} shows it, so
   * the next publish reads it back. Returns false for an unknown, read-only or out-of-range tag.
   */
  write(name: string, value: Value): boolean {
    const i = this.tags.findIndex((t) => t.name === name);
    if (i < 0 || this.tags[i]!.writable !== true || typeof value !== typeof this.values[i]) return false;
    if (this.kind.write?.(name, value) !== true) return false;
    this.values[i] = value;
    return true;
  }

  /**
   * A remote method call; the state tags change at once. `start`, `stop`, `reset` (a reset also
   * repairs an injected cooling fault), or one of the type's fault injections (`fault_coolant`).
   * Returns false for an unknown method or one that does not apply now.
   */
  call(method: string): boolean {
    if (method === 'reset') {
      const repaired = this.kind.repair?.() === true;
      return this.command('reset') || repaired;
    }
    if (method === 'start' || method === 'stop') return this.command(method);
    return this.methods.includes(method) && this.kind.call?.(method) === true;
  }

  private command(method: 'start' | 'stop' | 'reset'): boolean {
    if (!this.states.command(method)) return false;
    this.values[0] = this.states.state;
    this.values[1] = STATE_CODES[this.states.state];
    return true;
  }

  /** Advance to simulated time `tsMs` (earlier times are treated as no time passing). */
  step(tsMs: number): void {
    const dtS = Math.max(0, (tsMs - this.lastMs) / 1000);
    this.lastMs = Math.max(this.lastMs, tsMs);
    const runningS = this.states.advance(dtS);
    const before = this.counter.good + this.counter.reject;
    // A machine near a fault makes more scrap as well as shaking more.
    this.counter.advance(runningS, this.states.faultRisk() * 3);
    this.compute(dtS, runningS, this.counter.good + this.counter.reject - before);
  }

  private compute(dtS: number, runningS: number, parts: number): void {
    const state = this.states.state;
    const risk = this.states.faultRisk();
    const ctx: StepContext = { dtS, tsMs: this.lastMs, state, runningS, parts, risk, hallC: hallTemperatureC(this.lastMs) };
    const { load, speed } = this.kind(ctx, this.kindOut);
    const t = this.type;
    const noise = this.rng.normal();
    const power =
      state === 'fault' ? t.idleKw * 0.6 : t.idleKw + (state === 'running' ? (t.ratedKw - t.idleKw) * clamp(load, 0, 1.2) : 0);
    const vibration = this.vibration(state, speed, risk);
    const own: Value[] = [
      state,
      STATE_CODES[state],
      this.counter.good,
      this.counter.reject,
      round(Math.max(0, power * (1 + 0.02 * noise)), 2),
      round(vibration, 3),
    ];
    const v = this.values;
    for (let i = 0; i < own.length; i++) v[i] = own[i]!;
    for (let i = own.length; i < this.ownCount; i++) v[i] = this.kindOut[i - own.length]!;
    this.aux?.step(dtS, dtS > 0 ? runningS / dtS : 1, v, this.ownCount);
  }

  private vibration(state: SimState, speed: number, risk: number): number {
    const rng = this.rng;
    if (state === 'fault') return Math.abs(rng.normal(0.02, 0.01));
    if (state === 'idle') return Math.abs(rng.normal(0.08, 0.02));
    const base = this.type.vibrationMmS * (0.3 + 0.7 * clamp(speed, 0, 1));
    // Bearing wear shows as a rising level and growing spikes before the fault.
    let v = base * (1 + 3 * risk * risk) + Math.abs(rng.normal(0, 0.05 * base));
    if (risk > 0 && rng.chance(risk * 0.5)) v += rng.uniform(2, 6) * risk * this.type.vibrationMmS;
    return clamp(v, 0, 50);
  }
}
