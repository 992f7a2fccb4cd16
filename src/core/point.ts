/**
 * The point: one recorded value of a tag. Shared by every layer of Lightsout.
 * @module
 */

/** OPC UA's three quality classes. `bad` also means stale (after a death or timeout). */
export type Quality = 'good' | 'uncertain' | 'bad';

/** The qualities, in the order used for compact storage codes (0, 1, 2). */
export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];

/** A tag's value. Integers beyond ±2^53 travel as decimal strings so no precision is lost. */
export type Value = number | boolean | string;

/** The kind of value a tag carries, fixed at the tag's first sight. */
export type ValueType = 'number' | 'boolean' | 'string';

/** One value of one tag at one time, as the API shows it. `ts` is epoch ms (integer, UTC). */
export interface Point {
  tag: string;
  ts: number;
  value: Value;
  quality: Quality;
}

/** A point whose tag has been resolved to its registry id: what the historian stores. */
export interface StoredPoint {
  tagId: number;
  ts: number;
  value: Value;
  quality: Quality;
}

/** One interval of a downsampled series. Numbers only: booleans count as 0/1, strings give nulls. */
export interface Bucket {
  ts: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  first: Value | null;
  last: Value | null;
  count: number;
}

/** Descriptive metadata of a tag: engineering unit, description, engineering range. */
export interface TagMeta {
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  /** Remote commands may write this tag (set by an engineer). */
  writable?: boolean;
  /** A write needs a second person's approval. */
  critical?: boolean;
  /**
   * CEL permissive over the machine's live values that must hold for a write to be sent, e.g.
   * `guard_closed && speed == 0`. `''` clears it.
   */
  interlock?: string;
}

/** Longest unit and description accepted, in characters. */
export const MAX_UNIT_LENGTH = 32;
export const MAX_DESCRIPTION_LENGTH = 512;

/** True for `good`, `uncertain` and `bad`. */
export function isQuality(x: unknown): x is Quality {
  return x === 'good' || x === 'uncertain' || x === 'bad';
}

/** The value type of a value. */
export function valueTypeOf(v: Value): ValueType {
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}
