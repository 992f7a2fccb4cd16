/**
 * The live hub: fans changed values out to WebSocket subscribers (protocol: src/protocol/live.ts).
 *
 * Hot path: `publish` is called by ingest with each durable batch. Sessions with the same
 * subscription and rate form a group (live-group.ts) that keeps one pending map and builds one
 * delta for all its members in step. Per tenant the hub keeps a cache tag path → the groups that
 * want it, computed the first time a tag is seen and updated incrementally when a group comes or
 * goes, so a point costs one map lookup plus one O(1) pending-map write per interested group (and
 * per session of it running on its own path: behind, detached or rejoining). Nothing in `publish`
 * sends or waits: a slow client can never slow ingest or the other clients.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { LastValueCache } from '../ingest/last-value-cache.js';
import type { TagRegistry } from '../ingest/tag-registry.js';
import type { LiveSubscribe } from '../protocol/live.js';
import { LiveConnection } from './live-connection.js';
import { LiveGroup } from './live-group.js';
import { LiveSession, pointPrefix, SharedPoint, systemClock, type Clock, type LiveSocket, type SessionContext } from './live-session.js';
import { Subscription } from './subscription-matcher.js';

/** Settings of the hub; every one has a default. */
export interface LiveHubOptions {
  registry: Pick<TagRegistry, 'get' | 'list'>;
  cache: Pick<LastValueCache, 'get'>;
  clock?: Clock;
  /** Messages per second for a client that asks for none. Default 10. */
  defaultRate?: number;
  /** Most messages per second a client may ask for. Default 50. */
  maxRate?: number;
  /** A heartbeat goes out when nothing else was sent for this long. Default 5000. */
  heartbeatMs?: number;
  /** A disconnected session is kept this long for a resume. Default 30000. */
  resumeGraceMs?: number;
  /** A client whose socket stays over `maxBufferedBytes` this long is disconnected. Default 30000. */
  stuckClientMs?: number;
  /** Most connections, and most sessions kept (connected or awaiting resume). Default 1000. */
  maxSessions?: number;
  /** Most tags (and patterns) one subscription may name, and most tags its snapshot may hold. Default 10000. */
  maxTags?: number;
  /** Most tags waiting per session; beyond, the session is sent a fresh snapshot instead. Default 20000. */
  maxPending?: number;
  /** Bytes queued on a socket above which the client counts as behind. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Period of the upkeep sweep (heartbeats, stuck clients, expired sessions). Default 250. */
  sweepMs?: number;
  /** Session ids; random by default. */
  newId?: () => string;
}

/** Hub counters for /api/v1/health. */
export interface LiveHubStats {
  connections: number;
  sessions: number;
  detachedSessions: number;
  messagesSent: number;
  pointsSent: number;
  coalescedMessages: number;
  overflowSnapshots: number;
  resumedSessions: number;
  droppedSessions: number;
  expiredSessions: number;
}

interface TagEntry {
  tagId: number;
  /** The start of the tag's points' JSON, built once. */
  prefix: string;
  groups: LiveGroup[];
}

interface TenantIndex {
  /** group key → the group (sessions with the same subscription and rate). */
  groups: Map<string, LiveGroup>;
  /** tag path → interested groups; filled on first sight of a tag. */
  tags: Map<string, TagEntry>;
}

/** Close codes the hub uses (4000-range is the application's). */
export const LIVE_CLOSE = { goingAway: 1001, tryAgainLater: 1013, slowConsumer: 4008, resumedElsewhere: 4009 } as const;

/** Fan-out of changed values to live subscribers. */
export class LiveHub {
  readonly opts: Required<Omit<LiveHubOptions, 'registry' | 'cache'>>;
  private readonly tenants = new Map<string, TenantIndex>();
  private readonly sessions = new Map<string, LiveSession>();
  private readonly connections = new Set<LiveConnection>();
  private readonly ctx: SessionContext;
  private readonly counters = { messagesSent: 0, pointsSent: 0, coalescedMessages: 0, overflowSnapshots: 0, resumedSessions: 0, droppedSessions: 0, expiredSessions: 0 };
  private sweepTimer: unknown;
  private stopped = false;

  constructor(private readonly deps: LiveHubOptions) {
    this.opts = {
      clock: systemClock, defaultRate: 10, maxRate: 50, heartbeatMs: 5000, resumeGraceMs: 30_000, stuckClientMs: 30_000,
      maxSessions: 1000, maxTags: 10_000, maxPending: 20_000, maxBufferedBytes: 1 << 20, sweepMs: 250,
      newId: () => globalThis.crypto.randomUUID(),
      ...Object.fromEntries(Object.entries(deps).filter(([k, v]) => v !== undefined && k !== 'registry' && k !== 'cache')),
    };
    const o = this.opts;
    this.ctx = { clock: o.clock, maxPending: o.maxPending, maxBufferedBytes: o.maxBufferedBytes, heartbeatMs: o.heartbeatMs, counters: this.counters, snapshot: (t, s) => this.snapshot(t, s) };
    this.scheduleSweep();
  }

