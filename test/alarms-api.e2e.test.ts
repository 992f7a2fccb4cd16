/**
 * Rules, alarms and automation through the REST API and the alarm WebSocket of a real platform:
 * a rule on a machine's tag, values ingested over MQTT (UNS) and HTTP, the alarm in the list and
 * on /api/v1/alarms/live, operator and engineer actions with their role checks, the journal, the
 * figures, validation errors with positions, replay over history, template instances (ids with
 * `@` and `/`, URL-encoded), and a rule's action sent through the command path as `rule:<id>`
 * (a critical tag waiting for a person's approval).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmLiveMessage, ApiAlarm } from '../src/protocol/alarm-types.js';
import { ADMIN_AUTH, getJson, sendJson, startTestPlatform, waitFor, type TestPlatform } from './helpers.js';

let platform: TestPlatform;
let client: MqttClient;
let receiver: Server;
let hookUrl: string;
const hooks: Array<{ headers: Record<string, unknown>; body: any }> = [];
const sets: Array<{ topic: string; body: any }> = [];

// Long on purpose: a template instance id here is over 100 characters (the router's default limit).
const M = 'plant-a/machining-hall-north/line-1-high-speed/cnc-07-five-axis-pallet';
const TPL = 'cnc-mill-spindle-over-temperature';
const INSTANCE = `${TPL}@${M}`;
const RULE = 'cnc-07-spindle-hot';
const COOLANT_RULE = 'cnc-07-coolant-boost';
const started = Date.now();

const api = (path: string) => `${platform.httpUrl}/api/v1${path}`;
const enc = encodeURIComponent;
let viewer: Record<string, string>;
let operator: Record<string, string>;
let engineer: Record<string, string>;
let outsider: Record<string, string>;

async function token(name: string, grants: Array<{ role: string; scope: string }>): Promise<Record<string, string>> {
  const r = await sendJson('POST', api('/tokens'), { name, grants });
  expect(r.status).toBe(201);
  return { authorization: `Bearer ${r.body.secret}` };
}

async function publish(tag: string, value: unknown): Promise<void> {
  await client.publishAsync(`uns/demo/${M}/${tag}`, JSON.stringify({ value, ts: Date.now() }), { qos: 1 });
}

const alarm = async (id: string, headers: Record<string, string> = ADMIN_AUTH): Promise<ApiAlarm> => (await getJson(api(`/alarms/${enc(id)}`), headers)).body;
const untilState = (id: string, state: string, ms = 5000) => waitFor(async () => ((await alarm(id)).state === state ? true : undefined), ms, `alarm ${id} ${state}`);

const spindleRule = {
  id: RULE, asset: M, name: 'Spindle over temperature', enabled: true,
  condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 2 },
  alarm: { priority: 'high', message: 'Spindle at {spindle_temp} (limit {limit})' },
  actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }],
};

/** A WebSocket client of /api/v1/alarms/live that keeps every message. */
class AlarmSocket {
  readonly ws: WebSocket;
  readonly messages: AlarmLiveMessage[] = [];
  constructor(headers: Record<string, string>, origin?: string) {
    this.ws = new WebSocket(platform.httpUrl.replace('http', 'ws') + '/api/v1/alarms/live', { headers, ...(origin ? { origin } : {}) });
    this.ws.on('message', (d) => this.messages.push(JSON.parse(d.toString()) as AlarmLiveMessage));
    this.ws.on('error', () => undefined);
  }
  changes(id: string): ApiAlarm[] {
    return this.messages.flatMap((m) => (m.type === 'alarm' && m.alarm.id === id ? [m.alarm] : []));
  }
  close(): void {
    this.ws.close();
  }
}

