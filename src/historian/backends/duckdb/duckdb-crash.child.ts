/**
 * Child process of duckdb-crash.test.ts: appends numbered batches forever, several in flight at
 * once (so group commit is exercised), and prints `ack <batch>` the moment each append
 * resolves. Small hot/warm limits keep compactions and merges running, so the kill lands in the
 * middle of background work too. The parent SIGKILLs it and checks every acknowledged batch.
 *
 *   LIGHTSOUT_CRASH_CHILD=1 node --import tsx duckdb-crash.child.ts <dir> <firstBatch> <batchSize> <tags>
 * @module
 */
import type { StoredPoint } from '../../../core/point.js';
import { DuckdbBackend } from './duckdb-backend.js';

const [dir, firstArg, sizeArg, tagsArg] = process.argv.slice(2);
const first = Number(firstArg);
const size = Number(sizeArg);
const tags = Number(tagsArg);
const IN_FLIGHT = 4;

/** Point i of the sequence: tag, ts and value all derive from i, so the parent can check them. */
export function pointOf(i: number, tagCount: number): StoredPoint {
  return { tagId: i % tagCount, ts: 1_700_000_000_000 + i, value: i % 7 === 0 ? `s${i}` : i, quality: i % 11 === 0 ? 'bad' : 'good' };
}

async function main(): Promise<void> {
  const backend = new DuckdbBackend({ dir: dir!, hotMaxRows: 20_000, warmMaxRows: 60_000, maxCommitRows: 10_000 });
  await backend.open();
  process.stdout.write('open\n');
  let next = first;
  const worker = async (): Promise<never> => {
    for (;;) {
      const b = next++;
      const points = Array.from({ length: size }, (_, k) => pointOf(b * size + k, tags));
      await backend.append(points);
      process.stdout.write(`ack ${b}\n`); // pipes are synchronous on Linux: written before the next await
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

// Only when spawned as the child: the test imports pointOf from this file too.
if (process.env['LIGHTSOUT_CRASH_CHILD'] === '1') {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
