/**
 * Query speed of the DuckDB historian at plant scale. Loads `--tags` tags × `--hours` hours at
 * 1 Hz through the real append path (group commit, hot tables, compaction — the fastest path
 * that also yields the production layout), then measures:
 *   - one tag's whole range cut into 1,000 buckets (median and p95 over ≥ 50 random tags)
 *   - latest values of 1,000 tags (median)
 *   - raw points of one tag over 1 h (median)
 * and reports the load's append throughput and bytes on disk per point. One JSON object goes
 * to stdout; progress to stderr. Queries run twice: on the worst layout a live plant passes
 * through (see loadWorstLayout), and again once the hot table is compacted.
 *
 *   npx tsx bench/query-bench.ts [--tags 1000 --hours 24 --queries 60 --dir /path/to/keep]
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckdbBackend } from '../src/historian/backends/duckdb/duckdb-backend.js';
import type { DuckdbBackendOptions } from '../src/historian/backends/duckdb/duckdb-backend.js';
import type { StoredPoint } from '../src/core/point.js';

const { values: args } = parseArgs({
  options: {
    tags: { type: 'string', default: '1000' },
    hours: { type: 'string', default: '24' },
    queries: { type: 'string', default: '60' },
    'hot-max-rows': { type: 'string' },
    dir: { type: 'string' },
    'skip-load': { type: 'boolean', default: false },
  },
});
const tags = Number(args.tags);
const hours = Number(args.hours);
const queries = Math.max(50, Number(args.queries));
const T0 = Date.UTC(2025, 0, 1);
const T1 = T0 + hours * 3_600_000;
const BATCH = 50_000;
const PRODUCERS = 4;
const hotMaxRows = Number(args['hot-max-rows'] ?? 1_000_000);

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const ms = (x: number): number => Number(x.toFixed(2));
function summary(samples: number[]): { median: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: ms(s[Math.floor(s.length / 2)]!), p95: ms(s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!) };
}
// A deterministic pseudo-random sequence, so runs pick the same tags.
let seed = 42;
const rand = (n: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed % n;
};

/** Value of point i: a plausible 2-decimal sensor reading (compresses like real data, not like a counter). */
function value(tag: number, second: number): number {
  return Math.round((20 + (tag % 50) + 5 * Math.sin(second / 600 + tag) + ((second * 7919 + tag) % 50) / 100) * 100) / 100;
}

/** Appends seconds [s0, s1) of every tag, time-ordered with tags interleaved. */
async function load(backend: DuckdbBackend, s0: number, s1: number): Promise<void> {
  const end = s1 * tags;
  let next = s0 * tags;
  let lastReport = performance.now();
  const producer = async (): Promise<void> => {
    while (next < end) {
      const from = next;
      const n = Math.min(BATCH, end - from);
      next += n;
      const points = new Array<StoredPoint>(n);
      for (let k = 0; k < n; k++) {
        const i = from + k;
        const tag = i % tags;
        const second = Math.floor(i / tags);
        points[k] = { tagId: tag, ts: T0 + second * 1000, value: value(tag, second), quality: 'good' };
      }
      await backend.append(points);
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        log(`load ${(next / 1e6).toFixed(1)}M / ${((tags * hours * 3600) / 1e6).toFixed(1)}M points`);
      }
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, producer));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Runs every query kind against the current layout. */
async function measure(backend: DuckdbBackend): Promise<Record<string, unknown>> {
  const layout = backend.layout;
  log(`queries with ${layout.hotRows} rows in the hot tables, ${layout.warmRows} in warm runs`);
  const bucketMs: number[] = [];
  let bucketsReturned = 0;
  for (let q = 0; q < queries + 5; q++) {
    const tag = rand(tags);
    const t = await timed(async () => (bucketsReturned = (await backend.buckets(tag, T0, T1, 1000)).length));
    if (q >= 5) bucketMs.push(t); // the first few warm caches and prepare statements
  }
  const ids = Array.from({ length: Math.min(1000, tags) }, (_, i) => i);
  const latestMs: number[] = [];
  for (let q = 0; q < queries; q++) latestMs.push(await timed(() => backend.latest(ids)));
  const rawMs: number[] = [];
  let rawReturned = 0;
  for (let q = 0; q < queries; q++) {
    const tag = rand(tags);
    const from = T0 + rand(hours) * 3_600_000;
    rawMs.push(await timed(async () => (rawReturned = (await backend.raw(tag, from, from + 3_600_000, 10_000)).length)));
  }
  return {
    ...layout,
    bucketsDay1000Ms: { ...summary(bucketMs), queries: bucketMs.length, bucketsReturned },
    latest1000TagsMs: summary(latestMs),
    raw1hMs: { ...summary(rawMs), pointsReturned: rawReturned },
  };
}

const WARM_RUNS = 7; // one short of the default warmMaxRuns (8): the next compaction would merge

/**
 * Loads the data so that reads meet the worst layout a live plant passes through: the last
 * stretch still unsorted in a hot table one commit short of rotation, and before it seven small
 * sorted runs in `warm`, one short of a merge. Everything older sits in big `cold` runs.
 * Returns the append rate of the bulk load (group commit, compaction and merges all running).
 */
async function loadWorstLayout(dir: string): Promise<number> {
  const open = async (extra: Partial<DuckdbBackendOptions> = {}): Promise<DuckdbBackend> => {
    const b = new DuckdbBackend({ dir, hotMaxRows, onBackgroundError: (err) => log(`background: ${err.message}`), ...extra });
    await b.open();
    return b;
  };
  const total = hours * 3600;
  const run = Math.floor((hotMaxRows - 1) / tags); // seconds per run: just under a rotation
  const tail = (WARM_RUNS + 2) * run;
  let b = await open();
  const started = performance.now();
  const bulkEnd = total > tail ? total - tail : total;
  await load(b, 0, bulkEnd);
  const rate = Math.round((bulkEnd * tags) / ((performance.now() - started) / 1000));
  if (bulkEnd === total) {
    await b.close(); // too little data to shape the layout: queries see what the load left
    return rate;
  }
  await b.compactNow();
  await b.close();
  b = await open({ warmMaxRuns: 1 }); // the next compaction merges whatever warm holds
  await load(b, bulkEnd, bulkEnd + run);
  await b.compactNow();
  await b.close();
  b = await open();
  let s = bulkEnd + run;
  for (let k = 0; k < WARM_RUNS; k++, s += run) {
    await load(b, s, s + run);
    await b.compactNow();
  }
  await load(b, s, total);
  await b.close(); // hot rows survive the reopen (they are in the WAL or checkpointed)
  return rate;
}

async function main(): Promise<void> {
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'lightsout-query-'));
  const appendPointsPerSecond = args['skip-load'] ? null : await loadWorstLayout(dir);
  const backend = new DuckdbBackend({ dir, hotMaxRows, onBackgroundError: (err) => log(`background: ${err.message}`) });
  await backend.open();
  const worstLayout = await measure(backend);
  await backend.compactNow();
  const hotCompacted = await measure(backend);
  const stats = await backend.stats();
  await backend.close();
  if (!args.dir) rmSync(dir, { recursive: true, force: true });

  const result = {
    bench: 'historian-query',
    backend: 'duckdb',
    tags,
    hours,
    points: stats.points,
    hotMaxRows,
    appendPointsPerSecond,
    worstLayout,
    hotCompacted,
    bytesOnDisk: stats.bytesOnDisk,
    bytesPerPoint: Number((stats.bytesOnDisk / stats.points).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