beforeAll(async () => {
  platform = await startTestPlatform({ alarmMaxShelveMinutes: 60, commandReadbackMs: 60_000 });
  client = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'alarms-e2e' });
  client.on('message', (topic, payload) => sets.push({ topic, body: JSON.parse(payload.toString()) }));
  await client.subscribeAsync([`uns/demo/${M}/+/set`, `uns/demo/${M}/Commands/+/set`], { qos: 1 });
  await publish('spindle_temp', 40);
  await publish('coolant_temp', 20);
  await publish('coolant_sp', 18);
  await publish('Commands/stop', false);
  await waitFor(async () => (await getJson(api(`/tags?prefix=${M}`))).body.tags?.length === 4, 5000, 'the machine\'s tags');
  expect((await sendJson('PATCH', api('/tags'), { tags: [{ path: `${M}/coolant_sp`, writable: true, critical: true }] })).status).toBe(200);
  expect((await sendJson('PATCH', api('/assets'), { assets: [{ path: M, machineType: 'cnc-mill' }] })).status).toBe(200);
  viewer = await token('viewer', [{ role: 'viewer', scope: '' }]);
  operator = await token('op', [{ role: 'operator', scope: 'plant-a' }]);
  engineer = await token('eng', [{ role: 'engineer', scope: M }]);
  outsider = await token('other-plant', [{ role: 'operator', scope: 'plant-b' }]);
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body: JSON.parse(text || 'null') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 30_000);

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  if (client?.connected) await client.endAsync();
  await platform?.stop();
});

describe('rules through the API', () => {
  it('validates without saving: expression errors carry the field and position, unknown tags are named', async () => {
    const bad = await sendJson('POST', api('/rules/validate'), { ...spindleRule, condition: { kind: 'expression', expression: 'spindle_temp > ' } }, engineer);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('LIGHTSOUT_BAD_EXPRESSION');
    expect(bad.body.error.details.field).toMatch(/expression/);
    expect(typeof bad.body.error.details.position).toBe('number');
    const unknown = await sendJson('POST', api('/rules/validate'), { ...spindleRule, condition: { kind: 'threshold', tag: 'no_such_tag', op: '>', limit: 1 } }, engineer);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('no_such_tag');
    const shape = await sendJson('POST', api('/rules/validate'), { ...spindleRule, alarm: { priority: 'urgent', message: 'x' } }, engineer);
    expect([shape.status, shape.body.error.code]).toEqual([400, 'LIGHTSOUT_BAD_REQUEST']);
    const ok = await sendJson('POST', api('/rules/validate'), spindleRule, engineer);
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);
    expect(ok.body.variables).toContain('spindle_temp');
    expect((await getJson(api('/rules'))).body.rules).toEqual([]);
  });

  it('a viewer may not create a rule; the engineer of the machine may, once', async () => {
    expect((await sendJson('POST', api('/rules'), spindleRule, viewer)).status).toBe(403);
    expect((await sendJson('POST', api('/rules'), spindleRule, outsider)).status).toBe(403);
    const r = await sendJson('POST', api('/rules'), spindleRule, engineer);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: RULE, asset: M, tenant: 'demo', updatedBy: 'token:eng' });
    expect((await sendJson('POST', api('/rules'), spindleRule, engineer)).status).toBe(409);
    expect((await getJson(api('/rules'), viewer)).body.rules.map((x: any) => x.id)).toEqual([RULE]);
    expect((await getJson(api(`/rules/${RULE}`), viewer)).body.name).toBe('Spindle over temperature');
    const audit = (await getJson(api('/audit?action=rule.'))).body.records;
    expect(audit.map((a: any) => [a.action, a.actor, a.outcome])).toEqual(expect.arrayContaining([['rule.create', 'token:eng', 'ok'], ['rule.create', 'token:viewer', 'denied']]));
  });
});

