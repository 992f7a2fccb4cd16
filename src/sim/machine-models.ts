/**
 * The physics of each machine kind: what its own tags do given the machine's state. Each model
 * writes its kind-specific tag values (in the order of {@link MACHINE_TYPES}' tags, after the
 * common ones) and reports load and speed, from which the common power and vibration follow.
 * @module
 */
import type { MachineKind, MachineType } from './machine-types.js';
import type { Rng } from './prng.js';
import { CoolingFault } from './cooling-fault.js';
import { clamp, Drift, Lag, ramp, type SimState } from './signals.js';
import type { Value } from '../core/point.js';

/** What a kind model sees on each step. */
export interface StepContext {
  /** Seconds since the previous step. */
  dtS: number;
  /** Simulated time now, epoch ms. */
  tsMs: number;
  /** State at the end of the step. */
  state: SimState;
  /** Seconds of the step spent running. */
  runningS: number;
  /** Parts finished during the step (good + reject). */
  parts: number;
  /** Fault precursor, 0..1 (see StateModel.faultRisk). */
  risk: number;
  /** Hall temperature, °C. */
  hallC: number;
}

/** What a kind model tells the machine about itself, for power and vibration. */
export interface LoadSpeed {
  /** Relative mechanical load, 0..1. */
  load: number;
  /** Relative speed of the main drive, 0..1. */
  speed: number;
}

/**
 * A kind model: writes `out[0..]` (its own tags) and returns load and speed. `write` takes a
 * remote write to one of its setpoints and says whether it applied it; `call` takes one of the
 * kind's fault injection methods (MachineType.faultMethods), `repair` undoes them (on `reset`).
 */
export type KindModel = ((ctx: StepContext, out: Value[]) => LoadSpeed) & {
  write?: (name: string, value: Value) => boolean;
  call?: (method: string) => boolean;
  repair?: () => boolean;
};

/** Give a model a cooling fault taken by the call `method`. */
function withCoolingFault(model: KindModel, fault: CoolingFault, method: string): KindModel {
  model.call = (m) => {
    if (m !== method) return false;
    fault.fail();
    return true;
  };
  model.repair = () => fault.repair();
  return model;
}

/** Round to `d` decimals: instruments report finite resolution, and it keeps payloads short. */
export function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function cncMill(_t: MachineType, rng: Rng): KindModel {
  const programs = [6000, 8000, 9500, 12000];
  let sp = rng.pick(programs);
  let baseLoad = rng.uniform(35, 75);
  let tool = rng.int(1, 24);
  let untilProgram = rng.exponential(480);
  let speed = sp;
  const spindle = new Lag(0, 600, 1200);
  const coolant = new Lag(0, 900, 1500);
  const drift = new Drift(1.2, 1800, rng);
  const coolantFault = new CoolingFault();
  let first = true;
  const model: KindModel = (c, out) => {
    // A new program brings a new speed setpoint, load and tool: the "setpoint steps".
    untilProgram -= c.runningS;
    if (untilProgram <= 0) {
      sp = rng.pick(programs);
      baseLoad = rng.uniform(35, 75);
      tool = rng.int(1, 24);
      untilProgram = rng.exponential(480);
    }
    const running = c.state === 'running';
    speed = ramp(speed, running ? sp : 0, running ? 3000 : 4000, c.dtS);
    const rel = sp > 0 ? speed / sp : 0;
    const load = speed > 0 ? clamp(baseLoad * rel + rng.normal(0, 2) + c.risk * 15, 0, 120) : 0;
    const heat = (speed / 12000) * (0.5 + load / 100);
    if (first) {
      spindle.value = c.hallC + 6 + 24 * heat;
      coolant.value = c.hallC + 2 + 5 * heat;
      first = false;
    }
    spindle.approach(c.hallC + 6 + 24 * heat + drift.step(c.dtS), c.dtS);
    coolant.approach(c.hallC + 2 + 5 * heat, c.dtS);
    out[0] = round(Math.max(0, speed + (speed > 0 ? rng.normal(0, 0.002 * speed) : 0)), 1);
    out[1] = sp;
    out[2] = round(load, 1);
    // A failed coolant pump heats the spindle bearing while it turns (fault_coolant).
    out[3] = round(clamp(coolantFault.apply(spindle.value, c.runningS, c.dtS, 89.5) + rng.normal(0, 0.1), 10, 90), 2);
    out[4] = round(clamp(coolant.value + rng.normal(0, 0.08), 10, 45), 2);
    out[5] = round(speed > 0 ? clamp(sp * 0.4 * rel + rng.normal(0, 10), 0, 8000) : 0, 0);
    out[6] = tool;
    return { load: load / 100, speed: speed / 15000 };
  };
  // An operator's setpoint holds until the next program starts.
  model.write = (name, value) => {
    if (name !== 'spindle_speed_sp' || typeof value !== 'number' || value < 0 || value > 15000) return false;
    sp = value;
    return true;
  };
  return withCoolingFault(model, coolantFault, 'fault_coolant');
}

