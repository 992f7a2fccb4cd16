/**
 * A simulated Sparkplug B 3.0 edge node: one MQTT session, one line's machines as devices.
 * It follows the spec's session rules: Will = NDEATH carrying the session's bdSeq; NBIRTH
 * (seq 0, bdSeq, `Node Control/Rebirth`), then one DBIRTH per device with every metric named,
 * aliased and typed; DDATA by alias only; seq 0..255 across all its messages; rebirth on
 * NCMD `Node Control/Rebirth`; optionally waiting for the primary host's STATE.
 * @module
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DataType, decodePayload, encodePayload, type SpMetric, type SpPayload } from '../connectors/sparkplug/codec.js';
import type { Value } from '../core/point.js';
import type { TagSpec } from './machine-types.js';
import { firstConnect, PublishGate, SILENT_LOG, toBuffer, withTimeout, type PublishCounters, type SimLog } from './publish-gate.js';
import { dbirthPayload, ddataMetrics, hostStateOnline, isRebirthRequest, nbirthPayload, ndeathPayload } from './sparkplug-payloads.js';

/** A device as the edge node sees it: tags and a live values array aligned with them. */
export interface SparkplugDevice {
  id: string;
  tags: readonly TagSpec[];
  values: readonly Value[];
  /** Methods it takes as `Commands/<method>` (announced in its DBIRTH). */
  methods?: readonly string[];
}

/**
 * Applies a DCMD metric to device `index`: a write to tag `name`, or a method call when `method`
 * is set. Returns true when the device applied it (then it publishes at once).
 */
export type DeviceCommandHandler = (index: number, cmd: { name: string; value: Value; method?: string }) => boolean;

/** Options of one {@link SparkplugEdgeNode}. */
export interface EdgeNodeOptions {
  mqttUrl: string;
  username?: string;
  /** For mqtts://: trust exactly this certificate, whatever name it was issued for. */
  trustCert?: Buffer;
  password?: string;
  groupId: string;
  edgeNodeId: string;
  devices: SparkplugDevice[];
  /** QoS of DDATA. The spec says 0; 1 lets a benchmark be paced by PUBACKs. Default 0. */
  qos?: 0 | 1;
  /** QoS 1 window. Default 256. */
  maxInFlight?: number;
  /** Socket buffer limit before data is dropped. Default 1 MiB. */
  maxBufferBytes?: number;
  /** Wait for `spBv1.0/STATE/<hostId>` online before birth. Default: do not wait. */
  hostId?: string;
  /** Give up if the first connection takes longer. Default 10 s. */
  connectTimeoutMs?: number;
  /** Wait between reconnection attempts. Default 2 s. */
  reconnectPeriodMs?: number;
  /** bdSeq of the first session (0..255). Default 0. */
  bdSeq?: number;
  /** Applies DCMD writes and method calls; without it the node honours only rebirth requests. */
  onCommand?: DeviceCommandHandler;
  log?: SimLog;
}

interface DeviceState {
  dev: SparkplugDevice;
  firstAlias: number;
  /** DDATA metrics, built once and refilled in place on each publish. */
  data: SpMetric[];
  topic: string;
}

/** One simulated Sparkplug edge node. Call {@link start}, then {@link publishDevice} per tick. */
export class SparkplugEdgeNode {
  private readonly o: EdgeNodeOptions;
  private readonly log: SimLog;
  private readonly devices: DeviceState[];
  private readonly ns: string;
  private client: MqttClient | undefined;
  private gate: PublishGate | undefined;
  private bdSeq: number;
  private seq = 0;
  private born = false;
  private hostOnline: boolean;
  private stopping = false;
  /** Births sent (NBIRTH count), rebirths asked by NCMD. */
  readonly sessions = { births: 0, rebirths: 0 };

  constructor(opts: EdgeNodeOptions) {
    this.o = opts;
    this.log = opts.log ?? SILENT_LOG;
    this.bdSeq = opts.bdSeq ?? 0;
    this.hostOnline = opts.hostId === undefined;
    this.ns = `spBv1.0/${opts.groupId}`;
    let alias = 1; // Aliases are unique across the whole edge node, not per device.
    this.devices = opts.devices.map((dev) => {
      const firstAlias = alias;
      alias += dev.tags.length + (dev.methods?.length ?? 0);
      return { dev, firstAlias, data: ddataMetrics(dev.tags, firstAlias), topic: this.topic('DDATA', dev.id) };
    });
  }

  /** `group/node`, for logs. */
  get name(): string {
    return `${this.o.groupId}/${this.o.edgeNodeId}`;
  }

  /** True while connected and born: data published now reaches hosts. */
  get online(): boolean {
    return this.born && this.client?.connected === true;
  }

  /** Counters of data messages (births and deaths are not counted as data). */
  get counters(): PublishCounters {
    return this.gate?.counters ?? { messages: 0, points: 0, dropped: 0, bytes: 0 };
  }