describe('an alarm from ingest to the console', () => {
  let ws: AlarmSocket;
  let hidden: AlarmSocket;
  beforeAll(async () => {
    ws = new AlarmSocket(viewer);
    hidden = new AlarmSocket(outsider);
    await waitFor(() => ws.messages.length > 0 && hidden.messages.length > 0, 5000, 'the alarm lists');
  });
  afterAll(() => {
    ws.close();
    hidden.close();
  });

  it('the WebSocket starts with the list of alarms not normal', () => {
    expect(ws.messages[0]).toEqual({ type: 'alarms', alarms: [] });
  });

  it('a value over the limit (over MQTT) raises the alarm: in the list, on the WebSocket, and the rule stops the machine', async () => {
    await publish('spindle_temp', 95.5);
    await untilState(RULE, 'unacknowledged');
    const list = (await getJson(api('/alarms'), viewer)).body.alarms;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: RULE, area: M, priority: 'high', state: 'unacknowledged', conditionActive: true, value: 95.5, raiseCount: 1 });
    expect(list[0].message).toContain('95.5');
    expect(list[0].message).toContain('80');
    await waitFor(() => ws.changes(RULE).some((a) => a.state === 'unacknowledged'), 3000, 'the raise on the WebSocket');
    // Someone without a grant on the machine's area sees nothing of it.
    expect((await getJson(api('/alarms'), outsider)).body.alarms).toEqual([]);
    expect([403, 404]).toContain((await getJson(api(`/alarms/${RULE}`), outsider)).status);
    expect(hidden.changes(RULE)).toEqual([]);
    // Automation: the rule called Commands/stop through the command path, as rule:<id>.
    await waitFor(() => sets.some((s) => s.topic === `uns/demo/${M}/Commands/stop/set`), 5000, 'the stop command on MQTT');
    const cmds = (await getJson(api('/commands'))).body.commands;
    expect(cmds.find((c: any) => c.kind === 'call' && c.method === 'stop')).toMatchObject({ machine: M, requestedBy: { name: `rule:${RULE}` } });
    await waitFor(async () => (await getJson(api(`/alarms/history?alarm=${RULE}&kind=action`))).body.events.length === 1, 5000, 'the action in the journal');
  });

  it('operator actions: a viewer is refused, an operator acknowledges, comments, shelves and unshelves', async () => {
    expect((await sendJson('POST', api(`/alarms/${RULE}/ack`), {}, viewer)).status).toBe(403);
    expect((await sendJson('POST', api(`/alarms/${RULE}/comment`), { text: 'looking' }, viewer)).status).toBe(403);
    const acked = await sendJson('POST', api(`/alarms/${RULE}/ack`), { comment: 'seen it' }, operator);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ state: 'acknowledged', ackedBy: 'token:op' });
    expect((await sendJson('POST', api(`/alarms/${RULE}/ack`), {}, operator)).status).toBe(409);
    const c = await sendJson('POST', api(`/alarms/${RULE}/comment`), { text: 'coolant pump checked' }, operator);
    expect(c.status).toBe(200);
    expect(c.body.comments[0]).toMatchObject({ by: 'token:op', text: 'coolant pump checked' });
    expect((await sendJson('POST', api(`/alarms/${RULE}/shelve`), { reason: 'too long', minutes: 61 }, operator)).status).toBe(400);
    expect((await sendJson('POST', api(`/alarms/${RULE}/shelve`), { minutes: 5 }, operator)).status).toBe(400);
    const shelved = await sendJson('POST', api(`/alarms/${RULE}/shelve`), { reason: 'sensor being replaced', minutes: 5 }, operator);
    expect(shelved.status).toBe(200);
    expect(shelved.body.state).toBe('shelved');
    expect(shelved.body.shelved).toMatchObject({ by: 'token:op', reason: 'sensor being replaced' });
    expect(shelved.body.shelved.untilTs - shelved.body.shelved.ts).toBe(5 * 60_000);
    await waitFor(() => ws.changes(RULE).at(-1)?.state === 'shelved', 3000, 'the shelving on the WebSocket');
    const back = await sendJson('POST', api(`/alarms/${RULE}/unshelve`), {}, operator);
    expect(back.status).toBe(200);
    expect(back.body.state).toBe('unacknowledged'); // ISA-18.2: back from shelved, still active, needs a new acknowledgement
    await waitFor(() => ws.changes(RULE).at(-1)?.state === 'unacknowledged', 3000, 'the unshelving on the WebSocket');
    const audit = (await getJson(api('/audit?action=alarm.'))).body.records.map((a: any) => [a.action, a.actor, a.target, a.outcome]);
    expect(audit).toEqual(expect.arrayContaining([
      ['alarm.ack', 'token:viewer', RULE, 'denied'], ['alarm.ack', 'token:op', RULE, 'ok'], ['alarm.comment', 'token:op', RULE, 'ok'],
      ['alarm.shelve', 'token:op', RULE, 'ok'], ['alarm.unshelve', 'token:op', RULE, 'ok'],
    ]));
  });

  it('out of service is for engineers: an operator is refused', async () => {
    expect((await sendJson('POST', api(`/alarms/${RULE}/out-of-service`), { reason: 'maintenance' }, operator)).status).toBe(403);
    const oos = await sendJson('POST', api(`/alarms/${RULE}/out-of-service`), { reason: 'spindle rebuild' }, engineer);
    expect(oos.status).toBe(200);
    expect(oos.body).toMatchObject({ state: 'out-of-service', outOfService: { by: 'token:eng', reason: 'spindle rebuild' } });
    expect((await sendJson('POST', api(`/alarms/${RULE}/in-service`), {}, operator)).status).toBe(403);
    const back = await sendJson('POST', api(`/alarms/${RULE}/in-service`), { comment: 'rebuilt' }, engineer);
    expect(back.status).toBe(200);
    expect(back.body.state).toBe('unacknowledged'); // the condition is still active
  });

  it('a value back under the limit minus the deadband (over HTTP) clears it; acknowledged, it returns to normal', async () => {
    expect((await sendJson('POST', api('/ingest'), { points: [{ tag: `${M}/spindle_temp`, value: 79 }] })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await alarm(RULE)).conditionActive).toBe(true); // inside the deadband
    expect((await sendJson('POST', api('/ingest'), { points: [{ tag: `${M}/spindle_temp`, value: 60 }] })).status).toBe(200);
    await untilState(RULE, 'returned-unacknowledged');
    expect((await sendJson('POST', api('/alarms/ack'), { ids: [RULE] }, operator)).status).toBe(200);
    await untilState(RULE, 'normal');
    expect((await getJson(api('/alarms'), viewer)).body.alarms).toEqual([]);
    expect((await getJson(api('/alarms?all=true'), viewer)).body.alarms.map((a: ApiAlarm) => a.id)).toEqual([RULE]);
    await waitFor(() => ws.changes(RULE).at(-1)?.state === 'normal', 3000, 'the return to normal on the WebSocket');
  });

  it('the journal holds every step, searchable by kind and words', async () => {
    const h = (await getJson(api(`/alarms/history?alarm=${RULE}&from=${started}`), viewer)).body;
    const kinds = h.events.map((e: any) => e.kind).reverse();
    for (const k of ['raise', 'action', 'ack', 'comment', 'shelve', 'unshelve', 'out-of-service', 'in-service', 'clear']) expect(kinds, k).toContain(k);
    expect(kinds.indexOf('raise')).toBeLessThan(kinds.indexOf('ack'));
    const words = (await getJson(api(`/alarms/history?from=${started}&q=${enc('coolant pump')}`), viewer)).body.events;
    expect(words.map((e: any) => e.kind)).toEqual(['comment']);
    const page = (await getJson(api(`/alarms/history?alarm=${RULE}&from=${started}&limit=2`), viewer)).body;
    expect(page.events).toHaveLength(2);
    expect(typeof page.nextBefore).toBe('number');
    const next = (await getJson(api(`/alarms/history?alarm=${RULE}&from=${started}&limit=2&before=${page.nextBefore}`), viewer)).body;
    expect(next.events[0].seq).toBeLessThan(page.events[1].seq);
    expect((await getJson(api('/alarms/history?kind=nonsense'), viewer)).status).toBe(400);
    expect((await getJson(api(`/alarms/history?alarm=${RULE}`), outsider)).body.events).toEqual([]);
  });

  it('figures count the raise', async () => {
    const f = (await getJson(api(`/alarms/figures?from=${started}`), viewer)).body;
    expect(f.badActors[0]).toMatchObject({ alarmId: RULE, raises: 1, priority: 'high' });
    expect(f.byPriority.high).toBe(1);
    expect(f.series.reduce((n: number, b: any) => n + b.raises, 0)).toBe(1);
    expect((await getJson(api('/alarms/figures?from=10&to=5'), viewer)).status).toBe(400);
  });

  it('the OpenAPI document lists the alarm routes', async () => {
    const doc = (await getJson(`${platform.httpUrl}/api/openapi.json`)).body;
    for (const path of ['/api/v1/rules', '/api/v1/rules/{id}', '/api/v1/alarms', '/api/v1/alarms/{id}/ack', '/api/v1/alarms/history', '/api/v1/notification-targets', '/api/v1/rosters']) expect(Object.keys(doc.paths), path).toContain(path);
    expect(doc.tags.map((t: any) => t.name)).toEqual(expect.arrayContaining(['rules', 'alarms', 'notifications']));
  });

  it('a refused WebSocket: a foreign origin, no credentials', async () => {
    const refused = (s: AlarmSocket) => new Promise<number>((resolve) => s.ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      s.ws.terminate();
    }));
    expect(await refused(new AlarmSocket(viewer, 'https://evil.example'))).toBe(403);
    expect(await refused(new AlarmSocket({}))).toBe(401);
    expect((await getJson(api('/alarms/live'), viewer)).status).toBe(400);
  });
});

