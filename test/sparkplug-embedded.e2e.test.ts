/**
 * Sparkplug B through the real embedded broker: births, aliases, data, deaths (stale quality),
 * int64 precision, a rebirth request on a sequence gap, the host STATE, and the demo plant.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload, type SpMetric } from '../src/connectors/sparkplug/codec.js';
import { getJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let edge: MqttClient;
const GROUP = 'shanghai-lingang:machining';
const NODE = 'line-9';
const DEVICE = 'cnc-01';
const BASE = `shanghai-lingang/machining/${NODE}/${DEVICE}`;

beforeAll(async () => {
  platform = await startTestPlatform({ sparkplugReorderTimeoutMs: 300 });
  edge = await mqtt.connectAsync(platform.mqttUrl, {
    ...platform.mqttAuth,
    clientId: 'edge-line-9',
    will: { topic: `spBv1.0/${GROUP}/NDEATH/${NODE}`, payload: Buffer.from(encodePayload({ metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 1n }] })), qos: 1, retain: false },
  });
});
afterAll(async () => {
  await edge?.endAsync(true);
  await platform?.stop();
});

let seq = 0;
const pub = (type: string, metrics: SpMetric[], device?: string, s = seq++ % 256) =>
  edge.publishAsync(`spBv1.0/${GROUP}/${type}/${NODE}${device ? '/' + device : ''}`, Buffer.from(encodePayload({ timestamp: Date.now(), seq: s, metrics })), { qos: 1 });
const latest = async (...tags: string[]) => (await getJson(`${platform.httpUrl}/api/v1/latest?${tags.map((t) => 'tag=' + encodeURIComponent(t)).join('&')}`)).body.points as any[];

describe('Sparkplug B host through the embedded broker', () => {
  it('publishes its STATE online, retained', async () => {
    const c = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'state-reader' });
    const got = new Promise<Buffer>((resolve) => c.on('message', (_t, p) => resolve(p)));
    await c.subscribeAsync('spBv1.0/STATE/lightsout', { qos: 1 });
    const state = JSON.parse((await got).toString());
    expect(state.online).toBe(true);
    expect(typeof state.timestamp).toBe('number');
    await c.endAsync();
  });

  it('records birth values, then data by alias, at the mapped path', async () => {
    await pub('NBIRTH', [{ name: 'bdSeq', datatype: DataType.Int64, value: 1n }, { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false }], undefined, seq = 0);
    seq = 1;
    await pub('DBIRTH', [
      { name: 'spindle_speed', alias: 1, datatype: DataType.Double, value: 11_000, properties: { engUnit: { type: DataType.String, value: 'rpm' }, engLow: { type: DataType.Double, value: 0 }, engHigh: { type: DataType.Double, value: 24_000 } } },
      { name: 'state', alias: 2, datatype: DataType.String, value: 'running' },
      { name: 'good_count', alias: 3, datatype: DataType.UInt64, value: 2n ** 60n },
      { name: 'Axes/X/position', alias: 4, datatype: DataType.Float, value: 1.5 },
      { name: 'temp_offset', alias: 5, datatype: DataType.Int16, value: -12 },
    ], DEVICE);
    expect((await latest(`${BASE}/spindle_speed`))[0].value).toBe(11_000);
    await pub('DDATA', [{ alias: 1, value: 12_500 }, { alias: 3, value: 2n ** 60n + 1n }, { alias: 5, value: -3 }, { alias: 99, value: 1 }], DEVICE);
    const pts = await latest(`${BASE}/spindle_speed`, `${BASE}/good_count`, `${BASE}/Axes/X/position`, `${BASE}/temp_offset`, `${BASE}/state`);
    expect(Object.fromEntries(pts.map((p) => [p.tag.slice(BASE.length + 1), p.value]))).toEqual({
      spindle_speed: 12_500, good_count: (2n ** 60n + 1n).toString(), 'Axes/X/position': 1.5, temp_offset: -3, state: 'running',
    });
    const health = (await getJson(`${platform.httpUrl}/api/v1/health`)).body;
    expect(health.rejected.bySource.sparkplug).toBeGreaterThanOrEqual(1); // the unknown alias 99
    const tags = (await getJson(`${platform.httpUrl}/api/v1/tags?prefix=${BASE}/spindle_speed`)).body.tags;
    expect(tags[0]).toMatchObject({ unit: 'rpm', min: 0, max: 24_000 }); // from the DBIRTH properties
  });

  it('counts invalid protobuf and NaN metrics, keeps the good metrics of the same payload', async () => {
    const before = (await getJson(`${platform.httpUrl}/api/v1/health`)).body.rejected.byCode;
    await edge.publishAsync(`spBv1.0/${GROUP}/DDATA/${NODE}/${DEVICE}`, Buffer.from([0x0a, 0xff, 0xff, 0x01]), { qos: 1 });
    await pub('DDATA', [{ alias: 1, value: Number.NaN }, { alias: 5, value: 7 }], DEVICE);
    const after = (await getJson(`${platform.httpUrl}/api/v1/health`)).body.rejected.byCode;
    expect(after.LIGHTSOUT_BAD_PAYLOAD - (before.LIGHTSOUT_BAD_PAYLOAD ?? 0)).toBe(1);
    expect(after.LIGHTSOUT_BAD_VALUE - (before.LIGHTSOUT_BAD_VALUE ?? 0)).toBe(1);
    const pts = await latest(`${BASE}/spindle_speed`, `${BASE}/temp_offset`);
    expect(pts.map((p) => [p.value, p.quality])).toEqual([[12_500, 'bad'], [7, 'good']]);
    expect(edge.connected).toBe(true);
  });

  it('acknowledges a message held for a sequence gap only once the gap is filled and its points are stored', async () => {
    const early = seq + 1; // skip one: this DDATA waits for its predecessor
    let acked = false;
    const ts = Date.now();
    const held = pub('DDATA', [{ alias: 5, value: 101, timestamp: ts + 1 }], DEVICE, early % 256).then(() => { acked = true; });
    await new Promise((r) => setTimeout(r, 100));
    expect(acked).toBe(false); // no PUBACK while it waits
    await pub('DDATA', [{ alias: 5, value: 100, timestamp: ts }], DEVICE, seq % 256);
    seq = early + 1;
    await held;
    expect((await latest(`${BASE}/temp_offset`))[0].value).toBe(101); // applied in order, and durable when acknowledged
  });

  it('asks for a rebirth when a sequence gap is not filled in time', async () => {
    const ncmd = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'ncmd-watcher' });
    const got = new Promise<Buffer>((resolve) => ncmd.on('message', (_t, p) => resolve(p)));
    await ncmd.subscribeAsync(`spBv1.0/${GROUP}/NCMD/${NODE}`, { qos: 0 });
    seq += 3; // skip two
    await pub('DDATA', [{ alias: 1, value: 1 }], DEVICE);
    const cmd = decodePayload(await got);
    expect(cmd.metrics.map((m) => [m.name, m.value])).toEqual([['Node Control/Rebirth', true]]);
    await ncmd.endAsync();
  });

  it('marks every metric stale (bad) when the node dies, keeping the last value', async () => {
    seq = 0;
    await pub('NBIRTH', [{ name: 'bdSeq', datatype: DataType.Int64, value: 1n }], undefined, 0);
    seq = 1;
    await pub('DBIRTH', [{ name: 'spindle_speed', alias: 1, datatype: DataType.Double, value: 9000 }], DEVICE);
    // An abrupt disconnect makes the broker publish the Will (NDEATH with the same bdSeq).
    edge.stream.destroy();
    await waitFor(async () => (await latest(`${BASE}/spindle_speed`))[0]?.quality === 'bad', 5000, 'stale quality after NDEATH');
    expect((await latest(`${BASE}/spindle_speed`))[0].value).toBe(9000);
  });

  it('shows the virtual factory plant tree with Sparkplug, UNS, OPC UA and Modbus machines', async () => {
    const demo = await startTestPlatform({ demo: true });
    try {
      const tree = await waitFor(async () => {
        const a = (await getJson(`${demo.httpUrl}/api/v1/assets`)).body.assets;
        const site = a.find((n: any) => n.name === 'shanghai-lingang');
        return site && site.children.length === 3 ? site : undefined;
      }, 10_000, 'demo plant tree');
      expect(tree.children.map((c: any) => c.name).sort()).toEqual(['assembly', 'machining', 'packaging']);
      expect(tree.timeZone).toBe('Asia/Shanghai');
      // Assembly machines come through the platform's OPC UA connector, the machining conveyor through its Modbus one.
      const tags = await waitFor(async () => {
        const all = (await getJson(`${demo.httpUrl}/api/v1/tags?prefix=shanghai-lingang/`)).body.tags;
        return new Set(all.map((t: any) => t.source)).size === 4 ? all : undefined;
      }, 20_000, 'tags from all four protocols');
      expect(new Set(tags.map((t: any) => t.source))).toEqual(new Set(['sparkplug', 'uns', 'opcua', 'modbus']));
      expect(tags.find((t: any) => t.path === 'shanghai-lingang/assembly/line-1/press-01/state')?.source).toBe('opcua');
      expect(tags.find((t: any) => t.path === 'shanghai-lingang/machining/line-1/conveyor-01/state')?.source).toBe('modbus');
      const units = new Map(tags.map((t: any) => [t.path.split('/').pop(), t.unit]));
      expect(units.get('spindle_speed')).toBe('rpm'); // Sparkplug machines, from DBIRTH properties
      expect(units.get('seal_temp')).toBe('°C'); // UNS machines, from their first message
    } finally {
      await demo.stop();
    }
  });
});
