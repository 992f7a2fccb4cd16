/**
 * The edge agent: runs connectors next to the machines and publishes their points as Sparkplug B
 * to a central broker, through a store-and-forward disk buffer.
 *
 * Design (docs/edge.md has the user's view):
 * - Write-ahead: every point a connector emits is appended to the disk buffer first; the publisher
 *   only ever reads from the buffer, in order. "Live" simply means the reader is caught up. One
 *   path for live and backlog data keeps the order strict and makes a restart lose nothing.
 * - One buffer record (one emit of one connector) is one DDATA message, QoS 1. A record leaves the
 *   buffer (the durable cursor moves past it) only once its PUBACK and those of every earlier
 *   message arrived. At most `window` messages are in flight.
 * - Session: Will = NDEATH with bdSeq; on connect NBIRTH, then a DBIRTH per connector (metrics =
 *   every tag seen, aliased), then the backlog, then live data. Every record that was in the
 *   buffer when the session was born is sent flagged `is_historical` with its original timestamps.
 *   A tag never seen before triggers a DBIRTH of its device before the DDATA that carries it.
 * - A disconnect drops the session (a fresh MQTT client per session, so nothing old is resent
 *   behind our back) and rewinds the reader to the cursor: unacknowledged messages are sent again
 *   in the next session, as historical; the platform's replay guard drops the ones it already had.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { decodePayload, encodePayload, type SpPayload } from '../connectors/sparkplug/codec.js';
import type { ConnectorContext, ConnectorLog, SupervisedConnector } from '../core/connector-port.js';
import type { ConnectorDefinition } from '../core/connector-settings.js';
import { DiskBuffer } from './disk-buffer.js';
import type { EdgeConfig } from './edge-config.js';
import { EdgeDevice } from './edge-device.js';
import { ReplayProgress } from './replay-progress.js';
import { dataMetric, dbirthPayload, decodeRecord, encodeRecord, hostStateOnline, nbirthPayload, ndeathPayload, REBIRTH_METRIC } from './edge-payloads.js';

/** Builds one connector (the CLI passes src/connectors/connector-factory.ts's createConnector). */
export type CreateConnector = (def: ConnectorDefinition, ctx: ConnectorContext) => SupervisedConnector;

/** Options of an {@link EdgeAgent}. */
export interface EdgeAgentOptions {
  config: EdgeConfig;
  createConnector: CreateConnector;
  log: ConnectorLog;
  /** QoS 1 messages in flight at most. Default 64. */
  window?: number;
  /** Wait before reconnecting to the central broker, ms. Default 1000. */
  reconnectMs?: number;
  /** Period of the buffering/replay progress logs, ms. Default 5000. */
  progressMs?: number;
  /** bdSeq of the first session. Default 0. */
  bdSeq?: number;
}

interface InFlight {
  end: number;
  count: number;
  acked: boolean;
  historical: boolean;
  device: EdgeDevice;
  points: ReturnType<typeof decodeRecord>['p'];
}

/** The edge agent (design in the module comment). */
export class EdgeAgent {
  readonly buffer: DiskBuffer;
  private readonly devices = new Map<string, EdgeDevice>();
  private readonly connectors: SupervisedConnector[] = [];
  private readonly log: ConnectorLog;
  private readonly ns: string;
  private readonly window: number;
  private client: MqttClient | undefined;
  private epoch = 0;
  private born = false;
  private hostOnline: boolean;
  private seq = 0;
  private bdSeq: number;
  private readonly bdSeqFile: string;
  private nextAlias = 2; // 1 is Node Control/Rebirth
  private replayEnd = 0;
  private inflight: InFlight[] = [];
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly replay: ReplayProgress;
  /** Counters: points acknowledged live and historical, messages sent, sessions born. */
  readonly counters = { livePoints: 0, historicalPoints: 0, messages: 0, births: 0 };

  constructor(private readonly o: EdgeAgentOptions) {
    const c = o.config;
    this.log = o.log;
    this.ns = `spBv1.0/${c.central.groupId}`;
    this.window = o.window ?? 64;
    // bdSeq survives restarts (a file beside the buffer), so a late Will of the previous run can
    // never match the new session's bdSeq.
    this.bdSeqFile = join(c.buffer.dir, 'bdseq');
    this.bdSeq = o.bdSeq ?? (existsSync(this.bdSeqFile) ? (Number(readFileSync(this.bdSeqFile, 'utf8')) + 1) & 255 : 0);
    this.hostOnline = c.central.hostId === undefined;
    this.replay = new ReplayProgress(o.log);
    this.buffer = DiskBuffer.open({
      dir: c.buffer.dir,
      maxBytes: Math.round(c.buffer.maxMegabytes * 1024 * 1024),
      whenFull: c.buffer.whenFull,
      onDrop: (points, why) => this.log.warn({ points, why, droppedTotal: this.buffer.stats.droppedPoints }, 'edge buffer full: points dropped'),
    });
    if (this.buffer.stats.tornBytes > 0) this.log.warn({ bytes: this.buffer.stats.tornBytes }, 'edge buffer: torn last record cut (crash mid-write)');
    if (this.buffer.backlogPoints > 0) this.log.info({ points: this.buffer.backlogPoints, bytes: this.buffer.backlogBytes }, 'edge buffer: unacknowledged points from the last run will be replayed');
  }

