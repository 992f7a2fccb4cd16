/**
 * `lightsout sim`: the virtual factory as a standalone process.
 * @module
 */
import { createLogger } from '../logger.js';
import { runSim } from '../sim/sim-command.js';

/** Flags of `lightsout sim`. */
export interface SimFlags {
  mqttUrl: string;
  username?: string;
  password?: string;
  tenant: string;
  factories: string;
  lines: string;
  machines: string;
  tags: string;
  rate: string;
  seed: string;
}

function positive(name: string, raw: string, integer = true): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    console.error(`lightsout sim: --${name} must be a ${integer ? 'non-negative integer' : 'positive number'}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

/** Run the simulator until a signal. */
export async function runSimCommand(f: SimFlags): Promise<void> {
  const log = createLogger(process.env.LIGHTSOUT_LOG_LEVEL ?? 'info');
  await runSim({
    mqttUrl: f.mqttUrl, username: f.username, password: f.password, tenant: f.tenant,
    factories: positive('factories', f.factories), lines: positive('lines', f.lines), machines: positive('machines', f.machines),
    tags: positive('tags', f.tags), rateHz: positive('rate', f.rate, false), seed: positive('seed', f.seed), log,
  });
}
