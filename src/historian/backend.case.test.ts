/**
 * The historian contract: every backend runs these same cases. Add a backend by adding a factory
 * to BACKENDS. Expected values are computed by hand in each test, not by another implementation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistorianBackend } from '../core/historian-port.js';
import type { Quality, StoredPoint, Value } from '../core/point.js';
import { DuckdbBackend } from './backends/duckdb/duckdb-backend.js';

interface BackendFactory {
  name: string;
  /** A backend storing into `dir`; a second call with the same dir must see the same data. */
  make(dir: string): HistorianBackend;
  /** Waits for the backend's background work, so a case can read a settled layout too. */
  settle?(backend: HistorianBackend): Promise<void>;
}

const BACKENDS: BackendFactory[] = [
  { name: 'duckdb', make: (dir) => new DuckdbBackend({ dir }) },
  // Tiny thresholds: points move hot → warm → cold while the test runs, so every case also
  // checks that queries see each point exactly once whichever table it sits in.
  {
    name: 'duckdb (compacting)',
    make: (dir) => new DuckdbBackend({ dir, hotMaxRows: 3, warmMaxRows: 7 }),
    settle: (b) => (b as DuckdbBackend).idle(),
  },
];

function pt(tagId: number, ts: number, value: Value, quality: Quality = 'good'): StoredPoint {
  return { tagId, ts, value, quality };
}