  /** `group/node`. */
  get name(): string {
    return `${this.o.config.central.groupId}/${this.o.config.central.edgeNodeId}`;
  }

  /** True while born on the central broker and the backlog is sent. */
  get live(): boolean {
    return this.born && this.buffer.ackedPos >= this.replayEnd;
  }

  /** Starts the connectors and the central session. Resolves once connectors started (not once connected). */
  async start(): Promise<void> {
    for (const def of this.o.config.connectors) {
      if (def.enabled === false) continue;
      const full = { ...def, tenant: def.tenant ?? 'edge', enabled: true } as ConnectorDefinition;
      const device = this.device(def.id);
      const ctx: ConnectorContext = { emit: (pts) => this.onPoints(def.id, pts), log: this.log, dataDir: join(this.o.config.buffer.dir, '..', `connector-${def.id}`) };
      const conn = this.o.createConnector(full, ctx);
      device.attach(conn, full);
      this.connectors.push(conn);
      await conn.start();
    }
    this.connect();
    const t = setInterval(() => this.progress(), this.o.progressMs ?? 5000);
    t.unref();
    this.timers.push(t);
  }

  private device(id: string): EdgeDevice {
    let d = this.devices.get(id);
    if (!d) {
      d = new EdgeDevice(id, () => this.nextAlias++);
      this.devices.set(id, d);
    }
    return d;
  }

  private onPoints(connector: string, points: Parameters<ConnectorContext['emit']>[0]): void {
    if (points.length === 0 || this.stopping) return;
    this.buffer.append(encodeRecord(connector, points, Date.now()), points.length);
    this.pump();
  }

  private topic(kind: string, device?: string): string {
    return `${this.ns}/${kind}/${this.o.config.central.edgeNodeId}${device === undefined ? '' : `/${device}`}`;
  }

