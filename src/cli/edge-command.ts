/**
 * `lightsout edge --config FILE`: the edge agent as a process. The composition root of the edge:
 * the only place that wires concrete connectors (OPC UA, Modbus) into the agent.
 * @module
 */
import { createConnector } from '../connectors/connector-factory.js';
import { LightsoutError } from '../core/errors.js';
import { EdgeAgent } from '../edge/edge-agent.js';
import { loadEdgeConfig } from '../edge/edge-config.js';
import { createLogger } from '../logger.js';

/** Flags of `lightsout edge`. */
export interface EdgeFlags {
  config: string;
  logLevel?: string;
}

/** Runs the edge agent until SIGINT/SIGTERM. A bad config file exits 2 with one line. */
export async function runEdgeCommand(f: EdgeFlags): Promise<void> {
  const log = createLogger(f.logLevel ?? process.env.LIGHTSOUT_LOG_LEVEL ?? 'info');
  let agent: EdgeAgent;
  try {
    const config = loadEdgeConfig(f.config);
    agent = new EdgeAgent({ config, createConnector, log });
    await agent.start();
  } catch (err) {
    if (err instanceof LightsoutError) {
      console.error(`lightsout edge: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  log.info({ node: agent.name }, 'edge agent started');
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'edge agent stopping');
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
