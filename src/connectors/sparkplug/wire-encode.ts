/**
 * The encode hot path: Payload, Metric and Template written field by field with protobufjs's
 * Writer into one reused buffer; nested DataSet, PropertySet, MetaData and Parameter messages go
 * through the reflected types in schema.ts.
 *
 * The value's oneof field follows the metric's datatype, as the spec's datatype table says.
 * A metric without a datatype (the spec advises omitting it in NDATA/DDATA) gets its field from
 * the JS value: boolean → boolean_value, string → string_value, bigint → long_value,
 * number → double_value, Uint8Array → bytes_value. Give the datatype when that is not right
 * (e.g. an Int32 metric), or the receiver sees a double.
 * @module
 */
import { LightsoutError } from '../../core/errors.js';
import { DataType, dataTypeName, isArrayType } from './datatype.js';
import { dataSetToMsg, intToWire, labelText, longToWire, parameterToMsg, propertySetToMsg } from './nested-codec.js';
import type { Label } from './nested-codec.js';
import type { SpDataSet, SpMetaData, SpMetric, SpPayload, SpTemplate } from './payload-types.js';
import { DataSetType, MetaDataType, ParameterType, PropertySetType, Writer } from './schema.js';

// A local binding: loaders that compile imports to getters (tsx, vitest) would otherwise
// call one on every DataType.* in the hot path.
const DT = DataType;

// One writer for every call: it grows to the largest payload once instead of doubling from
// 128 bytes on each message. encodePayloadWire is synchronous, so nothing else can interleave.
// A writer that grew past RETAIN_LIMIT (a file transfer) is dropped rather than kept forever.
const RETAIN_LIMIT = 1 << 20;
let shared = Writer.create();

/** Encodes a Sparkplug B payload. Throws LightsoutError LIGHTSOUT_BAD_VALUE on a value that does not fit its datatype. */
export function encodePayloadWire(p: SpPayload): Uint8Array {
  const w = shared;
  w.pos = 0;
  w.states = null;
  if (p.timestamp != null) w.uint32(8).uint64(checkCount(p.timestamp, 'payload', 'timestamp'));
  const metrics = p.metrics ?? [];
  for (let i = 0; i < metrics.length; i++) {
    w.uint32(18).fork();
    encodeMetric(w, metrics[i]!);
    w.ldelim();
  }
  if (p.seq != null) w.uint32(24).uint64(checkCount(p.seq, 'payload', 'seq'));
  if (p.uuid != null) w.uint32(34).string(p.uuid);
  if (p.body != null) w.uint32(42).bytes(p.body);
  const out = w.finish();
  if (w.buf.length > RETAIN_LIMIT) shared = Writer.create();
  return out;
}

function encodeMetric(w: Writer, m: SpMetric): void {
  if (m.name != null) w.uint32(10).string(m.name);
  if (m.alias != null) w.uint32(16).uint64(checkCount(m.alias, m, 'alias'));
  if (m.timestamp != null) w.uint32(24).uint64(checkCount(m.timestamp, m, 'timestamp'));
  const dt = m.datatype;
  if (dt != null) w.uint32(32).uint32(dt);
  if (m.isHistorical != null) w.uint32(40).bool(m.isHistorical);
  if (m.isTransient != null) w.uint32(48).bool(m.isTransient);
  const v = m.value;
  const isNull = m.isNull === true || v === null;
  if (isNull) w.uint32(56).bool(true);
  if (m.metadata != null) MetaDataType.encode(metaDataToMsg(m.metadata), w.uint32(66).fork()).ldelim();
  if (m.properties != null) PropertySetType.encode(propertySetToMsg(m.properties, labelText(m)), w.uint32(74).fork()).ldelim();
  if (isNull || v === undefined) return;
  switch (dt) {
    case DT.Int8: case DT.Int16: case DT.Int32:
    case DT.UInt8: case DT.UInt16: case DT.UInt32:
      w.uint32(80).uint32(intToWire(dt, v, m)); return;
    case DT.Int64: case DT.UInt64: case DT.DateTime:
      w.uint32(88).uint64(longToWire(dt, v, m)); return;
    case DT.Float: if (typeof v !== 'number') break; w.uint32(101).float(v); return;
    case DT.Double: if (typeof v !== 'number') break; w.uint32(105).double(v); return;
    case DT.Boolean: if (typeof v !== 'boolean') break; w.uint32(112).bool(v); return;
    case DT.String: case DT.Text: case DT.UUID:
      if (typeof v !== 'string') break; w.uint32(122).string(v); return;
    case DT.Bytes: case DT.File:
      if (!(v instanceof Uint8Array)) break; w.uint32(130).bytes(v); return;
    case DT.DataSet: if (!isDataSet(v)) break; encodeDataSet(w, v, labelText(m)); return;
    case DT.Template: if (!isTemplate(v)) break; encodeTemplate(w, v); return;
    case undefined: case DT.Unknown:
      if (typeof v === 'number') w.uint32(105).double(v);
      else if (typeof v === 'boolean') w.uint32(112).bool(v);
      else if (typeof v === 'string') w.uint32(122).string(v);
      else if (typeof v === 'bigint') w.uint32(88).uint64(longToWire(DT.Int64, v, m));
      else if (v instanceof Uint8Array) w.uint32(130).bytes(v);
      else if (isDataSet(v)) encodeDataSet(w, v, labelText(m));
      else if (isTemplate(v)) encodeTemplate(w, v);
      else break;
      return;
    default:
      // Packed arrays are bytes on the wire; arrays.ts packArray builds them from JS arrays.
      if (isArrayType(dt) && v instanceof Uint8Array) {
        w.uint32(130).bytes(v);
        return;
      }
  }
  const kind = v instanceof Uint8Array ? 'Uint8Array' : Array.isArray(v) ? 'array' : typeof v;
  throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${labelText(m)}: a ${kind} value cannot be sent as ${dt === undefined ? 'a Sparkplug value' : dataTypeName(dt)}`, {
    details: { metric: m.name, alias: m.alias, datatype: dt },
  });
}

function encodeDataSet(w: Writer, ds: SpDataSet, what: string): void {
  DataSetType.encode(dataSetToMsg(ds, what), w.uint32(138).fork()).ldelim();
}

function encodeTemplate(w: Writer, t: SpTemplate): void {
  w.uint32(146).fork();
  if (t.version != null) w.uint32(10).string(t.version);
  for (const m of t.metrics ?? []) {
    w.uint32(18).fork();
    encodeMetric(w, m);
    w.ldelim();
  }
  for (const p of t.parameters ?? []) ParameterType.encode(parameterToMsg(p, 'template'), w.uint32(26).fork()).ldelim();
  if (t.templateRef != null) w.uint32(34).string(t.templateRef);
  if (t.isDefinition != null) w.uint32(40).bool(t.isDefinition);
  w.ldelim();
}

function metaDataToMsg(md: SpMetaData): Record<string, unknown> {
  return { ...md };
}

function isDataSet(v: unknown): v is SpDataSet {
  return typeof v === 'object' && v !== null && Array.isArray((v as SpDataSet).columns) && Array.isArray((v as SpDataSet).rows);
}

function isTemplate(v: unknown): v is SpTemplate {
  return typeof v === 'object' && v !== null && Array.isArray((v as SpTemplate).metrics);
}

/** Aliases, timestamps and seq are unsigned integers; anything else is a caller bug worth naming. */
function checkCount(v: number, owner: Label, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${labelText(owner)} ${field}: ${String(v)} is not an unsigned integer`);
  }
  return v;
}