describe('notification targets, rosters and the delivery log', () => {
  it('engineers of the tenant manage targets (header values hidden) and rosters; a test message arrives', async () => {
    const target = { id: 'ops-hook', kind: 'webhook', name: 'Ops webhook', url: hookUrl, headers: { 'x-api-key': 'hook-secret-1' } };
    expect((await sendJson('POST', api('/notification-targets'), target, viewer)).status).toBe(403);
    expect((await sendJson('POST', api('/notification-targets'), target, engineer)).status).toBe(403); // engineer of one machine only
    const created = await sendJson('POST', api('/notification-targets'), target);
    expect(created.status).toBe(201);
    expect(created.body.headers['x-api-key']).toBe('********');
    expect((await sendJson('POST', api('/notification-targets'), target)).status).toBe(409);
    expect((await sendJson('PUT', api('/notification-targets/ops-hook'), { ...target, name: 'Ops', headers: { 'x-api-key': '********' } })).status).toBe(200);
    expect((await sendJson('PUT', api('/notification-targets/nobody'), { ...target, id: 'nobody' })).status).toBe(404);
    expect((await sendJson('PUT', api('/notification-targets/ops-hook'), { ...target, id: 'other' })).status).toBe(400);
    const listed = (await getJson(api('/notification-targets'), viewer)).body.targets;
    expect(listed).toEqual([expect.objectContaining({ id: 'ops-hook', name: 'Ops', headers: { 'x-api-key': '********' } })]);
    expect(JSON.stringify(listed)).not.toContain('hook-secret-1');
    expect((await sendJson('POST', api('/notification-targets/ops-hook/test'))).status).toBe(204);
    await waitFor(() => hooks.length === 1, 5000, 'the test message');
    expect(hooks[0]!.headers['x-api-key']).toBe('hook-secret-1'); // the stored secret was kept
    const roster = { id: 'night', name: 'Night shift', area: 'plant-a', ackTimeoutMinutes: 15, entries: [{ person: 'Li Wei', targets: ['ops-hook'] }] };
    expect((await sendJson('POST', api('/rosters'), { ...roster, entries: [{ person: 'x', targets: ['missing'] }] })).status).toBeGreaterThanOrEqual(400);
    expect((await sendJson('POST', api('/rosters'), roster)).status).toBe(201);
    expect((await getJson(api('/rosters'), viewer)).body.rosters).toEqual([expect.objectContaining({ id: 'night', onDuty: ['Li Wei'] })]);
    expect((await sendJson('DELETE', api('/notification-targets/ops-hook'))).status).toBe(409); // the roster uses it
    const audit = (await getJson(api('/audit?action=notification-target.'))).body.records;
    expect(audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['notification-target.create', 'notification-target.update']));
    expect(JSON.stringify(audit)).not.toContain('hook-secret-1');
  });
});

