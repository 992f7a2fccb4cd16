/**
 * From a Sparkplug metric to the value and quality a Lightsout point records.
 *
 * Decisions, so every consumer records the same thing:
 * - Int64/UInt64 become a number when |v| <= Number.MAX_SAFE_INTEGER, else the decimal string
 *   (core's Value rule: no precision lost). DateTime is epoch ms as a number.
 * - Float comes off the wire as a float32; we record the shortest decimal that reads back as the
 *   same float32 (1.23, not 1.2300000190734863).
 * - Bytes and File become a base64 string; DataSet, Template and packed arrays a JSON string
 *   (bigints inside: numbers when safe, else decimal strings; bytes inside: base64).
 * - A null metric (is_null, or no value at all) has no value to record, yet the tag must show
 *   that it is unknown. It becomes quality `bad` with a typed placeholder (0, false or '') so
 *   the tag keeps its value type; a caller that knows the tag's last value (the host does)
 *   records that instead, see `hasNoValue`. NaN and ±Infinity are treated the same way: core
 *   refuses non-finite numbers, and "no usable number" is what they mean on a plant floor.
 * - The spec's optional "Quality" property (int 0 = BAD, 192 = GOOD, 500 = STALE) is honoured:
 *   BAD and STALE give `bad`, GOOD `good`, any other code `uncertain`.
 * @module
 */
import type { Quality, Value } from '../../core/point.js';
import { unpackArray } from './arrays.js';
import { DataType, interpretInt, isArrayType, usesIntValue } from './datatype.js';
import type { SpMetric, SpPropertySet } from './payload-types.js';

// A local binding: loaders that compile imports to getters (tsx, vitest) would otherwise
// call one on every DataType.* in the hot path.
const DT = DataType;

/** What a metric records: the value, and a quality when it is not `good`. */
export interface MetricValue {
  value: Value;
  quality?: Quality;
}

/** True when the metric carries no usable value: null, absent, or a non-finite number. */
export function hasNoValue(m: SpMetric): boolean {
  const v = m.value;
  return m.isNull === true || v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
}

/** The value a tag of this datatype records when it has none (see the module comment). */
export function placeholderFor(datatype: number | undefined): Value {
  if (datatype === DT.Boolean) return false;
  if (datatype === undefined || datatype === DT.Unknown) return 0;
  if (datatype <= DT.Double || datatype === DT.DateTime) return 0;
  return '';
}

/** The JS value and quality a point records for this metric (decisions in the module comment). */
export function metricToValue(m: SpMetric): MetricValue {
  const dt = m.datatype;
  if (hasNoValue(m)) return { value: placeholderFor(dt), quality: 'bad' };
  const value = convert(dt, m.value!);
  const quality = m.properties === undefined ? undefined : qualityProperty(m.properties);
  return quality === undefined || quality === 'good' ? { value } : { value, quality };
}

function convert(dt: number | undefined, v: NonNullable<SpMetric['value']>): Value {
  if (typeof v === 'number' && (dt === DT.Double || dt === undefined)) return v; // the common case, first
  if (dt !== undefined) {
    if (typeof v === 'number') {
      if (dt === DT.Float) return shortestFloat32(v);
      if (usesIntValue(dt)) return interpretInt(dt, v) as number;
    }
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (dt === DT.Int64 || dt === DT.UInt64) return bigToValue(interpretInt(dt, v));
      if (dt === DT.DateTime || usesIntValue(dt)) return Number(interpretInt(dt, v));
      if (dt === DT.Boolean) return v !== 0 && v !== 0n;
    }
    if (v instanceof Uint8Array && isArrayType(dt)) {
      const elements = unpackArray(dt, v);
      return JSON.stringify(dt === DT.FloatArray ? elements.map((e) => shortestFloat32(e as number)) : elements, jsonSafe);
    }
  }
  switch (typeof v) {
    case 'number': case 'boolean': case 'string': return v;
    case 'bigint': return bigToValue(v);
  }
  if (v instanceof Uint8Array) return base64(v);
  return JSON.stringify(v, jsonSafe);
}

/** A bigint as core's Value: a number when exact, else its decimal string. */
export function bigToValue(v: number | bigint): number | string {
  if (typeof v === 'number') return v;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
}

/** JSON.stringify replacer: bigints as safe numbers or strings, bytes as base64. */
function jsonSafe(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return bigToValue(v);
  if (v instanceof Uint8Array) return base64(v);
  return v;
}

function base64(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

/** The shortest decimal that reads back as the same float32 (what the sender most likely wrote). */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || Math.fround(v) !== v) return v;
  for (let p = 6; p < 9; p++) {
    const n = Number(v.toPrecision(p));
    if (Math.fround(n) === v) return n;
  }
  return v;
}

function qualityProperty(ps: SpPropertySet): Quality | undefined {
  const q = ps['Quality'];
  if (q === undefined) return undefined;
  const code = typeof q.value === 'bigint' ? Number(q.value) : q.value;
  if (code === 192) return 'good';
  if (code === 0 || code === 500) return 'bad';
  return 'uncertain';
}
