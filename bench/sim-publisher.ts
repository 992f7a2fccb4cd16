/**
 * High-rate Sparkplug B publisher for benchmarks, run as its own process so its CPU is not the
 * receiver's. Births N nodes × D devices × M metrics, publishes DDATA at --rate per device
 * (0 = flat out, paced by PUBACKs under QoS 1), then prints one JSON line on stdout:
 * {points, messages, seconds, pointsPerSec, ...}. Progress goes to stderr.
 *
 *   npx tsx bench/sim-publisher.ts --mqtt-url mqtt://127.0.0.1:1883 --nodes 10 --devices 10 \
 *     --metrics 50 --rate 0 --duration 10 --qos 1
 */
import { Command, InvalidArgumentError } from 'commander';
import { HIGH_RATE_DEFAULTS, runHighRatePublisher } from '../src/sim/high-rate-publisher.js';
import type { SimLog } from '../src/sim/publish-gate.js';

function num(integer: boolean, min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`must be ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
    }
    return n;
  };
}

const d = HIGH_RATE_DEFAULTS;
const cmd = new Command()
  .name('sim-publisher')
  .description('Sparkplug B DDATA as fast as asked; prints {points, messages, seconds, pointsPerSec} as JSON')
  .option('--mqtt-url <url>', 'broker', 'mqtt://127.0.0.1:1883')
  .option('--username <name>', 'MQTT user name')
  .option('--password <secret>', 'MQTT password')
  .option('--nodes <n>', 'edge nodes (one connection each)', num(true, 1), d.nodes)
  .option('--devices <n>', 'devices per node', num(true, 1), d.devices)
  .option('--metrics <n>', 'metrics per device', num(true, 1), d.metrics)
  .option('--rate <hz>', 'DDATA per device per second; 0 = flat out', num(false, 0), d.rate)
  .option('--duration <s>', 'seconds of publishing', num(false, 0.1), d.durationS)
  .option('--qos <0|1>', 'QoS of DDATA', num(true, 0), d.qos)
  .option('--window <n>', 'unacknowledged QoS 1 messages per node', num(true, 1), d.window)
  .option('--group <id>', 'Sparkplug group_id', d.group)
  .option('--quiet', 'no progress on stderr')
  .parse();

const f = cmd.opts<{ mqttUrl: string; username?: string; password?: string; nodes: number; devices: number; metrics: number; rate: number; duration: number; qos: number; window: number; group: string; quiet?: boolean }>();
if (f.qos !== 0 && f.qos !== 1) cmd.error('--qos must be 0 or 1');

const line = (obj: object, msg?: string): void => void process.stderr.write(`[sim-publisher] ${msg ?? ''} ${JSON.stringify(obj)}\n`);
const log: SimLog = f.quiet ? { info() {}, warn: line, error: line, debug() {} } : { info: line, warn: line, error: line, debug() {} };

try {
  const result = await runHighRatePublisher({
    mqttUrl: f.mqttUrl, username: f.username, password: f.password, nodes: f.nodes, devices: f.devices, metrics: f.metrics,
    rate: f.rate, durationS: f.duration, qos: f.qos as 0 | 1, window: f.window, group: f.group, log,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stderr.write(`sim-publisher: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
