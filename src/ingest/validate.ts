/**
 * Validation of candidate points: path, value, ts and quality. Bad input becomes a Rejection
 * value, never an exception, so the good points of the same batch go on.
 * @module
 */
import { LightsoutError, type ErrorCode } from '../core/errors.js';
import type { CandidatePoint } from '../core/ingest-port.js';
import { isQuality, MAX_DESCRIPTION_LENGTH, MAX_UNIT_LENGTH, type Quality, type TagMeta, type Value } from '../core/point.js';
import { parseTagPath } from '../core/tag-path.js';

/** Limits applied to every point. */
export interface ValidationLimits {
  maxFutureMs: number;
  maxStringLength: number;
}

/** A point that passed validation. */
export interface ValidPoint {
  tag: string;
  ts: number;
  value: Value;
  quality: Quality;
}

/** Either a valid point or why not. */
export type Checked = { ok: true; point: ValidPoint } | { ok: false; code: ErrorCode; message: string };

const fail = (code: ErrorCode, message: string): Checked => ({ ok: false, code, message });

/** Check one candidate at time `now`. */
export function checkPoint(c: CandidatePoint, now: number, limits: ValidationLimits): Checked {
  try {
    parseTagPath(c.tag);
  } catch (err) {
    return fail('LIGHTSOUT_BAD_TAG_PATH', (err as LightsoutError).message);
  }
  const v = c.value;
  let value: Value;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return fail('LIGHTSOUT_BAD_VALUE', `value of ${c.tag} is not finite (${v})`);
    value = v;
  } else if (typeof v === 'boolean') {
    value = v;
  } else if (typeof v === 'string') {
    if (v.length > limits.maxStringLength) return fail('LIGHTSOUT_BAD_VALUE', `string value of ${c.tag} is longer than ${limits.maxStringLength} characters`);
    value = v;
  } else {
    const shown = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
    return fail('LIGHTSOUT_BAD_VALUE', `value of ${c.tag} must be a number, boolean or string, not ${shown}`);
  }
  let ts: number;
  if (c.ts === undefined || c.ts === null) {
    ts = now;
  } else if (typeof c.ts === 'number' && Number.isSafeInteger(c.ts) && c.ts >= 0) {
    ts = c.ts;
  } else if (typeof c.ts === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(c.ts) && Number.isFinite(Date.parse(c.ts))) {
    ts = Date.parse(c.ts);
  } else {
    return fail('LIGHTSOUT_BAD_TIMESTAMP', `ts of ${c.tag} must be integer epoch milliseconds or ISO 8601, got ${JSON.stringify(c.ts)}`);
  }
  if (ts > now + limits.maxFutureMs) {
    return fail('LIGHTSOUT_BAD_TIMESTAMP', `ts of ${c.tag} is ${Math.round((ts - now) / 1000)} s in the future (limit ${Math.round(limits.maxFutureMs / 1000)} s)`);
  }
  let quality: Quality = 'good';
  if (c.quality !== undefined && c.quality !== null) {
    if (!isQuality(c.quality)) return fail('LIGHTSOUT_BAD_QUALITY', `quality of ${c.tag} must be good, uncertain or bad, got ${JSON.stringify(c.quality)}`);
    quality = c.quality;
  }
  return { ok: true, point: { tag: c.tag, ts, value, quality } };
}

/** Either valid tag metadata or why not. */
export type CheckedMeta = { ok: true; meta: TagMeta } | { ok: false; message: string };

/** Check metadata sent with a value or through the API: short strings, finite numbers, min < max. */
/** Longest interlock expression accepted, in characters. */
export const MAX_INTERLOCK_LENGTH = 1024;

/** Check tag metadata from a device or the API; the first problem comes back as a message. */
export function checkMeta(raw: { unit?: unknown; description?: unknown; min?: unknown; max?: unknown; writable?: unknown; critical?: unknown; interlock?: unknown }, tag: string): CheckedMeta {
  const meta: TagMeta = {};
  if (raw.unit !== undefined && raw.unit !== null) {
    if (typeof raw.unit !== 'string' || raw.unit.length > MAX_UNIT_LENGTH) return { ok: false, message: `unit of ${tag} must be a string of at most ${MAX_UNIT_LENGTH} characters` };
    meta.unit = raw.unit;
  }
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description !== 'string' || raw.description.length > MAX_DESCRIPTION_LENGTH) return { ok: false, message: `description of ${tag} must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters` };
    meta.description = raw.description;
  }
  for (const k of ['min', 'max'] as const) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, message: `${k} of ${tag} must be a finite number` };
    meta[k] = v;
  }
  for (const k of ['writable', 'critical'] as const) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') return { ok: false, message: `${k} of ${tag} must be true or false` };
    meta[k] = v;
  }
  if (raw.interlock !== undefined && raw.interlock !== null) {
    if (typeof raw.interlock !== 'string' || raw.interlock.length > MAX_INTERLOCK_LENGTH) return { ok: false, message: `interlock of ${tag} must be a CEL expression of at most ${MAX_INTERLOCK_LENGTH} characters` };
    meta.interlock = raw.interlock;
  }
  if (meta.min !== undefined && meta.max !== undefined && meta.min >= meta.max) return { ok: false, message: `range of ${tag} is empty: min ${meta.min} must be below max ${meta.max}` };
  return { ok: true, meta };
}