  /** Ingest's hook: durable points of one tenant. Only updates pending maps. */
  publish(tenant: string, points: readonly Point[]): void {
    const t = this.tenants.get(tenant);
    if (t === undefined) return;
    for (const p of points) {
      const e = t.tags.get(p.tag) ?? this.entryFor(t, tenant, p.tag);
      const groups = e.groups;
      if (groups.length === 0) continue;
      // A late or replayed point is not live: the cache already holds something newer.
      const cur = this.deps.cache.get(e.tagId);
      if (cur !== undefined && cur.ts > p.ts) continue;
      const item = new SharedPoint(p, e.prefix);
      for (let i = 0; i < groups.length; i++) groups[i]!.offer(item);
    }
  }

  /**
   * A new WebSocket of `tenant`, seeing only the asset subtrees in `scopes` (all when omitted).
   * Tenant and scopes are the connection's, decided by authentication, never the message's.
   * Refuses beyond `maxSessions` connections.
   */
  connect(tenant: string, socket: LiveSocket, scopes?: readonly string[]): LiveConnection | undefined {
    if (this.stopped || this.connections.size >= this.opts.maxSessions) {
      const why = this.stopped ? 'the platform is stopping' : `at most ${this.opts.maxSessions} live clients`;
      try {
        socket.send(JSON.stringify({ type: 'error', error: { code: 'LIGHTSOUT_LIMIT_EXCEEDED', message: why } }));
        socket.close(this.stopped ? LIVE_CLOSE.goingAway : LIVE_CLOSE.tryAgainLater, `LIGHTSOUT_LIMIT_EXCEEDED: ${why}`);
      } catch {
        // already gone
      }
      return undefined;
    }
    const conn = new LiveConnection(this, tenant, socket, scopes);
    this.connections.add(conn);
    return conn;
  }

