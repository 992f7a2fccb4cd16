/** The REST API as a script or browser sees it: ingest, history, buckets, errors, OpenAPI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUTH, getJson, startTestPlatform } from './helpers.js';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  platform = await startTestPlatform({ maxPayloadBytes: 200_000 });
});
afterAll(async () => platform?.stop());

const post = async (path: string, body: unknown, contentType = 'application/json') => {
  const res = await fetch(platform.httpUrl + path, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const get = (path: string) => getJson(platform.httpUrl + path);

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const TAG = 'shanghai-lingang/assembly/line-2/press-01/force';

describe('REST API', () => {
  it('ingests a minute of 1 Hz data and serves it raw and downsampled', async () => {
    const points = Array.from({ length: 60 }, (_, i) => ({ tag: TAG, ts: T0 + i * 1000, value: i, quality: 'good' }));
    const r = await post('/api/v1/ingest', { points });
    expect(r).toEqual({ status: 200, body: { accepted: 60, rejected: [] } });
    const raw = await get(`/api/v1/history?tag=${TAG}&from=${T0}&to=${T0 + 10_000}`);
    expect(raw.body.points.map((p: any) => p.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(raw.body.truncated).toBe(false);
    const iso = await get(`/api/v1/history?tag=${TAG}&from=2026-11-20T00:00:00Z&to=2026-11-20T00:01:00Z&buckets=6`);
    expect(iso.body.buckets).toHaveLength(6);
    expect(iso.body.buckets[1]).toEqual({ ts: T0 + 10_000, min: 10, max: 19, avg: 14.5, first: 10, last: 19, count: 10 });
    const limited = await get(`/api/v1/history?tag=${TAG}&from=${T0}&to=${T0 + 60_000}&limit=5`);
    expect(limited.body.points).toHaveLength(5);
    expect(limited.body.truncated).toBe(true);
  });

  it('keeps the good points of a mixed batch and lists the bad ones by index', async () => {
    const r = await post('/api/v1/ingest', { points: [
      { tag: 'a/b/ok', value: 1, ts: T0 }, { tag: 'a//bad', value: 1 }, { tag: 'a/b/ok2', value: true }, { tag: 'a/b/q', value: 1, quality: 'meh' },
    ] });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected.map((x: any) => [x.index, x.code])).toEqual([[1, 'LIGHTSOUT_BAD_TAG_PATH'], [3, 'LIGHTSOUT_BAD_QUALITY']]);
  });

  it('answers bad requests with the one error shape and the right status', async () => {
    const cases: Array<[Promise<{ status: number; body: any }>, number, string]> = [
      [post('/api/v1/ingest', { points: [{ tag: 'x/y', value: Number.NaN }] }), 400, 'LIGHTSOUT_BAD_VALUE'],
      [post('/api/v1/ingest', '{"points": [', 'application/json'), 400, 'LIGHTSOUT_BAD_REQUEST'],
      [post('/api/v1/ingest', { pts: [] }), 400, 'LIGHTSOUT_BAD_REQUEST'],
      [post('/api/v1/ingest', { points: Array.from({ length: 5000 }, () => ({ tag: 'a/b/c', value: 'x'.repeat(40) })) }), 413, 'LIGHTSOUT_PAYLOAD_TOO_LARGE'],
      [get(`/api/v1/history?tag=no/such/tag`), 404, 'LIGHTSOUT_NOT_FOUND'],
      [get(`/api/v1/history?tag=${TAG}&from=yesterday`), 400, 'LIGHTSOUT_BAD_REQUEST'],
      [get(`/api/v1/history?tag=${TAG}&from=${T0 + 10}&to=${T0}`), 400, 'LIGHTSOUT_BAD_REQUEST'],
      [get(`/api/v1/history?tag=${TAG}&buckets=0`), 400, 'LIGHTSOUT_BAD_REQUEST'],
      [get(`/api/v1/history`), 400, 'LIGHTSOUT_BAD_REQUEST'],
      [get(`/api/v1/nothing-here`), 404, 'LIGHTSOUT_NOT_FOUND'],
    ];
    for (const [req, status, code] of cases) {
      const r = await req;
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status, code });
      expect(typeof r.body.error.message).toBe('string');
    }
    expect((await get('/api/v1/health')).status).toBe(200);
  });

  it('sets tag and asset metadata all-or-nothing, and shows it in the catalog', async () => {
    const patch = async (path: string, body: unknown) => {
      const res = await fetch(platform.httpUrl + path, { method: 'PATCH', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect(await patch('/api/v1/tags', { tags: [{ path: TAG, unit: 'kN', description: 'Ram force', min: 0, max: 250 }] })).toEqual({ status: 200, body: { updated: 1 } });
    const tags = (await get(`/api/v1/tags?prefix=${TAG}`)).body.tags;
    expect(tags[0]).toMatchObject({ path: TAG, unit: 'kN', description: 'Ram force', min: 0, max: 250 });
    const bad = await patch('/api/v1/tags', { tags: [{ path: TAG, unit: 'N' }, { path: TAG, min: 5, max: 1 }] });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'LIGHTSOUT_BAD_REQUEST']);
    expect((await get(`/api/v1/tags?prefix=${TAG}`)).body.tags[0].unit).toBe('kN'); // nothing changed
    expect((await patch('/api/v1/tags', { tags: [{ path: 'no/such/tag', unit: 'x' }] })).status).toBe(404);
    expect(await patch('/api/v1/assets', { assets: [{ path: 'shanghai-lingang', timeZone: 'Asia/Shanghai' }] })).toEqual({ status: 200, body: { updated: 1 } });
    const site = (await get('/api/v1/assets')).body.assets.find((a: any) => a.name === 'shanghai-lingang');
    expect(site.timeZone).toBe('Asia/Shanghai');
    const badZone = await patch('/api/v1/assets', { assets: [{ path: 'shanghai-lingang', timeZone: 'Mars/Olympus' }] });
    expect([badZone.status, badZone.body.error.code]).toEqual([400, 'LIGHTSOUT_BAD_REQUEST']);
  });

  it('on loopback, answers only requests addressed to a loopback name (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const url = new URL(platform.httpUrl);
    const withHost = (host: string) => new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request({ hostname: url.hostname, port: url.port, path: '/api/v1/health', headers: { host, ...ADMIN_AUTH } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
    const evil = await withHost(`rebind.evil.example:${url.port}`);
    expect([evil.status, evil.body.error.code]).toEqual([421, 'LIGHTSOUT_HOST_NOT_ALLOWED']);
    expect((await withHost(`localhost:${url.port}`)).status).toBe(200);
    expect((await withHost(`127.0.0.1:${url.port}`)).status).toBe(200);
    expect((await withHost(`[::1]:${url.port}`)).status).toBe(200);
  });

  it('serves the OpenAPI document and its page', async () => {
    const doc = await get('/api/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/ingest', '/api/v1/assets', '/api/v1/tags', '/api/v1/latest', '/api/v1/history']));
    const page = await fetch(platform.httpUrl + '/api/docs/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
    const home = await fetch(platform.httpUrl + '/');
    expect(await home.text()).toContain('Lightsout');
  });

  it('reports health: connectors, ingest counters, historian size', async () => {
    const h = (await get('/api/v1/health')).body;
    expect(h.status).toBe('ok');
    expect(h.tenant).toBe('demo');
    expect(h.connectors[0]).toMatchObject({ name: 'mqtt-broker', status: { state: 'connected' } });
    expect(h.ingest.acceptedTotal).toBeGreaterThanOrEqual(62);
    expect(h.historian.points).toBeGreaterThanOrEqual(62);
  });
});