function press(t: MachineType, rng: Rng): KindModel {
  const spm = 60 / t.cycleS;
  let rate = spm;
  const oil = new Lag(0, 900, 1800);
  const die = new Lag(0, 600, 1200);
  const force = new Drift(40, 900, rng);
  const coolerFault = new CoolingFault(1);
  let first = true;
  const model: KindModel = (c, out) => {
    const running = c.state === 'running';
    rate = ramp(rate, running ? spm : 0, spm / 2, c.dtS);
    const pressure = running ? 250 + rng.normal(0, 4) : c.state === 'idle' ? 80 + rng.normal(0, 2) : 0;
    const oilTarget = c.hallC + (running ? 25 : c.state === 'idle' ? 8 : 0);
    const dieTarget = c.hallC + (running ? 30 : 0);
    if (first) {
      oil.value = oilTarget;
      die.value = dieTarget;
      first = false;
    }
    oil.approach(oilTarget, c.dtS);
    die.approach(dieTarget, c.dtS);
    const tonnage = rate > 0 ? 2500 + force.step(c.dtS) + rng.normal(0, 25) + c.risk * 200 : 0;
    out[0] = round(rate, 1);
    out[1] = round(clamp(tonnage, 0, 4000), 0);
    out[2] = round(clamp(pressure, 0, 320), 1);
    // A failed oil cooler heats the hydraulic oil while the press strokes (fault_oil_cooler).
    out[3] = round(clamp(coolerFault.apply(oil.value, c.runningS, c.dtS, 74.5) + rng.normal(0, 0.1), 10, 75), 2);
    out[4] = round(clamp(die.value + rng.normal(0, 0.15), 10, 80), 2);
    return { load: running ? 0.7 : c.state === 'idle' ? 0.1 : 0, speed: rate / spm };
  };
  return withCoolingFault(model, coolerFault, 'fault_oil_cooler');
}

function robot(t: MachineType, rng: Rng): KindModel {
  const programs = ['PICK_PLACE_A', 'WELD_SEAM_3', 'PALLETIZE_12', 'SCREW_M6'];
  let program = rng.pick(programs);
  let untilProgram = rng.exponential(900);
  let phaseS = rng.uniform(0, t.cycleS);
  let gripper = false;
  const motor = new Lag(0, 700, 1400);
  let first = true;
  return (c, out) => {
    untilProgram -= c.runningS;
    if (untilProgram <= 0) {
      program = rng.pick(programs);
      untilProgram = rng.exponential(900);
    }
    const running = c.state === 'running';
    phaseS = (phaseS + c.runningS) % t.cycleS;
    const wave = Math.sin((2 * Math.PI * phaseS) / t.cycleS);
    if (running) gripper = phaseS / t.cycleS >= 0.25 && phaseS / t.cycleS < 0.75;
    else if (c.state === 'idle') gripper = false;
    const speed = running ? 1500 * Math.abs(wave) : 0;
    // Idle: holding the arm against gravity; fault: brakes on, no torque.
    const torque = running ? 40 * wave + (gripper ? 25 : 5) : c.state === 'idle' ? 12 : 0;
    const load = running ? 0.5 + 0.3 * Math.abs(wave) : 0.05;
    const target = c.hallC + 8 + 22 * load;
    if (first) {
      motor.value = target;
      first = false;
    }
    motor.approach(target, c.dtS);
    out[0] = round(clamp(speed + (running ? rng.normal(0, 5) : 0), 0, 2000), 1);
    out[1] = round(clamp(torque + (torque !== 0 ? rng.normal(0, 1.5) + c.risk * 10 : 0), -120, 120), 1);
    out[2] = round(clamp(motor.value + rng.normal(0, 0.1), 10, 85), 2);
    out[3] = gripper;
    out[4] = program;
    return { load, speed: speed / 2000 };
  };
}

