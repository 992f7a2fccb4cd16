/**
 * The Sparkplug B 3.0 host application: turns edge node traffic into points.
 *
 * Pure logic: MQTT, storage and time come in as functions, so tests drive it with a fake clock.
 * - NBIRTH opens an edge node session: bdSeq, seq, and the metric definitions (name, alias,
 *   datatype → tag path). DBIRTH does the same per device. Birth values are emitted as points.
 * - NDATA/DDATA resolve aliases (else names), take the birth's datatype when a metric omits it,
 *   and stamp points with the metric timestamp, else the payload's, else now.
 * - Every message of a session after NBIRTH (DBIRTH, NDATA, DDATA, DDEATH) must carry the next
 *   seq (mod 256). One that arrives early waits; if the gap fills within the reorder timeout the
 *   held messages run in order, otherwise the host sends an NCMD `Node Control/Rebirth` = true
 *   and ignores the node's data until its NBIRTH.
 * - Data from a node or device that never sent its birth is rejected and a rebirth requested,
 *   at most once per reorder timeout (and at least a second apart) per node.
 * - NDEATH whose bdSeq matches the session's (an older one is a late Will message and ignored)
 *   re-emits every metric of the node and its devices as `bad` (stale) at the time of receipt,
 *   keeping the last value. DDEATH does so for its device at the DDEATH's own timestamp.
 * - A metric with an unknown alias, or whose path the mapping refuses, is rejected on its own;
 *   the rest of its payload is kept. Nothing thrown inside escapes `handle`.
 * - Node Control/*, Properties/* and bdSeq are recorded as tags of the node like any metric.
 *   Transient metrics are recorded too (Lightsout has no "do not historize" flag yet).
 * - Replay guard: a metric flagged is_historical whose timestamp is not newer than the newest one
 *   already taken from data messages for its tag is a resend and dropped (`replayDuplicates`).
 *   Birth values never move that mark; a historical birth metric without a value only defines it.
 * - Commands: every born metric is remembered by tag path, so `command(tagPath, value)` can send
 *   an NCMD/DCMD naming that metric with its birth datatype; `targetOnline` says whether the node
 *   (and device) is born and not dead.
 * @module
 */
import { LightsoutError, type ErrorCode } from '../../core/errors.js';
import type { Point, Value } from '../../core/point.js';
import { DataType, dataTypeName, decodePayload, encodePayload } from './codec.js';
import type { SpPayload } from './codec.js';
import { birthPoints, dataPoints } from './host-points.js';
import type { HostPoint, PointContext } from './host-points.js';
import { bdSeqOf, MetricScope, NodeSession, type MetricState } from './host-session.js';
import type { SparkplugMapping } from './mapping.js';
import { buildTopic, parseTopic, stateTopic } from './topic.js';
import type { DeviceTopic, NodeTopic, SparkplugTopic } from './topic.js';

export { pathMapping } from './mapping.js';

/** The time source and timers the host uses; inject a fake one in tests. */
export interface HostClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The logging the host does (a pino logger fits). */
export interface HostLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What the host needs from its surroundings. */
export interface SparkplugHostOptions {
  /** This host application's id: its STATE topic is `spBv1.0/STATE/<hostId>`. */
  hostId: string;
  /** Metric ids → tag path; may throw to refuse a metric (see `pathMapping`). */
  mapping: SparkplugMapping;
  /**
   * Sends an MQTT message (rebirth requests, STATE re-announcements, commands). A returned promise
   * settles when the broker took it; commands wait for it, other messages only log a failure.
   */
  publish: (topic: string, payload: Uint8Array, opts: { qos: 0 | 1; retain: boolean }) => void | Promise<void>;
  /** Receives the points of one message, synchronously from `handle` (or from a reorder timeout). */
  emit: (points: HostPoint[], group: string) => void;
  /**
   * Told about every rejected message or metric, with the reason and a code (default
   * LIGHTSOUT_SPARKPLUG_PROTOCOL; LIGHTSOUT_BAD_PAYLOAD for undecodable protobuf,
   * LIGHTSOUT_BAD_VALUE for NaN/Infinity); feeds the rejection counter.
   */
  onReject: (reason: string, topic: string, code?: ErrorCode) => void;
  clock?: HostClock;
  /** How long an early message waits for the gap before it to fill. Default 2000; 0 = no waiting. */
  reorderTimeoutMs?: number;
  log?: HostLog;
}