describe('replay, templates and automation', () => {
  it('test-against-history replays the stored values through the rule', async () => {
    const r = await sendJson('POST', api('/rules/test'), { rule: spindleRule, from: started - 1000, to: Date.now() + 1 }, viewer);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ raises: 1, truncated: false });
    expect(r.body.points).toBeGreaterThanOrEqual(4);
    expect(r.body.activeMs).toBeGreaterThan(0);
    expect(r.body.episodes[0].value).toBe(95.5);
    const lower = await sendJson('POST', api('/rules/test'), { rule: { ...spindleRule, condition: { ...spindleRule.condition, limit: 200 } }, from: started - 1000, to: Date.now() + 1 }, viewer);
    expect(lower.body.raises).toBe(0);
    expect((await sendJson('POST', api('/rules/test'), { rule: spindleRule, from: 10, to: 5 }, viewer)).status).toBe(400);
  });

  it('a template makes an instance per machine of its type; its id, URL-encoded, works everywhere', async () => {
    const body = { id: TPL, machineType: 'cnc-mill', name: 'Spindle very hot', enabled: true, condition: { kind: 'threshold', tag: 'spindle_temp', op: '>=', limit: 120 }, alarm: { priority: 'critical', message: 'Spindle at {spindle_temp}' } };
    expect((await sendJson('POST', api('/rule-templates'), body, engineer)).status).toBe(403); // templates: engineer on the whole tenant
    const t = await sendJson('POST', api('/rule-templates'), body);
    expect(t.status).toBe(201);
    expect(t.body.assets).toEqual([M]);
    expect(INSTANCE.length).toBeGreaterThan(100);
    const inst = await getJson(api(`/rules/${enc(INSTANCE)}`), viewer);
    expect(inst.status).toBe(200);
    expect(inst.body).toMatchObject({ id: INSTANCE, templateId: TPL, asset: M });
    await publish('spindle_temp', 125);
    await untilState(INSTANCE, 'unacknowledged');
    expect((await getJson(api(`/alarms/${INSTANCE}`), viewer)).status).toBe(404); // not encoded: another route's path
    const acked = await sendJson('POST', api(`/alarms/${enc(INSTANCE)}/ack`), {}, operator);
    expect([acked.status, acked.body.id, acked.body.state]).toEqual([200, INSTANCE, 'acknowledged']);
    expect((await getJson(api(`/alarms/history?alarm=${enc(INSTANCE)}&from=${started}&kind=raise,ack`), viewer)).body.events.map((e: any) => e.kind)).toEqual(['ack', 'raise']);
    // The roster covering plant-a paged its person on duty about it.
    await waitFor(() => hooks.some((h) => h.body?.alarm?.id === INSTANCE), 5000, 'the instance\'s alarm on the webhook');
    // Instances change through their template only.
    expect((await sendJson('DELETE', api(`/rules/${enc(INSTANCE)}`))).status).toBeGreaterThanOrEqual(400);
    expect((await sendJson('PUT', api(`/rule-templates/${TPL}`), { ...body, alarm: { ...body.alarm, priority: 'high' } })).status).toBe(200);
    expect((await getJson(api(`/rules/${enc(INSTANCE)}`))).body.alarm.priority).toBe('high');
    expect((await sendJson('DELETE', api(`/rule-templates/${TPL}`))).status).toBe(204);
    expect((await getJson(api(`/rules/${enc(INSTANCE)}`))).status).toBe(404);
    await publish('spindle_temp', 50);
  });

  it('a rule writing a critical tag waits for a person to approve the command', async () => {
    const rule = {
      id: COOLANT_RULE, asset: M, name: 'Coolant hot: more coolant', enabled: true,
      condition: { kind: 'threshold', tag: 'coolant_temp', op: '>', limit: 30 },
      alarm: { priority: 'medium', message: 'Coolant at {coolant_temp}', notify: ['ops-hook'] },
      actions: [{ on: 'raise', command: { kind: 'write', tag: 'coolant_sp', value: 12 } }],
    };
    expect((await sendJson('POST', api('/rules'), rule, engineer)).status).toBe(201);
    await publish('coolant_temp', 34);
    const cmd = await waitFor(async () => (await getJson(api('/commands'))).body.commands.find((c: any) => c.tag === `${M}/coolant_sp`), 5000, 'the rule\'s command');
    expect(cmd).toMatchObject({ kind: 'write', value: 12, critical: true, requestedBy: { name: `rule:${COOLANT_RULE}` } });
    await waitFor(async () => (await getJson(api(`/commands/${cmd.id}`))).body.state === 'awaiting-approval', 3000, 'awaiting approval');
    expect(sets.some((s) => s.topic.endsWith('/coolant_sp/set'))).toBe(false);
    const approved = await sendJson('POST', api(`/commands/${cmd.id}/approve`), {});
    expect(approved.status).toBe(200);
    await waitFor(() => sets.find((s) => s.topic === `uns/demo/${M}/coolant_sp/set`), 5000, 'the approved write on MQTT');
    expect(sets.find((s) => s.topic === `uns/demo/${M}/coolant_sp/set`)!.body).toMatchObject({ value: 12, commandId: cmd.id });
    // The alarm went to the webhook (and to the roster's person on duty: the same target, once), and is in the delivery log.
    await waitFor(() => hooks.some((h) => h.body?.alarm?.id === COOLANT_RULE), 5000, 'the alarm on the webhook');
    await waitFor(async () => (await getJson(api('/notifications'), viewer)).body.jobs.some((j: any) => j.alarmId === COOLANT_RULE && j.state === 'delivered'), 5000, 'the delivery log');
    expect((await sendJson('DELETE', api(`/rules/${COOLANT_RULE}`), undefined, viewer)).status).toBe(403);
    expect((await sendJson('DELETE', api(`/rules/${COOLANT_RULE}`), undefined, engineer)).status).toBe(204);
    expect((await getJson(api(`/alarms/${COOLANT_RULE}`))).status).toBe(404);
  });
});

