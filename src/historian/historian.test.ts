import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredPoint } from '../core/point.js';
import { DuckdbBackend } from './backends/duckdb/duckdb-backend.js';
import { Historian, MAX_BUCKETS } from './historian.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);

function pt(tagId: number, ts: number, value: number): StoredPoint {
  return { tagId, ts, value, quality: 'good' };
}

describe('Historian', () => {
  let backend: DuckdbBackend;
  let historian: Historian | undefined;

  beforeEach(async () => {
    backend = new DuckdbBackend({ dir: ':memory:' });
    await backend.open();
  });

  afterEach(async () => {
    historian?.stop();
    historian = undefined;
    await backend.close();
  });

  it('refuses bad query arguments with LIGHTSOUT_BAD_REQUEST', async () => {
    historian = new Historian(backend, { maxRawLimit: 1000 });
    const bad = { code: 'LIGHTSOUT_BAD_REQUEST' };
    await expect(historian.raw(1, 10, 10, 5)).rejects.toMatchObject(bad);
    await expect(historian.raw(1, 20, 10, 5)).rejects.toMatchObject(bad);
    await expect(historian.raw(1, 0, 10, 0)).rejects.toMatchObject(bad);
    await expect(historian.raw(1, 0, 10, 1001)).rejects.toMatchObject(bad);
    await expect(historian.raw(1, 0.5, 10, 5)).rejects.toMatchObject(bad);
    await expect(historian.raw(1, 0, Number.NaN, 5)).rejects.toMatchObject(bad);
    await expect(historian.buckets(1, 0, 10, 0)).rejects.toMatchObject(bad);
    await expect(historian.buckets(1, 0, 10, MAX_BUCKETS + 1)).rejects.toMatchObject(bad);
    await expect(historian.buckets(-1, 0, 10, 10)).rejects.toMatchObject(bad);
    await expect(historian.deleteBefore(1.5)).rejects.toMatchObject(bad);
    // Valid arguments at the limits pass through to the backend.
    await historian.append([pt(1, 5, 42)]);
    expect(await historian.raw(1, 0, 10, 1000)).toEqual([pt(1, 5, 42)]);
    expect(await historian.buckets(1, 0, 10, MAX_BUCKETS)).toEqual([{ ts: 5, min: 42, max: 42, avg: 42, first: 42, last: 42, count: 1 }]);
  });

  it('applies retention at start without being asked, and on demand', async () => {
    await backend.append([pt(1, NOW - 10 * DAY, 1), pt(1, NOW - 3 * DAY, 2), pt(1, NOW - DAY / 2, 3)]);
    const logged: string[] = [];
    const log = { info: (_: object, msg: string) => void logged.push(msg), warn: (_: object, msg: string) => void logged.push(msg) };
    historian = new Historian(backend, { retentionDays: 5, now: () => NOW, log });
    await expect.poll(async () => (await backend.stats()).points, { timeout: 2000 }).toBe(2);
    expect(logged).toContain('historian retention deleted old points');
    // A shorter clock step later: the 3-day-old point is now beyond 5 days.
    const later = new Historian(backend, { retentionDays: 5, now: () => NOW + 2.5 * DAY });
    later.stop();
    expect(await later.applyRetention()).toBe(1);
    expect((await backend.raw(1, 0, NOW, 10)).map((p) => p.value)).toEqual([3]);
  });

  it('keeps everything when retention is off', async () => {
    await backend.append([pt(1, 0, 1)]);
    historian = new Historian(backend, { now: () => NOW });
    expect(await historian.applyRetention()).toBe(0);
    expect((await backend.stats()).points).toBe(1);
  });

  it('logs a failed retention instead of throwing, and refuses a negative retentionDays', async () => {
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (_: object, msg: string) => void warnings.push(msg) };
    const closed = new DuckdbBackend({ dir: ':memory:' }); // never opened: every call fails
    const h = new Historian(closed, { retentionDays: 1, log });
    h.stop();
    expect(await h.applyRetention()).toBe(0);
    expect(warnings).toEqual(['historian retention failed']);
    expect(() => new Historian(backend, { retentionDays: -1 })).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_CONFIG_INVALID' }));
  });
});
