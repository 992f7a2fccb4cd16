/**
 * Fakes for the live hub's unit tests: a clock whose timers run only when told, a socket that
 * records what it was sent, and a fixture wiring a hub to a real registry and last-value cache.
 * (Excluded from the build as a test-* file.)
 */
import type { Value } from '../core/point.js';
import { LastValueCache } from '../ingest/last-value-cache.js';
import { TagRegistry } from '../ingest/tag-registry.js';
import type { LiveServerMessage } from '../protocol/live.js';
import type { LiveConnection } from './live-connection.js';
import { LiveHub, type LiveHubOptions } from './live-hub.js';
import type { Clock, LiveSocket } from './live-session.js';

/** A clock whose timers run only in advance(). */
export class FakeClock implements Clock {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Move time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** A socket that records every message and when it was sent. */
export class FakeSocket implements LiveSocket {
  messages: LiveServerMessage[] = [];
  times: number[] = [];
  bufferedAmount = 0;
  closed: { code: number; reason: string } | undefined;
  constructor(private readonly clock: FakeClock) {}
  send(text: string): void {
    this.messages.push(JSON.parse(text) as LiveServerMessage);
    this.times.push(this.clock.t);
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  of<T extends LiveServerMessage['type']>(type: T): Array<Extract<LiveServerMessage, { type: T }>> {
    return this.messages.filter((m) => m.type === type) as never;
  }
  get last(): LiveServerMessage {
    return this.messages[this.messages.length - 1]!;
  }
}

/** A hub on a fake clock, fed the way ingest feeds it. */
export class LiveFixture {
  readonly clock = new FakeClock();
  readonly registry = new TagRegistry({ loadTags: async () => [], saveTags: async () => undefined } as never);
  readonly cache = new LastValueCache();
  hub: LiveHub;

  constructor(opts: Partial<LiveHubOptions> = {}) {
    this.hub = this.makeHub(opts);
  }

  /** Replace the hub (same registry and cache). */
  makeHub(opts: Partial<LiveHubOptions> = {}): LiveHub {
    this.hub?.stop();
    let n = 0;
    this.hub = new LiveHub({ registry: this.registry, cache: this.cache, clock: this.clock, newId: () => `s${++n}`, ...opts });
    return this.hub;
  }

  /** What ingest does: registry, cache, then the durable fan-out. */
  ingest(points: Array<[string, Value, number?]>, tenant = 'demo'): void {
    const out = points.map(([tag, value, ts]) => {
      const rec = this.registry.get(tenant, tag) ?? this.registry.create(tenant, tag, typeof value as 'number', 'test', this.clock.t);
      const p = { tag, ts: ts ?? this.clock.t, value, quality: 'good' as const };
      this.cache.offer({ tagId: rec.id, ts: p.ts, value, quality: 'good' });
      return p;
    });
    this.hub.publish(tenant, out);
  }

  /** Connect a fake socket and subscribe. */
  client(sub: Record<string, unknown>, tenant = 'demo'): { socket: FakeSocket; conn: LiveConnection } {
    const socket = new FakeSocket(this.clock);
    const conn = this.hub.connect(tenant, socket)!;
    conn.receive({ type: 'subscribe', ...sub });
    return { socket, conn };
  }
}

/** tag → value of a snapshot or delta. */
export const values = (m: LiveServerMessage | undefined): Record<string, Value> =>
  Object.fromEntries((m && 'points' in m ? m.points : []).map((p) => [p.tag, p.value]));
