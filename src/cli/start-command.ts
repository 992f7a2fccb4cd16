/**
 * `lightsout start`: load the config, start the platform, print where to go, stop cleanly on
 * SIGINT/SIGTERM. A bad setting or a taken port ends start-up with one clear line.
 * @module
 */
import { startPlatform } from '../app.js';
import { loadConfig } from '../config/load.js';
import { LightsoutError } from '../core/errors.js';
import { createLogger } from '../logger.js';

/** Flags of `lightsout start`, as commander gives them. */
export interface StartFlags {
  httpPort?: string;
  httpHost?: string;
  mqttPort?: string;
  mqttHost?: string;
  mqttUrl?: string;
  dataDir?: string;
  tenant?: string;
  tlsCert?: string;
  tlsKey?: string;
  demo?: boolean;
  sim?: boolean;
  config?: string;
  logLevel?: string;
  factories?: string;
  lines?: string;
  machines?: string;
  tags?: string;
  rate?: string;
}

/** Run the platform until a signal. */
export async function runStart(flags: StartFlags): Promise<void> {
  let config;
  try {
    config = loadConfig({
      file: flags.config,
      flags: {
        httpPort: flags.httpPort, httpHost: flags.httpHost, mqttPort: flags.mqttPort, mqttHost: flags.mqttHost,
        mqttUrl: flags.mqttUrl, dataDir: flags.dataDir, tenant: flags.tenant, demo: flags.demo, tlsCert: flags.tlsCert, tlsKey: flags.tlsKey,
        // commander sets sim=true by default for a --no-sim flag; only pass it when it was turned off.
        sim: flags.sim === false ? false : undefined,
        logLevel: flags.logLevel, simFactories: flags.factories, simLines: flags.lines,
        simMachines: flags.machines, simTags: flags.tags, simRate: flags.rate,
      },
    });
  } catch (err) {
    console.error(`lightsout: ${(err as Error).message}`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  let platform;
  try {
    platform = await startPlatform(config, log);
  } catch (err) {
    const e = err as LightsoutError;
    console.error(`lightsout: ${e instanceof LightsoutError ? e.message : `could not start: ${(err as Error).message}`}`);
    process.exit(1);
  }
  const lines = [
    '',
    `  Lightsout is running${config.demo ? ' with the virtual factory' : ''}.`,
    `  Dashboard:  ${platform.httpUrl}/`,
    `  API docs:   ${platform.httpUrl}/api/docs`,
    `  MQTT:       ${platform.mqttUrl}  (UNS: uns/${config.tenant}/<site>/<area>/<line>/<machine>/<tag>, Sparkplug B: spBv1.0/#)`,
    `  Log in:     ${platform.loginLink}`,
    `              (a one-time link for the admin user, valid 15 minutes)`,
    ...(platform.generatedAdminPassword !== undefined
      ? [
        `  First start: user "admin", password ${platform.generatedAdminPassword}`,
        '              This password is shown only now: keep it somewhere safe, or change it after logging in.',
      ]
      : ['  Users:      log in as "admin" or another user; `lightsout user passwd admin` resets a forgotten password.']),
    `  MQTT devices need credentials: \`lightsout device add <id> --tenant ${config.tenant}\`. Stop with Ctrl+C.`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: flushing ingest and closing storage');
    platform.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