  /**
   * Connect and birth. Resolves once the first MQTT session is up (and born, unless waiting
   * for a host); later reconnects birth again by themselves with the next bdSeq.
   */
  async start(): Promise<void> {
    const client = mqtt.connect(this.o.mqttUrl, {
      clientId: `lightsout-sim-${this.o.groupId.replace(/:/g, '-')}-${this.o.edgeNodeId}`.slice(0, 128),
      username: this.o.username,
      ...(this.o.trustCert ? { ca: this.o.trustCert, checkServerIdentity: () => undefined } : {}),
      password: this.o.password,
      clean: true,
      keepalive: 30,
      reconnectPeriod: this.o.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      resubscribe: false,
      // Offline QoS 0 publishes would pile up; the gate already refuses while disconnected.
      queueQoSZero: false,
      will: this.will(),
    });
    this.client = client;
    this.gate = new PublishGate(client, { qos: this.o.qos ?? 0, maxInFlight: this.o.maxInFlight ?? 256, maxBufferBytes: this.o.maxBufferBytes ?? 1 << 20 });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('close', () => this.onClose());
    // onConnect runs inside the 'connect' emit, so sessionReady is set before `first` resumes.
    client.on('connect', () => this.onConnect());
    await firstConnect(client, this.o.connectTimeoutMs ?? 10_000, `edge node ${this.name}`, this.o.mqttUrl);
    client.on('error', (err) => this.log.warn({ node: this.name, err: err.message }, 'edge node MQTT error'));
    await this.sessionReady;
  }

  private sessionReady: Promise<void> = Promise.resolve();

  private onConnect(): void {
    this.seq = 0;
    this.sessionReady = (async () => {
      const client = this.client!;
      // Commands first: the spec wants the node listening before it announces itself.
      const topics = [`${this.ns}/NCMD/${this.o.edgeNodeId}`, `${this.ns}/DCMD/${this.o.edgeNodeId}/+`];
      if (this.o.hostId !== undefined) topics.push(`spBv1.0/STATE/${this.o.hostId}`);
      try {
        await client.subscribeAsync(topics, { qos: 1 });
      } catch (err) {
        this.log.warn({ node: this.name, err: (err as Error).message }, 'edge node could not subscribe');
        return;
      }
      if (this.hostOnline) this.birth();
    })();
  }