describe.each(BACKENDS)('historian backend: $name', (factory) => {
  let dir: string;
  let backend: HistorianBackend;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lightsout-historian-'));
    backend = factory.make(dir);
    await backend.open();
  });

  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives back every value type and quality exactly as written', async () => {
    const points = [
      pt(1, 1000, 21.5, 'good'),
      pt(1, 1001, -0.000123, 'uncertain'),
      pt(1, 1002, 0, 'bad'),
      pt(1, 1003, 1e300, 'good'),
      pt(1, 1004, -42, 'good'),
      pt(2, 1000, true, 'good'),
      pt(2, 1001, false, 'bad'),
      pt(3, 1000, 'running', 'good'),
      pt(3, 1001, '', 'uncertain'),
      pt(3, 1002, 'Temp (°C) ✓', 'bad'),
      pt(4, 1000, '9223372036854775807', 'good'), // Int64 beyond 2^53 travels as text
    ];
    await backend.append(points);
    for (let round = 0; round < 2; round++) {
      if (round === 1) await factory.settle?.(backend); // read fresh points, then settled ones
      expect(await backend.raw(1, 0, 2000, 100)).toStrictEqual(points.filter((p) => p.tagId === 1));
      expect(await backend.raw(2, 0, 2000, 100)).toStrictEqual(points.filter((p) => p.tagId === 2));
      expect(await backend.raw(3, 0, 2000, 100)).toStrictEqual(points.filter((p) => p.tagId === 3));
    }
    const [big] = await backend.raw(4, 0, 2000, 100);
    expect(typeof big!.value).toBe('string');
    expect(big!.value).toBe('9223372036854775807');
  });

  it('returns raw points in ts order whatever order they arrived in', async () => {
    await backend.append([pt(7, 5000, 5), pt(7, 1000, 1)]);
    await backend.append([pt(7, 3000, 3)]);
    await backend.append([pt(7, 4000, 4), pt(7, 2000, 2)]);
    const got = await backend.raw(7, 0, 10_000, 100);
    expect(got.map((p) => p.ts)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(got.map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads [from, to): from included, to excluded, other tags never mixed in', async () => {
    await backend.append([pt(1, 99, 0), pt(1, 100, 1), pt(1, 150, 2), pt(1, 199, 3), pt(1, 200, 4), pt(2, 150, 99)]);
    const got = await backend.raw(1, 100, 200, 100);
    expect(got.map((p) => [p.ts, p.value])).toEqual([[100, 1], [150, 2], [199, 3]]);
  });

  it('stops at limit, keeping the earliest points', async () => {
    await backend.append(Array.from({ length: 50 }, (_, i) => pt(1, 1000 + (49 - i) * 10, 49 - i)));
    const got = await backend.raw(1, 0, 10_000, 5);
    expect(got.map((p) => p.ts)).toEqual([1000, 1010, 1020, 1030, 1040]);
    expect(await backend.raw(1, 0, 10_000, 0)).toEqual([]);
  });

  it('computes numeric buckets and leaves empty ones out', async () => {
    // [0, 100) in 5 buckets of 20 ms; [40, 60) stays empty.
    await backend.append([pt(1, 10, 5), pt(1, 0, 1), pt(1, 24, 3, 'bad'), pt(1, 25, 10)]);
    await backend.append([pt(1, 60, -2), pt(1, 99, 4), pt(1, 100, 1000), pt(2, 30, 500)]);
    await factory.settle?.(backend);
    expect(await backend.buckets(1, 0, 100, 5)).toStrictEqual([
      { ts: 0, min: 1, max: 5, avg: 3, first: 1, last: 5, count: 2 },
      { ts: 20, min: 3, max: 10, avg: 6.5, first: 3, last: 10, count: 2 },
      { ts: 60, min: -2, max: -2, avg: -2, first: -2, last: -2, count: 1 },
      { ts: 80, min: 4, max: 4, avg: 4, first: 4, last: 4, count: 1 },
    ]);
    expect(await backend.buckets(1, 200, 300, 5)).toEqual([]);
  });

  it('cuts a range whose width is not a whole number of ms consistently', async () => {
    // [1000, 1010) in 3 buckets: w = 3.33 ms. Bucket i holds i*w <= ts-from < (i+1)*w, and its
    // ts is the first whole ms in it: 1000 (ts 1000..1003), 1004 (1004..1006), 1007 (1007..1009).
    await backend.append(Array.from({ length: 12 }, (_, i) => pt(1, 999 + i, 999 + i)));
    const got = await backend.buckets(1, 1000, 1010, 3);
    expect(got.map((b) => [b.ts, b.count, b.first, b.last, b.min, b.max])).toEqual([
      [1000, 4, 1000, 1003, 1000, 1003],
      [1004, 3, 1004, 1006, 1004, 1006],
      [1007, 3, 1007, 1009, 1007, 1009],
    ]);
    // One bucket per ms and more buckets than ms: every point still lands in exactly one.
    const fine = await backend.buckets(1, 1000, 1010, 20);
    expect(fine.reduce((a, b) => a + b.count, 0)).toBe(10);
    expect(fine.map((b) => b.ts)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
  });

  it('aggregates booleans as 0/1 and keeps them boolean in first/last', async () => {
    await backend.append([pt(5, 0, true), pt(5, 1, false), pt(5, 2, true), pt(5, 50, false)]);
    const got = await backend.buckets(5, 0, 100, 2);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ ts: 0, min: 0, max: 1, first: true, last: true, count: 3 });
    expect(got[0]!.avg).toBeCloseTo(2 / 3, 12);
    expect(got[1]).toStrictEqual({ ts: 50, min: 0, max: 0, avg: 0, first: false, last: false, count: 1 });
  });

  it('gives string tags null min/max/avg and string first/last', async () => {
    await backend.append([pt(6, 30, 'c'), pt(6, 10, 'a'), pt(6, 20, 'b'), pt(6, 70, '12345678901234567890')]);
    expect(await backend.buckets(6, 0, 100, 2)).toStrictEqual([
      { ts: 0, min: null, max: null, avg: null, first: 'a', last: 'c', count: 3 },
      { ts: 50, min: null, max: null, avg: null, first: '12345678901234567890', last: '12345678901234567890', count: 1 },
    ]);
  });

  it('keeps the newest point per tag as latest, by ts rather than arrival', async () => {
    await backend.append([pt(1, 2000, 2), pt(2, 1000, 'x', 'bad')]);
    await backend.append([pt(1, 1000, 1)]); // older, arrives later
    await backend.append([pt(2, 3000, 'y')]);
    const got = await backend.latest([1, 2, 3]);
    expect([...got.keys()].sort()).toEqual([1, 2]);
    expect(got.get(1)).toStrictEqual(pt(1, 2000, 2));
    expect(got.get(2)).toStrictEqual(pt(2, 3000, 'y'));
  });

  it('deletes everything older than the cutoff, and nothing newer', async () => {
    await backend.append([pt(1, 100, 1), pt(1, 200, 2), pt(1, 300, 3), pt(2, 150, true), pt(3, 500, 'z')]);
    expect(await backend.deleteBefore(250)).toBe(3);
    expect((await backend.raw(1, 0, 1000, 100)).map((p) => p.ts)).toEqual([300]);
    expect(await backend.raw(2, 0, 1000, 100)).toEqual([]);
    expect((await backend.stats()).points).toBe(2);
    const latest = await backend.latest([1, 2, 3]);
    expect([...latest.keys()].sort()).toEqual([1, 3]);
    expect(await backend.deleteBefore(250)).toBe(0);
  });

  it('counts points and their bytes on disk', async () => {
    expect((await backend.stats()).points).toBe(0);
    await backend.append(Array.from({ length: 1000 }, (_, i) => pt(i % 10, i, i)));
    const stats = await backend.stats();
    expect(stats.points).toBe(1000);
    expect(stats.bytesOnDisk).toBeGreaterThan(0);
  });

  it('keeps all data across close and reopen', async () => {
    const points = Array.from({ length: 100 }, (_, i) => pt(i % 4, 1000 + i, i % 3 === 0 ? i : i % 3 === 1 ? i % 2 === 0 : `s${i}`, i % 5 === 0 ? 'bad' : 'good'));
    await backend.append(points);
    await backend.close();
    backend = factory.make(dir);
    await backend.open();
    for (let tag = 0; tag < 4; tag++) {
      expect(await backend.raw(tag, 0, 10_000, 1000)).toStrictEqual(points.filter((p) => p.tagId === tag));
    }
    expect((await backend.latest([0, 1, 2, 3])).get(3)).toStrictEqual(points[99]);
    expect((await backend.stats()).points).toBe(100);
  });

  it('stores every point of many concurrent appends', async () => {
    const calls = Array.from({ length: 40 }, (_, c) => Array.from({ length: 250 }, (_, i) => pt(c % 8, c * 1000 + i, c * 1000 + i)));
    await Promise.all(calls.map((points) => backend.append(points)));
    expect((await backend.stats()).points).toBe(10_000);
    await factory.settle?.(backend);
    expect((await backend.stats()).points).toBe(10_000);
    for (let tag = 0; tag < 8; tag++) {
      const got = await backend.raw(tag, 0, 1_000_000, 100_000);
      expect(got).toHaveLength(1250);
      expect(got.every((p, i) => i === 0 || p.ts > got[i - 1]!.ts)).toBe(true);
      expect(got.every((p) => p.value === p.ts)).toBe(true);
    }
  });

  it('refuses unstorable points and bad reads with coded errors, storing nothing of a bad batch', async () => {
    await expect(backend.append([pt(1, 1, 1), pt(1, 2, Number.NaN)])).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    await expect(backend.append([pt(1, 1.5, 1)])).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_TIMESTAMP' });
    await expect(backend.append([pt(-1, 1, 1)])).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(backend.append([{ ...pt(1, 1, 1), quality: 'fine' as Quality }])).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_QUALITY' });
    expect((await backend.stats()).points).toBe(0);
    await expect(backend.raw(1, 10, 5, 10)).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(backend.buckets(1, 0, 10, 0)).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(backend.buckets(0.5, 0, 10, 1)).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
  });
});
