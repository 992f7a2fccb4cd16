/**
 * The decode hot path: Payload, Metric and Template read field by field with protobufjs's
 * Reader. One plain object per metric and no Long allocations (the reflected decoder makes a
 * message object and a Long for alias and timestamp of every metric). Nested messages that are
 * rare in data traffic go through the reflected types in schema.ts.
 *
 * Stricter than protobufjs on purpose: a known field with the wrong wire type, a length that
 * runs past its message, or a truncated varint is an error, so garbage is rejected rather
 * than half-read.
 * @module
 */
import { interpretInt } from './datatype.js';
import { dataSetFromMsg, metaDataFromMsg, parameterFromMsg, propertySetFromMsg } from './nested-codec.js';
import type { SpMetaData, SpMetric, SpParameter, SpPayload, SpPropertySet, SpTemplate, SpValue } from './payload-types.js';
import { DataSetType, MetaDataType, ParameterType, PropertySetType, Reader } from './schema.js';

/** Templates may nest templates; a hostile payload must not exhaust the stack. */
const MAX_TEMPLATE_DEPTH = 32;

/** Decodes a Sparkplug B payload. Throws a plain Error on malformed input (codec.ts wraps it). */
export function decodePayloadWire(buf: Uint8Array): SpPayload {
  const r = Reader.create(buf);
  const metrics: SpMetric[] = [];
  let timestamp: number | undefined;
  let seq: number | undefined;
  let uuid: string | undefined;
  let body: Uint8Array | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case 8: timestamp = readVarNumber(r); break; //           1 timestamp, varint
      case 18: metrics.push(decodeMetric(r, subEnd(r), 0)); break; // 2 metrics, delimited
      case 24: seq = readVarNumber(r); break; //                3 seq, varint
      case 34: uuid = r.string(); break; //                     4 uuid, delimited
      case 42: body = copyBytes(r.bytes()); break; //           5 body, delimited
      default: skipField(r, tag, 5);
    }
  }
  const p: SpPayload = { metrics };
  if (timestamp !== undefined) p.timestamp = timestamp;
  if (seq !== undefined) p.seq = seq;
  if (uuid !== undefined) p.uuid = uuid;
  if (body !== undefined) p.body = body;
  return p;
}

function decodeMetric(r: Reader, end: number, depth: number): SpMetric {
  let name: string | undefined;
  let alias: number | undefined;
  let timestamp: number | undefined;
  let datatype: number | undefined;
  let isHistorical: boolean | undefined;
  let isTransient: boolean | undefined;
  let isNull: boolean | undefined;
  let metadata: SpMetaData | undefined;
  let properties: SpPropertySet | undefined;
  let value: SpValue | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    // Tags are (field << 3) | wire type, written out so V8 can compile a jump table.
    switch (tag) {
      case 10: name = r.string(); break; //                 1 name
      case 16: alias = readVarNumber(r); break; //          2 alias
      case 24: timestamp = readVarNumber(r); break; //      3 timestamp
      case 32: datatype = r.uint32(); break; //             4 datatype
      case 40: isHistorical = r.bool(); break; //           5
      case 48: isTransient = r.bool(); break; //            6
      case 56: isNull = r.bool(); break; //                 7
      case 66: metadata = metaDataFromMsg(MetaDataType.decode(r, r.uint32()) as never); break; // 8
      case 74: properties = propertySetFromMsg(PropertySetType.decode(r, r.uint32()) as never); break; // 9
      case 80: value = r.uint32(); break; //                10 int_value
      case 88: value = readVarBigInt(r); break; //          11 long_value
      case 101: value = readFloat(r); break; //             12 float_value (fixed32)
      case 105: value = readDouble(r); break; //            13 double_value (fixed64)
      case 112: value = r.bool(); break; //                 14 boolean_value
      case 122: value = r.string(); break; //               15 string_value
      case 130: value = copyBytes(r.bytes()); break; //     16 bytes_value
      case 138: value = dataSetFromMsg(DataSetType.decode(r, r.uint32()) as never); break; // 17
      case 146: value = decodeTemplate(r, subEnd(r), depth + 1); break; // 18 template_value
      case 154: r.skipType(2); value = undefined; break; // 19 extension_value: nothing we can read
      default: skipField(r, tag, 19);
    }
  }
  if (r.pos !== end) throw new Error('metric runs past its length');
  if (isNull === true) value = null;
  else if (datatype !== undefined && datatype >= 1 && (datatype <= 8 || datatype === 13) && (typeof value === 'number' || typeof value === 'bigint')) {
    // Int8..UInt64 (1..8) and DateTime (13): read the wire integer as the datatype says.
    // Plain numbers here, not DataType.* or usesIntValue(): under loaders that compile imports
    // to getters (tsx, vitest) those cost a call per metric on the hottest line.
    value = interpretInt(datatype, value);
  }
  return { name, alias, timestamp, datatype, isHistorical, isTransient, isNull, value, properties, metadata };
}

