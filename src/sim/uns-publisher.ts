/**
 * Simulated UNS JSON machines sharing one MQTT client. Most publish a batch on their asset
 * topic (`uns/<tenant>/<asset path>` → `{"ts", "values"}`); a machine set to the single form
 * publishes one message per tag (`uns/<tenant>/<asset path>/<tag>`), numbers and booleans as
 * bare JSON scalars and strings as `{"value", "ts", "quality"}`, so the demo exercises every
 * shape the UNS codec accepts.
 * @module
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Value } from '../core/point.js';
import type { TagSpec } from './machine-types.js';
import type { UnsForm } from './plant.js';
import { firstConnect, PublishGate, SILENT_LOG, withTimeout, type PublishCounters, type SimLog } from './publish-gate.js';

/** A UNS machine as the publisher sees it: tags and a live values array aligned with them. */
export interface UnsMachine {
  /** `site/area/line/machine`, relative to the tenant. */
  assetPath: string;
  tags: readonly TagSpec[];
  values: readonly Value[];
  form: UnsForm;
}

/** Options of a {@link UnsPublisher}. */
export interface UnsPublisherOptions {
  mqttUrl: string;
  username?: string;
  /** For mqtts://: trust exactly this certificate, whatever name it was issued for. */
  trustCert?: Buffer;
  password?: string;
  tenant: string;
  machines: UnsMachine[];
  /** MQTT client id; default derived from the tenant. */
  clientId?: string;
  /** QoS of the data. Default 0. */
  qos?: 0 | 1;
  /** QoS 1 window. Default 256. */
  maxInFlight?: number;
  /** Socket buffer limit before data is dropped. Default 1 MiB. */
  maxBufferBytes?: number;
  /** Give up if the first connection takes longer. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Applies a command arriving on `uns/<tenant>/<asset path>/<tag>/set` (a write) or
   * `.../Commands/<method>/set` (a call) to machine `index`; true when applied, and the machine
   * then publishes at once. Without it the publisher subscribes to nothing.
   */
  onCommand?: (index: number, cmd: { name: string; value: Value; method?: string }) => boolean;
  log?: SimLog;
}

interface Prepared {
  m: UnsMachine;
  topic: string;
  /** Per tag: `"name":` for batches, or the tag's own topic for the single form. */
  keys: string[];
  /** Per tag: the metadata fields (`,"unit":"°C",...`) sent with the first message of a session. */
  metaJson: string[];
  /** Whether this session has sent the metadata yet (UNS has no birth, so the first message carries it). */
  announced: boolean;
}

/** The JSON fields a UNS point object carries for a tag's metadata. */
function metaFields(t: { unit?: string; description: string; min?: number; max?: number }): string {
  let out = `,"description":${JSON.stringify(t.description)}`;
  if (t.unit !== undefined) out += `,"unit":${JSON.stringify(t.unit)}`;
  if (t.min !== undefined && t.max !== undefined && t.min < t.max) out += `,"min":${t.min},"max":${t.max}`;
  return out;
}

/** JSON text of a tag value; the models only produce finite numbers. */
export function jsonValue(v: Value): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The UNS machines of a plant on one MQTT client. */
export class UnsPublisher {
  private readonly o: UnsPublisherOptions;
  private readonly log: SimLog;
  private readonly machines: Prepared[];
  private client: MqttClient | undefined;
  private gate: PublishGate | undefined;

  constructor(opts: UnsPublisherOptions) {
    this.o = opts;
    this.log = opts.log ?? SILENT_LOG;
    this.machines = opts.machines.map((m) => {
      const topic = `uns/${opts.tenant}/${m.assetPath}`;
      const keys = m.tags.map((t) => (m.form === 'batch' ? `${JSON.stringify(t.name)}:` : `${topic}/${t.name}`));
      return { m, topic, keys, metaJson: m.tags.map(metaFields), announced: false };
    });
  }

  /** Counters of data messages. */
  get counters(): PublishCounters {
    return this.gate?.counters ?? { messages: 0, points: 0, dropped: 0, bytes: 0 };
  }

  /** Number of machines. */
  get machineCount(): number {
    return this.machines.length;
  }

