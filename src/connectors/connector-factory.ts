/**
 * The one place that maps a connector kind to its implementation; the platform's composition
 * root and the edge agent's CLI both build connectors through it.
 * @module
 */
import type { ConnectorContext, SupervisedConnector } from '../core/connector-port.js';
import type { ConnectorDefinition } from '../core/connector-settings.js';
import { ModbusConnector } from './modbus/modbus-connector.js';
import { OpcUaConnector } from './opcua/opcua-connector.js';

/** Build (not start) the connector of a definition; throws LIGHTSOUT_CONFIG_INVALID for settings that cannot work. */
export function createConnector(def: ConnectorDefinition, ctx: ConnectorContext): SupervisedConnector {
  return def.kind === 'opcua' ? new OpcUaConnector(def, ctx) : new ModbusConnector(def, ctx);
}
