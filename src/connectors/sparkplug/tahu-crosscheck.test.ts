// Cross-check against Eclipse Tahu's JavaScript codec (sparkplug-payload, a dev dependency only):
// what we encode, it decodes to the same values, and the other way round.
//
// Known differences of sparkplug-payload 1.0.3, kept out of the "ours → theirs" direction:
// it reads and writes UInt32 in long_value (the spec's table says uint32 / int_value; we read
// either), and its DataSet reader knows no Int8/16/32 columns.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload } from './codec.js';
import type { SpPayload } from './codec.js';

interface TahuMetric { name?: string; type: string; value: unknown; alias?: unknown; timestamp?: unknown; properties?: Record<string, { type: string; value: unknown }> }
interface TahuPayload { timestamp?: unknown; seq?: unknown; metrics: TahuMetric[] }
interface TahuCodec { encodePayload(p: unknown): Uint8Array; decodePayload(b: Uint8Array): TahuPayload }

const require = createRequire(import.meta.url);
const tahu = (require('sparkplug-payload') as { get(ns: string): TahuCodec }).get('spBv1.0');

const T = 1_700_000_000_123;
/** Long → string, so 64-bit values compare exactly. */
const str = (v: unknown) => (v === null || v === undefined ? v : String(v));

describe('cross-check with sparkplug-payload (Eclipse Tahu JS)', () => {
  it('decodes what we encode', () => {
    const ours: SpPayload = { timestamp: T, seq: 17, metrics: [
      { name: 'i8', alias: 1, timestamp: T, datatype: DataType.Int8, value: -5 },
      { name: 'i16', alias: 2, timestamp: T, datatype: DataType.Int16, value: -300 },
      { name: 'i32', alias: 3, timestamp: T, datatype: DataType.Int32, value: -70000 },
      { name: 'i64', alias: 4, timestamp: T, datatype: DataType.Int64, value: -(2n ** 40n) },
      { name: 'u8', alias: 5, datatype: DataType.UInt8, value: 200 },
      { name: 'u16', alias: 6, datatype: DataType.UInt16, value: 60000 },
      { name: 'u64', alias: 7, datatype: DataType.UInt64, value: 2n ** 63n + 5n },
      { name: 'f', alias: 8, datatype: DataType.Float, value: 1.5 },
      { name: 'd', alias: 9, datatype: DataType.Double, value: 2.25 },
      { name: 'b', alias: 10, datatype: DataType.Boolean, value: true },
      { name: 's', alias: 11, datatype: DataType.String, value: 'héllo' },
      { name: 'dt', alias: 12, datatype: DataType.DateTime, value: T },
      { name: 'bytes', alias: 13, datatype: DataType.Bytes, value: new Uint8Array([1, 2, 3]) },
      { name: 'ds', alias: 14, datatype: DataType.DataSet, value: { columns: ['x', 'label', 'ok'], types: [DataType.Double, DataType.String, DataType.Boolean], rows: [[1.5, 'a', true], [2.5, 'b', false]] } },
      { name: 'null', alias: 15, datatype: DataType.Double, value: null },
      { name: 'props', alias: 16, datatype: DataType.Double, value: 3, properties: { unit: { type: DataType.String, value: '°C' }, Quality: { type: DataType.Int32, value: 192 } } },
    ] };
    const theirs = tahu.decodePayload(encodePayload(ours));
    expect(str(theirs.timestamp)).toBe(String(T));
    expect(str(theirs.seq)).toBe('17');
    const byName = new Map(theirs.metrics.map((m) => [m.name, m]));
    const simple: [string, string, unknown][] = [
      ['i8', 'Int8', -5], ['i16', 'Int16', -300], ['i32', 'Int32', -70000], ['u8', 'UInt8', 200], ['u16', 'UInt16', 60000],
      ['f', 'Float', 1.5], ['d', 'Double', 2.25], ['b', 'Boolean', true], ['s', 'String', 'héllo'], ['null', 'Double', null],
    ];
    for (const [name, type, value] of simple) expect(byName.get(name), name).toMatchObject({ type, value });
    // Its Int64 sign conversion depends on an `instanceof Long` that fails across long copies,
    // so it may hand back the unsigned view: compare the 64 bits.
    expect(BigInt.asIntN(64, BigInt(str(byName.get('i64')!.value) as string))).toBe(-(2n ** 40n));
    expect(str(byName.get('u64')!.value)).toBe(String(2n ** 63n + 5n));
    expect(str(byName.get('dt')!.value)).toBe(String(T));
    expect(str(byName.get('i8')!.alias)).toBe('1');
    expect([...(byName.get('bytes')!.value as Uint8Array)]).toEqual([1, 2, 3]);
    expect(byName.get('ds')!.value).toMatchObject({ columns: ['x', 'label', 'ok'], types: ['Double', 'String', 'Boolean'], rows: [[1.5, 'a', true], [2.5, 'b', false]] });
    expect(byName.get('props')!.properties).toMatchObject({ unit: { type: 'String', value: '°C' }, Quality: { type: 'Int32', value: 192 } });
  });

  it('decodes what sparkplug-payload encodes', () => {
    const bytes = tahu.encodePayload({ timestamp: T, seq: 200, metrics: [
      { name: 'i8', alias: 1, timestamp: T, type: 'Int8', value: -5 },
      { name: 'i32', alias: 2, timestamp: T, type: 'Int32', value: -70000 },
      { name: 'i64', alias: 3, type: 'Int64', value: -123456789 },
      { name: 'u32', alias: 4, type: 'UInt32', value: 4000000000 },
      { name: 'u64', alias: 5, type: 'UInt64', value: 2 ** 40 },
      { name: 'f', alias: 6, type: 'Float', value: 1.25 },
      { name: 'd', alias: 7, type: 'Double', value: -0.5 },
      { name: 'b', alias: 8, type: 'Boolean', value: false },
      { name: 's', alias: 9, type: 'Text', value: 'text' },
      { name: 'dt', alias: 10, type: 'DateTime', value: T },
      { name: 'n', alias: 11, type: 'String', value: null },
      { name: 'ds', alias: 12, type: 'DataSet', value: { numOfColumns: 2, columns: ['a', 'b'], types: ['Double', 'String'], rows: [[1, 'x']] } },
      { name: 'p', alias: 13, type: 'Double', value: 1, properties: { unit: { type: 'String', value: 'mm' } } },
    ] });
    const p = decodePayload(bytes);
    expect(p.timestamp).toBe(T);
    expect(p.seq).toBe(200);
    expect(p.metrics.map((m) => [m.name, m.alias, m.datatype, m.value])).toEqual([
      ['i8', 1, DataType.Int8, -5], ['i32', 2, DataType.Int32, -70000], ['i64', 3, DataType.Int64, -123456789n],
      ['u32', 4, DataType.UInt32, 4000000000], ['u64', 5, DataType.UInt64, 2n ** 40n], ['f', 6, DataType.Float, 1.25],
      ['d', 7, DataType.Double, -0.5], ['b', 8, DataType.Boolean, false], ['s', 9, DataType.Text, 'text'],
      ['dt', 10, DataType.DateTime, T], ['n', 11, DataType.String, null],
      ['ds', 12, DataType.DataSet, { columns: ['a', 'b'], types: [DataType.Double, DataType.String], rows: [[1, 'x']] }],
      ['p', 13, DataType.Double, 1],
    ]);
    expect(p.metrics[0]!.timestamp).toBe(T);
    expect(p.metrics[12]!.properties).toEqual({ unit: { type: DataType.String, value: 'mm' } });
  });
});