  /** Connect. Resolves once the first session is up. */
  async start(): Promise<void> {
    const client = mqtt.connect(this.o.mqttUrl, {
      clientId: (this.o.clientId ?? `lightsout-sim-uns-${this.o.tenant}`).slice(0, 128),
      username: this.o.username,
      ...(this.o.trustCert ? { ca: this.o.trustCert, checkServerIdentity: () => undefined } : {}),
      password: this.o.password,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 2000,
      queueQoSZero: false,
    });
    this.client = client;
    this.gate = new PublishGate(client, { qos: this.o.qos ?? 0, maxInFlight: this.o.maxInFlight ?? 256, maxBufferBytes: this.o.maxBufferBytes ?? 1 << 20 });
    client.on('close', () => this.gate?.reset());
    client.on('connect', () => {
      for (const p of this.machines) p.announced = false;
    });
    await firstConnect(client, this.o.connectTimeoutMs ?? 10_000, 'UNS publisher', this.o.mqttUrl);
    client.on('error', (err) => this.log.warn({ err: err.message }, 'UNS publisher MQTT error'));
    if (this.o.onCommand) {
      client.on('message', (topic, payload) => this.onSet(topic, payload));
      // mqtt.js subscribes again after a reconnect (resubscribe), so once is enough.
      await client.subscribeAsync(this.machines.flatMap((p) => [`${p.topic}/+/set`, `${p.topic}/Commands/+/set`]), { qos: 1 });
    }
  }

  /** A command on a `.../set` topic: `{"value", "commandId"}`. */
  private onSet(topic: string, payload: Buffer): void {
    const index = this.machines.findIndex((p) => topic.startsWith(`${p.topic}/`));
    if (index < 0 || !topic.endsWith('/set')) return;
    const name = topic.slice(this.machines[index]!.topic.length + 1, -'/set'.length);
    let value: unknown;
    try {
      value = (JSON.parse(payload.toString('utf8')) as { value?: unknown }).value;
    } catch {
      this.log.warn({ topic }, 'undecodable UNS command ignored');
      return;
    }
    if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return;
    const method = name.startsWith('Commands/') ? name.slice('Commands/'.length) : undefined;
    const ok = this.o.onCommand!(index, { name, value, ...(method !== undefined ? { method } : {}) });
    this.log.info({ topic, value, applied: ok }, 'UNS machine command');
    if (!ok) return;
    this.publishMachine(index, Date.now());
    if (method !== undefined) this.gate?.send(`${this.machines[index]!.topic}/Commands/${method}`, 'true', 1);
  }

  /**
   * Publish machine `index`'s current values stamped `tsMs`. Returns false when (part of) it
   * was dropped by backpressure or a lost connection.
   */
  publishMachine(index: number, tsMs: number): boolean {
    const gate = this.gate;
    if (!gate) return false;
    const p = this.machines[index]!;
    const { m, topic, keys, metaJson } = p;
    const announce = !p.announced;
    if (m.form === 'single') {
      let ok = true;
      for (let i = 0; i < keys.length; i++) {
        const v = m.values[i]!;
        const body = typeof v === 'string' || announce ? `{"value":${jsonValue(v)},"ts":${tsMs},"quality":"good"${announce ? metaJson[i] : ''}}` : String(v);
        ok = gate.send(keys[i]!, body, 1) && ok;
      }
      if (ok) p.announced = true;
      return ok;
    }
    if (!gate.open()) return gate.drop();
    let body = `{"ts":${tsMs},"values":{`;
    for (let i = 0; i < keys.length; i++) {
      const v = jsonValue(m.values[i]!);
      body += (i === 0 ? '' : ',') + keys[i] + (announce ? `{"value":${v}${metaJson[i]}}` : v);
    }
    body += '}}';
    const ok = gate.send(topic, body, keys.length);
    if (ok) p.announced = true;
    return ok;
  }

  /** Disconnect, waiting (bounded) for queued messages to flush. */
  async stop(timeoutMs = 3000): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    await withTimeout(client.endAsync(false), timeoutMs).catch(() => client.endAsync(true));
  }
}
