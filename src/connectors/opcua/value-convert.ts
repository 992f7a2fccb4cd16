/**
 * OPC UA variants to Lightsout values and back. Scalars only: numbers, booleans and strings map
 * one to one; 64-bit integers beyond ±2^53 travel as decimal strings (core/point.ts); arrays,
 * structures and other built-in types are refused with a reason, which the caller turns into a
 * TagIssue and a `bad` point.
 * @module
 */
import { DataType, Variant, VariantArrayType } from 'node-opcua';
import { LightsoutError } from '../../core/errors.js';
import type { Value, ValueType } from '../../core/point.js';

/** A decoded value, or why it could not be decoded. */
export type Decoded = { ok: true; value: Value } | { ok: false; message: string };

const INT_RANGES: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
};

/** The Lightsout value type of an OPC UA built-in type, or undefined when it has none. */
export function valueTypeOfDataType(dt: DataType): ValueType | undefined {
  if (dt === DataType.Boolean) return 'boolean';
  if (dt === DataType.String || dt === DataType.LocalizedText) return 'string';
  if (dt in INT_RANGES || dt === DataType.Float || dt === DataType.Double || dt === DataType.DateTime) return 'number';
  if (dt === DataType.Int64 || dt === DataType.UInt64) return 'number';
  return undefined;
}

/** node-opcua carries 64-bit integers as [high, low] 32-bit words. */
function int64ToValue(words: [number, number], signed: boolean): Value {
  let big = (BigInt(words[0] >>> 0) << 32n) | BigInt(words[1] >>> 0);
  if (signed && big >= 1n << 63n) big -= 1n << 64n;
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big.toString();
}

/** Decode one variant. */
export function variantToValue(v: Variant): Decoded {
  if (v.arrayType !== VariantArrayType.Scalar) return { ok: false, message: `arrays are not supported (${DataType[v.dataType]}[])` };
  const x: unknown = v.value;
  switch (v.dataType) {
    case DataType.Boolean:
      return { ok: true, value: Boolean(x) };
    case DataType.Float:
      // A Float widened to a double shows noise digits (0.1 → 0.10000000149011612): keep its 7 significant ones.
      return typeof x === 'number' && Number.isFinite(x) ? { ok: true, value: Number(x.toPrecision(7)) } : { ok: false, message: 'Float value is not finite' };
    case DataType.SByte: case DataType.Byte: case DataType.Int16: case DataType.UInt16:
    case DataType.Int32: case DataType.UInt32: case DataType.Double:
      return typeof x === 'number' && Number.isFinite(x) ? { ok: true, value: x } : { ok: false, message: `${DataType[v.dataType]} value is not finite` };
    case DataType.Int64: case DataType.UInt64:
      return Array.isArray(x) ? { ok: true, value: int64ToValue(x as [number, number], v.dataType === DataType.Int64) } : { ok: false, message: 'malformed 64-bit integer' };
    case DataType.String:
      return typeof x === 'string' ? { ok: true, value: x } : { ok: false, message: 'null string' };
    case DataType.LocalizedText: {
      const text = (x as { text?: unknown } | null)?.text;
      return typeof text === 'string' ? { ok: true, value: text } : { ok: false, message: 'empty localized text' };
    }
    case DataType.DateTime:
      return x instanceof Date ? { ok: true, value: x.getTime() } : { ok: false, message: 'null date' };
    case DataType.Null:
      return { ok: false, message: 'the variable has no value (Null)' };
    default:
      return { ok: false, message: `data type ${DataType[v.dataType] ?? v.dataType} is not supported` };
  }
}

function bad(message: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_VALUE', message);
}

/** The variant a write of `value` to a variable of type `dt` sends; LIGHTSOUT_BAD_VALUE when it does not fit. */
export function valueToVariant(value: Value, dt: DataType): Variant {
  const name = DataType[dt] ?? String(dt);
  if (dt === DataType.Boolean) {
    if (typeof value !== 'boolean') throw bad(`the node is Boolean; ${JSON.stringify(value)} is not a boolean`);
    return new Variant({ dataType: dt, value });
  }
  if (dt === DataType.String) {
    if (typeof value !== 'string') throw bad(`the node is String; ${JSON.stringify(value)} is not a string`);
    return new Variant({ dataType: dt, value });
  }
  if (dt === DataType.Float || dt === DataType.Double) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`the node is ${name}; ${JSON.stringify(value)} is not a finite number`);
    if (dt === DataType.Float && Math.abs(value) > 3.4028234663852886e38) throw bad(`${value} is out of Float range`);
    return new Variant({ dataType: dt, value });
  }
  const range = INT_RANGES[dt];
  if (range) {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw bad(`the node is ${name}; ${JSON.stringify(value)} is not an integer`);
    if (value < range[0] || value > range[1]) throw bad(`${value} is out of ${name} range ${range[0]}..${range[1]}`);
    return new Variant({ dataType: dt, value });
  }
  if (dt === DataType.Int64 || dt === DataType.UInt64) {
    let big: bigint;
    try {
      if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
      else if (typeof value === 'string' && /^-?\d+$/.test(value)) big = BigInt(value);
      else throw new Error('not an integer');
    } catch {
      throw bad(`the node is ${name}; ${JSON.stringify(value)} is not an integer`);
    }
    const signed = dt === DataType.Int64;
    if (signed ? big < -(1n << 63n) || big >= 1n << 63n : big < 0n || big >= 1n << 64n) throw bad(`${value} is out of ${name} range`);
    const u = big < 0n ? big + (1n << 64n) : big;
    return new Variant({ dataType: dt, arrayType: VariantArrayType.Scalar, value: [Number(u >> 32n), Number(u & 0xffffffffn)] });
  }
  throw bad(`writing a ${name} node is not supported`);
}
