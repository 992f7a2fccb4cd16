/**
 * External-broker mode against the Mosquitto running on this machine (127.0.0.1:1883): Lightsout
 * subscribes with a persistent session, acknowledges only durable messages, and after a restart
 * receives what was published while it was down.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, startTestPlatform, tempDir, waitFor } from './helpers.js';

const MOSQUITTO = process.env.LIGHTSOUT_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const clientId = `lightsout-test-${randomUUID().slice(0, 8)}`;
const prefix = `ext-${randomUUID().slice(0, 8)}/area/line-1/m1`;

afterAll(async () => {
  // Remove the persistent session this test left on the shared broker.
  const c = await mqtt.connectAsync(MOSQUITTO, { clientId, clean: true });
  await c.endAsync();
});

describe('external broker (Mosquitto)', () => {
  it('ingests UNS from Mosquitto, and after a restart gets what was published while it was down', async () => {
    const dataDir = tempDir();
    const publisher = await mqtt.connectAsync(MOSQUITTO, { clientId: `${clientId}-pub` });
    try {
      let platform = await startTestPlatform({ mqttUrl: MOSQUITTO, mqttClientId: clientId, dataDir });
      const health = await getJson(platform.httpUrl + '/api/v1/health');
      expect(health.body.connectors[0]).toMatchObject({ name: 'mqtt-client', status: { state: 'connected' } });
      await publisher.publishAsync(`uns/demo/${prefix}/temperature`, '42.5', { qos: 1 });
      await waitFor(async () => (await getJson(`${platform.httpUrl}/api/v1/latest?tag=${prefix}/temperature`)).body.points[0]?.value === 42.5, 5000, 'value via Mosquitto');
      await platform.stop();

      // While Lightsout is down the broker keeps the messages for its persistent session.
      for (let i = 0; i < 20; i++) await publisher.publishAsync(`uns/demo/${prefix}/count`, JSON.stringify({ value: i, ts: Date.now() - 1000 + i }), { qos: 1 });

      platform = await startTestPlatform({ mqttUrl: MOSQUITTO, mqttClientId: clientId, dataDir });
      const values = await waitFor(async () => {
        const r = await getJson(`${platform.httpUrl}/api/v1/history?tag=${prefix}/count&from=${Date.now() - 60_000}`);
        return r.body.points?.length === 20 ? r.body.points.map((p: any) => p.value) : undefined;
      }, 10_000, 'the 20 messages published while down');
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const kept = await getJson(`${platform.httpUrl}/api/v1/latest?tag=${prefix}/temperature`);
      expect(kept.body.points[0].value).toBe(42.5);
      await platform.stop();
    } finally {
      await publisher.endAsync();
    }
  });

  it('fails start-up with a clear error when the broker cannot be reached', async () => {
    await expect(startTestPlatform({ mqttUrl: 'mqtt://127.0.0.1:1', mqttClientId: `${clientId}-x` })).rejects.toThrow(/cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1/);
  }, 20_000);
});
