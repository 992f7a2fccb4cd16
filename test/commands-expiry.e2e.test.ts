/**
 * A command's time to live across a device's disconnect, end to end: a real Sparkplug edge node
 * (mqtt.js) dies, an operator confirms a write while it is gone, the TTL passes, the node comes
 * back — and the command is expired and never sent, while one confirmed in time goes out.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload } from '../src/connectors/sparkplug/codec.js';
import { getJson, sendJson, startTestPlatform, waitFor, type TestPlatform } from './helpers.js';

let platform: TestPlatform;
const GROUP = 'plant:press-shop';
const NODE = 'press-7';
const TAG = 'plant/press-shop/press-7/force_sp';
const received: string[] = [];
let bdSeq = 0n;

/** Connect the edge node: NDEATH as its Will, NBIRTH with the setpoint; it records the NCMD metrics it gets. */
async function edgeNode(): Promise<MqttClient> {
  bdSeq++;
  const death = Buffer.from(encodePayload({ metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: bdSeq }] }));
  const c = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'press-7-edge', reconnectPeriod: 0, clean: true, will: { topic: `spBv1.0/${GROUP}/NDEATH/${NODE}`, payload: death, qos: 1, retain: false } });
  c.on('message', (_topic, payload) => {
    for (const m of decodePayload(payload).metrics) received.push(String(m.name));
  });
  await c.subscribeAsync(`spBv1.0/${GROUP}/NCMD/${NODE}`, { qos: 0 });
  await c.publishAsync(`spBv1.0/${GROUP}/NBIRTH/${NODE}`, Buffer.from(encodePayload({ timestamp: Date.now(), seq: 0, metrics: [
    { name: 'bdSeq', datatype: DataType.Int64, value: bdSeq },
    { name: 'force_sp', datatype: DataType.Double, value: 100 },
  ] })), { qos: 1 });
  return c;
}

const api = (p: string) => `${platform.httpUrl}/api/v1${p}`;
const stateOf = async (id: string): Promise<string> => (await getJson(api(`/commands/${id}`))).body.state;

beforeAll(async () => {
  platform = await startTestPlatform({ commandReadbackMs: 3000 });
  const edge = await edgeNode();
  await waitFor(async () => (await getJson(api(`/latest?tag=${TAG}`))).body.points.length === 1, 5000, 'the birth');
  expect((await sendJson('PATCH', api('/tags'), { tags: [{ path: TAG, writable: true }] })).status).toBe(200);
  // Die without a clean disconnect: the broker publishes the Will (NDEATH), the host marks the node offline.
  edge.stream.destroy();
  await waitFor(async () => (await getJson(api(`/latest?tag=${TAG}`))).body.points[0]?.quality === 'bad', 5000, 'the NDEATH');
}, 20_000);
afterAll(async () => platform?.stop());

describe('command time to live across a disconnect', () => {
  it('queues a confirmed command while the device is offline, expires it, and never sends it after the reconnect', async () => {
    const r = await sendJson('POST', api('/commands'), { kind: 'write', tag: TAG, value: 250, idempotencyKey: 'ttl-1', ttlSeconds: 2 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.command.id as string;
    expect((await sendJson('POST', api(`/commands/${id}/confirm`))).status).toBe(200);
    expect(await stateOf(id)).toBe('queued');
    await waitFor(async () => (await stateOf(id)) === 'expired', 5000, 'expiry');
    const edge = await edgeNode();
    try {
      // A command confirmed after the reconnect, inside its TTL, does go out: the node is reachable.
      const fresh = await sendJson('POST', api('/commands'), { kind: 'write', tag: TAG, value: 300, idempotencyKey: 'ttl-2', ttlSeconds: 30 });
      await sendJson('POST', api(`/commands/${fresh.body.command.id}/confirm`));
      await waitFor(() => received.includes('force_sp'), 5000, 'the fresh NCMD');
      await new Promise((res) => setTimeout(res, 500));
      // Only the fresh command's NCMD arrived: the expired one (250) was never sent.
      expect(received.filter((n) => n === 'force_sp')).toHaveLength(1);
      const done = (await getJson(api(`/commands/${id}`))).body;
      expect(done.state).toBe('expired');
      expect(done.history.map((h: { state: string }) => h.state)).not.toContain('sent');
    } finally {
      await edge.endAsync();
    }
  });
});