describe('after a restart', () => {
  it('rules, alarm states and the journal are still there, and the rule keeps evaluating', async () => {
    expect((await sendJson('POST', api('/ingest'), { points: [{ tag: `${M}/spindle_temp`, value: 99 }] })).status).toBe(200);
    await untilState(RULE, 'unacknowledged');
    expect((await sendJson('POST', api(`/alarms/${RULE}/ack`), { comment: 'before the restart' }, operator)).status).toBe(200);
    const before = await alarm(RULE, viewer);
    expect(before).toMatchObject({ state: 'acknowledged', ackedBy: 'token:op', conditionActive: true, value: 99 });
    await client.endAsync();
    await platform.stop();
    platform = await startTestPlatform({ dataDir: platform.dataDir, alarmMaxShelveMinutes: 60 });
    expect((await getJson(api('/rules'), viewer)).body.rules.map((r: any) => r.id)).toEqual([RULE]);
    expect(await alarm(RULE, viewer)).toEqual(before);
    const kinds = (await getJson(api(`/alarms/history?alarm=${RULE}&from=${started}&limit=1000`), viewer)).body.events.map((e: any) => e.kind);
    expect(kinds.filter((k: string) => k === 'raise')).toHaveLength(before.raiseCount);
    expect((await sendJson('POST', api('/ingest'), { points: [{ tag: `${M}/spindle_temp`, value: 50 }] })).status).toBe(200);
    await untilState(RULE, 'normal');
  });
});
