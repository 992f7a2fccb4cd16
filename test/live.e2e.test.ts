/**
 * The live hub through the real platform: a WebSocket client of /api/v1/live sees a snapshot, then
 * what an MQTT publisher sends (QoS 1 into the embedded broker) as deltas; patterns, refused
 * messages, and a resume after the socket closed.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LiveServerMessage } from '../src/protocol/live.js';
import { ADMIN_AUTH, getJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let pub: MqttClient;
const SITE = 'live-site';
const tag = (area: string, line: string, m: string, t = 'temp'): string => `${SITE}/${area}/${line}/${m}/${t}`;

/** A live client that records every message. */
class LiveClient {
  readonly messages: LiveServerMessage[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  closed: { code: number; reason: string } | undefined;

  constructor() {
    this.ws = new WebSocket(platform.httpUrl.replace('http', 'ws') + '/api/v1/live', { headers: ADMIN_AUTH });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (d) => this.messages.push(JSON.parse(d.toString()) as LiveServerMessage));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  async send(msg: unknown): Promise<void> {
    await this.opened;
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The first message after index `from` that passes `pred`. */
  next<T extends LiveServerMessage>(pred: (m: LiveServerMessage) => boolean, from = 0, timeoutMs = 2000): Promise<T> {
    return waitFor(() => this.messages.slice(from).find(pred) as T | undefined, timeoutMs, 'a live message');
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

const publish = (path: string, value: unknown): Promise<unknown> => pub.publishAsync(`uns/demo/${path}`, JSON.stringify(value), { qos: 1 });
const valuesOf = (m: LiveServerMessage): Record<string, unknown> => Object.fromEntries(('points' in m ? m.points : []).map((p) => [p.tag, p.value]));

beforeAll(async () => {
  platform = await startTestPlatform();
  pub = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'live-test' });
  await publish(tag('area-1', 'line-1', 'm1'), 20);
  await publish(tag('area-1', 'line-1', 'm2'), 21);
  await publish(tag('area-2', 'line-1', 'm1'), 22);
  await publish(tag('area-2', 'line-2', 'm1'), 23);
});

afterAll(async () => {
  await pub?.endAsync();
  await platform?.stop();
});

describe('live hub over WebSocket', () => {
  it('sends a snapshot, then an MQTT publish as a delta within 2 s', async () => {
    const c = new LiveClient();
    await c.send({ type: 'subscribe', tags: [tag('area-1', 'line-1', 'm1')], maxRate: 50 });
    const snap = await c.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ type: 'snapshot', seq: 1, points: [{ tag: tag('area-1', 'line-1', 'm1'), value: 20, quality: 'good' }] });
    const t0 = Date.now();
    await publish(tag('area-1', 'line-1', 'm1'), 20.5);
    const delta = await c.next((m) => m.type === 'delta');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(delta).toMatchObject({ seq: 2, points: [{ tag: tag('area-1', 'line-1', 'm1'), value: 20.5 }] });
    await c.close();
  });

  it('follows an asset-subtree pattern and nothing outside it', async () => {
    const c = new LiveClient();
    await c.send({ type: 'subscribe', patterns: [`${SITE}/+/line-1/#`] });
    const snap = await c.next((m) => m.type === 'snapshot');
    expect(valuesOf(snap)).toEqual({ [tag('area-1', 'line-1', 'm1')]: 20.5, [tag('area-1', 'line-1', 'm2')]: 21, [tag('area-2', 'line-1', 'm1')]: 22 });
    await publish(tag('area-2', 'line-2', 'm1'), 99); // outside the pattern
    await publish(tag('area-2', 'line-1', 'm7', 'speed'), 1500); // a new tag inside it
    const delta = await c.next((m) => m.type === 'delta');
    expect(valuesOf(delta)).toEqual({ [tag('area-2', 'line-1', 'm7', 'speed')]: 1500 });
    await c.close();
  });

  it('answers bad messages with a LIGHTSOUT_* error and keeps the connection open', async () => {
    const c = new LiveClient();
    await c.send('{"type": "subscribe", ');
    await c.send({ type: 'unsubscribe' });
    await c.send({ type: 'subscribe', patterns: ['a/#/b'] });
    await c.send({ type: 'subscribe', pattern: ['a/#'] });
    await c.send({ type: 'subscribe', tags: ['x'.repeat(70_000)] });
    await c.send({ type: 'ping' });
    await c.next((m) => m.type === 'heartbeat');
    const codes = c.messages.filter((m) => m.type === 'error').map((m) => (m.type === 'error' ? m.error.code : ''));
    expect(codes).toEqual(['LIGHTSOUT_BAD_PAYLOAD', 'LIGHTSOUT_BAD_REQUEST', 'LIGHTSOUT_BAD_TAG_PATH', 'LIGHTSOUT_BAD_REQUEST', 'LIGHTSOUT_PAYLOAD_TOO_LARGE']);
    expect(c.closed).toBeUndefined();
    await c.send({ type: 'subscribe', patterns: [`${SITE}/#`] });
    await c.next((m) => m.type === 'snapshot');
    await c.close();
  });

  it('resumes after the socket closed, with everything that changed meanwhile', async () => {
    const a = new LiveClient();
    await a.send({ type: 'subscribe', patterns: [`${SITE}/area-1/#`] });
    const snap = await a.next<Extract<LiveServerMessage, { type: 'snapshot' }>>((m) => m.type === 'snapshot');
    const detachedBefore = (await getJson(platform.httpUrl + '/api/v1/health')).body.live.detachedSessions as number;
    await a.close();
    await waitFor(async () => (await getJson(platform.httpUrl + '/api/v1/health')).body.live.detachedSessions > detachedBefore, 2000, 'the server to notice the close');
    await publish(tag('area-1', 'line-1', 'm1'), 30);
    await publish(tag('area-1', 'line-1', 'm2'), 31);
    await publish(tag('area-1', 'line-1', 'm1'), 32);
    const b = new LiveClient();
    await b.send({ type: 'subscribe', patterns: [`${SITE}/area-1/#`], resume: { session: snap.session, seq: snap.seq } });
    const d = await b.next((m) => m.type !== 'heartbeat');
    expect(d).toMatchObject({ type: 'delta', seq: snap.seq + 1, resumed: true });
    expect(valuesOf(d)).toEqual({ [tag('area-1', 'line-1', 'm1')]: 32, [tag('area-1', 'line-1', 'm2')]: 31 });
    await b.close();
    const health = await getJson(platform.httpUrl + '/api/v1/health');
    expect(health.body.live.resumedSessions).toBe(1);
    expect(health.body.live.messagesSent).toBeGreaterThan(5);
  });

  it('refuses a browser handshake from a foreign origin, accepts its own origin and listed ones', async () => {
    const url = platform.httpUrl.replace('http', 'ws') + '/api/v1/live';
    const attempt = (origin: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { origin, headers: ADMIN_AUTH });
      ws.once('open', () => { ws.close(); resolve(101); });
      ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
      ws.once('error', () => undefined);
    });
    expect(await attempt('https://evil.example')).toBe(403);
    expect(await attempt(platform.httpUrl)).toBe(101);
    const listed = await startTestPlatform({ allowedOrigins: 'https://hmi.plant.example, https://other.example' });
    try {
      const ws = new WebSocket(listed.httpUrl.replace('http', 'ws') + '/api/v1/live', { origin: 'https://hmi.plant.example', headers: ADMIN_AUTH });
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      ws.close();
    } finally {
      await listed.stop();
    }
  });

  it('answers a plain GET with a LIGHTSOUT_BAD_REQUEST error, and documents the protocol in OpenAPI', async () => {
    const res = await getJson(platform.httpUrl + '/api/v1/live');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('LIGHTSOUT_BAD_REQUEST');
    const doc = (await getJson(platform.httpUrl + '/api/openapi.json')).body;
    expect(doc.paths['/api/v1/live'].get.description).toContain('resume');
    expect(Object.keys(doc.paths['/api/v1/health'].get.responses['200'].content['application/json'].schema.properties.live.properties)).toContain('droppedSessions');
  });
});