  /** Start, replace or resume the subscription of a connection. Throws LightsoutError on bad input. */
  subscribe(conn: LiveConnection, msg: LiveSubscribe): void {
    const rate = msg.maxRate ?? this.opts.defaultRate;
    if (typeof rate !== 'number' || !(rate >= 1 && rate <= this.opts.maxRate)) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `maxRate must be between 1 and ${this.opts.maxRate}`);
    }
    const sub = new Subscription(msg.tags ?? [], msg.patterns ?? [], this.opts.maxTags, conn.scopes);
    if (sub.tags.size === 0 && !sub.hasPatterns) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'subscribe names no tags and no patterns');
    if (msg.resume && this.tryResume(conn, msg.resume, sub, rate)) return;
    const points = this.snapshot(conn.tenant, sub);
    if (points.length > this.opts.maxTags) {
      throw new LightsoutError('LIGHTSOUT_LIMIT_EXCEEDED', `the subscription matches ${points.length} tags; at most ${this.opts.maxTags} are allowed (narrow the patterns)`);
    }
    if (conn.session) this.remove(conn.session);
    this.makeRoom();
    const s = new LiveSession(this.opts.newId(), conn.tenant, sub, rate, this.ctx);
    this.add(s);
    conn.session = s;
    s.start(conn.socket, points);
  }

  /** A connection's socket closed: keep its session for the resume grace period. */
  disconnected(conn: LiveConnection): void {
    this.connections.delete(conn);
    const s = conn.session;
    conn.session = undefined;
    if (s && s.socket === conn.socket) s.detach(this.opts.clock.now());
  }

  /** Counters for health. */
  stats(): LiveHubStats {
    let attached = 0;
    for (const s of this.sessions.values()) if (s.socket !== undefined) attached++;
    return { connections: this.connections.size, sessions: attached, detachedSessions: this.sessions.size - attached, ...this.counters };
  }

  /** Close every client (1001) and stop the timers. Later publishes are ignored. */
  stop(): void {
    this.stopped = true;
    if (this.sweepTimer !== undefined) this.opts.clock.clearTimeout(this.sweepTimer);
    for (const c of [...this.connections]) c.drop(LIVE_CLOSE.goingAway, 'LIGHTSOUT_SHUTTING_DOWN: the platform is stopping');
    for (const s of this.sessions.values()) s.dispose();
    for (const t of this.tenants.values()) for (const g of t.groups.values()) g.dispose();
    this.sessions.clear();
    this.tenants.clear();
  }

  private tryResume(conn: LiveConnection, resume: { session: string; seq: number }, sub: Subscription, rate: number): boolean {
    const old = this.sessions.get(resume.session);
    if (old === undefined || old.tenant !== conn.tenant) return false;
    // Resumable only without a gap: the client saw every message sent, nothing was dropped.
    if (old.subscription.key !== sub.key || old.seq !== resume.seq || old.overflow) {
      if (old.socket === undefined) this.remove(old);
      return false;
    }
    if (conn.session && conn.session !== old) this.remove(conn.session);
    for (const other of this.connections) {
      if (other !== conn && other.session === old) {
        other.session = undefined;
        other.drop(LIVE_CLOSE.resumedElsewhere, 'session resumed on another connection');
      }
    }
    if (rate !== old.rate) {
      // Another rate is another group.
      this.ungroup(old);
      old.setRate(rate);
      this.group(old);
    }
    conn.session = old;
    old.resume(conn.socket);
    this.counters.resumedSessions++;
    return true;
  }

  private snapshot(tenant: string, sub: Subscription): SharedPoint[] {
    const out: SharedPoint[] = [];
    const { registry, cache } = this.deps;
    const push = (id: number, path: string): void => {
      const v = cache.get(id);
      if (v !== undefined) out.push(new SharedPoint({ tag: path, ts: v.ts, value: v.value, quality: v.quality }, pointPrefix(path)));
    };
    if (sub.hasPatterns) {
      for (const t of registry.list(tenant)) if (sub.matches(t.path)) push(t.id, t.path);
    } else {
      for (const path of [...sub.tags].sort()) {
        const t = registry.get(tenant, path);
        if (t && sub.matches(path)) push(t.id, path);
      }
    }
    return out;
  }

  private entryFor(t: TenantIndex, tenant: string, path: string): TagEntry {
    const groups: LiveGroup[] = [];
    for (const g of t.groups.values()) if (g.subscription.matches(path)) groups.push(g);
    const e: TagEntry = { tagId: this.deps.registry.get(tenant, path)?.id ?? -1, prefix: pointPrefix(path), groups };
    t.tags.set(path, e);
    return e;
  }

  private add(s: LiveSession): void {
    this.sessions.set(s.id, s);
    this.group(s);
  }

  private remove(s: LiveSession): void {
    this.ungroup(s);
    s.dispose();
    this.sessions.delete(s.id);
  }

  /** Put a session into the group of its subscription and rate (a new group when it is the first). */
  private group(s: LiveSession): void {
    let t = this.tenants.get(s.tenant);
    if (t === undefined) this.tenants.set(s.tenant, (t = { groups: new Map(), tags: new Map() }));
    const key = LiveGroup.keyOf(s.subscription, s.rate);
    let g = t.groups.get(key);
    if (g === undefined) {
      t.groups.set(key, (g = new LiveGroup(key, s.subscription, s.rate, this.ctx)));
      for (const [path, e] of t.tags) if (g.subscription.matches(path)) e.groups.push(g);
    }
    g.add(s);
  }

  /** Take a session out of its group (keeping its pending changes); drop the group when it was the last. */
  private ungroup(s: LiveSession): void {
    const t = this.tenants.get(s.tenant);
    const key = LiveGroup.keyOf(s.subscription, s.rate);
    const g = t?.groups.get(key);
    s.leaveGroup();
    if (t === undefined || g === undefined || g.size > 0) return;
    g.dispose();
    t.groups.delete(key);
    if (t.groups.size === 0) {
      this.tenants.delete(s.tenant); // no subscriber left: publish for this tenant is free again
      return;
    }
    for (const e of t.tags.values()) {
      const i = e.groups.indexOf(g);
      if (i >= 0) e.groups.splice(i, 1);
    }
  }

  /** Keep the session count bounded: evict the longest-detached session when full. */
  private makeRoom(): void {
    if (this.sessions.size < this.opts.maxSessions) return;
    let oldest: LiveSession | undefined;
    for (const s of this.sessions.values()) if (s.socket === undefined && (!oldest || s.detachedAt < oldest.detachedAt)) oldest = s;
    if (oldest) this.remove(oldest);
    else throw new LightsoutError('LIGHTSOUT_LIMIT_EXCEEDED', `at most ${this.opts.maxSessions} live sessions`);
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.opts.clock.setTimeout(() => {
      this.sweep();
      if (!this.stopped) this.scheduleSweep();
    }, this.opts.sweepMs);
  }

  private sweep(): void {
    const now = this.opts.clock.now();
    for (const s of [...this.sessions.values()]) {
      if (s.socket === undefined) {
        if (now - s.detachedAt > this.opts.resumeGraceMs) {
          this.remove(s);
          this.counters.expiredSessions++;
        }
      } else if (s.tick(now) > this.opts.stuckClientMs) {
        this.counters.droppedSessions++;
        for (const c of this.connections) {
          if (c.session === s) c.drop(LIVE_CLOSE.slowConsumer, `LIGHTSOUT_SLOW_CONSUMER: not reading for ${Math.round(this.opts.stuckClientMs / 1000)} s`);
        }
      }
    }
  }
}
