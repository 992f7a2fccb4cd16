import { describe, expect, it } from 'vitest';
import type { StoredPoint } from '../core/point.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { LastValueCache } from './last-value-cache.js';
import { IngestPipeline } from './pipeline.js';
import { RejectionCounter } from './rejection-counter.js';
import { TagRegistry } from './tag-registry.js';

/** A historian whose writes complete only when the test says so (our own port, not a driver). */
class GatedHistorian {
  readonly stored: StoredPoint[] = [];
  readonly gates: Array<() => void> = [];
  gated = false;
  fail = false;
  async append(points: readonly StoredPoint[]): Promise<void> {
    if (this.gated) await new Promise<void>((r) => this.gates.push(r));
    if (this.fail) throw new Error('disk full');
    this.stored.push(...points);
  }
  open(): void { for (const g of this.gates.splice(0)) g(); }
}

async function setup(maxQueuedPoints = 1000) {
  const store = new SqliteStore(':memory:');
  await store.open();
  const registry = new TagRegistry(store);
  const historian = new GatedHistorian();
  const cache = new LastValueCache();
  const rejections = new RejectionCounter(undefined);
  const pipeline = new IngestPipeline({ registry, historian, cache, rejections, maxQueuedPoints, maxBatchPoints: 100, maxFutureMs: 60_000, maxStringLength: 100 });
  return { store, registry, historian, cache, rejections, pipeline };
}

const now = Date.now();

describe('IngestPipeline', () => {
  it('stores good points, keeps them when bad ones share the batch, counts the bad ones', async () => {
    const { pipeline, historian, rejections, store } = await setup();
    const r = await pipeline.submit({ tenant: 't', source: 'test', points: [
      { tag: 's/m/a', value: 1, ts: now }, { tag: 's/m/b', value: Number.NaN }, { tag: 's//c', value: 1 }, { tag: 's/m/d', value: 'x', ts: now },
    ] });
    expect(r.accepted).toBe(2);
    expect(r.rejected.map((x) => x.code)).toEqual(['LIGHTSOUT_BAD_VALUE', 'LIGHTSOUT_BAD_TAG_PATH']);
    expect(historian.stored.map((p) => p.value)).toEqual([1, 'x']);
    expect(rejections.snapshot()).toMatchObject({ total: 2, bySource: { test: 2 } });
    expect((await store.loadTags()).map((t) => [t.path, t.type])).toEqual([['s/m/a', 'number'], ['s/m/d', 'string']]);
  });

  it('rejects a value of another type than the tag was created with', async () => {
    const { pipeline } = await setup();
    await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 1 }] });
    const r = await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 'one' }, { tag: 's/m/a', value: '18446744073709551615' }] });
    expect(r.rejected.map((x) => x.code)).toEqual(['LIGHTSOUT_TYPE_MISMATCH']);
    expect(r.accepted).toBe(1);
  });

  it('resolves a submit only once the historian write completed', async () => {
    const { pipeline, historian } = await setup();
    historian.gated = true;
    let done = false;
    const p = pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 1 }] }).then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    historian.open();
    await p;
    expect(done).toBe(true);
  });

  it('holds submitters back when the queue is full instead of growing memory', async () => {
    const { pipeline, historian } = await setup(1000);
    historian.gated = true;
    const batch = (i: number) => ({ tenant: 't', source: 'test', points: Array.from({ length: 400 }, (_, k) => ({ tag: `s/m/t${k}`, value: i, ts: now + i })) });
    const results: number[] = [];
    const subs = [0, 1, 2, 3].map((i) => pipeline.submit(batch(i)).then(() => results.push(i)));
    await new Promise((r) => setTimeout(r, 20));
    expect(pipeline.stats().queuedPoints).toBeLessThanOrEqual(1000);
    while (results.length < 4) {
      historian.open();
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(subs);
    expect(historian.stored.length).toBe(1600);
  });

  it('never acknowledges points whose write failed, and keeps the new tags for the next write', async () => {
    const { pipeline, historian, store } = await setup();
    historian.fail = true;
    await expect(pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 1 }] })).rejects.toMatchObject({ code: 'LIGHTSOUT_STORAGE_FAILED' });
    expect(pipeline.stats().storageErrors).toBe(1);
    historian.fail = false;
    await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/b', value: 2 }] });
    expect((await store.loadTags()).map((t) => t.path).sort()).toEqual(['s/m/a', 's/m/b']);
  });

  it('keeps the newest value in the cache even when older points arrive later', async () => {
    const { pipeline, cache, registry } = await setup();
    await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 2, ts: now }] });
    await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 1, ts: now - 1000 }] });
    expect(cache.get(registry.get('t', 's/m/a')!.id)?.value).toBe(2);
  });

  it('persists metadata sent with values before acknowledging, and rejects bad metadata alone', async () => {
    const { pipeline, store } = await setup();
    const r = await pipeline.submit({ tenant: 't', source: 'test', points: [
      { tag: 's/m/a', value: 1, meta: { unit: '°C', min: 0, max: 90 } },
      { tag: 's/m/b', value: 2, meta: { unit: 'x'.repeat(40) } },
    ] });
    expect(r.accepted).toBe(2);
    expect(r.rejected.map((x) => x.code)).toEqual(['LIGHTSOUT_BAD_VALUE']);
    await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 3, meta: { description: 'oil' } }] });
    const saved = await store.loadTags();
    expect(saved.find((t) => t.path === 's/m/a')).toMatchObject({ unit: '°C', min: 0, max: 90, description: 'oil' });
    expect(saved.find((t) => t.path === 's/m/b')!.unit).toBeUndefined();
  });

  it('calls hooks with durable points and survives a throwing hook', async () => {
    const { pipeline } = await setup();
    const seen: string[] = [];
    pipeline.onPoints(() => { throw new Error('bad subscriber'); });
    pipeline.onPoints((tenant, pts) => seen.push(...pts.map((p) => `${tenant}:${p.tag}=${String(p.value)}`)));
    await pipeline.submit({ tenant: 't', source: 'test', points: [{ tag: 's/m/a', value: 7 }] });
    expect(seen).toEqual(['t:s/m/a=7']);
  });
});