  private onClose(): void {
    const wasBorn = this.born;
    this.born = false;
    this.gate?.reset();
    if (this.stopping) return;
    // The next session needs a new bdSeq, and its Will must carry it.
    this.bdSeq = (this.bdSeq + 1) % 256;
    if (this.client) this.client.options.will = this.will();
    if (wasBorn) this.log.warn({ node: this.name }, 'edge node disconnected; will rebirth on reconnect');
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic.startsWith('spBv1.0/STATE/')) return this.onState(payload);
    let msg: SpPayload;
    try {
      msg = decodePayload(payload);
    } catch (err) {
      this.log.warn({ node: this.name, topic, err: (err as Error).message }, 'undecodable command ignored');
      return;
    }
    if (topic.includes('/NCMD/') && isRebirthRequest(msg)) {
      this.sessions.rebirths++;
      this.log.info({ node: this.name }, 'rebirth requested');
      if (this.hostOnline) this.birth();
      return;
    }
    const index = this.devices.findIndex((d) => topic === this.topic('DCMD', d.dev.id));
    if (index < 0 || !this.o.onCommand) {
      this.log.debug({ node: this.name, topic, metrics: msg.metrics.map((m) => m.name ?? m.alias) }, 'command ignored');
      return;
    }
    this.onDeviceCommand(index, msg);
  }

  /** The metric name behind one of a device's aliases: a tag, or a method after the tags. */
  private nameOfAlias(d: DeviceState, alias: number): string | undefined {
    const i = alias - d.firstAlias;
    const tags = d.dev.tags;
    if (i >= 0 && i < tags.length) return tags[i]!.name;
    const method = d.dev.methods?.[i - tags.length];
    return method === undefined ? undefined : `Commands/${method}`;
  }

  /** DCMD: apply each metric (by name or alias), then publish the new values and echo the methods called. */
  private onDeviceCommand(index: number, msg: SpPayload): void {
    const d = this.devices[index]!;
    const echoed: SpMetric[] = [];
    let changed = false;
    for (const m of msg.metrics) {
      const name = m.name ?? (m.alias !== undefined ? this.nameOfAlias(d, m.alias) : undefined);
      if (name === undefined || m.value === undefined || m.value === null || typeof m.value === 'object' || typeof m.value === 'bigint') continue;
      const method = name.startsWith('Commands/') ? name.slice('Commands/'.length) : undefined;
      if (method !== undefined && m.value !== true) continue;
      const ok = this.o.onCommand!(index, { name, value: m.value, ...(method !== undefined ? { method } : {}) });
      this.log.info({ node: this.name, device: d.dev.id, metric: name, value: m.value, applied: ok }, 'device command');
      if (!ok) continue;
      changed = true;
      const j = method === undefined ? -1 : (d.dev.methods ?? []).indexOf(method);
      if (j >= 0) echoed.push({ alias: d.firstAlias + d.dev.tags.length + j, datatype: DataType.Boolean, value: true, timestamp: 0 });
    }
    if (!changed || !this.born) return;
    const ts = Date.now();
    this.publishDevice(index, ts);
    if (echoed.length > 0 && this.client?.connected) {
      for (const e of echoed) e.timestamp = ts;
      this.client.publish(d.topic, toBuffer(encodePayload({ timestamp: ts, seq: this.nextSeq(), metrics: echoed })), { qos: 0 });
    }
  }

  private onState(payload: Buffer): void {
    const online = hostStateOnline(payload);
    const was = this.hostOnline;
    this.hostOnline = online;
    if (online && !was) this.birth();
    if (!online) this.born = false; // Hold data while the host is away; birth again when it returns.
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) % 256;
    return s;
  }

  private topic(kind: string, device?: string): string {
    return `${this.ns}/${kind}/${this.o.edgeNodeId}${device === undefined ? '' : `/${device}`}`;
  }

  private will(): { topic: string; payload: Buffer; qos: 1; retain: false } {
    const payload = encodePayload(ndeathPayload(this.bdSeq, Date.now()));
    return { topic: this.topic('NDEATH'), payload: toBuffer(payload), qos: 1, retain: false };
  }

  /** NBIRTH then every DBIRTH, seq restarting at 0: first birth, reconnects and rebirths. */
  private birth(): void {
    const client = this.client;
    if (!client?.connected) return;
    const ts = Date.now();
    client.publish(this.topic('NBIRTH'), toBuffer(encodePayload(nbirthPayload(this.bdSeq, ts))), { qos: 0 });
    this.seq = 1;
    for (const d of this.devices) {
      const dbirth = dbirthPayload(d.dev.tags, d.dev.values, d.firstAlias, this.nextSeq(), ts, d.dev.methods);
      client.publish(this.topic('DBIRTH', d.dev.id), toBuffer(encodePayload(dbirth)), { qos: 0 });
    }
    this.born = true;
    this.sessions.births++;
    this.log.debug({ node: this.name, bdSeq: this.bdSeq, devices: this.devices.length }, 'edge node born');
  }

  /**
   * Publish device `index`'s current values as DDATA stamped `tsMs`. Returns false when the
   * message was dropped (not born yet, disconnected, or the connection is backed up).
   */
  publishDevice(index: number, tsMs: number): boolean {
    const gate = this.gate;
    if (!gate) return false;
    if (!this.born) {
      gate.counters.dropped++;
      return false;
    }
    // Check before encoding: a dropped message should cost nothing.
    if (!gate.open()) return gate.drop();
    const d = this.devices[index]!;
    const values = d.dev.values;
    for (let i = 0; i < d.data.length; i++) {
      const m = d.data[i]!;
      m.value = values[i]!;
      m.timestamp = tsMs;
    }
    const bytes = encodePayload({ timestamp: tsMs, seq: this.nextSeq(), metrics: d.data });
    return gate.send(d.topic, bytes, d.data.length);
  }

  /** True when {@link publishDevice} would send now rather than drop. */
  canPublish(): boolean {
    return this.born && this.gate?.open() === true;
  }

  /** Call `cb` once when publishing may be possible again (see PublishGate.whenOpen). */
  whenWritable(cb: () => void): void {
    if (!this.gate || !this.born) setTimeout(cb, 100);
    else this.gate.whenOpen(cb);
  }

  /** Bytes waiting in the socket's write buffer. */
  get pendingBytes(): number {
    return this.gate?.backlogBytes() ?? 0;
  }

  /** QoS 1 messages sent and not yet acknowledged. */
  get inFlight(): number {
    return this.gate?.inFlight ?? 0;
  }

  /** Number of devices. */
  get deviceCount(): number {
    return this.devices.length;
  }

  /**
   * Stop cleanly: DDEATH per device and NDEATH (the Will would only fire on an unclean loss),
   * then disconnect. Bounded by `timeoutMs` so a dead broker cannot hang shutdown.
   */
  async stop(timeoutMs = 3000): Promise<void> {
    const client = this.client;
    if (!client || this.stopping) return;
    this.stopping = true;
    const ts = Date.now();
    if (client.connected) {
      if (this.born) {
        for (const d of this.devices) {
          const ddeath = encodePayload({ timestamp: ts, seq: this.nextSeq(), metrics: [] });
          client.publish(this.topic('DDEATH', d.dev.id), toBuffer(ddeath), { qos: 0 });
        }
      }
      this.born = false;
      const ndeath = encodePayload(ndeathPayload(this.bdSeq, ts));
      await withTimeout(client.publishAsync(this.topic('NDEATH'), toBuffer(ndeath), { qos: 1 }), timeoutMs).catch(() => undefined);
    }
    await withTimeout(client.endAsync(false), timeoutMs).catch(() => client.endAsync(true));
  }
}
