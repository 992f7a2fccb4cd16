/**
 * Points from Sparkplug births and data, for the host: the birth registers each metric's tag path
 * and datatype, data metrics are resolved against them (alias first, else name), and every
 * metric becomes one point with the metric timestamp, else the payload's, else now.
 * @module
 */
import type { ErrorCode } from '../../core/errors.js';
import type { Point, TagMeta } from '../../core/point.js';
import { DataType, hasNoValue, metricToValue, placeholderFor } from './codec.js';
import type { SpMetric, SpPayload } from './codec.js';
import type { MetricScope, MetricState } from './host-session.js';
import type { SparkplugMapping } from './mapping.js';

// A local binding: loaders that compile imports to getters (tsx, vitest) would otherwise
// call one on every DataType.* in the hot path.
const DT = DataType;

/** A point with the tag metadata a birth declared (engineering unit, range, description). */
export type HostPoint = Point & { meta?: TagMeta };

// Property keys that carry tag metadata. Sparkplug fixes no names; these are the ones in common use
// (engUnit/engLow/engHigh as Ignition and Tahu edge nodes send them), compared case-insensitively.
const UNIT_KEYS = new Set(['engunit', 'unit', 'units', 'engineeringunits']);
const LOW_KEYS = new Set(['englow', 'min', 'low']);
const HIGH_KEYS = new Set(['enghigh', 'max', 'high']);
const DESCRIPTION_KEYS = new Set(['description', 'documentation', 'tooltip']);

/** The tag metadata a birth metric declares in its properties or metadata, if any. */
export function metaOfMetric(m: SpMetric): TagMeta | undefined {
  const meta: TagMeta = {};
  if (typeof m.metadata?.description === 'string') meta.description = m.metadata.description;
  for (const [key, pv] of Object.entries(m.properties ?? {})) {
    const k = key.toLowerCase();
    const v = pv.value;
    if (UNIT_KEYS.has(k) && typeof v === 'string') meta.unit = v;
    else if (DESCRIPTION_KEYS.has(k) && typeof v === 'string') meta.description = v;
    else if (LOW_KEYS.has(k) && (typeof v === 'number' || typeof v === 'bigint')) meta.min = Number(v);
    else if (HIGH_KEYS.has(k) && (typeof v === 'number' || typeof v === 'bigint')) meta.max = Number(v);
  }
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/** What point building needs from the host. */
export interface PointContext {
  mapping: SparkplugMapping;
  now(): number;
  reject(reason: string, topic: string, code?: ErrorCode): void;
  /**
   * The replay guard: per tag path (one per group/node/device/metric under the host's template), the
   * newest timestamp taken from a data message (live or historical). A historical metric not newer
   * than it is a resend of something already taken (an edge replays strictly in order) and is dropped.
   */
  marks?: Map<string, number>;
  /** Counts historical values the guard dropped. */
  duplicate?(): void;
}

/** Registers a birth's metrics in `scope` and returns their points. Unnamed, unmappable or re-aliased metrics are rejected one by one. */
export function birthPoints(ctx: PointContext, scope: MetricScope, group: string, node: string, device: string | undefined, p: SpPayload, topic: string): HostPoint[] {
  const out: HostPoint[] = [];
  const fallbackTs = p.timestamp ?? ctx.now();
  for (const m of p.metrics) {
    if (m.name === undefined) {
      ctx.reject(`birth metric without a name (alias ${m.alias ?? 'none'})`, topic);
      continue;
    }
    let path: string;
    try {
      path = ctx.mapping({ group, node, device, metric: m.name });
    } catch (err) {
      ctx.reject(`metric "${m.name}": ${(err as Error).message}`, topic);
      continue;
    }
    if (m.alias !== undefined && scope.byAlias.has(m.alias)) {
      ctx.reject(`metric "${m.name}": alias ${m.alias} is already used in this birth`, topic);
      continue;
    }
    const definition = m.datatype === DT.Template && typeof m.value === 'object' && m.value !== null && 'metrics' in m.value && m.value.isDefinition === true;
    const st: MetricState = { path, datatype: m.datatype, last: undefined, definition };
    if (m.alias !== undefined) scope.byAlias.set(m.alias, st);
    scope.byName.set(m.name, st);
    if (!definition) {
      const before = out.length;
      pushPoint(ctx, st, m, fallbackTs, out, topic, true);
      const meta = out.length > before ? metaOfMetric(m) : undefined;
      if (meta) out[out.length - 1]!.meta = meta;
    }
  }
  return out;
}

/** Points of a data message, resolved against the birth's `scope`; unknown metrics are rejected one by one. */
export function dataPoints(ctx: PointContext, scope: MetricScope, p: SpPayload, topic: string): Point[] {
  const out: Point[] = [];
  const fallbackTs = p.timestamp ?? ctx.now();
  const metrics = p.metrics;
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i]!;
    const st = scope.resolve(m);
    if (st === undefined) {
      ctx.reject(m.alias !== undefined ? `unknown metric alias ${m.alias}` : `unknown metric "${m.name ?? '(no name or alias)'}"`, topic);
    } else if (!st.definition) {
      pushPoint(ctx, st, m, fallbackTs, out, topic, false);
    }
  }
  return out;
}

function pushPoint(ctx: PointContext, st: MetricState, m: SpMetric, fallbackTs: number, out: Point[], topic: string, birth: boolean): void {
  if (m.datatype === undefined) m.datatype = st.datatype; // data metrics usually omit it
  const ts = m.timestamp ?? fallbackTs;
  const marks = ctx.marks;
  if (marks !== undefined && m.isHistorical === true) {
    const mark = marks.get(st.path);
    if (mark !== undefined && ts <= mark) {
      ctx.duplicate?.();
      return;
    }
    // A historical birth metric restates a value sent before: it defines the metric, may fill a
    // gap, but never moves the mark (the replay that follows may still carry older values).
    if (birth && hasNoValue(m)) return;
  }
  if (marks !== undefined && !birth) {
    const mark = marks.get(st.path);
    if (mark === undefined || ts > mark) marks.set(st.path, ts);
  }
  if (hasNoValue(m)) {
    // Null: unknown now, so bad quality; keep showing the last value we had (see metric-value.ts).
    // A non-finite number is also bad input from the device: count it.
    if (typeof m.value === 'number') ctx.reject(`metric "${st.path}": value ${m.value} is not finite; recorded as bad quality`, topic, 'LIGHTSOUT_BAD_VALUE');
    out.push({ tag: st.path, ts, value: st.last ?? placeholderFor(st.datatype ?? m.datatype), quality: 'bad' });
    return;
  }
  try {
    const r = metricToValue(m);
    if (m.isHistorical !== true) st.last = r.value;
    out.push({ tag: st.path, ts, value: r.value, quality: r.quality ?? 'good' });
  } catch (err) {
    ctx.reject(`metric "${st.path}": ${(err as Error).message}`, topic);
  }
}
