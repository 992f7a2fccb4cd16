import { describe, expect, it } from 'vitest';
import { LightsoutError } from '../../core/errors.js';
import { DataType, decodePayload, encodePayload, metricToValue, packArray } from './codec.js';
import type { SpMetric, SpPayload } from './codec.js';
import { PayloadType } from './schema.js';

const T = 1_700_000_000_123;

function roundTrip(m: SpMetric): SpMetric {
  const back = decodePayload(encodePayload({ timestamp: T, seq: 1, metrics: [m] }));
  expect(back.metrics).toHaveLength(1);
  return back.metrics[0]!;
}

/** The raw oneof fields of the first metric, as protobufjs's reflected decoder sees them. */
function wireFields(p: SpPayload): Record<string, unknown> {
  const msg = PayloadType.toObject(PayloadType.decode(encodePayload(p)), { longs: String }) as { metrics: Record<string, unknown>[] };
  return msg.metrics[0]!;
}

describe('codec round trip, every datatype', () => {
  const cases: [string, number, SpMetric['value']][] = [
    ['Int8 min', DataType.Int8, -128], ['Int8 max', DataType.Int8, 127], ['Int8 -1', DataType.Int8, -1],
    ['Int16 min', DataType.Int16, -32768], ['Int16 max', DataType.Int16, 32767],
    ['Int32 min', DataType.Int32, -2147483648], ['Int32 max', DataType.Int32, 2147483647], ['Int32 -7', DataType.Int32, -7],
    ['Int64 min', DataType.Int64, -(2n ** 63n)], ['Int64 max', DataType.Int64, 2n ** 63n - 1n], ['Int64 2^53+1', DataType.Int64, 2n ** 53n + 1n],
    ['Int64 -1', DataType.Int64, -1n],
    ['UInt8 max', DataType.UInt8, 255], ['UInt16 max', DataType.UInt16, 65535], ['UInt32 max', DataType.UInt32, 4294967295],
    ['UInt64 max', DataType.UInt64, 2n ** 64n - 1n], ['UInt64 2^53+1', DataType.UInt64, 2n ** 53n + 1n], ['UInt64 0', DataType.UInt64, 0n],
    ['Float', DataType.Float, 1.5], ['Double', DataType.Double, Math.PI], ['Double negative', DataType.Double, -1e-300],
    ['Boolean true', DataType.Boolean, true], ['Boolean false', DataType.Boolean, false],
    ['String', DataType.String, 'héllo ✓ 温度'], ['String empty', DataType.String, ''], ['Text', DataType.Text, 'long\ntext'],
    ['UUID', DataType.UUID, '0f8fad5b-d9cb-469f-a165-70867728950e'], ['DateTime', DataType.DateTime, T],
    ['Bytes', DataType.Bytes, new Uint8Array([0, 1, 255])], ['File', DataType.File, new Uint8Array([80, 75, 3, 4])],
    ['DataSet', DataType.DataSet, { columns: ['n', 's', 'b', 'big'], types: [DataType.Int32, DataType.String, DataType.Boolean, DataType.Int64], rows: [[-5, 'a', true, -(2n ** 63n)], [7, null, false, 3n]] }],
    ['Template', DataType.Template, { version: '1.0', templateRef: 'Motor', isDefinition: false, metrics: [{ name: 'rpm', datatype: DataType.Int16, value: -3 }], parameters: [{ name: 'p', type: DataType.String, value: 'x' }] }],
  ];
  for (const [label, datatype, value] of cases) {
    it(label, () => {
      const m = roundTrip({ name: label, alias: 42, timestamp: T, datatype, value });
      expect(m).toEqual({ name: label, alias: 42, timestamp: T, datatype, value });
    });
  }

  it('number Int64/UInt64 input comes back as bigint; DateTime as a number', () => {
    expect(roundTrip({ name: 'a', datatype: DataType.Int64, value: -5 }).value).toBe(-5n);
    expect(roundTrip({ name: 'a', datatype: DataType.UInt64, value: 9 }).value).toBe(9n);
    expect(roundTrip({ name: 'a', datatype: DataType.DateTime, value: T }).value).toBe(T);
  });

  it('every packed array type round-trips', () => {
    const arrays: [number, (number | bigint | boolean | string)[]][] = [
      [DataType.Int8Array, [-128, 0, 127]], [DataType.Int16Array, [-30000, 30000]], [DataType.Int32Array, [-1, 315338746]],
      [DataType.Int64Array, [-(2n ** 63n), 2n ** 63n - 1n]], [DataType.UInt8Array, [23, 250]], [DataType.UInt16Array, [30, 52360]],
      [DataType.UInt32Array, [52, 3293969225]], [DataType.UInt64Array, [52n, 2n ** 64n - 1n]], [DataType.FloatArray, [1.5, -2.25]],
      [DataType.DoubleArray, [12.354213, 1022.9123213]], [DataType.BooleanArray, [true, false, true]], [DataType.StringArray, ['ABC', 'hello', '']],
      [DataType.DateTimeArray, [1256102875335, 1656107875000]],
    ];
    for (const [datatype, values] of arrays) {
      const bytes = packArray(datatype, values);
      const m = roundTrip({ name: 'arr', datatype, value: bytes });
      expect(m.value).toEqual(bytes);
    }
  });

  it('payload fields and null metrics survive', () => {
    const p: SpPayload = { timestamp: T, seq: 255, uuid: 'schema-1', body: new Uint8Array([9, 8]), metrics: [
      { name: 'n', datatype: DataType.Double, isNull: true, value: null, isHistorical: true, isTransient: true },
      { name: 'meta', datatype: DataType.File, value: new Uint8Array([1]), metadata: { fileName: 'a.bin', size: 1, md5: 'x', isMultiPart: false, seq: 3 } },
      { name: 'props', datatype: DataType.Int32, value: 1, properties: { Quality: { type: DataType.Int32, value: 192 }, nested: { type: DataType.PropertySet, value: { unit: { type: DataType.String, value: 'C' } } }, list: { type: DataType.PropertySetList, value: [{ a: { type: DataType.Boolean, value: true } }] }, gone: { type: DataType.String, value: null } } },
    ] };
    const back = decodePayload(encodePayload(p));
    expect(back).toEqual(p);
  });
});