  private connect(): void {
    if (this.stopping) return;
    const epoch = ++this.epoch;
    const c = this.o.config.central;
    const client = mqtt.connect(c.mqttUrl, {
      clientId: `lightsout-edge-${c.groupId}-${c.edgeNodeId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128),
      username: c.username,
      password: c.password,
      ...(c.caFile ? { ca: readFileSync(c.caFile) } : {}),
      clean: true,
      keepalive: 10,
      reconnectPeriod: 0, // our own reconnect: a fresh client per session, see the module comment
      connectTimeout: 5000,
      will: { topic: this.topic('NDEATH'), payload: Buffer.from(encodePayload(ndeathPayload(this.bdSeq, Date.now()))), qos: 1, retain: false },
    });
    this.client = client;
    client.on('connect', () => void this.onConnect(epoch, client));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.log.debug({ err: err.message }, 'edge MQTT error'));
    client.on('close', () => this.onClose(epoch, client));
  }

  private async onConnect(epoch: number, client: MqttClient): Promise<void> {
    this.log.info({ node: this.name, url: this.o.config.central.mqttUrl, bdSeq: this.bdSeq }, 'edge connected to the central broker');
    writeFileSync(this.bdSeqFile, String(this.bdSeq));
    const topics = [this.topic('NCMD'), `${this.topic('DCMD')}/+`];
    if (this.o.config.central.hostId !== undefined) topics.push(`spBv1.0/STATE/${this.o.config.central.hostId}`);
    try {
      await client.subscribeAsync(topics, { qos: 1 });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'edge could not subscribe to commands');
    }
    if (epoch === this.epoch && this.hostOnline) this.birth();
  }

  private onClose(epoch: number, client: MqttClient): void {
    if (epoch !== this.epoch) return;
    const was = this.born;
    this.born = false;
    this.inflight = [];
    this.buffer.rewind();
    client.removeAllListeners('close');
    client.end(true);
    this.epoch++;
    if (this.stopping) return;
    if (was) this.log.warn({ node: this.name, backlog: this.buffer.backlogPoints }, 'edge disconnected from the central broker; buffering to disk');
    this.bdSeq = (this.bdSeq + 1) % 256;
    const t = setTimeout(() => this.connect(), this.o.reconnectMs ?? 1000);
    t.unref();
    this.timers.push(t);
  }

  private publish(topic: string, payload: SpPayload, cb?: (err?: Error) => void): void {
    this.client!.publish(topic, Buffer.from(encodePayload(payload)), { qos: 1 }, cb);
    this.counters.messages++;
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) & 255;
    return s;
  }

  /** NBIRTH, then a DBIRTH per device; the buffer's content at this instant is the backlog. */
  private birth(): void {
    if (!this.client?.connected) return;
    const ts = Date.now();
    this.seq = 0;
    this.publish(this.topic('NBIRTH'), nbirthPayload(this.bdSeq, ts));
    this.seq = 1;
    for (const d of this.devices.values()) this.publish(this.topic('DBIRTH', d.id), dbirthPayload(d.birthMetrics(), this.nextSeq(), ts));
    this.born = true;
    this.counters.births++;
    this.buffer.rewind();
    this.inflight = [];
    this.replayEnd = this.buffer.writePos;
    this.replay.begin(this.buffer.backlogPoints, this.buffer.backlogBytes);
    this.pump();
  }

  /** Sends buffered records while the window has room. */
  private pump(): void {
    while (this.born && this.inflight.length < this.window && !this.buffer.readCaughtUp) {
      for (const rec of this.buffer.readBatch(256 * 1024)) this.send(rec.start, rec.end, rec.count, rec.payload);
    }
  }

  private send(start: number, end: number, count: number, payload: Buffer): void {
    const r = decodeRecord(payload);
    const d = this.device(r.c);
    const historical = start < this.replayEnd;
    if (d.learn(r.p)) this.publish(this.topic('DBIRTH', d.id), dbirthPayload(d.birthMetrics(), this.nextSeq(), Date.now()));
    const metrics = r.p.map((p) => {
      const m = d.metric(p[0])!;
      return dataMetric(m.alias, m.datatype, p, historical);
    });
    const entry: InFlight = { end, count, acked: false, historical, device: d, points: r.p };
    this.inflight.push(entry);
    const epoch = this.epoch;
    this.publish(this.topic('DDATA', d.id), { timestamp: Date.now(), seq: this.nextSeq(), metrics }, (err) => {
      if (err || epoch !== this.epoch) return;
      entry.acked = true;
      this.settle();
    });
  }

  /** Moves the cursor past every leading acknowledged message. */
  private settle(): void {
    while (this.inflight.length > 0 && this.inflight[0]!.acked) {
      const e = this.inflight.shift()!;
      this.buffer.ack(e.end, e.count);
      e.device.acknowledged(e.points);
      if (e.historical) {
        this.counters.historicalPoints += e.count;
        this.replay.add(e.count);
        if (this.buffer.ackedPos >= this.replayEnd) this.replay.caughtUp();
      } else this.counters.livePoints += e.count;
    }
    this.pump();
  }

  private progress(): void {
    if (this.born && this.buffer.ackedPos < this.replayEnd) this.replay.report();
    else if (!this.born && this.buffer.backlogPoints > 0) {
      this.log.info({ points: this.buffer.backlogPoints, bytes: this.buffer.backlogBytes, dropped: this.buffer.stats.droppedPoints }, 'edge buffering (central broker unreachable)');
    }
  }

  private onMessage(topic: string, raw: Buffer): void {
    if (topic.startsWith('spBv1.0/STATE/')) {
      const was = this.hostOnline;
      this.hostOnline = hostStateOnline(raw);
      if (this.hostOnline && !was) this.birth();
      // The primary host is away: hold data in the buffer, birth again when it is back.
      if (!this.hostOnline) this.born = false;
      return;
    }
    let msg: SpPayload;
    try {
      msg = decodePayload(raw);
    } catch (err) {
      return this.log.warn({ topic, err: (err as Error).message }, 'edge: undecodable command ignored');
    }
    if (topic === this.topic('NCMD')) {
      if (!msg.metrics.some((m) => m.name === REBIRTH_METRIC && m.value === true)) return;
      this.log.info({ node: this.name }, 'edge rebirth requested');
      if (this.born) this.birth();
      return;
    }
    const d = this.devices.get(topic.slice(this.topic('DCMD').length + 1));
    if (d) void d.command(msg, this.log);
  }

  /** Stops connectors, says goodbye (NDEATH) and closes the buffer. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled(this.connectors.map((c) => c.stop()));
    const client = this.client;
    this.epoch++;
    if (client?.connected) {
      const done = client.publishAsync(this.topic('NDEATH'), Buffer.from(encodePayload(ndeathPayload(this.bdSeq, Date.now()))), { qos: 1 });
      await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined);
    }
    await client?.endAsync(true).catch(() => undefined);
    this.buffer.close();
  }
}
