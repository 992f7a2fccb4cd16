/**
 * The catalogue of simulated machine types: their tags (with type, unit and range, which the
 * plant publishes as metadata), their reliability and their cycle. Protocol-neutral: the
 * Sparkplug and UNS publishers map {@link TagKind} onto their own types.
 * @module
 */
import type { Reliability } from './signals.js';

/** The kinds of simulated machine. */
export type MachineKind = 'cnc-mill' | 'press' | 'robot' | 'conveyor' | 'packer';

/** The value type of a simulated tag; maps onto Sparkplug datatypes and JSON scalars. */
export type TagKind = 'double' | 'float' | 'int32' | 'uint32' | 'boolean' | 'string';

/** One tag of a machine type. */
export interface TagSpec {
  /** Tag name, the last level of the tag path (snake_case, as PLC tags usually are). */
  name: string;
  kind: TagKind;
  /** Engineering unit, e.g. `rpm`, `°C`, `mm/s`; absent for states and counts. */
  unit?: string;
  /** Physical range the model keeps the value in (numbers only). */
  min?: number;
  max?: number;
  /** One line for people browsing the tag. */
  description: string;
  /** A setpoint the machine accepts writes to (remote commands). */
  writable?: boolean;
}

/** Everything the simulator needs to know about one kind of machine. */
export interface MachineType {
  kind: MachineKind;
  /** Prefix of machine ids: `cnc` gives `cnc-01`, `cnc-02`, ... */
  idPrefix: string;
  /** Human name for metadata and logs. */
  label: string;
  /** All tags, the common ones first. */
  tags: readonly TagSpec[];
  reliability: Reliability;
  /** Nominal cycle time per part, seconds. */
  cycleS: number;
  /** Fraction of parts rejected in normal running. */
  rejectRate: number;
  /** Rated power under full load, kW. */
  ratedKw: number;
  /** Power drawn when idle (controls, hydraulics, lighting), kW. */
  idleKw: number;
  /** Typical vibration RMS at full speed, mm/s (ISO 10816 "good" zone for the machine class). */
  vibrationMmS: number;
  /**
   * Fault injection methods of this kind (demos and tests), taken like {@link MACHINE_METHODS}:
   * `fault_coolant` (CNC mill: coolant pump fails, `spindle_temp` climbs while running),
   * `fault_oil_cooler` (press: `oil_temp` climbs while running). `reset` repairs them.
   */
  faultMethods?: readonly string[];
}

/** The methods every simulated machine takes as remote commands (`Commands/<method>`). */
export const MACHINE_METHODS = ['start', 'stop', 'reset'] as const;

/** One machine method. */
export type MachineMethod = (typeof MACHINE_METHODS)[number];

/** Every method a machine of this type takes: the common ones, then its fault injections. */
export function machineMethods(type: MachineType): readonly string[] {
  return type.faultMethods ? [...MACHINE_METHODS, ...type.faultMethods] : MACHINE_METHODS;
}

/** The tags every machine has, in this order; OEE and the demo dashboards rely on them. */
export const COMMON_TAGS: readonly TagSpec[] = [
  { name: 'state', kind: 'string', description: 'Machine state: running, idle or fault' },
  { name: 'state_code', kind: 'int32', min: 0, max: 3, description: 'Machine state as a number: 1 running, 2 idle, 3 fault' },
  { name: 'good_count', kind: 'uint32', min: 0, description: 'Good parts since the machine started' },
  { name: 'reject_count', kind: 'uint32', min: 0, description: 'Rejected parts since the machine started' },
  { name: 'power_kw', kind: 'float', unit: 'kW', min: 0, max: 200, description: 'Electrical power drawn' },
  { name: 'vibration_rms', kind: 'float', unit: 'mm/s', min: 0, max: 50, description: 'Vibration velocity RMS at the main bearing' },
];

function tags(...specific: TagSpec[]): readonly TagSpec[] {
  return [...COMMON_TAGS, ...specific];
}

