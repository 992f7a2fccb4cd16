import { describe, expect, it } from 'vitest';
import type { StoredPoint } from '../../../core/point.js';
import { GroupCommitQueue } from './group-commit.js';

const batch = (n: number, tag = 1): StoredPoint[] => Array.from({ length: n }, (_, i) => ({ tagId: tag, ts: i, value: i, quality: 'good' }));

describe('GroupCommitQueue', () => {
  it('commits appends made in the same turn of the event loop together', async () => {
    const groups: number[][] = [];
    const q = new GroupCommitQueue((batches) => void groups.push(batches.map((b) => b.length)), 1_000_000);
    await Promise.all(Array.from({ length: 100 }, (_, i) => q.enqueue(batch(i + 1))));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('splits groups at maxRows but never splits a batch', async () => {
    const groups: number[] = [];
    const q = new GroupCommitQueue((_b, rows) => void groups.push(rows), 100);
    await Promise.all([q.enqueue(batch(60)), q.enqueue(batch(30)), q.enqueue(batch(20)), q.enqueue(batch(250)), q.enqueue(batch(1))]);
    expect(groups).toEqual([90, 20, 250, 1]);
  });

  it('rejects only the callers of a failed group, and keeps going', async () => {
    let calls = 0;
    const q = new GroupCommitQueue(() => {
      if (++calls === 1) throw new Error('disk on fire');
    }, 10);
    const results = await Promise.allSettled([q.enqueue(batch(10)), q.enqueue(batch(10))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('disk on fire');
    await q.enqueue(batch(1));
    expect(calls).toBe(3);
  });

  it('resolves an empty append at once and drains when idle', async () => {
    const q = new GroupCommitQueue(() => {
      throw new Error('must not be called');
    }, 10);
    await q.enqueue([]);
    await q.drain();
    expect(q.pendingRows).toBe(0);
  });
});
