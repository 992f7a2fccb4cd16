/**
 * "How often would this rule have fired?": stored history replayed through the live evaluator
 * ({@link RuleRunner}) on a simulated clock that jumps from point to point, so on/off delays,
 * deadbands, windows and stale timers behave as they would have live. Points with the same
 * timestamp form one batch. Nothing is raised: the alarm side is a recorder. suppressWhen does not
 * change the count (a suppressed alarm is still raised, just not annunciated).
 * @module
 */
import type { Point, Value } from '../core/point.js';
import { SimClock } from '../core/sim-clock.js';
import { ROLE_SUPPRESS, rolesOf, type CompiledRule } from './rule-compiler.js';
import { RuleRunner, type EvaluatorHost } from './rule-evaluator.js';

/** The outcome of a replay (ApiRuleTestResponse). */
export interface BacktestResult {
  raises: number;
  activeMs: number;
  points: number;
  episodes: Array<{ from: number; to?: number; value?: Value }>;
  truncated: boolean;
}

/** What a replay reads. */
export interface BacktestSource {
  history(path: string, from: number, to: number, limit: number): Promise<Point[]>;
  unit?(path: string): string | undefined;
  resolve?(variable: string): string;
}

/** Most points read for one replay (shared between the rule's tags). */
export const MAX_BACKTEST_POINTS = 500_000;
const MAX_EPISODES = 200;

/** Replay [from, to) of the rule's tags through its condition. */
export async function backtest(rule: CompiledRule, from: number, to: number, src: BacktestSource, maxPoints = MAX_BACKTEST_POINTS): Promise<BacktestResult> {
  const paths = rule.paths.filter((w) => (w.roles & ~ROLE_SUPPRESS) !== 0).map((w) => w.path);
  const limit = Math.max(1, Math.floor(maxPoints / Math.max(1, paths.length)));
  let truncated = false;
  const series = await Promise.all(paths.map(async (path) => {
    const pts = await src.history(path, from, to, limit);
    if (pts.length >= limit) truncated = true;
    return pts.map((p) => (p.tag === path ? p : { ...p, tag: path }));
  }));
  const points = series.flat().filter((p) => p.ts >= from && p.ts < to).sort((a, b) => a.ts - b.ts);

  const result: BacktestResult = { raises: 0, activeMs: 0, points: points.length, episodes: [], truncated };
  let open: { from: number; value?: Value } | undefined;
  const clock = new SimClock(from);
  const host: EvaluatorHost = {
    clock,
    sink: {
      condition: (_t, _id, active, ts, info) => {
        if (active && !open) {
          result.raises++;
          open = { from: ts, ...(info.value !== undefined ? { value: info.value } : {}) };
        } else if (!active && open) {
          result.activeMs += ts - open.from;
          if (result.episodes.length < MAX_EPISODES) result.episodes.push({ ...open, to: ts });
          open = undefined;
        }
      },
      suppression: () => {},
    },
    latest: () => undefined,
    unit: (_t, path) => src.unit?.(path),
    resolve: (_t, _a, v) => src.resolve?.(v) ?? v,
    stats: { evaluations: 0 },
  };
  // The replay knows nothing before its first point: for a stale rule, time before the tag's
  // first point in the period is "no data yet", not a communication loss.
  const start = rule.def.condition.kind === 'stale' && points.length > 0 ? points[0]!.ts : from;
  clock.advanceTo(start);
  const runner = new RuleRunner(rule, host);
  runner.start(start, () => undefined);
  const queue: RuleRunner[] = [];
  for (let i = 0; i < points.length;) {
    const ts = points[i]!.ts;
    clock.advanceTo(ts);
    for (; i < points.length && points[i]!.ts === ts; i++) runner.input(rolesOf(rule, points[i]!.tag), points[i]!, ts, queue);
    if (queue.length > 0) {
      queue.length = 0;
      runner.flush(ts);
    }
  }
  clock.advanceTo(to);
  runner.stop();
  if (open) {
    result.activeMs += to - open.from;
    if (result.episodes.length < MAX_EPISODES) result.episodes.push(open);
  }
  result.activeMs = Math.round(result.activeMs);
  return result;
}
