/**
 * Append throughput of the DuckDB historian: `--producers` concurrent callers each append
 * batches of `--batch` points (time-ordered, all `--tags` tags interleaved, like a plant at 1 Hz)
 * until `--points` are stored. Rotation and compaction run as in production. Prints one JSON
 * object to stdout: points/s, append latency percentiles, the longest event-loop stall, bytes
 * per point. Progress goes to stderr.
 *
 *   npx tsx bench/append-bench.ts [--points 10000000 --tags 1000 --batch 5000 --producers 8]
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckdbBackend } from '../src/historian/backends/duckdb/duckdb-backend.js';
import type { StoredPoint } from '../src/core/point.js';

const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '10000000' },
    tags: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '5000' },
    producers: { type: 'string', default: '8' },
    'hot-max-rows': { type: 'string' },
    'max-commit-rows': { type: 'string' },
    dir: { type: 'string' },
  },
});
const total = Number(args.points);
const tags = Number(args.tags);
const batch = Number(args.batch);
const producers = Number(args.producers);
const T0 = Date.UTC(2025, 0, 1);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function main(): Promise<void> {
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'lightsout-append-'));
  const backend = new DuckdbBackend({
    dir,
    ...(args['hot-max-rows'] ? { hotMaxRows: Number(args['hot-max-rows']) } : {}),
    ...(args['max-commit-rows'] ? { maxCommitRows: Number(args['max-commit-rows']) } : {}),
    onBackgroundError: (err) => process.stderr.write(`background: ${err.message}\n`),
  });
  await backend.open();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const latencies: number[] = [];
  let next = 0; // global point index: ts = T0 + floor(i / tags) s, tag = i % tags
  let lastReport = performance.now();
  const started = performance.now();
  const producer = async (): Promise<void> => {
    while (next < total) {
      const from = next;
      const n = Math.min(batch, total - from);
      next += n;
      const points = new Array<StoredPoint>(n);
      for (let k = 0; k < n; k++) {
        const i = from + k;
        const tag = i % tags;
        points[k] = { tagId: tag, ts: T0 + Math.floor(i / tags) * 1000, value: Math.round((20 + (tag % 50) + 5 * Math.sin(i / 1e5)) * 100) / 100, quality: 'good' };
      }
      const t = performance.now();
      await backend.append(points);
      latencies.push(performance.now() - t);
      if (performance.now() - lastReport > 2000) {
        lastReport = performance.now();
        process.stderr.write(`${(next / 1e6).toFixed(1)}M points, ${Math.round(next / ((lastReport - started) / 1000))} points/s\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: producers }, producer));
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  await backend.compactNow();
  const stats = await backend.stats();
  await backend.close();
  if (!args.dir) rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const result = {
    bench: 'historian-append',
    backend: 'duckdb',
    points: total,
    tags,
    batch,
    producers,
    seconds: Number(seconds.toFixed(2)),
    pointsPerSecond: Math.round(total / seconds),
    appendLatencyMs: { p50: Number(percentile(latencies, 0.5).toFixed(1)), p99: Number(percentile(latencies, 0.99).toFixed(1)), max: Number(percentile(latencies, 1).toFixed(1)) },
    eventLoopMaxStallMs: Number((loop.max / 1e6).toFixed(1)),
    storedPoints: stats.points,
    bytesPerPoint: Number((stats.bytesOnDisk / stats.points).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
