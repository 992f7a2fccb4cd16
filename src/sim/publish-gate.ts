/**
 * Backpressure for the simulator's MQTT clients, plus the small logger shape they share.
 * MQTT.js never refuses a publish: it buffers in the socket (QoS 0) or its outgoing store
 * (QoS 1) without limit. The gate refuses instead, so a simulator asked for more than the
 * broker takes drops ticks (counted) rather than growing memory.
 * @module
 */
import type { MqttClient } from 'mqtt';

/**
 * The logger the simulator writes to: pino's object-first form, so a pino logger fits as is.
 *
 * @example
 * const log: SimLog = pino({ name: 'sim' }, pino.destination(2));
 */
export interface SimLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** A logger that drops everything (the default when none is given). */
export const SILENT_LOG: SimLog = { info() {}, warn() {}, error() {}, debug() {} };

/** Counters of one publisher. */
export interface PublishCounters {
  /** MQTT messages handed to the socket. */
  messages: number;
  /** Tag values carried by those messages. */
  points: number;
  /** Messages not sent because the connection was backed up, down or not yet born. */
  dropped: number;
  /** Payload bytes handed to the socket. */
  bytes: number;
}

/** Fresh zeroed counters. */
export function newCounters(): PublishCounters {
  return { messages: 0, points: 0, dropped: 0, bytes: 0 };
}

/** Options of a {@link PublishGate}. */
export interface PublishGateOptions {
  /** QoS of data messages. */
  qos: 0 | 1;
  /** Most QoS 1 messages awaiting PUBACK; the broker's acknowledgements pace the sender. */
  maxInFlight: number;
  /** Most bytes waiting in the socket's write buffer before QoS 0 data is dropped. */
  maxBufferBytes: number;
}

/**
 * Decides whether one more data message may go out on a client, and sends it. One gate per
 * MQTT client.
 */
export class PublishGate {
  /** QoS 1 messages sent and not yet acknowledged. */
  inFlight = 0;
  readonly counters: PublishCounters = newCounters();
  private waiters: (() => void)[] = [];
  // After a reset, late callbacks of the old session must not push the count below zero.
  private readonly onAck = (): void => {
    if (this.inFlight > 0) this.inFlight--;
    this.waiters.shift()?.();
  };

  constructor(private readonly client: MqttClient, readonly opts: PublishGateOptions) {}

  /** Bytes written to the client's socket and not yet flushed to the kernel. */
  backlogBytes(): number {
    const s = this.client.stream as unknown as { writableLength?: number } | undefined;
    return s?.writableLength ?? 0;
  }

  /** True when a data message may be sent now. */
  open(): boolean {
    if (!this.client.connected) return false;
    if (this.backlogBytes() > this.opts.maxBufferBytes) return false;
    return this.opts.qos === 0 || this.inFlight < this.opts.maxInFlight;
  }

  /**
   * Publish a data message if the gate is open; count it either way. Returns false when it was
   * dropped.
   */
  send(topic: string, payload: Uint8Array | string, points: number): boolean {
    if (!this.open()) return this.drop();
    const body = typeof payload === 'string' ? Buffer.from(payload) : toBuffer(payload);
    if (this.opts.qos === 1) {
      this.inFlight++;
      // The callback fires on PUBACK (or on error/close); both free the window slot.
      this.client.publish(topic, body, { qos: 1 }, this.onAck);
    } else {
      this.client.publish(topic, body, { qos: 0 });
    }
    this.counters.messages++;
    this.counters.points += points;
    this.counters.bytes += body.length;
    return true;
  }

  /** Count a message not sent; returns false for the caller to pass on. */
  drop(): false {
    this.counters.dropped++;
    return false;
  }

  /**
   * Call `cb` once when the gate may have opened: on the next PUBACK if the QoS 1 window is
   * full, when the socket drains if it is backed up, soon otherwise. Lets a benchmark be paced
   * by the broker instead of polling.
   */
  whenOpen(cb: () => void): void {
    if (!this.client.connected) {
      setTimeout(cb, 100);
    } else if (this.backlogBytes() > this.opts.maxBufferBytes) {
      (this.client.stream as unknown as NodeJS.EventEmitter).once('drain', cb);
    } else if (this.opts.qos === 1 && this.inFlight >= this.opts.maxInFlight) {
      this.waiters.push(cb);
    } else {
      setImmediate(cb);
    }
  }

  /** Forget in-flight messages (the connection closed; MQTT.js errors their callbacks). */
  reset(): void {
    this.inFlight = 0;
    const waiting = this.waiters;
    this.waiters = [];
    for (const cb of waiting) setTimeout(cb, 100);
  }
}

/**
 * A Buffer holding a copy of the encoder's bytes: the Sparkplug encoder keeps one shared writer,
 * and MQTT.js may hold the payload until the socket drains, so a view could be overwritten.
 */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

/** Resolve or reject with `p`, or reject after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Wait for a client's first connection. MQTT.js retries a refused connection silently, so a
 * publisher gives up after `ms` with an error naming itself and the broker, and closes the client.
 */
export async function firstConnect(client: MqttClient, ms: number, who: string, url: string): Promise<void> {
  const first = new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  try {
    await withTimeout(first, ms);
  } catch (err) {
    client.end(true);
    throw new Error(`${who} could not connect to ${url}: ${(err as Error).message}`, { cause: err });
  }
}
