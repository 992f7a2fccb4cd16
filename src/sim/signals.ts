/**
 * Signal building blocks for the virtual factory: machine state with exponential fault and
 * starvation times, mean-reverting drift, first-order (thermal) lag, and cycle counters.
 * Every draw comes from a seeded {@link Rng}, so one seed replays one plant exactly.
 * Time is simulated: callers pass elapsed seconds, nothing here reads the clock.
 * @module
 */
import type { Rng } from './prng.js';

/** The states a simulated machine reports in its `state` tag. */
export type SimState = 'running' | 'idle' | 'fault';

/**
 * The integer `state_code` published beside `state`, so rules and OEE can use either.
 * 0 is left free for "unknown/off", as many PLCs do.
 */
export const STATE_CODES: Readonly<Record<SimState, number>> = { running: 1, idle: 2, fault: 3 };

/** Mean times of a machine's state model, in seconds of simulated time. */
export interface Reliability {
  /** Mean running time between faults (MTBF). */
  mtbfS: number;
  /** Mean time to repair a fault (MTTR). */
  mttrS: number;
  /** Mean running time between starvations (material not arriving). */
  runBetweenStarveS: number;
  /** Mean length of a starvation (idle period). */
  starveS: number;
  /** How long before a fault its precursors (rising vibration) show; defaults to 120 s. */
  precursorS?: number;
}

/**
 * The running/idle/fault state of one machine. Faults and starvations are memoryless events
 * counted in running time only (a machine that is not running does not wear), so the next
 * fault is known in advance — which is what lets vibration rise before it, as in real
 * predictive-maintenance data.
 */
export class StateModel {
  /** Current state. */
  state: SimState = 'running';
  /** Number of state changes so far (tests and logs use it). */
  transitions = 0;
  private runToFault: number;
  private runToStarve: number;
  private stateLeft = 0;
  private readonly precursorS: number;

  constructor(private readonly rel: Reliability, private readonly rng: Rng) {
    this.precursorS = rel.precursorS ?? 120;
    this.runToFault = rng.exponential(rel.mtbfS);
    this.runToStarve = rng.exponential(rel.runBetweenStarveS);
  }

  /**
   * Advance by `dtS` seconds, walking through every transition inside the interval so a long
   * step (a paused process) stays consistent. Returns the seconds spent running.
   */
  advance(dtS: number): number {
    let left = dtS;
    let running = 0;
    while (left > 0) {
      if (this.state === 'running') {
        const span = Math.min(left, this.runToFault, this.runToStarve);
        running += span;
        left -= span;
        this.runToFault -= span;
        this.runToStarve -= span;
        if (this.runToFault <= 0) {
          this.enter('fault', this.rng.exponential(this.rel.mttrS));
          this.runToFault = this.rng.exponential(this.rel.mtbfS);
        } else if (this.runToStarve <= 0) {
          this.enter('idle', this.rng.exponential(this.rel.starveS));
          this.runToStarve = this.rng.exponential(this.rel.runBetweenStarveS);
        }
      } else {
        const span = Math.min(left, this.stateLeft);
        left -= span;
        this.stateLeft -= span;
        if (this.stateLeft <= 0) this.enter('running', 0);
      }
    }
    return running;
  }

  /**
   * A remote command: `stop` holds the machine idle until `start`; `start` runs it (not out of a
   * fault); `reset` clears a fault into a held stop. Returns false when the command does not apply.
   */
  command(method: 'start' | 'stop' | 'reset'): boolean {
    if (method === 'stop') {
      if (this.state === 'fault') return false;
      this.enter('idle', Number.POSITIVE_INFINITY);
    } else if (method === 'start') {
      if (this.state === 'fault') return false;
      if (this.state !== 'running') this.enter('running', 0);
    } else {
      if (this.state !== 'fault') return false;
      this.enter('idle', Number.POSITIVE_INFINITY);
    }
    return true;
  }

