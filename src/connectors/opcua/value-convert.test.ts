import { describe, expect, it } from 'vitest';
import { DataType, Variant, VariantArrayType } from 'node-opcua';
import { valueToVariant, variantToValue } from './value-convert.js';

describe('variantToValue', () => {
  it('decodes scalars', () => {
    expect(variantToValue(new Variant({ dataType: DataType.Double, value: 1.5 }))).toEqual({ ok: true, value: 1.5 });
    expect(variantToValue(new Variant({ dataType: DataType.Boolean, value: true }))).toEqual({ ok: true, value: true });
    expect(variantToValue(new Variant({ dataType: DataType.String, value: 'run' }))).toEqual({ ok: true, value: 'run' });
    expect(variantToValue(new Variant({ dataType: DataType.UInt32, value: 4294967295 }))).toEqual({ ok: true, value: 4294967295 });
  });
  it('keeps 64-bit integers exact: numbers when safe, decimal strings beyond 2^53', () => {
    expect(variantToValue(new Variant({ dataType: DataType.Int64, arrayType: VariantArrayType.Scalar, value: [0, 42] }))).toEqual({ ok: true, value: 42 });
    expect(variantToValue(new Variant({ dataType: DataType.Int64, arrayType: VariantArrayType.Scalar, value: [0xffffffff, 0xfffffffe] }))).toEqual({ ok: true, value: -2 });
    expect(variantToValue(new Variant({ dataType: DataType.UInt64, arrayType: VariantArrayType.Scalar, value: [0xffffffff, 0xffffffff] }))).toEqual({ ok: true, value: '18446744073709551615' });
    expect(variantToValue(new Variant({ dataType: DataType.Int64, arrayType: VariantArrayType.Scalar, value: [0x200000, 1] }))).toEqual({ ok: true, value: '9007199254740993' });
  });
  it('refuses arrays and unsupported types with a reason', () => {
    const arr = variantToValue(new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2] }));
    expect(arr.ok).toBe(false);
    expect(arr.ok ? '' : arr.message).toMatch(/array/);
    expect(variantToValue(new Variant({ dataType: DataType.ByteString, value: Buffer.from('x') })).ok).toBe(false);
  });
});

describe('valueToVariant', () => {
  it('coerces to the node type', () => {
    expect(valueToVariant(3, DataType.Int32).value).toBe(3);
    expect(valueToVariant('9007199254740993', DataType.UInt64).value).toEqual([0x200000, 1]);
    expect(valueToVariant(-1, DataType.Int64).value).toEqual([0xffffffff, 0xffffffff]);
  });
  it('rejects the wrong type or range with LIGHTSOUT_BAD_VALUE', () => {
    expect(() => valueToVariant('fast', DataType.Double)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_VALUE' }));
    expect(() => valueToVariant(1.5, DataType.Int16)).toThrow(/not an integer/);
    expect(() => valueToVariant(70000, DataType.UInt16)).toThrow(/out of UInt16 range/);
    expect(() => valueToVariant(1, DataType.Boolean)).toThrow(/not a boolean/);
  });
});
