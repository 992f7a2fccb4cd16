/**
 * Writes and method calls. The value is coerced to the node's data type first (read from the
 * server if not known yet), so a wrong type is LIGHTSOUT_BAD_VALUE before anything is sent; a
 * bad status from the server is LIGHTSOUT_DEVICE_ERROR with its name.
 * @module
 */
import { AttributeIds, DataType, NodeId, type ClientSession, type StatusCode, type Variant } from 'node-opcua';
import type { OpcUaMethodMapping } from '../../core/connector-settings.js';
import { LightsoutError } from '../../core/errors.js';
import type { Value } from '../../core/point.js';
import type { MonitoredTag } from './item-plan.js';
import { withTimeout } from './opcua-session.js';
import { valueToVariant } from './value-convert.js';

function builtIn(id: unknown): DataType | undefined {
  return id instanceof NodeId && id.namespace === 0 && typeof id.value === 'number' && DataType[id.value] !== undefined ? (id.value as DataType) : undefined;
}

function deviceError(what: string, status: StatusCode): LightsoutError {
  return new LightsoutError('LIGHTSOUT_DEVICE_ERROR', `${what}: the server answered ${status.name}`, { details: { status: status.name } });
}

function wrap(err: unknown, what: string): LightsoutError {
  if (err instanceof LightsoutError) return err;
  return new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `${what}: ${(err as Error).message}`, { cause: err });
}

/** Write one monitored tag; resolves once the server confirmed with a good status. */
export async function writeTag(session: ClientSession, item: MonitoredTag, value: Value, timeoutMs: number): Promise<void> {
  let dt = item.dataType;
  if (dt === undefined) {
    const r = await withTimeout(session.read({ nodeId: item.nodeId, attributeId: AttributeIds.DataType }), timeoutMs, `read data type of ${item.nodeId}`);
    dt = builtIn(r.value.value);
    if (dt === undefined) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `node ${item.nodeId} has no built-in scalar data type to write`);
    item.dataType = dt;
  }
  const variant = valueToVariant(value, dt);
  let status: StatusCode;
  try {
    status = await withTimeout(session.write({ nodeId: item.nodeId, attributeId: AttributeIds.Value, value: { value: variant } }), timeoutMs, `write ${item.tag}`);
  } catch (err) {
    throw wrap(err, `write ${item.tag}`);
  }
  if (status.isNotGood()) throw deviceError(`write ${item.tag}`, status);
}

/** Call a mapped method; `args` are matched by name to the method's InputArguments. */
export async function callMethod(session: ClientSession, m: OpcUaMethodMapping, args: Record<string, Value>, timeoutMs: number): Promise<void> {
  const what = `call ${m.machine}/${m.method}`;
  try {
    let inputArguments: Variant[] = [];
    const def = await withTimeout(session.getArgumentDefinition(m.methodId), timeoutMs, `${what}: read arguments`);
    inputArguments = (def.inputArguments ?? []).map((a) => {
      const name = a.name ?? '';
      const v = args[name];
      if (v === undefined) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${what}: argument "${name}" is missing`);
      const dt = builtIn(a.dataType);
      if (dt === undefined) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${what}: argument "${name}" is not of a built-in scalar type`);
      return valueToVariant(v, dt);
    });
    const r = await withTimeout(session.call({ objectId: m.objectId, methodId: m.methodId, inputArguments }), timeoutMs, what);
    if (r.statusCode.isNotGood()) throw deviceError(what, r.statusCode);
  } catch (err) {
    throw wrap(err, what);
  }
}
