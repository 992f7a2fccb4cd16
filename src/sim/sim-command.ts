/**
 * The body of `lightsout sim`: run the virtual factory against a broker, log the achieved rate
 * every few seconds, and stop cleanly (DDEATH/NDEATH) on SIGINT/SIGTERM, after a set duration,
 * or when an AbortSignal fires. The CLI parses flags; this takes typed options.
 * @module
 */
import { pino } from 'pino';
import { FACTORY_DEFAULTS, VirtualFactory, type FactoryStats, type VirtualFactoryOptions } from './factory.js';
import type { SimLog } from './publish-gate.js';

/** Options of {@link runSim}: the factory's, plus how the run is reported and ended. */
export interface SimOptions extends Partial<VirtualFactoryOptions> {
  /** Seconds between progress lines. Default 5. */
  statsIntervalS?: number;
  /** Stop by itself after this many seconds (benchmarks); default: run until a signal. */
  durationS?: number;
  /** Stop when this aborts (embedding, tests). */
  signal?: AbortSignal;
  /** Called once the factory runs (its OPC UA and Modbus servers listen). */
  onStarted?: (factory: VirtualFactory) => void;
  /** Also stop on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
}

/** Defaults of {@link runSim}, for the CLI's help text. */
export const SIM_DEFAULTS = {
  ...FACTORY_DEFAULTS,
  mqttUrl: 'mqtt://127.0.0.1:1883',
  tags: 0,
  statsIntervalS: 5,
} as const;

/**
 * Run the virtual factory until a signal (or `durationS`, or `signal`), then stop it cleanly.
 * Resolves with the final counters. Progress goes to `log` (default: pino on stderr, so stdout
 * stays free for results).
 *
 * @example
 * const stats = await runSim({ mqttUrl: 'mqtt://127.0.0.1:1883', factories: 2, rateHz: 5, durationS: 60 });
 * console.log(JSON.stringify(stats));
 */
export async function runSim(opts: SimOptions = {}): Promise<FactoryStats> {
  const log: SimLog = opts.log ?? pino({ name: 'lightsout-sim' }, pino.destination(2));
  const factory = new VirtualFactory({ ...opts, mqttUrl: opts.mqttUrl ?? SIM_DEFAULTS.mqttUrl, log });
  log.info({ mqttUrl: opts.mqttUrl ?? SIM_DEFAULTS.mqttUrl, sites: factory.plant.sites.map((s) => s.name) }, 'starting the virtual factory');
  await factory.start();
  opts.onStarted?.(factory);

  let last = factory.stats();
  const every = Math.max(0.5, opts.statsIntervalS ?? SIM_DEFAULTS.statsIntervalS) * 1000;
  const progress = setInterval(() => {
    const now = factory.stats();
    const dt = now.seconds - last.seconds;
    if (dt > 0) {
      log.info(
        {
          pointsPerSec: Math.round((now.points - last.points) / dt),
          messagesPerSec: Math.round((now.messages - last.messages) / dt),
          droppedPerSec: Math.round((now.dropped - last.dropped) / dt),
          askedPointsPerSec: now.askedPointsPerSec,
          points: now.points,
          lateTicks: now.lateTicks,
        },
        'publishing',
      );
    }
    last = now;
  }, every);

  await new Promise<void>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const done = (why: string): void => {
      log.info({ why }, 'stopping the virtual factory');
      timers.forEach(clearTimeout);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onSigint = (): void => done('SIGINT');
    const onSigterm = (): void => done('SIGTERM');
    const onAbort = (): void => done('aborted');
    if (opts.handleSignals !== false) {
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigterm);
    }
    if (opts.signal?.aborted) return done('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.durationS !== undefined) timers.push(setTimeout(() => done('duration reached'), opts.durationS * 1000));
  });

  clearInterval(progress);
  await factory.stop();
  return factory.stats();
}
