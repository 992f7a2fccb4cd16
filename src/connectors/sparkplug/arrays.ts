/**
 * Sparkplug 3.0 packed arrays (datatypes 22..34), which travel in a metric's bytes_value.
 * Numbers are packed little-endian, as the spec's text says (its Float/Double examples print
 * the bytes big-endian; we follow the normative text and the Int examples). BooleanArray is a
 * 4-byte little-endian count followed by the bits, most significant bit first; StringArray is
 * UTF-8 strings each ended by a NUL byte.
 * @module
 */
import { LightsoutError } from '../../core/errors.js';
import { DataType, dataTypeName } from './datatype.js';

/** One element of a decoded array: Int64/UInt64 elements are bigint, DateTime elements epoch ms. */
export type SpArrayElement = number | bigint | boolean | string;

const WIDTH: Record<number, number> = {
  [DataType.Int8Array]: 1, [DataType.UInt8Array]: 1,
  [DataType.Int16Array]: 2, [DataType.UInt16Array]: 2,
  [DataType.Int32Array]: 4, [DataType.UInt32Array]: 4, [DataType.FloatArray]: 4,
  [DataType.Int64Array]: 8, [DataType.UInt64Array]: 8, [DataType.DoubleArray]: 8, [DataType.DateTimeArray]: 8,
};

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function bad(datatype: number, why: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_PAYLOAD', `${dataTypeName(datatype)} value: ${why}`);
}

/** Unpacks a bytes_value as the array datatype says. Throws LIGHTSOUT_BAD_PAYLOAD on a malformed array. */
export function unpackArray(datatype: number, bytes: Uint8Array): SpArrayElement[] {
  if (datatype === DataType.BooleanArray) return unpackBooleans(bytes);
  if (datatype === DataType.StringArray) return unpackStrings(bytes);
  const width = WIDTH[datatype];
  if (width === undefined) throw bad(datatype, 'not an array datatype');
  if (bytes.length % width !== 0) throw bad(datatype, `${bytes.length} bytes is not a whole number of ${width}-byte elements`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / width;
  const out = new Array<SpArrayElement>(n);
  for (let i = 0, o = 0; i < n; i++, o += width) {
    switch (datatype) {
      case DataType.Int8Array: out[i] = view.getInt8(o); break;
      case DataType.UInt8Array: out[i] = view.getUint8(o); break;
      case DataType.Int16Array: out[i] = view.getInt16(o, true); break;
      case DataType.UInt16Array: out[i] = view.getUint16(o, true); break;
      case DataType.Int32Array: out[i] = view.getInt32(o, true); break;
      case DataType.UInt32Array: out[i] = view.getUint32(o, true); break;
      case DataType.FloatArray: out[i] = view.getFloat32(o, true); break;
      case DataType.DoubleArray: out[i] = view.getFloat64(o, true); break;
      case DataType.Int64Array: out[i] = view.getBigInt64(o, true); break;
      case DataType.UInt64Array: out[i] = view.getBigUint64(o, true); break;
      case DataType.DateTimeArray: out[i] = Number(view.getBigUint64(o, true)); break;
    }
  }
  return out;
}

function unpackBooleans(bytes: Uint8Array): boolean[] {
  if (bytes.length < 4) throw bad(DataType.BooleanArray, 'shorter than its 4-byte count');
  const count = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (Math.ceil(count / 8) > bytes.length - 4) throw bad(DataType.BooleanArray, `count ${count} needs more bytes than sent`);
  const out = new Array<boolean>(count);
  for (let i = 0; i < count; i++) out[i] = (bytes[4 + (i >> 3)]! & (0x80 >> (i & 7))) !== 0;
  return out;
}

function unpackStrings(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      out.push(utf8.decode(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start !== bytes.length) throw bad(DataType.StringArray, 'the last string has no NUL terminator');
  return out;
}

/**
 * Packs JS values into a bytes_value for an array datatype. Throws LIGHTSOUT_BAD_VALUE when an
 * element does not fit (wrong type, out of range, a NUL inside a string).
 * @example
 * const m: SpMetric = { name: 'Temps', datatype: DataType.FloatArray, value: packArray(DataType.FloatArray, [1.5, 2]) };
 */
export function packArray(datatype: number, values: readonly SpArrayElement[]): Uint8Array {
  if (datatype === DataType.BooleanArray) {
    const out = new Uint8Array(4 + Math.ceil(values.length / 8));
    new DataView(out.buffer).setUint32(0, values.length, true);
    values.forEach((v, i) => {
      if (typeof v !== 'boolean') throw badElement(datatype, i, v);
      if (v) out[4 + (i >> 3)]! |= 0x80 >> (i & 7);
    });
    return out;
  }
  if (datatype === DataType.StringArray) {
    const parts = values.map((v, i) => {
      if (typeof v !== 'string' || v.includes('\u0000')) throw badElement(datatype, i, v);
      return utf8Encoder.encode(v);
    });
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length + 1; // the NUL is already there: Uint8Array starts zeroed
    }
    return out;
  }
  const width = WIDTH[datatype];
  if (width === undefined) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${dataTypeName(datatype)} is not an array datatype`);
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => writeElement(view, datatype, i, i * width, v));
  return out;
}

const INT_LIMITS: Record<number, readonly [number, number]> = {
  [DataType.Int8Array]: [-0x80, 0x7f], [DataType.UInt8Array]: [0, 0xff],
  [DataType.Int16Array]: [-0x8000, 0x7fff], [DataType.UInt16Array]: [0, 0xffff],
  [DataType.Int32Array]: [-0x80000000, 0x7fffffff], [DataType.UInt32Array]: [0, 0xffffffff],
};

function writeElement(view: DataView, datatype: number, i: number, o: number, v: SpArrayElement): void {
  const limits = INT_LIMITS[datatype];
  if (limits) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < limits[0] || v > limits[1]) throw badElement(datatype, i, v);
    switch (datatype) {
      case DataType.Int8Array: view.setInt8(o, v); break;
      case DataType.UInt8Array: view.setUint8(o, v); break;
      case DataType.Int16Array: view.setInt16(o, v, true); break;
      case DataType.UInt16Array: view.setUint16(o, v, true); break;
      case DataType.Int32Array: view.setInt32(o, v, true); break;
      case DataType.UInt32Array: view.setUint32(o, v, true); break;
    }
    return;
  }
  switch (datatype) {
    case DataType.FloatArray: case DataType.DoubleArray:
      if (typeof v !== 'number') throw badElement(datatype, i, v);
      if (datatype === DataType.FloatArray) view.setFloat32(o, v, true);
      else view.setFloat64(o, v, true);
      return;
    case DataType.Int64Array: case DataType.UInt64Array: case DataType.DateTimeArray: {
      const b = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
      if (typeof b !== 'bigint') throw badElement(datatype, i, v);
      const signed = datatype === DataType.Int64Array;
      if (signed ? BigInt.asIntN(64, b) !== b : BigInt.asUintN(64, b) !== b) throw badElement(datatype, i, v);
      if (signed) view.setBigInt64(o, b, true);
      else view.setBigUint64(o, b, true);
      return;
    }
  }
}

function badElement(datatype: number, i: number, v: unknown): LightsoutError {
  const shown = typeof v === 'bigint' ? `${v}n` : JSON.stringify(v);
  return new LightsoutError('LIGHTSOUT_BAD_VALUE', `${dataTypeName(datatype)} element ${i}: ${shown} does not fit`);
}
