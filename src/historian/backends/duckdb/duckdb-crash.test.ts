/**
 * A real crash: a child process appends batches and reports each acknowledged one; it is killed
 * with SIGKILL mid-run (mid-compaction, most likely), and every acknowledged point must be there,
 * exactly once, when the store is reopened. Twice, so the second run also starts from a store
 * recovered after a kill.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckdbBackend } from './duckdb-backend.js';
import { pointOf } from './duckdb-crash.child.js';

const CHILD = fileURLToPath(new URL('./duckdb-crash.child.ts', import.meta.url));
const BATCH = 500;
const TAGS = 7;

/** Runs the child from `firstBatch`, kills it once it has acknowledged `minAcks` batches (plus a little). */
async function runAndKill(dir: string, firstBatch: number, minAcks: number): Promise<{ acked: number[]; signal: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(firstBatch), String(BATCH), String(TAGS)], {
    env: { ...process.env, LIGHTSOUT_CRASH_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked: number[] = [];
  const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const lines = createInterface({ input: child.stdout! });
  const closed = new Promise<void>((resolve) => lines.on('close', resolve));
  let killTimer: NodeJS.Timeout | undefined;
  lines.on('line', (line) => {
    if (!line.startsWith('ack ')) return;
    acked.push(Number(line.slice(4)));
    // Kill at a point not aligned with anything the child does: a short, odd delay after the threshold.
    if (acked.length === minAcks) killTimer = setTimeout(() => child.kill('SIGKILL'), 37);
  });
  const signal = await exited;
  await closed; // every ack written before the kill has been read
  clearTimeout(killTimer);
  return { acked, signal };
}

/** Checks every point of every acknowledged batch is stored exactly once; returns points stored. */
async function verify(dir: string, acked: readonly number[]): Promise<number> {
  const backend = new DuckdbBackend({ dir });
  await backend.open();
  try {
    const seen = new Map<number, number>();
    for (let tag = 0; tag < TAGS; tag++) {
      for (const p of await backend.raw(tag, 0, Number.MAX_SAFE_INTEGER, 10_000_000)) {
        const i = p.ts - 1_700_000_000_000;
        expect(p).toStrictEqual(pointOf(i, TAGS)); // right tag, value type, value and quality
        seen.set(i, (seen.get(i) ?? 0) + 1);
      }
    }
    const missing: number[] = [];
    for (const b of acked) for (let i = b * BATCH; i < (b + 1) * BATCH; i++) if (seen.get(i) !== 1) missing.push(i);
    expect(missing.slice(0, 10)).toEqual([]);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    return seen.size;
  } finally {
    await backend.close();
  }
}

describe('DuckDB historian crash safety', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lightsout-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged point through two kill -9s', async () => {
    const first = await runAndKill(dir, 0, 300);
    expect(first.signal).toBe('SIGKILL');
    expect(first.acked.length).toBeGreaterThanOrEqual(300);
    const stored = await verify(dir, first.acked);
    expect(stored).toBeGreaterThanOrEqual(first.acked.length * BATCH);

    // Second run continues the numbering on the recovered store and is killed again.
    const start = Math.max(...first.acked) + 100;
    const second = await runAndKill(dir, start, 300);
    expect(second.signal).toBe('SIGKILL');
    await verify(dir, [...first.acked, ...second.acked]);
  }, 30_000);
});
