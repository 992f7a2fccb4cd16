import { describe, expect, it } from 'vitest';
import { packArray, unpackArray } from './arrays.js';
import type { SpArrayElement } from './arrays.js';
import { DataType } from './datatype.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// The byte examples of the Sparkplug 3.0 spec, chapter 6 "Array Types". Two are corrected:
// the spec prints -23 as 0xEF (it is 0xE9), and prints the Float/Double examples big-endian
// although its text (and every other example) says little-endian; we follow the text.
const SPEC_EXAMPLES: [string, number, SpArrayElement[], string][] = [
  ['Int8Array', DataType.Int8Array, [-23, 123], 'e97b'],
  ['Int16Array', DataType.Int16Array, [-30000, 30000], 'd08a3075'],
  ['Int32Array', DataType.Int32Array, [-1, 315338746], 'fffffffffaafcb12'],
  ['Int64Array', DataType.Int64Array, [-4270929666821191986n, -3601064768563266876n], 'ce0672ac189cbac4c4ba9c18ac7206ce'],
  ['UInt8Array', DataType.UInt8Array, [23, 250], '17fa'],
  ['UInt16Array', DataType.UInt16Array, [30, 52360], '1e0088cc'],
  ['UInt32Array', DataType.UInt32Array, [52, 3293969225], '3400000049fb55c4'],
  ['UInt64Array', DataType.UInt64Array, [52n, 16444743074749521625n], '3400000000000000d99e02d1b27637e4'],
  ['FloatArray', DataType.FloatArray, [Math.fround(1.23), Math.fround(89.341)], 'a4709d3f98aeb242'],
  ['DoubleArray', DataType.DoubleArray, [12.354213, 1022.9123213], 'd7a205685bb528408e171c6f4cf78f40'],
  ['BooleanArray', DataType.BooleanArray, [false, false, true, true, false, true, false, false, true, true, false, true], '0c00000034d0'],
  ['StringArray', DataType.StringArray, ['ABC', 'hello'], '4142430068656c6c6f00'],
  ['DateTimeArray', DataType.DateTimeArray, [1256102875335, 1656107875000], 'c7d09075240100' + '00' + 'b8bab8978101' + '0000'],
];

describe('packed arrays match the spec examples', () => {
  for (const [label, datatype, values, bytes] of SPEC_EXAMPLES) {
    it(label, () => {
      expect(hex(packArray(datatype, values))).toBe(bytes);
      expect(unpackArray(datatype, Buffer.from(bytes, 'hex'))).toEqual(values);
    });
  }
});

describe('packed array edge cases', () => {
  it('unpacks from a view at an odd offset', () => {
    const backing = new Uint8Array(9);
    backing.set([0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00], 1);
    expect(unpackArray(DataType.Int32Array, backing.subarray(1))).toEqual([-1, 1]);
  });

  it('round-trips empty arrays', () => {
    expect(unpackArray(DataType.BooleanArray, packArray(DataType.BooleanArray, []))).toEqual([]);
    expect(unpackArray(DataType.StringArray, packArray(DataType.StringArray, []))).toEqual([]);
    expect(unpackArray(DataType.DoubleArray, packArray(DataType.DoubleArray, []))).toEqual([]);
  });

  it('rejects malformed bytes with LIGHTSOUT_BAD_PAYLOAD', () => {
    const code = expect.objectContaining({ code: 'LIGHTSOUT_BAD_PAYLOAD' });
    expect(() => unpackArray(DataType.Int32Array, new Uint8Array(3))).toThrow(code);
    expect(() => unpackArray(DataType.BooleanArray, new Uint8Array([9, 0, 0, 0, 0]))).toThrow(code);
    expect(() => unpackArray(DataType.StringArray, new Uint8Array([0x41]))).toThrow(code);
  });

  it('rejects elements that do not fit with LIGHTSOUT_BAD_VALUE', () => {
    const code = expect.objectContaining({ code: 'LIGHTSOUT_BAD_VALUE' });
    expect(() => packArray(DataType.Int8Array, [128])).toThrow(code);
    expect(() => packArray(DataType.UInt64Array, [-1n])).toThrow(code);
    expect(() => packArray(DataType.StringArray, ['a\u0000b'])).toThrow(code);
    expect(() => packArray(DataType.BooleanArray, [1 as unknown as boolean])).toThrow(code);
  });
});
