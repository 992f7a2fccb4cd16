/**
 * The live hub under trouble, on a controlled clock: a stalled client, reconnects (resume within
 * and after the grace period), and every bound (sessions, tags, pending, bad input).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Value } from '../core/point.js';
import type { LiveSnapshot } from '../protocol/live.js';
import { SUBSCRIBE_BURST } from './live-connection.js';
import { LIVE_CLOSE } from './live-hub.js';
import { FakeSocket, LiveFixture, values } from './test-fakes.js';

let fx: LiveFixture;
const ingest = (points: Array<[string, Value, number?]>): void => fx.ingest(points);
const advance = (ms: number): void => fx.clock.advance(ms);
const TAGS = Array.from({ length: 100 }, (_, i) => `s/a/l1/m${i % 10}/t${i}`);

beforeEach(() => {
  fx = new LiveFixture({ stuckClientMs: 30_000, maxPending: 1000 });
  ingest(TAGS.map((t) => [t, 0]));
});

describe('LiveHub: a slow client', () => {
  it('does not delay other clients, keeps publish cheap, and is dropped after the stuck timeout', () => {
    const slow = fx.client({ patterns: ['s/#'], maxRate: 50 });
    const fast = fx.client({ patterns: ['s/#'], maxRate: 50 });
    advance(1000);
    slow.socket.bufferedAmount = 50 << 20; // the client stopped reading
    const sentToSlow = slow.socket.messages.length;
    let publishMs = 0;
    for (let step = 0; step < 100; step++) {
      const t0 = performance.now();
      ingest(TAGS.map((t, i) => [t, step * 1000 + i]));
      publishMs += performance.now() - t0;
      advance(20);
      // the fast client gets every interval's delta on time
      expect(fast.socket.times[fast.socket.times.length - 1]).toBe(fx.clock.t - 20);
    }
    expect(slow.socket.messages.length).toBe(sentToSlow);
    expect(values(fast.socket.last)[TAGS[7]!]).toBe(99_007);
    expect(publishMs).toBeLessThan(500); // 10,000 points × 2 sessions; generous for a noisy box
    expect(slow.socket.closed).toBeUndefined();
    advance(30_000);
    expect(slow.socket.closed?.code).toBe(LIVE_CLOSE.slowConsumer);
    expect(slow.socket.closed?.reason).toMatch(/^LIGHTSOUT_SLOW_CONSUMER/);
    expect(fast.socket.closed).toBeUndefined();
    expect(fx.hub.stats()).toMatchObject({ droppedSessions: 1, sessions: 1, detachedSessions: 1 });
  });

  it('catches up with the latest value per tag, marked coalesced, once the buffer drains', () => {
    const c = fx.client({ patterns: ['s/#'] });
    advance(1000);
    c.socket.bufferedAmount = 50 << 20;
    for (let v = 1; v <= 20; v++) {
      ingest([[TAGS[0]!, v], [TAGS[1]!, -v]]);
      advance(100);
    }
    const before = c.socket.messages.length;
    c.socket.bufferedAmount = 0;
    advance(300);
    const next = c.socket.messages.slice(before);
    expect(next[0]).toMatchObject({ type: 'delta', coalesced: true });
    expect(values(next[0])).toEqual({ [TAGS[0]!]: 20, [TAGS[1]!]: -20 });
    expect(fx.hub.stats().coalescedMessages).toBe(1);
  });
});

describe('LiveHub: resume', () => {
  it('within the grace period sends everything changed while away, resumed, with no gap', () => {
    const first = fx.client({ patterns: ['s/a/#'], maxRate: 10 });
    advance(1000);
    ingest([[TAGS[0]!, 1]]);
    advance(0);
    const seq = first.socket.last.type === 'delta' ? first.socket.last.seq : -1;
    expect(seq).toBe(2);
    first.conn.close();
    for (let v = 0; v < 30; v++) {
      ingest([[TAGS[v]!, 100 + v], [TAGS[0]!, 200 + v]]);
      advance(500);
    }
    const again = fx.client({ patterns: ['s/a/#'], maxRate: 10, resume: { session: 's1', seq } });
    expect(again.socket.messages).toHaveLength(1);
    const d = again.socket.messages[0]!;
    expect(d).toMatchObject({ type: 'delta', seq: 3, resumed: true });
    const expected: Record<string, number> = {};
    for (let v = 0; v < 30; v++) expected[TAGS[v]!] = 100 + v;
    expected[TAGS[0]!] = 229;
    expect(values(d)).toEqual(expected);
    ingest([[TAGS[50]!, 5]]);
    advance(100);
    expect(again.socket.last).toMatchObject({ type: 'delta', seq: 4 });
    expect(fx.hub.stats()).toMatchObject({ resumedSessions: 1, sessions: 1, detachedSessions: 0 });
  });

  it('after the grace period, or with a gap in seq, sends a fresh snapshot on a new session', () => {
    const a = fx.client({ patterns: ['s/a/#'] });
    a.conn.close();
    advance(31_000);
    const late = fx.client({ patterns: ['s/a/#'], resume: { session: 's1', seq: 1 } });
    expect(late.socket.messages[0]).toMatchObject({ type: 'snapshot', session: 's2', seq: 1 });
    expect((late.socket.messages[0] as LiveSnapshot).points).toHaveLength(100);
    late.conn.close();
    const gap = fx.client({ patterns: ['s/a/#'], resume: { session: 's2', seq: 0 } });
    expect(gap.socket.messages[0]).toMatchObject({ type: 'snapshot', session: 's3' });
    expect(fx.hub.stats()).toMatchObject({ expiredSessions: 1, resumedSessions: 0, sessions: 1, detachedSessions: 0 });
  });

  it('sends a fresh snapshot when the pending changes overflowed while away', () => {
    const a = fx.client({ patterns: ['s/#'] });
    a.conn.close();
    ingest(Array.from({ length: 1500 }, (_, i) => [`s/b/l1/m1/x${i}`, i] as [string, number]));
    const b = fx.client({ patterns: ['s/#'], resume: { session: 's1', seq: 1 } });
    expect(b.socket.messages[0]).toMatchObject({ type: 'snapshot', session: 's2' });
  });
});

describe('LiveHub: bounds and bad input', () => {
  it('falls back to a fresh snapshot when one interval changes more tags than maxPending', () => {
    const c = fx.client({ patterns: ['s/#'] });
    advance(1000);
    ingest(Array.from({ length: 1500 }, (_, i) => [`s/b/l2/m1/y${i}`, i] as [string, number]));
    advance(0);
    expect(c.socket.last).toMatchObject({ type: 'snapshot', session: 's1', seq: 2 });
    expect((c.socket.last as LiveSnapshot).points).toHaveLength(1600);
    expect(fx.hub.stats().overflowSnapshots).toBe(1);
  });

  it('refuses connections beyond maxSessions, and evicts the oldest detached session when full', () => {
    fx.makeHub({ maxSessions: 2 });
    const a = fx.client({ tags: [TAGS[0]] });
    fx.client({ tags: [TAGS[1]] });
    const refused = new FakeSocket(fx.clock);
    expect(fx.hub.connect('demo', refused)).toBeUndefined();
    expect(refused.closed?.code).toBe(LIVE_CLOSE.tryAgainLater);
    expect(refused.of('error')[0]?.error.code).toBe('LIGHTSOUT_LIMIT_EXCEEDED');
    a.conn.close();
    const c = fx.client({ tags: [TAGS[2]] });
    expect(c.socket.messages[0]).toMatchObject({ type: 'snapshot' });
    expect(fx.hub.stats()).toMatchObject({ connections: 2, sessions: 2, detachedSessions: 0 });
  });

  it('answers bad subscriptions with LIGHTSOUT_* errors and keeps the connection', () => {
    fx.makeHub({ maxTags: 50 });
    const c = fx.client({ patterns: ['s/#/x'] });
    const codes = (): string[] => c.socket.of('error').map((e) => e.error.code);
    c.conn.receive({ type: 'subscribe', tags: ['nope'] });
    c.conn.receive({ type: 'subscribe', patterns: ['s/a/#'] }); // matches 100 tags > 50
    c.conn.receive({ type: 'subscribe', tags: TAGS });
    c.conn.receive({ type: 'subscribe', tags: [TAGS[0]!], maxRate: 500 });
    c.conn.receive({ type: 'subscribe' });
    expect(codes()).toEqual(['LIGHTSOUT_BAD_TAG_PATH', 'LIGHTSOUT_BAD_TAG_PATH', 'LIGHTSOUT_LIMIT_EXCEEDED', 'LIGHTSOUT_LIMIT_EXCEEDED', 'LIGHTSOUT_BAD_REQUEST', 'LIGHTSOUT_BAD_REQUEST']);
    c.conn.receive({ type: 'subscribe', patterns: ['s/a/l1/m1/#'] });
    expect(c.socket.last).toMatchObject({ type: 'snapshot' });
    expect(c.socket.closed).toBeUndefined();
  });

  it('limits how often one connection may subscribe', () => {
    const c = fx.client({ tags: [TAGS[0]] });
    for (let i = 0; i < 25; i++) c.conn.receive({ type: 'subscribe', tags: [TAGS[i]!] });
    expect(c.socket.of('snapshot')).toHaveLength(SUBSCRIBE_BURST);
    expect(c.socket.of('error').map((e) => e.error.code)).toEqual(Array(6).fill('LIGHTSOUT_LIMIT_EXCEEDED'));
    advance(1000);
    c.conn.receive({ type: 'subscribe', tags: [TAGS[0]!] });
    expect(c.socket.last).toMatchObject({ type: 'snapshot' });
  });

  it('closes every client with 1001 on stop and ignores later publishes', () => {
    const c = fx.client({ patterns: ['#'] });
    fx.hub.stop();
    expect(c.socket.closed?.code).toBe(LIVE_CLOSE.goingAway);
    ingest([[TAGS[0]!, 1]]);
    advance(1000);
    expect(c.socket.of('delta')).toHaveLength(0);
  });
});
