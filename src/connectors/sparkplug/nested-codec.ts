/**
 * Conversion between protobufjs's reflected messages and our shapes for the nested, less
 * frequent parts of a payload: DataSet, PropertySet(List), MetaData and template Parameter.
 * The typed-scalar rule (which oneof field carries which datatype) lives here once and is
 * shared by DataSet cells, properties and parameters.
 * @module
 */
import type protobuf from 'protobufjs';
import { LightsoutError } from '../../core/errors.js';
import { DataType, dataTypeName, interpretInt, intRange, longRange } from './datatype.js';
import type { SpDataSet, SpMetaData, SpParameter, SpPropertySet, SpPropertyValue, SpScalar } from './payload-types.js';

// A local binding: loaders that compile imports to getters (tsx, vitest) would otherwise
// call one on every DataType.* in the hot path.
const DT = DataType;

/** A reflected protobufjs message, read loosely by field name. */
type Msg = Record<string, unknown>;
/** protobufjs's 64-bit representation; Writer.uint64 reads only `low` and `high` from it. */
type LongLike = protobuf.Long;

/** An unsigned 64-bit wire value (Long or number) as an unsigned bigint. */
export function longToBigInt(v: unknown): bigint {
  if (typeof v === 'number') return BigInt.asUintN(64, BigInt(Math.trunc(v)));
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  const l = v as LongLike;
  return (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
}

/** A bigint as the {low, high} pair protobufjs's Writer.uint64 accepts (two's complement). */
export function bigIntToLong(v: bigint): LongLike {
  const u = BigInt.asUintN(64, v);
  // A plain {low, high, unsigned} suffices: protobufjs's LongBits.from reads only low and high.
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true } as LongLike;
}

/** A message's 64-bit field as a plain number (sizes, sequence numbers: far below 2^53). */
function longToNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(longToBigInt(v));
}

// Reflected messages carry field defaults on their prototype; only own properties were on the wire.
function has(m: Msg, key: string): boolean {
  return Object.hasOwn(m, key) && m[key] !== undefined && m[key] !== null;
}

/** The scalar a DataSetValue / PropertyValue / Parameter carries, read as `type` says. */
export function scalarFromMsg(type: number | undefined, m: Msg): SpScalar | null {
  if (has(m, 'intValue')) return type === undefined ? (m.intValue as number) : interpretInt(type, m.intValue as number);
  if (has(m, 'longValue')) {
    const raw = longToBigInt(m.longValue);
    return type === undefined ? raw : interpretInt(type, raw);
  }
  if (has(m, 'floatValue')) return m.floatValue as number;
  if (has(m, 'doubleValue')) return m.doubleValue as number;
  if (has(m, 'booleanValue')) return m.booleanValue as boolean;
  if (has(m, 'stringValue')) return m.stringValue as string;
  return null;
}

/**
 * What a value belongs to, for error messages: a text, or the metric itself so the encode hot
 * path builds no strings (the name is formatted only when something is wrong).
 */
export type Label = string | { name?: string; alias?: number };

/** Formats a Label. */
export function labelText(label: Label): string {
  if (typeof label === 'string') return label;
  return label.name !== undefined ? `metric "${label.name}"` : `metric alias ${label.alias}`;
}

function badValue(label: Label, type: number | undefined, value: unknown): LightsoutError {
  const what = labelText(label);
  const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value);
  return new LightsoutError('LIGHTSOUT_BAD_VALUE', `${what}: ${shown} is not a valid ${type === undefined ? 'value' : dataTypeName(type)}`, {
    details: { what, datatype: type },
  });
}

/**
 * Checks an integer against its datatype and returns what goes on the wire. Signed 32-bit-or-
 * narrower values are written as 32-bit two's complement in the uint32 field (what the Eclipse
 * Tahu libraries write and read); 64-bit values as 64-bit two's complement.
 */
export function intToWire(type: number, v: unknown, what: Label): number {
  const range = intRange(type)!;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < range[0] || n > range[1]) throw badValue(what, type, v);
  return n >>> 0;
}

/** Checks a 64-bit integer (or DateTime) and returns it in a form Writer.uint64 takes. */
export function longToWire(type: number, v: unknown, what: Label): number | LongLike {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw badValue(what, type, v);
    // Numbers beyond 2^53 are already imprecise; we write what the caller gave us.
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) return v;
    return longToWire(type, BigInt(v), what);
  }
  const range = longRange(type)!;
  if (typeof v !== 'bigint' || v < range[0] || v > range[1]) throw badValue(what, type, v);
  return bigIntToLong(v);
}

