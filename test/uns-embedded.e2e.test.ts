/**
 * UNS JSON through the real embedded broker: what a publisher sees (PUBACK), what the API then
 * shows, and how bad input is counted without harming good input.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let client: MqttClient;

beforeAll(async () => {
  platform = await startTestPlatform({ maxPayloadBytes: 4096 });
  client = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'uns-test' });
});

afterAll(async () => {
  await client?.endAsync();
  await platform?.stop();
});

const api = (path: string) => getJson(platform.httpUrl + path);

describe('UNS ingest through the embedded broker', () => {
  it('stores a bare scalar, a point object and a batch; after the PUBACK the API has them', async () => {
    const ts = Date.now() - 1000;
    await client.publishAsync('uns/demo/shanghai-lingang/machining/line-1/cnc-01/temperature', '21.5', { qos: 1 });
    await client.publishAsync('uns/demo/shanghai-lingang/machining/line-1/cnc-01/state', JSON.stringify({ value: 'running', ts, quality: 'good' }), { qos: 1 });
    await client.publishAsync('uns/demo/shanghai-lingang/machining/line-1/cnc-02', JSON.stringify({ ts, values: { spindle_speed: 12000, door_closed: true } }), { qos: 1 });
    // No waiting: the PUBACK is sent only once the points are durable.
    const latest = await api('/api/v1/latest?tag=shanghai-lingang/machining/line-1/cnc-01/temperature&tag=shanghai-lingang/machining/line-1/cnc-01/state&tag=shanghai-lingang/machining/line-1/cnc-02/spindle_speed&tag=shanghai-lingang/machining/line-1/cnc-02/door_closed&tag=nope/x');
    expect(latest.status).toBe(200);
    const byTag = Object.fromEntries(latest.body.points.map((p: any) => [p.tag.split('/').slice(-2).join('/'), p.value]));
    expect(byTag).toEqual({ 'cnc-01/temperature': 21.5, 'cnc-01/state': 'running', 'cnc-02/spindle_speed': 12000, 'cnc-02/door_closed': true });
    expect(latest.body.unknown).toEqual(['nope/x']);
    const hist = await api(`/api/v1/history?tag=shanghai-lingang/machining/line-1/cnc-01/state&from=${ts - 1}&to=${ts + 1}`);
    expect(hist.body.points).toEqual([{ tag: 'shanghai-lingang/machining/line-1/cnc-01/state', ts, value: 'running', quality: 'good' }]);
  });

  it('learns a tag\'s unit, description and range from a UNS point object, keeping the value', async () => {
    await client.publishAsync('uns/demo/shanghai-lingang/machining/line-2/cnc-03/spindle_temp', JSON.stringify({ value: 41.2, unit: '°C', description: 'Spindle bearing temperature', min: 0, max: 120 }), { qos: 1 });
    await client.publishAsync('uns/demo/shanghai-lingang/machining/line-2/cnc-03/coolant', JSON.stringify({ value: 7, unit: 42 }), { qos: 1 });
    const tags = (await api('/api/v1/tags?prefix=shanghai-lingang/machining/line-2/cnc-03/')).body.tags;
    expect(tags.find((t: any) => t.path.endsWith('spindle_temp'))).toMatchObject({ unit: '°C', description: 'Spindle bearing temperature', min: 0, max: 120 });
    expect(tags.find((t: any) => t.path.endsWith('coolant')).unit).toBeUndefined(); // bad metadata is rejected alone
    const latest = await api('/api/v1/latest?tag=shanghai-lingang/machining/line-2/cnc-03/coolant');
    expect(latest.body.points[0].value).toBe(7);
  });

  it('registers the asset tree and tag types from first sight', async () => {
    const assets = await api('/api/v1/assets');
    const site = assets.body.assets.find((a: any) => a.name === 'shanghai-lingang');
    const line = site.children[0].children[0];
    expect(line.path).toBe('shanghai-lingang/machining/line-1');
    expect(line.children.map((m: any) => m.name).sort()).toEqual(['cnc-01', 'cnc-02']);
    const tags = await api('/api/v1/tags?prefix=shanghai-lingang/machining/line-1/cnc-02/');
    expect(tags.body.tags.map((t: any) => [t.path.split('/').pop(), t.type, t.source])).toEqual([
      ['door_closed', 'boolean', 'uns'], ['spindle_speed', 'number', 'uns'],
    ]);
  });

  it('counts each kind of bad input, keeps the good points of the same batch, and never drops the connection', async () => {
    const before = (await api('/api/v1/health')).body.rejected.byCode;
    const n = (code: string) => (before[code] ?? 0) as number;
    const future = Date.now() + 24 * 3600_000;
    await client.publishAsync('uns/demo/s/a/l/m/t', '{"value": 1', { qos: 1 }); // malformed JSON
    await client.publishAsync('uns/demo/s/a//m/t', '1', { qos: 1 }); // empty level
    await client.publishAsync('uns/demo/s/a/l/m/t', 'x'.repeat(5000), { qos: 1 }); // oversized
    await client.publishAsync('uns/demo/s/a/l/m', JSON.stringify({ values: { good: 5, nan: 'NaN', obj: { value: null }, q: { value: 1, quality: 'great' }, fut: { value: 1, ts: future } } }), { qos: 1 });
    await client.publishAsync('uns/demo/s/a/l/m/good', '"a string into a number tag"', { qos: 1 });
    const after = (await api('/api/v1/health')).body.rejected.byCode;
    expect(after.LIGHTSOUT_BAD_PAYLOAD - n('LIGHTSOUT_BAD_PAYLOAD')).toBe(1);
    expect(after.LIGHTSOUT_BAD_TAG_PATH - n('LIGHTSOUT_BAD_TAG_PATH')).toBe(1);
    expect(after.LIGHTSOUT_PAYLOAD_TOO_LARGE - n('LIGHTSOUT_PAYLOAD_TOO_LARGE')).toBe(1);
    expect(after.LIGHTSOUT_BAD_VALUE - n('LIGHTSOUT_BAD_VALUE')).toBe(1);
    expect(after.LIGHTSOUT_BAD_QUALITY - n('LIGHTSOUT_BAD_QUALITY')).toBe(1);
    expect(after.LIGHTSOUT_BAD_TIMESTAMP - n('LIGHTSOUT_BAD_TIMESTAMP')).toBe(1);
    expect(after.LIGHTSOUT_TYPE_MISMATCH - n('LIGHTSOUT_TYPE_MISMATCH')).toBe(1);
    expect(client.connected).toBe(true);
    const latest = await api('/api/v1/latest?tag=s/a/l/m/good&tag=s/a/l/m/nan');
    expect(latest.body.points.map((p: any) => [p.tag, p.value])).toEqual([['s/a/l/m/good', 5], ['s/a/l/m/nan', 'NaN']]);
  });
});