function decodeTemplate(r: Reader, end: number, depth: number): SpTemplate {
  if (depth > MAX_TEMPLATE_DEPTH) throw new Error(`templates nested deeper than ${MAX_TEMPLATE_DEPTH}`);
  const t: SpTemplate = { metrics: [] };
  let parameters: SpParameter[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: t.version = r.string(); break; //                         1 version
      case 18: t.metrics.push(decodeMetric(r, subEnd(r), depth)); break; // 2 metrics
      case 26: (parameters ??= []).push(parameterFromMsg(ParameterType.decode(r, r.uint32()) as never)); break; // 3
      case 34: t.templateRef = r.string(); break; //                     4 template_ref
      case 40: t.isDefinition = r.bool(); break; //                      5 is_definition
      default: skipField(r, tag, 5);
    }
  }
  if (r.pos !== end) throw new Error('template runs past its length');
  if (parameters) t.parameters = parameters;
  return t;
}

/** Reads a length prefix and returns where the sub-message ends, checked against the buffer. */
function subEnd(r: Reader): number {
  const end = r.uint32() + r.pos;
  if (end > r.len) throw new Error(`length runs past the end of the buffer (${end} > ${r.len})`);
  return end;
}

/** Skips an unknown field; a known field (1..lastKnown) arriving with the wrong wire type is an error. */
function skipField(r: Reader, tag: number, lastKnown: number): void {
  const field = tag >>> 3;
  if (field === 0) throw new Error('illegal field number 0');
  if (field <= lastKnown) throw new Error(`field ${field} has unexpected wire type ${tag & 7}`);
  r.skipType(tag & 7);
}

/**
 * Reads an unsigned varint as a number: exact below 2^53 (aliases, timestamps, seq), rounded
 * above. Avoids the LongBits + Long objects Reader.uint64 allocates.
 */
function readVarNumber(r: Reader): number {
  const buf = r.buf;
  let pos = r.pos;
  if (pos >= r.len) throw new Error('truncated varint');
  let b = buf[pos++]!;
  if (b < 0x80) {
    r.pos = pos;
    return b;
  }
  let result = b & 0x7f;
  let mul = 128;
  for (let i = 1; i < 10; i++) {
    if (pos >= r.len) throw new Error('truncated varint');
    b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      r.pos = pos;
      return result;
    }
    mul *= 128;
  }
  throw new Error('varint longer than 10 bytes');
}

/** Reads an unsigned 64-bit varint exactly, as a bigint. */
function readVarBigInt(r: Reader): bigint {
  const start = r.pos;
  const approx = readVarNumber(r);
  // Partial sums only grow, so the float sum stays <= 2^53 - 1 exactly when the value does.
  if (approx <= Number.MAX_SAFE_INTEGER) return BigInt(approx);
  let result = 0n;
  let shift = 0n;
  for (let pos = start; pos < r.pos; pos++) {
    result |= BigInt(r.buf[pos]! & 0x7f) << shift;
    shift += 7n;
  }
  return BigInt.asUintN(64, result);
}

/** The view protobufjs's Reader caches for fixed-width reads (its own copies through a scratch array). */
function viewOf(r: Reader): DataView {
  return r.view ?? (r.view = new DataView(r.buf.buffer, r.buf.byteOffset, r.buf.byteLength));
}

function readDouble(r: Reader): number {
  const pos = r.pos;
  if (pos + 8 > r.len) throw new Error('truncated double');
  r.pos = pos + 8;
  return viewOf(r).getFloat64(pos, true);
}

function readFloat(r: Reader): number {
  const pos = r.pos;
  if (pos + 4 > r.len) throw new Error('truncated float');
  r.pos = pos + 4;
  return viewOf(r).getFloat32(pos, true);
}

/** Detaches a bytes field from the input buffer, which the caller may reuse. */
function copyBytes(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}