function conveyor(_t: MachineType, rng: Rng): KindModel {
  const sp = 30;
  let belt = sp;
  const motor = new Lag(0, 600, 1200);
  const friction = new Drift(0.1, 3600, rng);
  let first = true;
  return (c, out) => {
    const running = c.state === 'running';
    belt = ramp(belt, running ? sp : 0, 30, c.dtS);
    const rel = belt / sp;
    const current = belt > 0 ? 2 + 8 * rel * (1 + friction.step(c.dtS)) + c.risk * 3 + rng.normal(0, 0.1) : 0;
    const target = c.hallC + 5 + 25 * rel;
    if (first) {
      motor.value = target;
      first = false;
    }
    motor.approach(target, c.dtS);
    out[0] = round(belt > 0 ? clamp(belt + rng.normal(0, 0.05), 0, 60) : 0, 2);
    out[1] = round(clamp(current, 0, 25), 2);
    out[2] = round(clamp(motor.value + rng.normal(0, 0.1), 10, 80), 2);
    return { load: rel * 0.6, speed: rel };
  };
}

function packer(t: MachineType, rng: Rng): KindModel {
  const ppm = 60 / t.cycleS;
  const setpoints = [150, 165, 180];
  let sp = rng.pick(setpoints);
  let untilChange = rng.exponential(3600);
  let film = rng.uniform(20, 100);
  const jaw = new Lag(sp, 120, 900);
  const model: KindModel = (c, out) => {
    untilChange -= c.runningS;
    if (untilChange <= 0) {
      sp = rng.pick(setpoints);
      untilChange = rng.exponential(3600);
    }
    const running = c.state === 'running';
    // The heater stays on while starved (so packing resumes at once) and trips on a fault.
    jaw.approach(c.state === 'fault' ? c.hallC : sp - (running ? 2 : 0), c.dtS);
    // A reel holds ~3000 packs; the automatic splicer loads a new one when it runs out.
    film -= (c.parts * 100) / 3000;
    if (film <= 0) film += 100;
    out[0] = round(running ? clamp(ppm + rng.normal(0, 0.8), 0, 120) : 0, 1);
    out[1] = round(clamp(jaw.value + rng.normal(0, 0.3), 10, 220), 1);
    out[2] = sp;
    out[3] = round(clamp(film, 0, 100), 1);
    return { load: running ? 0.6 : c.state === 'idle' ? 0.3 : 0, speed: running ? 1 : 0 };
  };
  // An operator's setpoint holds until the next product change.
  model.write = (name, value) => {
    if (name !== 'seal_temp_sp' || typeof value !== 'number' || value < 0 || value > 220) return false;
    sp = value;
    return true;
  };
  return model;
}

const FACTORIES: Record<MachineKind, (t: MachineType, rng: Rng) => KindModel> = {
  'cnc-mill': cncMill,
  press,
  robot,
  conveyor,
  packer,
};

/** Create the kind model of one machine, drawing from the machine's own random stream. */
export function createKindModel(type: MachineType, rng: Rng): KindModel {
  return FACTORIES[type.kind](type, rng);
}
