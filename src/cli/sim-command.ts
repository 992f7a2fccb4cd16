/**
 * `lightsout sim`: the virtual factory as a standalone process.
 * @module
 */
import { createLogger } from '../logger.js';
import { writeFileSync } from 'node:fs';
import { runSim } from '../sim/sim-command.js';
import type { ProtocolMix } from '../sim/plant.js';

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
  protocol: string;
  opcuaPort: string;
  modbusPort: string;
  serverHost: string;
  connectorsOut?: string;
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
  if (!['all', 'mixed', 'sparkplug', 'uns'].includes(f.protocol)) {
    console.error(`lightsout sim: --protocol must be all, mixed, sparkplug or uns, got "${f.protocol}"`);
    process.exit(2);
  }
  await runSim({
    mqttUrl: f.mqttUrl, username: f.username, password: f.password, tenant: f.tenant,
    factories: positive('factories', f.factories), lines: positive('lines', f.lines), machines: positive('machines', f.machines),
    tags: positive('tags', f.tags), rateHz: positive('rate', f.rate, false), seed: positive('seed', f.seed), log,
    protocol: f.protocol as ProtocolMix, opcuaPort: positive('opcua-port', f.opcuaPort), modbusPort: positive('modbus-port', f.modbusPort), serverHost: f.serverHost,
    onStarted: (factory) => {
      const served = factory.connectorSettings();
      const connectors = [
        ...(served.opcua ? [{ id: 'sim-opcua', kind: 'opcua', description: 'virtual factory OPC UA server', settings: served.opcua.settings }] : []),
        ...served.modbus.map((m, i) => ({ id: `sim-modbus-${i + 1}`, kind: 'modbus', description: `virtual factory PLC of ${m.machine}`, settings: m.settings })),
      ];
      if (served.opcua) log.info({ endpointUrl: served.opcua.settings.endpointUrl, machines: served.opcua.settings.browseRules?.length ?? 0 }, 'OPC UA server listening (trust its certificate in the connector: docs/connectors.md)');
      if (served.modbus.length > 0) log.info({ host: served.modbus[0]!.settings.host, port: served.modbus[0]!.settings.port, units: served.modbus.length }, 'Modbus TCP server listening');
      if (f.connectorsOut && connectors.length > 0) {
        writeFileSync(f.connectorsOut, `${JSON.stringify({ connectors }, null, 2)}\n`);
        log.info({ file: f.connectorsOut }, 'connector definitions written (lightsout start --config FILE)');
      }
    },
  });
}