const systemClock: HostClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
const noLog: HostLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Unborn nodes are remembered only to rate-limit rebirth requests; cap them against topic floods. */
const MAX_NODES = 100_000;

const NOOP = (): void => undefined;

/** Where a tag's metric lives, for commands: found through the birth that defined it. */
export interface CommandTarget {
  group: string;
  node: string;
  /** Absent for the edge node's own metrics (NCMD). */
  device?: string;
  /** The metric name as born. */
  metric: string;
  /** The birth's datatype. */
  datatype: number | undefined;
}

interface TargetEntry extends CommandTarget {
  session: NodeSession;
  state: MetricState;
}

/** Datatypes whose values must be integers. */
const INTEGER_TYPES = new Set<number>([DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt8, DataType.UInt16, DataType.UInt32, DataType.UInt64, DataType.DateTime]);
const NUMBER_TYPES = new Set<number>([...INTEGER_TYPES, DataType.Float, DataType.Double]);
const STRING_TYPES = new Set<number>([DataType.String, DataType.Text, DataType.UUID]);

/** The Sparkplug host application state machine (behaviour in the module comment). */
export class SparkplugHost {
  private readonly nodes = new Map<string, NodeSession>();
  /** Tag path → the metric that carries it (reverse lookup for commands). */
  private readonly targets = new Map<string, TargetEntry>();
  private readonly clock: HostClock;
  private readonly log: HostLog;
  private readonly reorderMs: number;
  private readonly rebirthIntervalMs: number;
  /** One timestamp for the whole run: the online STATE must repeat the Will's timestamp. */
  private readonly stateTs: number;
  private readonly points: PointContext;
  private stopped = false;
  /**
   * Historical values dropped as resends (QoS 1 redelivery or an edge replaying a record whose
   * PUBACK it never saw): exactly once within this process's lifetime, see docs/edge.md.
   */
  replayDuplicates = 0;
  /** The `done` of the message being handled, and whether that message was held back. */
  private incomingDone: (() => void) | undefined;
  private heldDone: (() => void) | undefined;

  constructor(private readonly opts: SparkplugHostOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? noLog;
    this.points = {
      mapping: opts.mapping,
      now: () => this.clock.now(),
      reject: (reason, topic, code) => this.reject(reason, topic, code),
      marks: new Map(),
      duplicate: () => void this.replayDuplicates++,
    };
    this.reorderMs = Math.max(0, opts.reorderTimeoutMs ?? 2000);
    this.rebirthIntervalMs = Math.max(this.reorderMs, 1000);
    this.stateTs = this.clock.now();
    stateTopic(opts.hostId); // fail at construction on an id that cannot be a topic level
  }

