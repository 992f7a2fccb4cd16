/**
 * `lightsout edge --config FILE`: the edge agent as a process. The composition root of the edge:
 * the only place that wires concrete connectors (OPC UA, Modbus) into the agent.
 * @module
 */
import { ModbusConnector } from '../connectors/modbus/modbus-connector.js';
import { OpcUaConnector } from '../connectors/opcua/opcua-connector.js';
import type { ConnectorContext, SupervisedConnector } from '../core/connector-port.js';
import type { ConnectorDefinition } from '../core/connector-settings.js';
import { LightsoutError } from '../core/errors.js';
import { EdgeAgent } from '../edge/edge-agent.js';
import { loadEdgeConfig } from '../edge/edge-config.js';
import { createLogger } from '../logger.js';

/** Flags of `lightsout edge`. */
export interface EdgeFlags {
  config: string;
  logLevel?: string;
}

/** The connector of a definition (kept here until src/connectors/connector-factory.ts exists). */
export function createEdgeConnector(def: ConnectorDefinition, ctx: ConnectorContext): SupervisedConnector {
  return def.kind === 'opcua' ? new OpcUaConnector(def, ctx) : new ModbusConnector(def, ctx);
}

/** Runs the edge agent until SIGINT/SIGTERM. A bad config file exits 2 with one line. */
export async function runEdgeCommand(f: EdgeFlags): Promise<void> {
  const log = createLogger(f.logLevel ?? process.env.LIGHTSOUT_LOG_LEVEL ?? 'info');
  let agent: EdgeAgent;
  try {
    const config = loadEdgeConfig(f.config);
    agent = new EdgeAgent({ config, createConnector: createEdgeConnector, log });
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
