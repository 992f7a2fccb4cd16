/**
 * Sessions sharing a group (same subscription, same maxRate): one pending map and one points JSON
 * per flush for all members in step, per-session seq; a member that stalls, disconnects, resumes
 * or overflows continues on its own path and rejoins later, without gaps, duplicates or rate excess.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Value } from '../core/point.js';
import type { LiveDelta, LiveServerMessage } from '../protocol/live.js';
import { LiveFixture, values, type FakeSocket } from './test-fakes.js';

let fx: LiveFixture;
const ingest = (points: Array<[string, Value, number?]>): void => fx.ingest(points);
const advance = (ms: number): void => fx.clock.advance(ms);
const TAGS = Array.from({ length: 20 }, (_, i) => `s/a/l1/m${i % 4}/t${i}`);

beforeEach(() => {
  fx = new LiveFixture({ maxPending: 1000 });
  ingest(TAGS.map((t) => [t, 0]));
});

/** Changes every tag every `step` ms for `ms` ms (each tag's value = the time), then 300 ms quiet. */
function load(ms: number, step = 5): void {
  for (let t = 0; t < ms; t += step) {
    ingest(TAGS.map((tag) => [tag, fx.clock.t]));
    advance(step);
  }
  advance(300);
}

/** The client's view after applying every snapshot and delta in order; checks seq has no gaps. */
function view(socket: FakeSocket, out: Record<string, Value> = {}, seq = 0): Record<string, Value> {
  for (const m of socket.messages) {
    if (m.type === 'heartbeat') expect(m.seq).toBe(seq);
    if (m.type !== 'snapshot' && m.type !== 'delta') continue;
    if (m.type === 'snapshot') {
      for (const k of Object.keys(out)) delete out[k];
      seq = m.seq === 1 ? 0 : seq; // a fresh session starts over
    }
    expect(m.seq).toBe(seq + 1);
    seq = m.seq;
    Object.assign(out, values(m));
  }
  return out;
}

/** Times of snapshots and deltas: never closer than one interval. */
function expectRate(socket: FakeSocket, intervalMs: number): void {
  const times = socket.messages.map((m, i) => ({ m, t: socket.times[i]! })).filter((x) => x.m.type === 'snapshot' || x.m.type === 'delta').map((x) => x.t);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(intervalMs);
}

const deltasAfter = (socket: FakeSocket, from: number): LiveDelta[] => socket.messages.slice(from).filter((m): m is LiveDelta => m.type === 'delta');
const latest = (): Record<string, Value> => Object.fromEntries(TAGS.map((t) => [t, fx.cache.get(fx.registry.get('demo', t)!.id)!.value]));

