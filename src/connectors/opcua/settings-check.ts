/**
 * Settings an OPC UA connector refuses before it tries anything: these cannot work, so they stop
 * the connector with LIGHTSOUT_CONFIG_INVALID instead of retrying forever.
 * @module
 */
import { resolveNodeId } from 'node-opcua';
import type { OpcUaSettings } from '../../core/connector-settings.js';
import { LightsoutError } from '../../core/errors.js';

function invalid(message: string, field: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_CONFIG_INVALID', message, { details: { field } });
}

function checkNodeId(id: string, field: string): void {
  try {
    resolveNodeId(id);
  } catch {
    throw invalid(`${field}: "${id}" is not an OPC UA node id (e.g. ns=2;s=Line1.Temp)`, field);
  }
}

/** Throw LIGHTSOUT_CONFIG_INVALID naming the first setting that cannot work. */
export function checkSettings(s: OpcUaSettings): void {
  if (!/^opc\.tcp:\/\/[^/\s]+/.test(s.endpointUrl)) throw invalid(`endpointUrl "${s.endpointUrl}" must be opc.tcp://host:port`, 'endpointUrl');
  if (s.securityMode === 'None' && s.allowInsecure !== true) {
    throw invalid('securityMode None sends values and passwords unsigned and unencrypted; use Sign or SignAndEncrypt, or set allowInsecure: true to accept that risk', 'securityMode');
  }
  if (s.login.kind === 'certificate' && (!s.login.certificateFile || !s.login.privateKeyFile)) throw invalid('certificate login needs certificateFile and privateKeyFile', 'login');
  // No nodes yet is allowed: an engineer connects first, then picks nodes by browsing (docs/connectors.md).
  for (const [i, n] of (s.nodes ?? []).entries()) {
    checkNodeId(n.nodeId, `nodes[${i}].nodeId`);
    if (n.deadband && !(n.deadband.value >= 0)) throw invalid(`nodes[${i}].deadband.value must be >= 0`, `nodes[${i}].deadband`);
  }
  for (const [i, r] of (s.browseRules ?? []).entries()) checkNodeId(r.root, `browseRules[${i}].root`);
  for (const [i, m] of (s.methods ?? []).entries()) {
    checkNodeId(m.objectId, `methods[${i}].objectId`);
    checkNodeId(m.methodId, `methods[${i}].methodId`);
  }
}
