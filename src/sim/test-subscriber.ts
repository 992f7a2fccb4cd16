/**
 * An MQTT subscriber that records what the simulator publishes, for the simulator's tests:
 * the view a Sparkplug host or UNS consumer would have, decoded with the platform's codec.
 * @module
 */
import mqtt, { type MqttClient } from 'mqtt';
import { decodePayload, type SpPayload } from '../connectors/sparkplug/codec.js';

/** One received message. */
export interface Received {
  topic: string;
  payload: Buffer;
}

/** A recording subscriber. */
export interface TestSubscriber {
  client: MqttClient;
  messages: Received[];
  /** Resolve once `pred` holds over the messages so far; reject after `timeoutMs`. */
  waitFor(pred: (msgs: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** Connect to `url`, subscribe to `topics`, and record every message. */
export async function startTestSubscriber(url: string, topics: string[]): Promise<TestSubscriber> {
  const client = await mqtt.connectAsync(url, { clientId: `sim-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`, reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on('message', (topic, payload) => messages.push({ topic, payload }));
  await client.subscribeAsync(topics, { qos: 0 });
  return {
    client,
    messages,
    waitFor: (pred, timeoutMs = 5000, what = 'condition') =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const poll = (): void => {
          if (pred(messages)) return resolve();
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what} (${messages.length} messages seen)`));
          setTimeout(poll, 20);
        };
        poll();
      }),
    close: async () => {
      await client.endAsync(true);
    },
  };
}

/** A Sparkplug message with its topic parts and decoded payload. */
export interface SpMessage {
  group: string;
  type: string;
  node: string;
  device: string | undefined;
  payload: SpPayload;
}

/** Decode the Sparkplug messages (STATE excepted) among `msgs`, in arrival order. */
export function sparkplugMessages(msgs: Received[]): SpMessage[] {
  const out: SpMessage[] = [];
  for (const m of msgs) {
    const [ns, group, type, node, device] = m.topic.split('/');
    if (ns !== 'spBv1.0' || group === 'STATE') continue;
    out.push({ group: group!, type: type!, node: node!, device, payload: decodePayload(m.payload) });
  }
  return out;
}
