/**
 * Sparkplug B datatypes (spec 3.0, chapter 6) and the integer rules that go with them.
 * @module
 */

/** Sparkplug datatype numbers, as sent in Metric.datatype, PropertyValue.type and DataSet.types. */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
  Int8Array: 22,
  Int16Array: 23,
  Int32Array: 24,
  Int64Array: 25,
  UInt8Array: 26,
  UInt16Array: 27,
  UInt32Array: 28,
  UInt64Array: 29,
  FloatArray: 30,
  DoubleArray: 31,
  BooleanArray: 32,
  StringArray: 33,
  DateTimeArray: 34,
} as const;

/** One Sparkplug datatype number. */
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

const NAMES: string[] = [];
for (const [name, code] of Object.entries(DataType)) NAMES[code] = name;

/** The datatype's name ("Int32"), or `Unknown(<n>)` for a number the spec does not define. */
export function dataTypeName(code: number): string {
  return NAMES[code] ?? `Unknown(${code})`;
}

/** True for the packed array types 22..34, which travel in bytes_value. */
export function isArrayType(code: number): boolean {
  return code >= DataType.Int8Array && code <= DataType.DateTimeArray;
}

/** True for the types whose value travels in the uint32 int_value field. */
export function usesIntValue(code: number): boolean {
  return (code >= DataType.Int8 && code <= DataType.Int32) || (code >= DataType.UInt8 && code <= DataType.UInt32);
}

/** True for the types whose value travels in the uint64 long_value field. */
export function usesLongValue(code: number): boolean {
  return code === DataType.Int64 || code === DataType.UInt64 || code === DataType.DateTime;
}

/**
 * Reads a wire integer as the datatype says. Signed types travel in unsigned fields as two's
 * complement; we sign-extend from the type's own width, so both the 32-bit form most encoders
 * write (-1 as 0xFFFFFFFF) and a narrow form (-1 as 0xFF) come back as -1. Idempotent, so the host
 * can apply a birth's datatype to a value decoded without one.
 */
export function interpretInt(code: number, raw: number | bigint): number | bigint {
  if (typeof raw === 'bigint') {
    switch (code) {
      case DataType.Int64: return BigInt.asIntN(64, raw);
      case DataType.UInt64: return BigInt.asUintN(64, raw);
      case DataType.DateTime: return Number(BigInt.asUintN(64, raw));
      // A 32-bit-or-narrower type sent in long_value (some encoders put UInt32 there).
      case DataType.Int8: case DataType.Int16: case DataType.Int32:
      case DataType.UInt8: case DataType.UInt16: case DataType.UInt32:
        return interpretInt(code, Number(BigInt.asUintN(32, raw)));
      default: return raw;
    }
  }
  switch (code) {
    case DataType.Int8: return (raw << 24) >> 24;
    case DataType.Int16: return (raw << 16) >> 16;
    case DataType.Int32: return raw | 0;
    case DataType.UInt8: return raw & 0xff;
    case DataType.UInt16: return raw & 0xffff;
    case DataType.UInt32: return raw >>> 0;
    case DataType.Int64: return Number.isInteger(raw) ? BigInt.asIntN(64, BigInt(raw)) : raw;
    case DataType.UInt64: return Number.isInteger(raw) ? BigInt.asUintN(64, BigInt(raw)) : raw;
    default: return raw;
  }
}

const INT_RANGE: Record<number, readonly [number, number]> = {
  [DataType.Int8]: [-0x80, 0x7f],
  [DataType.Int16]: [-0x8000, 0x7fff],
  [DataType.Int32]: [-0x80000000, 0x7fffffff],
  [DataType.UInt8]: [0, 0xff],
  [DataType.UInt16]: [0, 0xffff],
  [DataType.UInt32]: [0, 0xffffffff],
};

/** The inclusive range of a 32-bit-or-narrower integer type, or undefined for other types. */
export function intRange(code: number): readonly [number, number] | undefined {
  return INT_RANGE[code];
}

/** Inclusive bigint range of the 64-bit integer types (DateTime is unsigned epoch ms). */
export function longRange(code: number): readonly [bigint, bigint] | undefined {
  if (code === DataType.Int64) return [-(1n << 63n), (1n << 63n) - 1n];
  if (code === DataType.UInt64 || code === DataType.DateTime) return [0n, (1n << 64n) - 1n];
  return undefined;
}