  /** 0 far from a fault, rising to 1 at the moment of the next fault (only while running). */
  faultRisk(): number {
    if (this.state !== 'running' || this.runToFault >= this.precursorS) return 0;
    return 1 - this.runToFault / this.precursorS;
  }

  private enter(state: SimState, duration: number): void {
    this.state = state;
    this.stateLeft = duration;
    this.transitions++;
  }
}

/**
 * Mean-reverting random drift (an Ornstein–Uhlenbeck process) around 0: slow wander of a
 * sensor or process value that never runs away. Uses the exact discretisation, so any step
 * length gives the same statistics.
 */
export class Drift {
  /** Current offset. */
  value = 0;

  /**
   * @param sd long-run standard deviation of the offset
   * @param tauS time constant of the reversion, seconds (larger = slower wander)
   */
  constructor(private readonly sd: number, private readonly tauS: number, private readonly rng: Rng) {
    this.value = rng.normal(0, sd);
  }

  /** Advance by `dtS` seconds and return the new offset. */
  step(dtS: number): number {
    const decay = Math.exp(-dtS / this.tauS);
    this.value = this.value * decay + this.sd * Math.sqrt(1 - decay * decay) * this.rng.normal();
    return this.value;
  }
}

/**
 * First-order lag toward a target: a thermal mass heating while a machine runs and cooling
 * when it stops. Separate time constants because machines cool more slowly than they heat
 * under load.
 */
export class Lag {
  constructor(public value: number, private readonly heatTauS: number, private readonly coolTauS = heatTauS) {}

  /** Move toward `target` over `dtS` seconds and return the new value. */
  approach(target: number, dtS: number): number {
    const tau = target >= this.value ? this.heatTauS : this.coolTauS;
    this.value = target + (this.value - target) * Math.exp(-dtS / tau);
    return this.value;
  }
}

/**
 * Move `value` toward `target` by at most `ratePerS * dtS`: a drive ramping to its speed
 * setpoint.
 */
export function ramp(value: number, target: number, ratePerS: number, dtS: number): number {
  const max = ratePerS * dtS;
  const d = target - value;
  return Math.abs(d) <= max ? target : value + Math.sign(d) * max;
}

/** Clamp to [min, max]. */
export function clamp(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x;
}

/**
 * Good and reject counters of a producing machine. They advance only with running time, one
 * part per (slightly jittered) cycle, and never go back.
 */
export class CycleCounter {
  /** Parts made to specification. */
  good = 0;
  /** Parts rejected (scrap or rework). */
  reject = 0;
  private progressS = 0;
  private nextCycleS: number;

  constructor(private readonly cycleS: number, private readonly rejectRate: number, private readonly rng: Rng) {
    this.nextCycleS = this.drawCycle();
  }

  /** Add `runningS` seconds of running time; `rejectBoost` raises the reject rate (a failing machine). */
  advance(runningS: number, rejectBoost = 0): void {
    if (runningS <= 0) return;
    this.progressS += runningS;
    const p = Math.min(1, this.rejectRate * (1 + rejectBoost));
    while (this.progressS >= this.nextCycleS) {
      this.progressS -= this.nextCycleS;
      this.nextCycleS = this.drawCycle();
      if (this.rng.chance(p)) this.reject++;
      else this.good++;
    }
  }

  private drawCycle(): number {
    // ±3 % jitter, floored so a fast packer never gets a zero or negative cycle.
    return Math.max(this.cycleS * 0.5, this.rng.normal(this.cycleS, this.cycleS * 0.03));
  }
}

/** Hours since local midnight in Shanghai (UTC+8 all year: China has no daylight saving). */
export function shanghaiHour(tsMs: number): number {
  return (((tsMs / 3_600_000 + 8) % 24) + 24) % 24;
}

/**
 * Hall temperature of a Shanghai plant, °C: a daily swing peaking mid-afternoon. Machines
 * heat above it and cool back to it.
 */
export function hallTemperatureC(tsMs: number): number {
  return 26 + 3 * Math.sin((2 * Math.PI * (shanghaiHour(tsMs) - 9)) / 24);
}
