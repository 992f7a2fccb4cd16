import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationJob } from '../core/alarm-port.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import { NotificationOutbox, retryDelay } from './notification-outbox.js';
import { until } from './notification-test-kit.js';

describe('retryDelay', () => {
  it('5 s doubling to 10 min', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelay(n, mid))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
  });
  it('±20 % jitter', () => {
    expect(retryDelay(1, () => 0)).toBe(4_000);
    expect(retryDelay(1, () => 0.999_999)).toBe(6_000);
    expect(retryDelay(9, () => 0)).toBe(480_000);
    const seen = Array.from({ length: 500 }, () => retryDelay(2));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(8_000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(12_000);
    expect(new Set(seen).size).toBeGreaterThan(100); // really spread, so many failing jobs do not retry in step
  });
});

describe('NotificationOutbox', () => {
  let db: TempAlarmDb;
  let store: SqliteAlarmStore;
  beforeEach(async () => {
    db = new TempAlarmDb('lightsout-outbox-');
    store = await db.open();
  });
  afterEach(async () => {
    await db.remove();
  });

  const job = (id: string, targetId = 't1', nextTs = 1_000): NotificationJob => ({
    id, tenant: 'acme', alarmId: 'a', targetId, subject: 's', body: 'b', payload: {}, createdTs: 1_000, attempts: 0, nextTs, state: 'pending',
  });

  it('a permanent error is not retried; stop waits for attempts under way; jobs queued while stopped wait in the store', async () => {
    const clock = new SimClock(1_000);
    const failed: NotificationJob[] = [];
    const delivered: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const box = new NotificationOutbox({
      store, clock, maxAttempts: 10, random: () => 0.5,
      send: async (j) => {
        if (j.targetId === 'gone') throw Object.assign(new Error('target gone'), { details: { permanent: true } });
        await gate;
      },
      delivered: (j) => delivered.push(j.id),
      failed: (j) => failed.push(j),
    });
    await box.start();
    await box.enqueue([job('p', 'gone'), job('slow')]);
    await until(() => failed.length === 1);
    expect(failed[0]).toMatchObject({ id: 'p', state: 'failed', attempts: 1, lastError: 'target gone' });
    const stopping = box.stop();
    let stopped = false;
    void stopping.then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(delivered).toEqual(['slow']);
    await box.enqueue([job('later')]);
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(delivered).toEqual(['slow']);
    expect((await store.dueJobs(Number.MAX_SAFE_INTEGER, 10)).map((j) => j.id)).toEqual(['later']);
  });

  it('due jobs run oldest first, at most `total` at once and `perTarget` per target', async () => {
    const clock = new SimClock(1_000);
    const running = new Map<string, number>();
    let peak = 0;
    const peakPer = new Map<string, number>();
    const order: string[] = [];
    const box = new NotificationOutbox({
      store, clock, maxAttempts: 1, concurrency: { total: 3, perTarget: 1 },
      send: async (j) => {
        order.push(j.id);
        running.set(j.targetId, (running.get(j.targetId) ?? 0) + 1);
        peak = Math.max(peak, [...running.values()].reduce((a, b) => a + b, 0));
        peakPer.set(j.targetId, Math.max(peakPer.get(j.targetId) ?? 0, running.get(j.targetId)!));
        await new Promise((r) => setTimeout(r, 5));
        running.set(j.targetId, running.get(j.targetId)! - 1);
      },
      delivered: () => undefined, failed: () => undefined,
    });
    const jobs = Array.from({ length: 12 }, (_, i) => ({ ...job(`j${String(i).padStart(2, '0')}`, `t${i % 4}`), createdTs: 1_000 + i }));
    await store.saveJobs(jobs);
    await box.start();
    await until(() => box.pendingCount() === 0);
    await box.stop();
    expect(peak).toBe(3);
    expect([...peakPer.values()]).toEqual([1, 1, 1, 1]);
    expect(order.slice(0, 3)).toEqual(['j00', 'j01', 'j02']);
    expect(order).toHaveLength(12);
  });
});
