/**
 * The live hub on a controlled clock (no sleeping): snapshot then deltas, coalescing, maxRate,
 * patterns, tenant isolation (slow clients, resume and bounds: live-hub-bounds.test.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Value } from '../core/point.js';
import { LiveFixture, values } from './test-fakes.js';

let fx: LiveFixture;
const ingest = (points: Array<[string, Value, number?]>, tenant?: string): void => fx.ingest(points, tenant);
const client = (sub: Record<string, unknown>, tenant?: string) => fx.client(sub, tenant);
const advance = (ms: number): void => fx.clock.advance(ms);

beforeEach(() => {
  fx = new LiveFixture();
  ingest([['s/a/l1/m1/temp', 20], ['s/a/l1/m1/speed', 100], ['s/a/l2/m1/temp', 30], ['s/b/l1/m1/temp', 40]]);
});

describe('LiveHub: snapshot, then deltas', () => {
  it('answers a subscription with a snapshot of current values, then sends changes at once when idle', () => {
    const { socket } = client({ patterns: ['s/a/#'] });
    expect(socket.messages).toHaveLength(1);
    const snap = socket.of('snapshot')[0]!;
    expect(snap).toMatchObject({ session: 's1', seq: 1 });
    expect(snap.points.map((p) => p.tag)).toEqual(['s/a/l1/m1/speed', 's/a/l1/m1/temp', 's/a/l2/m1/temp']);
    advance(1000); // idle: the next change goes out on the next turn
    ingest([['s/a/l1/m1/temp', 21], ['s/b/l1/m1/temp', 41]]);
    advance(0);
    expect(socket.last).toEqual({ type: 'delta', seq: 2, points: [{ tag: 's/a/l1/m1/temp', ts: fx.clock.t, value: 21, quality: 'good' }] });
  });

  it('coalesces many updates of one tag in one interval into one point, the latest', () => {
    const { socket } = client({ tags: ['s/a/l1/m1/temp'] });
    for (let i = 0; i < 50; i++) {
      ingest([['s/a/l1/m1/temp', i]]);
      advance(1);
    }
    advance(200);
    const deltas = socket.of('delta');
    expect(deltas).toHaveLength(1); // the snapshot opened the interval; all 50 fell inside it
    expect(deltas[0]!.points).toHaveLength(1);
    expect(deltas[0]!.points[0]!.value).toBe(49);
  });

  it('sends at most maxRate messages per second and always ends on the latest value', () => {
    const { socket } = client({ patterns: ['s/#'], maxRate: 5 });
    const start = fx.clock.t;
    for (let i = 0; i < 1000; i++) {
      ingest([['s/a/l1/m1/temp', i], ['s/b/l1/m1/temp', -i]]);
      advance(1);
    }
    advance(1000);
    const deltas = socket.messages.map((m, i) => ({ m, t: socket.times[i]! })).filter((x) => x.m.type === 'delta');
    for (let i = 1; i < deltas.length; i++) expect(deltas[i]!.t - deltas[i - 1]!.t).toBeGreaterThanOrEqual(200);
    expect(deltas.filter((d) => d.t < start + 1000).length).toBeLessThanOrEqual(5);
    const last: Record<string, Value> = {};
    for (const d of deltas) Object.assign(last, values(d.m));
    expect(last).toEqual({ 's/a/l1/m1/temp': 999, 's/b/l1/m1/temp': -999 });
  });

  it('never rolls a value back with a late point', () => {
    const { socket } = client({ tags: ['s/a/l1/m1/temp'] });
    advance(1000);
    ingest([['s/a/l1/m1/temp', 5, fx.clock.t]]);
    ingest([['s/a/l1/m1/temp', 4, fx.clock.t - 10]]);
    advance(0);
    expect(values(socket.last)).toEqual({ 's/a/l1/m1/temp': 5 });
  });

  it('sends a heartbeat carrying seq when idle, and answers a ping', () => {
    const { socket, conn } = client({ tags: ['s/a/l1/m1/temp'] });
    advance(5300);
    expect(socket.of('heartbeat')).toEqual([{ type: 'heartbeat', ts: expect.any(Number), seq: 1 }]);
    conn.receive({ type: 'ping' });
    expect(socket.of('heartbeat')).toHaveLength(2);
  });
});

describe('LiveHub: patterns', () => {
  it('matches #, + and exact tags, and only those', () => {
    const plus = client({ patterns: ['s/+/l1/#'] }).socket;
    const exact = client({ tags: ['s/a/l2/m1/temp'] }).socket;
    const all = client({ patterns: ['#'] }).socket;
    expect(values(plus.messages[0]!)).toEqual({ 's/a/l1/m1/temp': 20, 's/a/l1/m1/speed': 100, 's/b/l1/m1/temp': 40 });
    expect(values(exact.messages[0]!)).toEqual({ 's/a/l2/m1/temp': 30 });
    expect(Object.keys(values(all.messages[0]!))).toHaveLength(4);
    advance(1000);
    ingest([['s/a/l2/m1/temp', 31], ['s/c/l1/m9/new', 1], ['s/a/l1/m1/temp', 22]]);
    advance(0);
    expect(values(plus.last)).toEqual({ 's/a/l1/m1/temp': 22, 's/c/l1/m9/new': 1 });
    expect(values(exact.last)).toEqual({ 's/a/l2/m1/temp': 31 });
    expect(Object.keys(values(all.last))).toHaveLength(3);
  });

  it('keeps the per-tag membership right when sessions come and go', () => {
    const a = client({ patterns: ['s/a/#'] });
    advance(1000);
    ingest([['s/a/l1/m1/temp', 1]]); // the tag's membership is now cached
    const b = client({ tags: ['s/a/l1/m1/temp'] });
    a.conn.receive({ type: 'subscribe', patterns: ['s/b/#'] }); // replaces a's subscription
    advance(1000);
    ingest([['s/a/l1/m1/temp', 2], ['s/b/l1/m1/temp', 3]]);
    advance(0);
    expect(values(b.socket.last)).toEqual({ 's/a/l1/m1/temp': 2 });
    expect(values(a.socket.last)).toEqual({ 's/b/l1/m1/temp': 3 });
  });

  it('keeps tenants apart', () => {
    ingest([['s/a/l1/m1/temp', 99]], 'other');
    const { socket } = client({ patterns: ['#'] }, 'other');
    expect(values(socket.messages[0]!)).toEqual({ 's/a/l1/m1/temp': 99 });
    advance(1000);
    ingest([['s/a/l1/m1/temp', 1]], 'demo');
    advance(1000);
    expect(socket.of('delta')).toHaveLength(0);
  });
});
