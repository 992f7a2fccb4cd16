/**
 * Ingest from an external MQTT broker (Mosquitto, EMQX, HiveMQ...) with MQTT.js. The session is
 * persistent (clean=false) and subscribed at QoS 1, so the broker keeps messages while Lightsout
 * is down; each PUBACK to the broker is sent only once the message's points are durable.
 * MQTT.js handles one inbound message at a time, so this mode's throughput is bounded by the
 * historian's commit latency per message; the embedded broker has no such bound.
 * @module
 */
import mqtt, { type MqttClient } from 'mqtt';
import { LightsoutError } from '../../core/errors.js';
import { ackWhenDone, type Connector, type ConnectorStatus, type MessageHandler } from '../../core/connector-status.js';

/** Settings of the external-broker connector. */
export interface ExternalBrokerOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Topic filters to subscribe to, at QoS 1. */
  topics: string[];
  onMessage: MessageHandler;
  /** Last Will published by the broker if this connection dies (Sparkplug host STATE offline). */
  will?: { topic: string; payload: Uint8Array; qos: 0 | 1; retain: boolean };
  /** Called after every (re)connect, e.g. to publish the Sparkplug host STATE online. */
  onConnect?: () => void;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** A subscriber session on an external broker. */
export class ExternalBroker implements Connector {
  readonly name = 'mqtt-client';
  private client: MqttClient | undefined;
  private state: ConnectorStatus = { state: 'stopped', since: Date.now() };
  private readonly stats = { messagesIn: 0, bytesIn: 0, reconnects: 0, handlerErrors: 0 };
  private attempts = 0;

  constructor(private readonly opts: ExternalBrokerOptions) {}

  /** Connect and subscribe; rejects with LIGHTSOUT_CONNECTOR_FAILED if the first connect fails within `timeoutMs`. */
  async start(timeoutMs = 5_000): Promise<void> {
    this.state = { state: 'starting', since: Date.now() };
    const client = mqtt.connect(this.opts.url, {
      clientId: this.opts.clientId,
      clean: false,
      username: this.opts.username,
      password: this.opts.password,
      reconnectPeriod: 1000,
      connectTimeout: timeoutMs,
      will: this.opts.will ? { topic: this.opts.will.topic, payload: Buffer.from(this.opts.will.payload), qos: this.opts.will.qos, retain: this.opts.will.retain } : undefined,
    });
    this.client = client;
    // MQTT.js sends the PUBACK of a QoS 1 message only after handleMessage calls back (any protocol
    // version), so the callback waits until the message's points are durable.
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      this.stats.messagesIn++;
      this.stats.bytesIn += packet.payload.length;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      ackWhenDone(this.opts.onMessage, packet.topic, payload, (err) => callback(err ?? undefined), (err) => {
        // No PUBACK: the broker redelivers on the next session.
        this.stats.handlerErrors++;
        this.opts.log?.warn({ err: err.message, topic: packet.topic }, 'message not stored; it will be redelivered');
      });
    };
    let subscribed: Promise<void> = Promise.resolve();
    client.on('connect', (connack) => {
      this.attempts = 0;
      this.state = { state: 'connected', since: Date.now(), detail: this.opts.url };
      this.opts.log?.info({ url: this.opts.url, sessionPresent: connack.sessionPresent }, 'connected to external MQTT broker');
      if (!connack.sessionPresent) {
        // A new session: subscribe (a kept session already has the subscriptions and queued messages).
        const filters = Object.fromEntries(this.opts.topics.map((t) => [t, { qos: 1 as const }]));
        subscribed = client.subscribeAsync(filters).then(
          () => undefined,
          (err: Error) => {
            this.state = { state: 'degraded', since: Date.now(), reason: `subscribe failed: ${err.message}` };
            this.opts.log?.warn({ err: err.message }, 'subscribe failed');
          },
        );
      }
      this.opts.onConnect?.();
    });
    client.on('reconnect', () => {
      this.attempts++;
      this.stats.reconnects++;
      const lastError = this.state.state === 'reconnecting' ? this.state.lastError : 'connection lost';
      this.state = { state: 'reconnecting', since: Date.now(), lastError, attempts: this.attempts };
    });
    client.on('error', (err) => {
      const since = this.state.since;
      this.state = { state: 'reconnecting', since, lastError: err.message, attempts: this.attempts };
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.end(true);
        reject(new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `cannot connect to MQTT broker ${this.opts.url} within ${timeoutMs} ms${this.state.state === 'reconnecting' ? ': ' + this.state.lastError : ''}`));
      }, timeoutMs);
      client.once('connect', () => {
        clearTimeout(timer);
        // Start-up completes only once the subscriptions are in place, so nothing published after it is missed.
        void subscribed.then(resolve);
      });
    });
  }

  /** Publish on the external broker. */
  publish(topic: string, payload: Uint8Array, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', 'not connected to the external broker'));
    return client.publishAsync(topic, Buffer.from(payload), opts).then(() => undefined);
  }

  status(): ConnectorStatus {
    return this.state;
  }

  counters(): Record<string, number> {
    return { ...this.stats };
  }

  /** Disconnect (the Will is not sent on a clean stop). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
    this.state = { state: 'stopped', since: Date.now() };
  }
}
