/**
 * Alarm messages: `{name}` placeholders replaced by live values when a condition changes.
 * `{limit}`, `{setpoint}` and `{value}` are the condition's figures; any other `{name}` is the
 * asset's tag whose CEL variable is `name`. A value is followed by its tag's unit when the unit is
 * known and the text does not already write it (`{spindle_temp} °C` stays as written).
 * Placeholders that cannot be filled show `?`. Templates are parsed once and shared.
 * @module
 */
import type { Value } from '../core/point.js';

/** The placeholders every rule has. */
export const FIGURE_PLACEHOLDERS = ['limit', 'setpoint', 'value'] as const;

interface Hole {
  name: string;
  /** The literal text after this placeholder (to see whether it already writes the unit). */
  after: string;
}

/** A parsed message: literal text and placeholders, alternating. */
export interface MessageTemplate {
  source: string;
  /** Literal before each hole, then after the last. */
  texts: string[];
  holes: Hole[];
  /** Placeholder names in order of appearance (unique). */
  names: string[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const cache = new Map<string, MessageTemplate>();

/** Parse (or reuse) a message template. */
export function parseMessage(source: string): MessageTemplate {
  const hit = cache.get(source);
  if (hit) return hit;
  const texts: string[] = [];
  const holes: Hole[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    texts.push(source.slice(last, m.index));
    holes.push({ name: m[1]!, after: '' });
    last = m.index! + m[0].length;
  }
  texts.push(source.slice(last));
  holes.forEach((h, i) => (h.after = texts[i + 1]!));
  const t: MessageTemplate = { source, texts, holes, names: [...new Set(holes.map((h) => h.name))] };
  if (cache.size < 10_000) cache.set(source, t);
  return t;
}

/** A number as operators read it: integers as they are, others rounded to 2 decimals (3 significant digits below 1). */
export function formatValue(v: Value | undefined, unit?: string): string {
  if (v === undefined) return '?';
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || Number.isInteger(v)) s = String(v);
    else s = Math.abs(v) >= 1 ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(3)));
  } else s = String(v);
  return unit ? `${s} ${unit}` : s;
}

/** What a placeholder stands for now. */
export interface Filled {
  value: Value | undefined;
  unit?: string | undefined;
}

/** Render a template; `fill` answers each placeholder name (undefined = unknown, shown `?`). */
export function renderMessage(t: MessageTemplate, fill: (name: string) => Filled | undefined): string {
  if (t.holes.length === 0) return t.source;
  let out = t.texts[0]!;
  for (let i = 0; i < t.holes.length; i++) {
    const h = t.holes[i]!;
    const f = fill(h.name);
    const unit = f?.unit && !h.after.trimStart().startsWith(f.unit) ? f.unit : undefined;
    out += formatValue(f?.value, unit) + t.texts[i + 1]!;
  }
  return out;
}
