/**
 * The trend's time window and its URL form. A named range (`range=1h`) ends at now and follows
 * it (live tail); a zoomed or panned window is absolute (`from=…&to=…`), so a shared link shows
 * exactly what the sender saw.
 * @module
 */

/** The named ranges offered, shortest first. */
export const RANGES = [
  { id: '5m', ms: 5 * 60_000 },
  { id: '1h', ms: 3_600_000 },
  { id: '8h', ms: 8 * 3_600_000 },
  { id: '24h', ms: 24 * 3_600_000 },
  { id: '7d', ms: 7 * 86_400_000 },
  { id: '30d', ms: 30 * 86_400_000 },
  { id: '1y', ms: 365 * 86_400_000 },
] as const;

/** A named range id. */
export type RangeId = (typeof RANGES)[number]['id'];

/** What the trend URL holds. */
export interface TrendState {
  tags: string[];
  /** Set for a window that ends at now. */
  range?: RangeId;
  /** Set (both) for an absolute window. */
  from?: number;
  to?: number;
}

/** Read the trend state from the route's query. Unknown or broken values fall back to the last hour. */
export function parseTrendState(params: URLSearchParams): TrendState {
  const tags = params.getAll('tag').filter(Boolean);
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (Number.isFinite(from) && Number.isFinite(to) && from > 0 && to > from) return { tags, from, to };
  const range = RANGES.find((r) => r.id === params.get('range'))?.id ?? '1h';
  return { tags, range };
}

/** The query of a trend state. */
export function trendParams(s: TrendState): URLSearchParams {
  const p = new URLSearchParams();
  for (const t of s.tags) p.append('tag', t);
  if (s.from !== undefined && s.to !== undefined) {
    p.set('from', String(Math.round(s.from)));
    p.set('to', String(Math.round(s.to)));
  } else {
    p.set('range', s.range ?? '1h');
  }
  return p;
}

/** The concrete window at `now`; `live` when it ends at now. */
export function resolveWindow(s: TrendState, now: number): { from: number; to: number; live: boolean } {
  if (s.from !== undefined && s.to !== undefined) return { from: s.from, to: s.to, live: false };
  const ms = RANGES.find((r) => r.id === s.range)!.ms;
  return { from: now - ms, to: now, live: true };
}

/**
 * Buckets for a plot `widthPx` CSS pixels wide: one per 2 pixels, so the server never sends more
 * than the screen can show. Rounded to a multiple of 10 so a small resize does not refetch.
 */
export function bucketsFor(widthPx: number): number {
  return Math.max(10, Math.floor(widthPx / 2 / 10) * 10);
}