/** Puts a typed scalar into a plain message object under the oneof field its type uses. */
export function scalarToMsg(type: number | undefined, v: unknown, out: Msg, what: string): void {
  if (v === null || v === undefined) return;
  switch (type) {
    case DT.Int8: case DT.Int16: case DT.Int32:
    case DT.UInt8: case DT.UInt16: case DT.UInt32:
      out.intValue = intToWire(type, v, what); return;
    case DT.Int64: case DT.UInt64: case DT.DateTime:
      out.longValue = longToWire(type, v, what); return;
    case DT.Float: if (typeof v !== 'number') break; out.floatValue = v; return;
    case DT.Double: if (typeof v !== 'number') break; out.doubleValue = v; return;
    case DT.Boolean: if (typeof v !== 'boolean') break; out.booleanValue = v; return;
    case DT.String: case DT.Text: case DT.UUID:
      if (typeof v !== 'string') break; out.stringValue = v; return;
    case undefined: case DT.Unknown:
      // No type to go by: choose the field from the JS value.
      if (typeof v === 'boolean') out.booleanValue = v;
      else if (typeof v === 'string') out.stringValue = v;
      else if (typeof v === 'bigint') out.longValue = bigIntToLong(v);
      else if (typeof v === 'number') out.doubleValue = v;
      else break;
      return;
  }
  throw badValue(what, type, v);
}

/** Reflected DataSet → SpDataSet. */
export function dataSetFromMsg(m: Msg): SpDataSet {
  const types = (m.types as number[] | undefined) ?? [];
  const rows = ((m.rows as Msg[] | undefined) ?? []).map((row) =>
    ((row.elements as Msg[] | undefined) ?? []).map((cell, i) => scalarFromMsg(types[i], cell)),
  );
  return { columns: [...((m.columns as string[] | undefined) ?? [])], types: [...types], rows };
}

/** SpDataSet → plain DataSet message object. */
export function dataSetToMsg(ds: SpDataSet, what: string): Msg {
  if (ds.columns.length !== ds.types.length) {
    throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${what}: a DataSet needs one type per column`);
  }
  const rows = ds.rows.map((row, r) => ({
    elements: row.map((cell, c) => {
      const out: Msg = {};
      scalarToMsg(ds.types[c], cell, out, `${what} row ${r} column ${ds.columns[c] ?? c}`);
      return out;
    }),
  }));
  return { numOfColumns: ds.columns.length, columns: ds.columns, types: ds.types, rows };
}

/** Reflected PropertySet → SpPropertySet (a prototype-less map). */
export function propertySetFromMsg(m: Msg): SpPropertySet {
  const out: SpPropertySet = Object.create(null);
  const keys = (m.keys as string[] | undefined) ?? [];
  const values = (m.values as Msg[] | undefined) ?? [];
  for (let i = 0; i < keys.length && i < values.length; i++) out[keys[i]!] = propertyValueFromMsg(values[i]!);
  return out;
}

function propertyValueFromMsg(m: Msg): SpPropertyValue {
  const type = has(m, 'type') ? (m.type as number) : undefined;
  let value: SpPropertyValue['value'];
  if (m.isNull === true) value = null;
  else if (has(m, 'propertysetValue')) value = propertySetFromMsg(m.propertysetValue as Msg);
  else if (has(m, 'propertysetsValue')) value = ((m.propertysetsValue as Msg).propertyset as Msg[] ?? []).map(propertySetFromMsg);
  else value = scalarFromMsg(type, m);
  return type === undefined ? { value } : { type, value };
}

/** SpPropertySet → plain PropertySet message object. */
export function propertySetToMsg(ps: SpPropertySet, what: string): Msg {
  const keys = Object.keys(ps);
  const values = keys.map((k) => {
    const pv = ps[k]!;
    const out: Msg = {};
    if (pv.type !== undefined) out.type = pv.type;
    const v = pv.value;
    if (v === null || v === undefined) out.isNull = true;
    else if (Array.isArray(v)) out.propertysetsValue = { propertyset: v.map((s) => propertySetToMsg(s, `${what}.${k}`)) };
    else if (typeof v === 'object') out.propertysetValue = propertySetToMsg(v, `${what}.${k}`);
    else scalarToMsg(pv.type, v, out, `${what} property ${k}`);
    return out;
  });
  return { keys, values };
}

const META_STRINGS = ['contentType', 'fileName', 'fileType', 'md5', 'description'] as const;

/** Reflected MetaData → SpMetaData (only the fields present). */
export function metaDataFromMsg(m: Msg): SpMetaData {
  const out: SpMetaData = {};
  if (has(m, 'isMultiPart')) out.isMultiPart = m.isMultiPart as boolean;
  for (const k of META_STRINGS) if (has(m, k)) out[k] = m[k] as string;
  if (has(m, 'size')) out.size = longToNumber(m.size);
  if (has(m, 'seq')) out.seq = longToNumber(m.seq);
  return out;
}

/** Reflected Template.Parameter → SpParameter. */
export function parameterFromMsg(m: Msg): SpParameter {
  const out: SpParameter = {};
  if (has(m, 'name')) out.name = m.name as string;
  if (has(m, 'type')) out.type = m.type as number;
  out.value = scalarFromMsg(out.type, m);
  return out;
}

/** SpParameter → plain Parameter message object. */
export function parameterToMsg(p: SpParameter, what: string): Msg {
  const out: Msg = {};
  if (p.name !== undefined) out.name = p.name;
  if (p.type !== undefined) out.type = p.type;
  scalarToMsg(p.type, p.value, out, `${what} parameter ${p.name ?? ''}`);
  return out;
}
