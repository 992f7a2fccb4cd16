/**
 * Remote commands end to end: the real platform, its embedded broker and the virtual factory's
 * Sparkplug edge node and UNS machines. A write travels as a DCMD (or a UNS `/set` message), the
 * machine applies it and publishes the new value, and the command reads it back and succeeds.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload } from '../src/connectors/sparkplug/codec.js';
import { VirtualFactory } from '../src/sim/factory.js';
import { getJson, sendJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let factory: VirtualFactory;
let spy: MqttClient;
const seen: Array<{ topic: string; payload: Buffer }> = [];

// lines: 3 gives one line per area; machining is Sparkplug, packaging is UNS.
const CNC = 'shanghai-lingang/machining/line-1/cnc-01';
const PACKER = 'shanghai-lingang/packaging/line-1/packer-01';

beforeAll(async () => {
  platform = await startTestPlatform({ commandReadbackMs: 5000 });
  spy = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'command-spy' });
  spy.on('message', (topic, payload) => seen.push({ topic, payload }));
  // A device of the demo tenant may watch only its own groups and UNS topics (the MQTT ACL).
  await spy.subscribeAsync(['spBv1.0/shanghai-lingang:machining/DCMD/#', 'uns/demo/+/+/+/+/+/set'], { qos: 1 });
  factory = new VirtualFactory({ mqttUrl: platform.mqttUrl, ...platform.mqttAuth, tenant: 'demo', factories: 1, lines: 3, machines: 2, rateHz: 1 });
  await factory.start();
  await waitFor(async () => (await getJson(`${platform.httpUrl}/api/v1/tags?prefix=${PACKER}/seal_temp_sp`)).body.tags?.length === 1
    && (await getJson(`${platform.httpUrl}/api/v1/tags?prefix=${CNC}/Commands/stop`)).body.tags?.length === 1, 15_000, 'the machines\' tags');
  const marked = await sendJson('PATCH', `${platform.httpUrl}/api/v1/tags`, { tags: [
    { path: `${CNC}/spindle_speed_sp`, writable: true, interlock: 'state != "fault"' },
    { path: `${PACKER}/seal_temp_sp`, writable: true },
  ] });
  expect(marked.status).toBe(200);
}, 30_000);

afterAll(async () => {
  await factory?.stop();
  await spy?.endAsync();
  await platform?.stop();
});

const api = (path: string) => `${platform.httpUrl}/api/v1${path}`;
const untilFinal = (id: string) => waitFor(async () => {
  const c = (await getJson(api(`/commands/${id}`))).body;
  return ['succeeded', 'failed', 'expired', 'rejected', 'cancelled'].includes(c.state) ? c : undefined;
}, 8000, `command ${id} to finish`);

describe('remote commands', () => {
  it('a Sparkplug write reaches the device as a DCMD, reads back from its DDATA, and succeeds', async () => {
    const value = 11_111;
    const r = await sendJson('POST', api('/commands'), { kind: 'write', tag: `${CNC}/spindle_speed_sp`, value, idempotencyKey: 'e2e-sp-1' });
    expect(r.status).toBe(201);
    expect(r.body.command.state).toBe('awaiting-confirmation');
    expect(typeof r.body.currentValue).toBe('number');
    // The seeded machine starts running and its first fault is minutes away.
    expect(r.body.interlock).toMatchObject({ expression: 'state != "fault"', holds: true, values: { state: 'running' } });
    const again = await sendJson('POST', api('/commands'), { kind: 'write', tag: `${CNC}/spindle_speed_sp`, value, idempotencyKey: 'e2e-sp-1' });
    expect([again.status, again.body.command.id]).toEqual([200, r.body.command.id]);
    const conflict = await sendJson('POST', api('/commands'), { kind: 'write', tag: `${CNC}/spindle_speed_sp`, value: 1, idempotencyKey: 'e2e-sp-1' });
    expect([conflict.status, conflict.body.error.code]).toEqual([409, 'LIGHTSOUT_CONFLICT']);

    const confirmed = await sendJson('POST', api(`/commands/${r.body.command.id}/confirm`));
    expect(confirmed.status).toBe(200);
    const done = await untilFinal(r.body.command.id);
    expect(done).toMatchObject({ state: 'succeeded', readbackValue: value });
    expect(done.history.map((h: any) => h.state)).toEqual(['requested', 'authorised', 'awaiting-confirmation', 'sent', 'acknowledged', 'succeeded']);
    const dcmd = seen.find((m) => m.topic === 'spBv1.0/shanghai-lingang:machining/DCMD/line-1/cnc-01');
    expect(dcmd).toBeDefined();
    expect(decodePayload(dcmd!.payload).metrics[0]).toMatchObject({ name: 'spindle_speed_sp', value });
    const latest = (await getJson(api(`/history?tag=${CNC}/spindle_speed_sp&from=${done.sentTs}`))).body.points;
    expect(latest.at(-1).value).toBe(value);
  });

  it('a machine method call stops the machine and the device echoes it', async () => {
    const r = await sendJson('POST', api('/commands'), { kind: 'call', machine: CNC, method: 'stop', idempotencyKey: 'e2e-stop-1' });
    expect(r.status).toBe(201);
    await sendJson('POST', api(`/commands/${r.body.command.id}/confirm`));
    const done = await untilFinal(r.body.command.id);
    expect(done).toMatchObject({ state: 'succeeded', readbackValue: true });
    await waitFor(async () => (await getJson(api(`/history?tag=${CNC}/state&from=${done.sentTs}`))).body.points.some((p: any) => p.value === 'idle'), 5000, 'state idle');
  });

  it('a UNS write goes out on .../set, is applied by the machine, read back, and the /set message is not ingested', async () => {
    const r = await sendJson('POST', api('/commands'), { kind: 'write', tag: `${PACKER}/seal_temp_sp`, value: 172.5, idempotencyKey: 'e2e-uns-1' });
    expect(r.status).toBe(201);
    await sendJson('POST', api(`/commands/${r.body.command.id}/confirm`));
    const done = await untilFinal(r.body.command.id);
    expect(done).toMatchObject({ state: 'succeeded', readbackValue: 172.5 });
    const set = seen.find((m) => m.topic === `uns/demo/${PACKER}/seal_temp_sp/set`);
    expect(JSON.parse(set!.payload.toString())).toEqual({ value: 172.5, commandId: r.body.command.id });
    // A device may not send commands itself: its publish on a /set topic is refused (the broker
    // closes its connection), and nothing of it is ingested (no tag .../set appears).
    const rogue = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'rogue-setter', reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish(`uns/demo/${PACKER}/seal_temp_sp/set`, JSON.stringify({ value: 1 }), { qos: 1 });
    await closed;
    rogue.end(true);
    await spy.publishAsync(`uns/demo/${PACKER}/probe`, '5', { qos: 1 });
    await waitFor(async () => (await getJson(api(`/tags?prefix=${PACKER}/probe`))).body.tags.length === 1, 5000, 'the probe tag');
    const tags = (await getJson(api(`/tags?prefix=${PACKER}/seal_temp_sp`))).body.tags.map((t: any) => t.path);
    expect(tags).toEqual([`${PACKER}/seal_temp_sp`]);
  });

  it('refuses what is not allowed, with the codes a client can act on', async () => {
    const ro = await sendJson('POST', api('/commands'), { kind: 'write', tag: `${CNC}/spindle_speed`, value: 1, idempotencyKey: 'e2e-ro' });
    expect([ro.status, ro.body.error.code]).toEqual([409, 'LIGHTSOUT_NOT_WRITABLE']);
    const range = await sendJson('POST', api('/commands'), { kind: 'write', tag: `${CNC}/spindle_speed_sp`, value: 99_999, idempotencyKey: 'e2e-range' });
    expect([range.status, range.body.error.code]).toEqual([400, 'LIGHTSOUT_BAD_VALUE']);
    const bad = await sendJson('PATCH', api('/tags'), { tags: [{ path: `${CNC}/spindle_speed_sp`, interlock: 'state != ' }] });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'LIGHTSOUT_BAD_EXPRESSION']);
    expect(bad.body.error.message).toMatch(/position 9/);
    const unknown = await sendJson('PATCH', api('/tags'), { tags: [{ path: `${CNC}/spindle_speed_sp`, interlock: 'guard_closed' }] });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'LIGHTSOUT_BAD_EXPRESSION']);
    expect((await getJson(api('/commands/nope'))).status).toBe(404);
    const list = (await getJson(api(`/commands?tag=${CNC}/spindle_speed_sp&limit=5`))).body.commands;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((c: any) => c.tag === `${CNC}/spindle_speed_sp`)).toBe(true);
  });
});
