/**
 * The Sparkplug B 3.0 payload codec: the one entry point other modules import.
 *
 * Schema: sparkplug-proto.ts (our .proto text, from the spec), parsed with protobufjs at module load
 * (schema.ts). Payload and Metric are read and written on a hand-written fast path over
 * protobufjs's Reader/Writer (wire-decode.ts, wire-encode.ts); nested messages use the parsed
 * reflected types. Value rules for the historian live in metric-value.ts.
 *
 * @example
 * const bytes = encodePayload({ timestamp: Date.now(), seq: 1, metrics: [
 *   { alias: 7, timestamp: Date.now(), datatype: DataType.Double, value: 21.5 },
 * ] });
 * const back = decodePayload(bytes); // back.metrics[0].value === 21.5
 * @module
 */
import { asLightsoutError, LightsoutError } from '../../core/errors.js';
import type { SpPayload } from './payload-types.js';
import { decodePayloadWire } from './wire-decode.js';
import { encodePayloadWire } from './wire-encode.js';

export { DataType, dataTypeName, interpretInt, isArrayType } from './datatype.js';
export type { DataTypeCode } from './datatype.js';
export type {
  SpDataSet,
  SpMetaData,
  SpMetric,
  SpParameter,
  SpPayload,
  SpPropertySet,
  SpPropertyValue,
  SpScalar,
  SpTemplate,
  SpValue,
} from './payload-types.js';
export { packArray, unpackArray } from './arrays.js';
export type { SpArrayElement } from './arrays.js';
export { bigToValue, hasNoValue, metricToValue, placeholderFor } from './metric-value.js';
export type { MetricValue } from './metric-value.js';

/**
 * Encodes a payload to Sparkplug B protobuf bytes.
 * Each metric's value goes in the oneof field its datatype names (signed integers as two's
 * complement in the unsigned fields, Int64/UInt64 from number or bigint, arrays as packed bytes
 * from `packArray`). Without a datatype the field follows the JS type (number → double).
 * Throws LightsoutError LIGHTSOUT_BAD_VALUE when a value does not fit its datatype.
 */
export function encodePayload(p: SpPayload): Uint8Array {
  try {
    return encodePayloadWire(p);
  } catch (err) {
    // Our own checks throw LightsoutErrors; anything else (a malformed nested object) is the caller's value too.
    throw asLightsoutError(err, 'LIGHTSOUT_BAD_VALUE', `cannot encode Sparkplug payload: ${(err as Error)?.message ?? String(err)}`);
  }
}

/**
 * Decodes Sparkplug B protobuf bytes. Int64/UInt64 values come back as bigint, other integers as
 * numbers (signed ones sign-extended), arrays as their raw bytes (see `unpackArray`).
 * Throws LightsoutError LIGHTSOUT_BAD_PAYLOAD when the bytes are not a valid payload.
 */
export function decodePayload(buf: Uint8Array): SpPayload {
  if (!(buf instanceof Uint8Array)) {
    throw new LightsoutError('LIGHTSOUT_BAD_PAYLOAD', 'Sparkplug B payload must be bytes (Uint8Array or Buffer)');
  }
  try {
    return decodePayloadWire(buf);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new LightsoutError('LIGHTSOUT_BAD_PAYLOAD', `invalid Sparkplug B payload (${buf.length} bytes): ${why}`, {
      cause: err,
      details: { bytes: buf.length },
    });
  }
}