  /**
   * Handles one MQTT message on a `spBv1.0/...` topic. Never throws; problems go to onReject.
   * `done` is called once the message is finished with: at once for most messages (after its
   * points were emitted), later for one held back to wait for a sequence gap (when it is applied,
   * from inside the call that filled the gap, or when it is dropped). The broker waits for it
   * before acknowledging, so a held message is not acknowledged before its points exist.
   */
  handle(topic: string, payload: Uint8Array, done?: () => void): void {
    this.heldDone = undefined;
    this.incomingDone = done;
    try {
      if (!this.stopped) this.dispatch(topic, payload);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, topic }, 'Sparkplug host: unexpected error');
      this.reject(`internal error: ${(err as Error).message}`, topic);
    } finally {
      const held = this.heldDone !== undefined;
      this.incomingDone = undefined;
      this.heldDone = undefined;
      if (!held) done?.();
    }
  }

  /**
   * This host's STATE message (Sparkplug 3.0 JSON). Publish the offline one as the MQTT Will and
   * the online one after subscribing; both carry the same timestamp, as the spec requires.
   */
  stateMessage(online: boolean): { topic: string; payload: Uint8Array; retain: true; qos: 1 } {
    const body = JSON.stringify({ online, timestamp: this.stateTs });
    return { topic: stateTopic(this.opts.hostId), payload: Buffer.from(body, 'utf8'), retain: true, qos: 1 };
  }

  /** Stops: cancels reorder timers and ignores further messages. */
  stop(): void {
    this.stopped = true;
    for (const s of this.nodes.values()) this.dropPending(s, 'the host is stopping');
  }

  private dispatch(topic: string, raw: Uint8Array): void {
    let t: SparkplugTopic;
    try {
      t = parseTopic(topic);
    } catch (err) {
      this.reject((err as Error).message, topic);
      return;
    }
    if (t.kind === 'state') return this.onState(t.hostId, raw, topic);
    if (t.type === 'NCMD' || t.type === 'DCMD') return; // commands to edge nodes (ours included)
    let p: SpPayload;
    try {
      p = decodePayload(raw);
    } catch (err) {
      this.reject((err as Error).message, topic, 'LIGHTSOUT_BAD_PAYLOAD');
      return;
    }
    if (t.type === 'NBIRTH') return this.onNodeBirth(t as NodeTopic, p, topic);
    if (t.type === 'NDEATH') return this.onNodeDeath(t as NodeTopic, p, topic);
    this.sequenced(t, p, topic);
  }

  private onState(hostId: string, raw: Uint8Array, topic: string): void {
    if (hostId !== this.opts.hostId) return; // other hosts' presence is theirs to manage
    let online: unknown;
    try {
      online = (JSON.parse(Buffer.from(raw).toString('utf8')) as { online?: unknown }).online;
    } catch {
      this.reject('STATE payload is not JSON', topic);
      return;
    }
    // Someone (or our own stale Will) says we are offline while we run: say otherwise, at once.
    if (online === false) {
      const m = this.stateMessage(true);
      this.log.info({ topic }, 'Sparkplug host: offline STATE seen for this host; republishing online');
      this.send(m.topic, m.payload, { qos: m.qos, retain: m.retain });
    }
  }

  private onNodeBirth(t: NodeTopic, p: SpPayload, topic: string): void {
    const s = this.session(t.group, t.node);
    if (!s) return this.reject('too many edge nodes; NBIRTH ignored', topic);
    if (p.seq === undefined || p.seq > 255) {
      this.reject(`NBIRTH without a valid seq (${p.seq ?? 'none'})`, topic);
      return this.requestRebirth(s, 'NBIRTH without a valid seq');
    }
    this.dropPending(s, 'a new NBIRTH restarted the session');
    s.reset(p.seq, bdSeqOf(p));
    this.log.debug({ group: t.group, node: t.node, bdSeq: String(s.bdSeq) }, 'Sparkplug edge node born');
    this.emit(birthPoints(this.points, s.scope, t.group, t.node, undefined, p, topic), t.group);
    this.index(s, undefined, s.scope);
  }

  private onNodeDeath(t: NodeTopic, p: SpPayload, topic: string): void {
    const s = this.nodes.get(`${t.group}/${t.node}`);
    if (!s || (s.state !== 'online' && s.state !== 'rebirth-pending')) return;
    const bdSeq = bdSeqOf(p);
    if (s.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== s.bdSeq) {
      // A Will from an earlier connection, delivered after the node came back: not this session's end.
      this.log.debug({ group: t.group, node: t.node, bdSeq: String(bdSeq), current: String(s.bdSeq) }, 'stale NDEATH ignored');
      return;
    }
    this.dropPending(s, 'the edge node died');
    s.state = 'offline';
    // The spec: an NDEATH may be the broker's Will, so its payload time means nothing; use receipt time.
    this.emit(s.killAll(this.clock.now()), t.group);
  }

  /** DBIRTH, NDATA, DDATA and DDEATH: checked against the session's seq, held back when early. */
  private sequenced(t: NodeTopic | DeviceTopic, p: SpPayload, topic: string): void {
    const s = this.session(t.group, t.node);
    if (!s || s.state !== 'online') {
      const why = s?.state === 'rebirth-pending' ? 'waiting for NBIRTH after a rebirth request' : 'edge node has no NBIRTH session';
      this.reject(`${t.type} ignored: ${why}`, topic);
      if (s) this.requestRebirth(s, why);
      return;
    }
    const seq = p.seq;
    if (seq === undefined || seq > 255) {
      this.reject(`${t.type} without a valid seq (${seq ?? 'none'})`, topic);
      return this.requestRebirth(s, 'message without a valid seq');
    }
    if (seq === s.nextSeq) {
      s.nextSeq = (seq + 1) & 255;
      this.apply(s, t, p, topic);
      this.drain(s);
      return;
    }
    const ahead = (seq - s.nextSeq + 256) & 255;
    if (ahead >= 128 || s.pending.has(seq)) {
      this.reject(`${t.type} seq ${seq} is a duplicate or arrived too late (expected ${s.nextSeq})`, topic);
      return;
    }
    const done = this.incomingDone;
    s.pending.set(seq, done ? { topic, parsed: t, payload: p, done } : { topic, parsed: t, payload: p });
    this.heldDone = done ?? NOOP;
    if (this.reorderMs === 0) return this.onReorderTimeout(s);
    if (s.reorderTimer === undefined) s.reorderTimer = this.clock.setTimeout(() => this.onReorderTimeout(s), this.reorderMs);
  }

  /** Runs held messages whose turn has come; re-arms the timer for a further gap. */
  private drain(s: NodeSession): void {
    let next = s.pending.get(s.nextSeq);
    while (next !== undefined && s.state === 'online') {
      s.pending.delete(s.nextSeq);
      s.nextSeq = (s.nextSeq + 1) & 255;
      this.apply(s, next.parsed, next.payload, next.topic);
      next.done?.();
      next = s.pending.get(s.nextSeq);
    }
    this.clearReorderTimer(s);
    if (s.pending.size > 0 && s.state === 'online') {
      s.reorderTimer = this.clock.setTimeout(() => this.onReorderTimeout(s), this.reorderMs);
    }
  }

  private onReorderTimeout(s: NodeSession): void {
    try {
      s.reorderTimer = undefined;
      if (this.stopped || s.state !== 'online') return;
      const missing = s.nextSeq;
      this.dropPending(s, `seq ${missing} did not arrive within ${this.reorderMs} ms`);
      s.state = 'rebirth-pending';
      this.requestRebirth(s, `seq ${missing} missing`, true);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Sparkplug host: reorder timeout failed');
    }
  }

  private apply(s: NodeSession, t: NodeTopic | DeviceTopic, p: SpPayload, topic: string): void {
    if (t.kind === 'node') return this.emit(dataPoints(this.points, s.scope, p, topic), t.group); // NDATA
    const device = s.devices.get(t.device);
    if (t.type === 'DBIRTH') {
      const scope = new MetricScope();
      s.devices.set(t.device, { online: true, scope });
      this.emit(birthPoints(this.points, scope, t.group, t.node, t.device, p, topic), t.group);
      return this.index(s, t.device, scope);
    }
    if (!device || !device.online) {
      this.reject(`${t.type} from device "${t.device}" that has no DBIRTH session`, topic);
      if (t.type === 'DDATA') this.requestRebirth(s, `device ${t.device} not born`);
      return;
    }
    if (t.type === 'DDATA') return this.emit(dataPoints(this.points, device.scope, p, topic), t.group);
    // DDEATH: the edge node sends it on the device's behalf, so its timestamp is meaningful.
    device.online = false;
    const out: Point[] = [];
    device.scope.stalePoints(p.timestamp ?? this.clock.now(), out);
    this.emit(out, t.group);
  }

  private requestRebirth(s: NodeSession, why: string, force = false): void {
    const now = this.clock.now();
    if (!force && now - s.lastRebirthAt < this.rebirthIntervalMs) return;
    s.lastRebirthAt = now;
    const payload = encodePayload({
      timestamp: now,
      metrics: [{ name: 'Node Control/Rebirth', timestamp: now, datatype: DataType.Boolean, value: true }],
    });
    this.log.info({ group: s.group, node: s.node, why }, 'Sparkplug rebirth requested');
    // The spec: NCMD goes out with QoS 0 and no retain.
    this.send(buildTopic('NCMD', s.group, s.node), payload, { qos: 0, retain: false });
  }

  private send(topic: string, payload: Uint8Array, opts: { qos: 0 | 1; retain: boolean }): void {
    try {
      const r = this.opts.publish(topic, payload, opts);
      if (r instanceof Promise) r.catch((err: Error) => this.log.warn({ err: err.message, topic }, 'Sparkplug publish failed'));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, topic }, 'Sparkplug publish failed');
    }
  }

  /** The metric behind a tag path, if a birth still defines it. */
  commandTarget(tagPath: string): CommandTarget | undefined {
    const e = this.target(tagPath);
    if (!e) return undefined;
    return { group: e.group, node: e.node, ...(e.device !== undefined ? { device: e.device } : {}), metric: e.metric, datatype: e.datatype };
  }

  /** True when the edge node (and device) that defined the tag's metric is born and not dead. */
  targetOnline(tagPath: string): boolean {
    const e = this.target(tagPath);
    if (!e || e.session.state !== 'online') return false;
    return e.device === undefined || e.session.devices.get(e.device)?.online === true;
  }

  /**
   * Send a command: an NCMD (node metric) or DCMD (device metric) carrying the metric by name,
   * typed as its birth declared. Resolves when the broker took the message. Throws
   * LIGHTSOUT_NOT_WRITABLE for an unknown tag and LIGHTSOUT_BAD_VALUE for a value of the wrong type.
   */
  async command(tagPath: string, value: Value): Promise<void> {
    const e = this.target(tagPath);
    if (!e) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `no Sparkplug birth defines "${tagPath}"`);
    const dt = e.datatype;
    const ok = dt === undefined
      || (NUMBER_TYPES.has(dt) && typeof value === 'number' && (!INTEGER_TYPES.has(dt) || Number.isInteger(value)))
      || (dt === DataType.Boolean && typeof value === 'boolean')
      || (STRING_TYPES.has(dt) && typeof value === 'string');
    if (!ok) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${JSON.stringify(value)} does not fit metric "${e.metric}" of Sparkplug type ${dataTypeName(dt ?? 0)}`);
    const now = this.clock.now();
    const payload = encodePayload({ timestamp: now, metrics: [{ name: e.metric, timestamp: now, ...(dt !== undefined ? { datatype: dt } : {}), value }] });
    const topic = e.device === undefined ? buildTopic('NCMD', e.group, e.node) : buildTopic('DCMD', e.group, e.node, e.device);
    // The spec: commands go out with QoS 0 and no retain, so a stale one is never delivered later.
    await this.opts.publish(topic, payload, { qos: 0, retain: false });
  }

  private target(tagPath: string): TargetEntry | undefined {
    const e = this.targets.get(tagPath);
    if (!e) return undefined;
    // Only while the metric is still the one the current birth defined.
    const scope = e.device === undefined ? e.session.scope : e.session.devices.get(e.device)?.scope;
    return scope?.byName.get(e.metric) === e.state ? e : undefined;
  }

  private index(s: NodeSession, device: string | undefined, scope: MetricScope): void {
    for (const [metric, state] of scope.byName) {
      if (state.definition) continue;
      this.targets.set(state.path, { group: s.group, node: s.node, ...(device !== undefined ? { device } : {}), metric, datatype: state.datatype, session: s, state });
    }
  }

  /** Discards held messages, each counted as rejected with the reason. */
  private dropPending(s: NodeSession, why: string): void {
    this.clearReorderTimer(s);
    const dropped = [...s.pending.values()];
    s.pending.clear();
    for (const m of dropped) {
      this.reject(`${m.parsed.type} seq ${m.payload.seq} dropped: ${why}`, m.topic);
      m.done?.();
    }
  }

  private clearReorderTimer(s: NodeSession): void {
    if (s.reorderTimer === undefined) return;
    this.clock.clearTimeout(s.reorderTimer);
    s.reorderTimer = undefined;
  }

  private session(group: string, node: string): NodeSession | undefined {
    const key = `${group}/${node}`;
    let s = this.nodes.get(key);
    if (s === undefined && this.nodes.size < MAX_NODES) {
      s = new NodeSession(group, node);
      this.nodes.set(key, s);
    }
    return s;
  }

  private emit(points: HostPoint[], group: string): void {
    if (points.length > 0) this.opts.emit(points, group);
  }

  private reject(reason: string, topic: string, code?: ErrorCode): void {
    try {
      this.opts.onReject(reason, topic, code);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Sparkplug host: onReject failed');
    }
  }
}
