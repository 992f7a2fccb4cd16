import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckdbBackend } from './duckdb-backend.js';

// What is particular to DuckDB (files, locks, layout); the shared behaviour is in backend.case.test.ts.
describe('DuckdbBackend', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lightsout-duckdb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second open of the same directory in one process', async () => {
    const a = new DuckdbBackend({ dir });
    await a.open();
    try {
      await expect(new DuckdbBackend({ dir }).open()).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
    } finally {
      await a.close();
    }
    const again = new DuckdbBackend({ dir }); // free again once closed
    await again.open();
    await again.close();
  });

  it('wraps a corrupt file as LIGHTSOUT_STORAGE_FAILED with the driver error as cause', async () => {
    mkdirSync(join(dir, 'h'));
    writeFileSync(join(dir, 'h', 'historian.duckdb'), 'not a database'.repeat(500));
    const err = await new DuckdbBackend({ dir: join(dir, 'h') }).open().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('moves points hot → warm → cold and reads them the same from every level', async () => {
    const b = new DuckdbBackend({ dir, hotMaxRows: 100, warmMaxRows: 300 });
    await b.open();
    try {
      for (let k = 0; k < 10; k++) await b.append(Array.from({ length: 50 }, (_, i) => ({ tagId: i % 5, ts: k * 50 + i, value: k * 50 + i, quality: 'good' as const })));
      const before = await b.raw(3, 0, 1000, 1000);
      await b.idle();
      expect(b.layout.hotRows + b.layout.warmRows).toBeLessThan(500); // some rows reached cold
      await b.compactNow();
      expect(b.layout.hotRows).toBe(0);
      expect(await b.raw(3, 0, 1000, 1000)).toStrictEqual(before);
      expect(before.map((p) => p.ts)).toEqual(Array.from({ length: 100 }, (_, i) => i * 5 + 3));
      expect((await b.stats()).points).toBe(500);
    } finally {
      await b.close();
    }
  });

  it('rejects appends and reads once closed, with a code', async () => {
    const b = new DuckdbBackend({ dir: ':memory:' });
    await b.open();
    await b.close();
    await expect(b.append([{ tagId: 1, ts: 1, value: 1, quality: 'good' }])).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
    await expect(b.raw(1, 0, 10, 10)).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
  });
});