/** The machine types, by kind. */
export const MACHINE_TYPES: Readonly<Record<MachineKind, MachineType>> = {
  'cnc-mill': {
    kind: 'cnc-mill', idPrefix: 'cnc', label: '5-axis CNC machining centre',
    tags: tags(
      { name: 'spindle_speed', kind: 'double', unit: 'rpm', min: 0, max: 15000, description: 'Measured spindle speed' },
      { name: 'spindle_speed_sp', kind: 'double', unit: 'rpm', min: 0, max: 15000, description: 'Spindle speed setpoint of the running program', writable: true },
      { name: 'spindle_load', kind: 'float', unit: '%', min: 0, max: 120, description: 'Spindle motor load' },
      { name: 'spindle_temp', kind: 'double', unit: '°C', min: 10, max: 90, description: 'Spindle bearing temperature' },
      { name: 'coolant_temp', kind: 'double', unit: '°C', min: 10, max: 45, description: 'Coolant temperature' },
      { name: 'feed_rate', kind: 'float', unit: 'mm/min', min: 0, max: 8000, description: 'Axis feed rate' },
      { name: 'tool_number', kind: 'int32', min: 1, max: 24, description: 'Tool in the spindle' },
    ),
    reliability: { mtbfS: 2400, mttrS: 300, runBetweenStarveS: 1500, starveS: 120 },
    cycleS: 42, rejectRate: 0.02, ratedKw: 30, idleKw: 3.5, vibrationMmS: 1.8, faultMethods: ['fault_coolant'],
  },
  press: {
    kind: 'press', idPrefix: 'press', label: 'Servo-hydraulic stamping press',
    tags: tags(
      { name: 'stroke_rate', kind: 'float', unit: 'spm', min: 0, max: 40, description: 'Strokes per minute' },
      { name: 'tonnage', kind: 'float', unit: 'kN', min: 0, max: 4000, description: 'Peak force of the last stroke' },
      { name: 'hydraulic_pressure', kind: 'float', unit: 'bar', min: 0, max: 320, description: 'Main hydraulic pressure' },
      { name: 'oil_temp', kind: 'double', unit: '°C', min: 10, max: 75, description: 'Hydraulic oil temperature' },
      { name: 'die_temp', kind: 'double', unit: '°C', min: 10, max: 80, description: 'Die temperature' },
    ),
    reliability: { mtbfS: 3000, mttrS: 420, runBetweenStarveS: 900, starveS: 90 },
    cycleS: 3, rejectRate: 0.03, ratedKw: 75, idleKw: 9, vibrationMmS: 4.5, faultMethods: ['fault_oil_cooler'],
  },
  robot: {
    kind: 'robot', idPrefix: 'robot', label: '6-axis industrial robot',
    tags: tags(
      { name: 'tcp_speed', kind: 'float', unit: 'mm/s', min: 0, max: 2000, description: 'Tool centre point speed' },
      { name: 'axis2_torque', kind: 'float', unit: '%', min: -120, max: 120, description: 'Axis 2 (shoulder) torque, % of rated' },
      { name: 'motor_temp', kind: 'double', unit: '°C', min: 10, max: 85, description: 'Hottest axis motor temperature' },
      { name: 'gripper_closed', kind: 'boolean', description: 'Gripper holds a part' },
      { name: 'program', kind: 'string', description: 'Running robot program' },
    ),
    reliability: { mtbfS: 5400, mttrS: 240, runBetweenStarveS: 1200, starveS: 100 },
    cycleS: 12, rejectRate: 0.01, ratedKw: 7.5, idleKw: 0.8, vibrationMmS: 0.9,
  },
  conveyor: {
    kind: 'conveyor', idPrefix: 'conveyor', label: 'Belt conveyor',
    tags: tags(
      { name: 'belt_speed', kind: 'float', unit: 'm/min', min: 0, max: 60, description: 'Belt speed' },
      { name: 'motor_current', kind: 'float', unit: 'A', min: 0, max: 25, description: 'Drive motor current' },
      { name: 'motor_temp', kind: 'double', unit: '°C', min: 10, max: 80, description: 'Drive motor temperature' },
    ),
    reliability: { mtbfS: 7200, mttrS: 180, runBetweenStarveS: 1800, starveS: 150 },
    cycleS: 4, rejectRate: 0.005, ratedKw: 4, idleKw: 0.2, vibrationMmS: 1.1,
  },
  packer: {
    kind: 'packer', idPrefix: 'packer', label: 'Flow-wrap packing machine',
    tags: tags(
      { name: 'packs_per_min', kind: 'float', unit: 'ppm', min: 0, max: 120, description: 'Packing rate' },
      { name: 'seal_temp', kind: 'double', unit: '°C', min: 10, max: 220, description: 'Sealing jaw temperature' },
      { name: 'seal_temp_sp', kind: 'double', unit: '°C', min: 0, max: 220, description: 'Sealing jaw temperature setpoint', writable: true },
      { name: 'film_remaining', kind: 'float', unit: '%', min: 0, max: 100, description: 'Film left on the reel' },
    ),
    reliability: { mtbfS: 1800, mttrS: 240, runBetweenStarveS: 600, starveS: 60 },
    cycleS: 1.2, rejectRate: 0.035, ratedKw: 6, idleKw: 2.5, vibrationMmS: 2.2,
  },
};

/**
 * The extra tags added to reach a requested tag count (for scale tests): generic process
 * values named `aux_001`, `aux_002`, ...
 */
export function auxTag(index: number): TagSpec {
  return {
    name: `aux_${String(index + 1).padStart(3, '0')}`,
    kind: 'double',
    unit: '%',
    min: 0,
    max: 100,
    description: 'Auxiliary process value (added for scale)',
  };
}

/** A machine type's own tags followed by `extra` auxiliary tags (`aux_001`, ...). */
export function tagsFor(type: MachineType, extra = 0): TagSpec[] {
  const out = [...type.tags];
  for (let i = 0; i < extra; i++) out.push(auxTag(i));
  return out;
}