describe('signed integers on the wire', () => {
  it('writes negative Int8/16/32 as 32-bit two\'s complement in int_value', () => {
    expect(wireFields({ metrics: [{ datatype: DataType.Int8, value: -1 }] }).intValue).toBe(0xffffffff);
    expect(wireFields({ metrics: [{ datatype: DataType.Int16, value: -2 }] }).intValue).toBe(0xfffffffe);
    expect(wireFields({ metrics: [{ datatype: DataType.Int32, value: -2147483648 }] }).intValue).toBe(0x80000000);
  });

  it('writes negative Int64 as 64-bit two\'s complement in long_value', () => {
    expect(wireFields({ metrics: [{ datatype: DataType.Int64, value: -1n }] }).longValue).toBe('18446744073709551615');
    expect(wireFields({ metrics: [{ datatype: DataType.Int64, value: -(2n ** 63n) }] }).longValue).toBe('9223372036854775808');
  });

  it('reads a narrow two\'s complement (0xFF for Int8 -1) as well', () => {
    const bytes = PayloadType.encode({ metrics: [
      { name: 'a', datatype: DataType.Int8, intValue: 0xff },
      { name: 'b', datatype: DataType.Int16, intValue: 0x8000 },
    ] }).finish();
    expect(decodePayload(bytes).metrics.map((m) => m.value)).toEqual([-1, -32768]);
  });

  it('rejects values that do not fit their datatype', () => {
    for (const m of [
      { name: 'x', datatype: DataType.Int8, value: 128 }, { name: 'x', datatype: DataType.UInt8, value: -1 },
      { name: 'x', datatype: DataType.Int32, value: 1.5 }, { name: 'x', datatype: DataType.UInt64, value: -1n },
      { name: 'x', datatype: DataType.Int64, value: 2n ** 63n }, { name: 'x', datatype: DataType.Double, value: 'nope' },
    ]) {
      expect(() => encodePayload({ metrics: [m] }), JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toThrow(
        expect.objectContaining({ code: 'LIGHTSOUT_BAD_VALUE' }),
      );
    }
  });
});

describe('decode agrees with protobufjs reflection', () => {
  it('reads what the reflected encoder writes, and the reflected decoder reads ours', () => {
    const p: SpPayload = { timestamp: T, seq: 7, metrics: Array.from({ length: 50 }, (_, i) => ({ alias: i + 1, timestamp: T + i, datatype: DataType.Double, value: i * 1.25 })) };
    const ours = encodePayload(p);
    const ref = PayloadType.toObject(PayloadType.decode(ours), { longs: Number }) as { seq: number; metrics: { alias: number; timestamp: number; doubleValue: number }[] };
    expect(ref.seq).toBe(7);
    expect(ref.metrics[49]).toMatchObject({ alias: 50, timestamp: T + 49, doubleValue: 49 * 1.25 });
    const refBytes = PayloadType.encode(PayloadType.fromObject({ timestamp: T, seq: 7, metrics: ref.metrics })).finish();
    expect(decodePayload(refBytes)).toEqual(p);
  });
});

describe('input buffers', () => {
  it('decodes a view into a larger buffer (how MQTT hands payloads over) and detaches bytes values', () => {
    const p: SpPayload = { seq: 1, metrics: [{ alias: 1, datatype: DataType.Double, value: 1.25 }, { alias: 2, datatype: DataType.Bytes, value: new Uint8Array([7, 7]) }] };
    const backing = Buffer.concat([Buffer.from([0xde, 0xad, 0xbe]), Buffer.from(encodePayload(p)), Buffer.from([0xef])]);
    const view = backing.subarray(3, backing.length - 1);
    const back = decodePayload(view);
    expect(back).toEqual(p);
    view.fill(0);
    expect(back.metrics[1]!.value).toEqual(new Uint8Array([7, 7]));
  });
});

describe('invalid protobuf', () => {
  const bad: [string, number[]][] = [
    ['a metric length past the end', [0x12, 0x05, 0x0a]],
    ['a truncated varint', [0x08, 0xff]],
    ['a known field with the wrong wire type', [0x0d, 0, 0, 0, 0]],
    ['a metric double sent as a varint', [0x12, 0x02, 0x68, 0x01]],
    ['field number 0', [0x00, 0x01]],
    ['an invalid wire type', [0x3f]],
  ];
  for (const [label, bytes] of bad) {
    it(`rejects ${label} with LIGHTSOUT_BAD_PAYLOAD`, () => {
      let caught: unknown;
      try {
        decodePayload(Uint8Array.from(bytes));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(LightsoutError);
      expect((caught as LightsoutError).code).toBe('LIGHTSOUT_BAD_PAYLOAD');
    });
  }

  it('rejects something that is not bytes', () => {
    expect(() => decodePayload('hello' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_PAYLOAD' }));
  });

  it('decodes an empty buffer as an empty payload (valid protobuf)', () => {
    expect(decodePayload(new Uint8Array(0))).toEqual({ metrics: [] });
  });
});

describe('metricToValue', () => {
  const v = (m: SpMetric) => metricToValue(m);
  it('keeps 64-bit integers exact: number when safe, decimal string beyond', () => {
    expect(v({ datatype: DataType.Int64, value: -(2n ** 53n) + 1n })).toEqual({ value: -(2 ** 53) + 1 });
    expect(v({ datatype: DataType.Int64, value: 2n ** 53n + 1n })).toEqual({ value: '9007199254740993' });
    expect(v({ datatype: DataType.Int64, value: -(2n ** 63n) })).toEqual({ value: '-9223372036854775808' });
    expect(v({ datatype: DataType.UInt64, value: 2n ** 64n - 1n })).toEqual({ value: '18446744073709551615' });
  });

  it('applies a datatype learned later (raw wire integers from a data message)', () => {
    const raw = decodePayload(encodePayload({ metrics: [{ datatype: DataType.Int8, value: -3 }] })).metrics[0]!;
    const untyped: SpMetric = { value: (raw.value as number) >>> 0 }; // as a DDATA without datatype decodes
    expect(v({ ...untyped, datatype: DataType.Int8 })).toEqual({ value: -3 });
    expect(v({ datatype: DataType.Int64, value: 2n ** 64n - 1n })).toEqual({ value: -1 });
  });

  it('gives floats their shortest float32 decimal', () => {
    expect(roundTrip({ datatype: DataType.Float, value: 1.23 }).value).not.toBe(1.23);
    expect(v(roundTrip({ datatype: DataType.Float, value: 1.23 }))).toEqual({ value: 1.23 });
  });

  it('turns bytes into base64, DataSets and arrays into JSON', () => {
    expect(v({ datatype: DataType.Bytes, value: new Uint8Array([1, 2, 3]) })).toEqual({ value: 'AQID' });
    expect(v({ datatype: DataType.DataSet, value: { columns: ['a'], types: [DataType.UInt64], rows: [[2n ** 64n - 1n], [1n]] } })).toEqual({
      value: '{"columns":["a"],"types":[8],"rows":[["18446744073709551615"],[1]]}',
    });
    expect(v({ datatype: DataType.Int16Array, value: packArray(DataType.Int16Array, [-30000, 30000]) })).toEqual({ value: '[-30000,30000]' });
    expect(v({ datatype: DataType.FloatArray, value: packArray(DataType.FloatArray, [1.23, 89.341]) })).toEqual({ value: '[1.23,89.341]' });
  });

  it('records a null metric as bad with a typed placeholder', () => {
    expect(v({ datatype: DataType.Double, isNull: true, value: null })).toEqual({ value: 0, quality: 'bad' });
    expect(v({ datatype: DataType.Boolean, isNull: true })).toEqual({ value: false, quality: 'bad' });
    expect(v({ datatype: DataType.String, value: null })).toEqual({ value: '', quality: 'bad' });
    expect(v({ datatype: DataType.Double, value: Number.NaN })).toEqual({ value: 0, quality: 'bad' });
  });

  it('honours the spec Quality property', () => {
    const q = (code: number) => v({ datatype: DataType.Double, value: 1, properties: { Quality: { type: DataType.Int32, value: code } } });
    expect(q(192)).toEqual({ value: 1 });
    expect(q(0)).toEqual({ value: 1, quality: 'bad' });
    expect(q(500)).toEqual({ value: 1, quality: 'bad' });
    expect(q(7)).toEqual({ value: 1, quality: 'uncertain' });
  });
});
