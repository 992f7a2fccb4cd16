/**
 * Trend data: per-tag bucket series from the historian, the live tail folded into buckets of the
 * same width, and the merged columns uPlot draws (avg line, min/max band per tag). Gaps in the
 * data stay gaps: a line is never drawn across a time with no points.
 * @module
 */
import type { ApiBucket, ApiPoint } from '../../../src/protocol/api-types.js';

/** One tag's buckets as columns. */
export interface TagSeries {
  tag: string;
  ts: number[];
  avg: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
  count: number[];
}

/** Columns from the API's buckets. */
export function seriesFromBuckets(tag: string, buckets: readonly ApiBucket[]): TagSeries {
  const s: TagSeries = { tag, ts: [], avg: [], min: [], max: [], count: [] };
  for (const b of buckets) {
    s.ts.push(b.ts); s.avg.push(b.avg); s.min.push(b.min); s.max.push(b.max); s.count.push(b.count);
  }
  return s;
}

/**
 * Fold a live point into the series: into the last bucket when it falls inside it, else into a
 * new bucket aligned on the same grid (`from` + k × `bucketMs`), so the tail has the resolution
 * of the rest of the chart. Buckets older than `from` are dropped (the window slides).
 */
export function appendLive(s: TagSeries, p: ApiPoint, from: number, bucketMs: number): void {
  if (typeof p.value !== 'number' || p.quality === 'bad') return;
  const v = p.value;
  const last = s.ts.length - 1;
  if (last >= 0 && p.ts < s.ts[last]! + bucketMs) {
    if (p.ts < s.ts[last]!) return; // older than what is drawn: the history already has it
    const n = s.count[last]!;
    s.avg[last] = ((s.avg[last] ?? v) * n + v) / (n + 1);
    s.min[last] = Math.min(s.min[last] ?? v, v);
    s.max[last] = Math.max(s.max[last] ?? v, v);
    s.count[last] = n + 1;
  } else {
    const start = last >= 0 ? s.ts[last]! + Math.floor((p.ts - s.ts[last]!) / bucketMs) * bucketMs : p.ts;
    s.ts.push(start); s.avg.push(v); s.min.push(v); s.max.push(v); s.count.push(1);
  }
  let drop = 0;
  while (drop < s.ts.length && s.ts[drop]! + bucketMs <= from) drop++;
  if (drop > 0) for (const col of [s.ts, s.avg, s.min, s.max, s.count]) col.splice(0, drop);
}

/**
 * The spacing beyond which two buckets are a gap: more than 1.5 buckets apart, or, when buckets
 * are finer than the tag's own sampling (a 1 Hz tag over 5 minutes), more than 3 of its usual
 * intervals apart, so a slow tag is a line and not a row of dots.
 */
function gapThreshold(ts: readonly number[], bucketMs: number): number {
  if (ts.length < 3) return bucketMs * 1.5;
  const steps: number[] = [];
  for (let i = 1; i < ts.length; i++) steps.push(ts[i]! - ts[i - 1]!);
  steps.sort((a, b) => a - b);
  return Math.max(bucketMs * 1.5, steps[steps.length >> 1]! * 3);
}

/**
 * uPlot's aligned columns: x in seconds, then avg, min, max of each tag. A tag's missing bucket
 * is null; after a run of missing buckets a null is inserted so the line breaks there.
 */
export function plotColumns(series: readonly TagSeries[], bucketMs: number): Array<Array<number | null>> {
  const xs = new Set<number>();
  for (const s of series) {
    const gap = gapThreshold(s.ts, bucketMs);
    for (let i = 0; i < s.ts.length; i++) {
      xs.add(s.ts[i]!);
      if (i + 1 < s.ts.length && s.ts[i + 1]! - s.ts[i]! > gap) xs.add(s.ts[i]! + bucketMs);
    }
  }
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const cols: Array<Array<number | null>> = [x.map((v) => v / 1000)];
  for (const s of series) {
    const avg = new Array<number | null>(x.length).fill(null);
    const min = new Array<number | null>(x.length).fill(null);
    const max = new Array<number | null>(x.length).fill(null);
    for (let i = 0; i < s.ts.length; i++) {
      const j = index.get(s.ts[i]!)!;
      avg[j] = s.avg[i]!; min[j] = s.min[i]!; max[j] = s.max[i]!;
    }
    cols.push(avg, min, max);
  }
  return cols;
}

/**
 * CSV of the series inside [from, to): UTC ISO time, then avg, min, max, count per tag. The value
 * columns carry the tag's unit when known (`…/zone_temp avg (°C)`): a CSV travels without the
 * dashboard that knew it.
 */
export function toCsv(series: readonly TagSeries[], from: number, to: number, unitOf: (tag: string) => string = () => ''): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const column = (tag: string, k: string) => {
    const unit = k === 'count' ? '' : unitOf(tag);
    return quote(unit ? `${tag} ${k} (${unit})` : `${tag} ${k}`);
  };
  const head = ['time_utc', 'ts_ms', ...series.flatMap((s) => ['avg', 'min', 'max', 'count'].map((k) => column(s.tag, k)))];
  const rows = new Map<number, string[]>();
  series.forEach((s, k) => {
    for (let i = 0; i < s.ts.length; i++) {
      const ts = s.ts[i]!;
      if (ts < from || ts >= to) continue;
      let row = rows.get(ts);
      if (!row) rows.set(ts, (row = new Array<string>(series.length * 4).fill('')));
      const cells = [s.avg[i], s.min[i], s.max[i], s.count[i]];
      cells.forEach((c, j) => (row![k * 4 + j] = c === null || c === undefined ? '' : String(c)));
    }
  });
  const lines = [head.join(',')];
  for (const ts of [...rows.keys()].sort((a, b) => a - b)) lines.push([new Date(ts).toISOString(), String(ts), ...rows.get(ts)!].join(','));
  return lines.join('\n') + '\n';
}