describe('LiveHub: sessions with the same subscription share the work', () => {
  it('sends identical points to both, each under its own seq, once a late joiner is in step', () => {
    const a = fx.client({ patterns: ['s/a/#'], maxRate: 10 });
    advance(1000);
    ingest([[TAGS[0]!, 1]]);
    advance(30);
    const b = fx.client({ patterns: ['s/a/#'], maxRate: 10 }); // later: its own pace first
    expect(b.conn.session!.shared).toBe(false);
    load(2000);
    expect(a.conn.session!.shared).toBe(true);
    expect(b.conn.session!.shared).toBe(true);
    expect(view(a.socket)).toEqual(latest());
    expect(view(b.socket)).toEqual(latest());
    expectRate(a.socket, 100);
    expectRate(b.socket, 100);
    advance(1000);
    const [na, nb] = [a.socket.messages.length, b.socket.messages.length];
    ingest([[TAGS[3]!, 42], [TAGS[1]!, 43]]);
    advance(0);
    const [da, db] = [deltasAfter(a.socket, na), deltasAfter(b.socket, nb)];
    expect(da).toHaveLength(1);
    expect(db).toHaveLength(1);
    expect(db[0]!.points).toEqual(da[0]!.points);
    expect(values(da[0])).toEqual({ [TAGS[3]!]: 42, [TAGS[1]!]: 43 });
    expect(da[0]!.seq).toBe(a.conn.session!.seq);
    expect(db[0]!.seq).toBe(b.conn.session!.seq);
    expect(da[0]!.seq).not.toBe(db[0]!.seq); // a got one message more before b came
    expect(fx.hub.stats()).toMatchObject({ sessions: 2, coalescedMessages: 0, overflowSnapshots: 0 });
  });

  it('joins two sessions subscribing at the same moment at once; another rate is another group', () => {
    const a = fx.client({ tags: [TAGS[0], TAGS[1]], maxRate: 10 });
    const b = fx.client({ tags: [TAGS[1], TAGS[0]], maxRate: 10 }); // the same subscription, other order
    const c = fx.client({ tags: [TAGS[0], TAGS[1]], maxRate: 5 });
    expect(a.conn.session!.shared && b.conn.session!.shared && c.conn.session!.shared).toBe(true);
    load(2000);
    expectRate(a.socket, 100);
    expectRate(b.socket, 100);
    expectRate(c.socket, 200);
    expect(a.socket.messages).toEqual(b.socket.messages.map((m) => (m.type === 'snapshot' ? { ...m, session: 's1' } : m)));
    const want = { [TAGS[0]!]: latest()[TAGS[0]!], [TAGS[1]!]: latest()[TAGS[1]!] };
    for (const x of [a, b, c]) expect(view(x.socket)).toEqual(want);
  });

  it('a member that stalls leaves the shared path; the others keep receiving; it catches up coalesced and rejoins', () => {
    const fast = fx.client({ patterns: ['s/#'], maxRate: 20 });
    const slow = fx.client({ patterns: ['s/#'], maxRate: 20 });
    advance(1000);
    slow.socket.bufferedAmount = 50 << 20;
    const sentToSlow = slow.socket.messages.length;
    const sentToFast = fast.socket.messages.length;
    load(1000);
    expect(slow.socket.messages.length).toBe(sentToSlow);
    expect(slow.conn.session!.shared).toBe(false);
    expect(fast.conn.session!.shared).toBe(true);
    expect(fast.socket.messages.length - sentToFast).toBeGreaterThanOrEqual(18); // ~20 per second
    expect(view(fast.socket)).toEqual(latest());
    slow.socket.bufferedAmount = 0;
    load(300);
    const catchUp = slow.socket.messages[sentToSlow] as LiveDelta;
    expect(catchUp).toMatchObject({ type: 'delta', seq: 2, coalesced: true });
    load(1000);
    expect(slow.conn.session!.shared).toBe(true);
    expect(view(slow.socket)).toEqual(latest());
    expect(view(fast.socket)).toEqual(latest());
    expectRate(slow.socket, 50);
    expectRate(fast.socket, 50);
    expect(fx.hub.stats()).toMatchObject({ coalescedMessages: 1, sessions: 2 });
  });

  it('a member whose socket closes resumes on its own path with everything missed, then rejoins', () => {
    const stays = fx.client({ patterns: ['s/a/#'], maxRate: 10 });
    const goes = fx.client({ patterns: ['s/a/#'], maxRate: 10 });
    load(500);
    expect(goes.conn.session!.shared).toBe(true);
    const last = goes.socket.messages.filter((m) => m.type === 'delta').pop() as LiveDelta;
    // a change the group has not sent yet when the socket closes must not be lost
    ingest([[TAGS[5]!, -5]]);
    goes.conn.close();
    expect(goes.conn.session).toBeUndefined();
    load(1000);
    ingest([[TAGS[5]!, -5]]);
    advance(100);
    const again = fx.client({ patterns: ['s/a/#'], maxRate: 10, resume: { session: 's2', seq: last.seq } });
    const d = again.socket.messages[0] as LiveServerMessage;
    expect(d).toMatchObject({ type: 'delta', seq: last.seq + 1, resumed: true });
    expect({ ...view(goes.socket), ...values(d) }).toEqual(latest());
    load(1000);
    expect(again.conn.session!.shared).toBe(true);
    expect(view(again.socket, view(goes.socket), last.seq)).toEqual(latest());
    expect(view(stays.socket)).toEqual(latest());
    expectRate(again.socket, 100);
    expect(fx.hub.stats()).toMatchObject({ resumedSessions: 1, sessions: 2, detachedSessions: 0 });
  });

  it('a resume at another rate moves the session to that rate’s group', () => {
    fx.client({ patterns: ['s/a/#'], maxRate: 10 });
    const goes = fx.client({ patterns: ['s/a/#'], maxRate: 10 });
    load(300);
    const seq = goes.conn.session!.seq;
    goes.conn.close();
    load(300);
    const again = fx.client({ patterns: ['s/a/#'], maxRate: 4, resume: { session: 's2', seq } });
    expect(again.socket.messages[0]).toMatchObject({ type: 'delta', seq: seq + 1, resumed: true });
    load(2000);
    expectRate(again.socket, 250);
    expect(again.conn.session!.shared).toBe(true);
  });

  it('when the group overflows every member gets its own fresh snapshot, then they share again', () => {
    const a = fx.client({ patterns: ['s/#'] });
    const b = fx.client({ patterns: ['s/#'] });
    advance(1000);
    ingest(Array.from({ length: 1500 }, (_, i) => [`s/b/l2/m1/y${i}`, i] as [string, number]));
    advance(0);
    expect(a.socket.last).toMatchObject({ type: 'snapshot', session: 's1', seq: 2 });
    expect(b.socket.last).toMatchObject({ type: 'snapshot', session: 's2', seq: 2 });
    expect(fx.hub.stats().overflowSnapshots).toBe(2);
    expect(a.conn.session!.shared && b.conn.session!.shared).toBe(true);
    advance(1000);
    ingest([[TAGS[0]!, 7]]);
    advance(0);
    expect(a.socket.last).toEqual({ ...b.socket.last });
    expect(a.socket.last).toMatchObject({ type: 'delta', seq: 3 });
  });

  it('a re-subscribe leaves the group; the group goes when its last session goes', () => {
    const a = fx.client({ patterns: ['s/a/#'] });
    const b = fx.client({ patterns: ['s/a/#'] });
    b.conn.receive({ type: 'subscribe', patterns: ['s/b/#'] });
    advance(1000);
    ingest([[TAGS[0]!, 9], ['s/b/l1/m1/x', 3]]);
    advance(0);
    expect(values(a.socket.last)).toEqual({ [TAGS[0]!]: 9 });
    expect(values(b.socket.last)).toEqual({ 's/b/l1/m1/x': 3 });
    a.conn.close();
    advance(31_000);
    b.conn.receive({ type: 'subscribe', patterns: ['s/a/#'] }); // a new group for s/a/#
    advance(1000);
    ingest([[TAGS[0]!, 10]]);
    advance(0);
    expect(values(b.socket.last)).toEqual({ [TAGS[0]!]: 10 });
    expect(fx.hub.stats()).toMatchObject({ sessions: 1, detachedSessions: 0, expiredSessions: 1 });
  });
});
