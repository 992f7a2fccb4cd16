/**
 * How a point becomes a DuckDB row and back. One small code column carries both the value's
 * JS type and its quality, so a row is (INTEGER, BIGINT, UTINYINT, DOUBLE, VARCHAR) and the
 * VARCHAR is NULL — nearly free in a columnar store — for every numeric and boolean point.
 * @module
 */
import { LightsoutError } from '../../../core/errors.js';
import { QUALITIES, isQuality } from '../../../core/point.js';
import type { Quality, StoredPoint, Value } from '../../../core/point.js';

/** Type part of the code (multiplied by 4): the value went in as a JS number. */
export const TYPE_NUMBER = 0;
/** Type part of the code: a JS boolean, stored as 0/1 in the DOUBLE column so aggregates see it. */
export const TYPE_BOOLEAN = 1;
/** Type part of the code: a JS string (also Int64 beyond 2^53 as decimal text), in the VARCHAR column. */
export const TYPE_STRING = 2;

/** Largest tag id the INTEGER column holds. Registry ids are small positive integers. */
export const MAX_TAG_ID = 2_147_483_647;

const QUALITY_INDEX: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

/** The storage code of a value and quality: `type * 4 + quality index`. */
export function encodeCode(value: Value, quality: Quality): number {
  const type = typeof value === 'number' ? TYPE_NUMBER : typeof value === 'boolean' ? TYPE_BOOLEAN : TYPE_STRING;
  return type * 4 + QUALITY_INDEX[quality];
}

/** Rebuild the JS value from the stored code and columns, with the type it was written with. */
export function decodeValue(code: number, v: number | null, s: string | null): Value {
  const type = code >> 2;
  if (type === TYPE_STRING) return s ?? '';
  if (type === TYPE_BOOLEAN) return v === 1;
  return v ?? Number.NaN;
}

/** The quality stored in a code. */
export function decodeQuality(code: number): Quality {
  return QUALITIES[code & 3] ?? 'bad';
}

/** Turn one result row `(ts, code, v, s)` into a point of the given tag. */
export function decodePoint(tagId: number, ts: number, code: number, v: number | null, s: string | null): StoredPoint {
  return { tagId, ts, value: decodeValue(code, v, s), quality: decodeQuality(code) };
}

/**
 * Refuse a batch that holds a point the columns cannot store faithfully. Typed arrays would
 * silently turn a fractional tag id into an integer or NaN into 0, so this runs before any row
 * is written, and the whole batch is refused: the caller learns which point (by index) was bad.
 */
export function checkBatch(points: readonly StoredPoint[]): void {
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!Number.isInteger(p.tagId) || p.tagId < 0 || p.tagId > MAX_TAG_ID) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `point ${i}: tag id ${String(p.tagId)} is not an integer in 0..${MAX_TAG_ID}`, { details: { index: i } });
    }
    if (!Number.isSafeInteger(p.ts)) {
      throw new LightsoutError('LIGHTSOUT_BAD_TIMESTAMP', `point ${i}: ts ${String(p.ts)} is not an integer epoch-ms time`, { details: { index: i } });
    }
    const t = typeof p.value;
    if (t === 'number' ? !Number.isFinite(p.value) : t !== 'boolean' && t !== 'string') {
      throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `point ${i}: value ${String(p.value)} is not a finite number, a boolean or a string`, { details: { index: i } });
    }
    if (!isQuality(p.quality)) {
      throw new LightsoutError('LIGHTSOUT_BAD_QUALITY', `point ${i}: quality ${String(p.quality)} is not good, uncertain or bad`, { details: { index: i } });
    }
  }
}
