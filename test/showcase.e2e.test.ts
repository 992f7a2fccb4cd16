/**
 * Public showcase links through the real platform: a link shows its line's tags and live values
 * and nothing else; expired, revoked and unknown links answer the same 404; links are
 * rate-limited; the link opens no other API route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Platform } from '../src/app.js';
import { ADMIN_AUTH, getJson, sendJson, startTestPlatform, waitFor } from './helpers.js';

const LINE1 = 'expo/hall/line-1';
const LINE2 = 'expo/hall/line-2';

let platform: Platform & { dataDir: string };

async function ingest(points: Array<{ tag: string; value: number | string | boolean }>): Promise<void> {
  const ts = Date.now();
  const r = await sendJson('POST', `${platform.httpUrl}/api/v1/ingest`, { points: points.map((p) => ({ ...p, ts })) });
  expect(r.status).toBe(200);
}

async function createLink(body: Record<string, unknown>): Promise<{ id: string; url: string; token: string; expiresTs: number }> {
  const r = await sendJson<{ id: string; url: string; expiresTs: number }>('POST', `${platform.httpUrl}/api/v1/showcase`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...r.body, token: r.body.url.split('/showcase/')[1]! };
}

/** A WebSocket of the live hub opened with a showcase link; collects frames. */
function showcaseSocket(token: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: any[] } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${platform.httpUrl.replace('http', 'ws')}/api/v1/live?showcase=${encodeURIComponent(token)}`, { headers });
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, frames }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('error', () => undefined);
  });
}

beforeAll(async () => {
  platform = await startTestPlatform({ showcasePerMinute: 1000 });
  await ingest([
    { tag: `${LINE1}/press/speed`, value: 42 },
    { tag: `${LINE1}/press/state`, value: 'running' },
    { tag: `${LINE2}/oven/temp`, value: 180 },
    { tag: 'expo/hall/line-10/robot/secret', value: 7 },
  ]);
  await sendJson('PATCH', `${platform.httpUrl}/api/v1/tags`, { tags: [{ path: `${LINE1}/press/speed`, unit: 'rpm', min: 0, max: 100 }] });
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

describe('showcase links', () => {
  it('creates a link whose view shows only its line, with units, ranges and latest values', async () => {
    const link = await createLink({ scope: LINE1, title: 'Expo line 1', expiresHours: 24 });
    expect(link.url).toMatch(new RegExp(`^${platform.httpUrl}/showcase/[\\w-]{12}\\.[\\w-]{40,}$`));
    expect(link.expiresTs).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const r = await getJson(`${platform.httpUrl}/api/v1/showcase/${link.token}/view`, {});
    expect(r.status).toBe(200);
    expect(r.body.title).toBe('Expo line 1');
    expect(r.body.scope).toBe(LINE1);
    expect(r.body.tags.map((t: any) => t.path).sort()).toEqual([`${LINE1}/press/speed`, `${LINE1}/press/state`]);
    expect(r.body.tags.find((t: any) => t.path.endsWith('speed'))).toMatchObject({ unit: 'rpm', min: 0, max: 100, type: 'number' });
    expect(r.body.values.map((v: any) => [v.tag, v.value]).sort()).toEqual([[`${LINE1}/press/speed`, 42], [`${LINE1}/press/state`, 'running']]);
    expect(JSON.stringify(r.body)).not.toMatch(/line-2|line-10|oven|secret|source|createdTs/);
  });

  it('lists links without their secrets, and records create and revoke in the audit trail', async () => {
    const link = await createLink({ scope: LINE1, title: 'To revoke' });
    const list = await getJson(`${platform.httpUrl}/api/v1/showcase`);
    const mine = list.body.links.find((l: any) => l.id === link.id);
    expect(mine).toMatchObject({ scope: LINE1, title: 'To revoke' });
    expect(mine.expiresTs - mine.createdTs).toBe(7 * 24 * 3_600_000);
    expect(JSON.stringify(list.body)).not.toContain(link.token.split('.')[1]);
    expect((await sendJson('DELETE', `${platform.httpUrl}/api/v1/showcase/${link.id}`)).status).toBe(204);
    const audit = await getJson(`${platform.httpUrl}/api/v1/audit?action=showcase.&target=${link.id}`);
    expect(audit.body.records.map((r: any) => r.action)).toEqual(['showcase.revoke', 'showcase.create']);
  });

  it('streams live values of its line only; subscriptions to other lines are narrowed away', async () => {
    const link = await createLink({ scope: LINE1, title: 'Live' });
    const c = await showcaseSocket(link.token);
    if (!('ws' in c)) throw new Error(`connect failed: ${c.status}`);
    c.ws.send(JSON.stringify({ type: 'subscribe', patterns: ['#'], tags: [`${LINE2}/oven/temp`, 'expo/hall/line-10/robot/secret'] }));
    const snap = await waitFor(() => c.frames.find((f) => f.type === 'snapshot'), 5000, 'snapshot');
    expect(snap.points.map((p: any) => p.tag).sort()).toEqual([`${LINE1}/press/speed`, `${LINE1}/press/state`]);
    await ingest([{ tag: `${LINE2}/oven/temp`, value: 181 }, { tag: `${LINE1}/press/speed`, value: 43 }, { tag: 'expo/hall/line-10/robot/secret', value: 8 }]);
    await waitFor(() => c.frames.some((f) => f.type === 'delta' && f.points.some((p: any) => p.value === 43)), 5000, 'delta of line 1');
    const seen = c.frames.flatMap((f) => f.points ?? []).map((p: any) => p.tag);
    expect(seen.every((t: string) => t.startsWith(`${LINE1}/`))).toBe(true);
    c.ws.close();
  });

  it('closes open live connections when the link is revoked (4404)', async () => {
    const link = await createLink({ scope: LINE1, title: 'Closing' });
    const c = await showcaseSocket(link.token);
    if (!('ws' in c)) throw new Error(`connect failed: ${c.status}`);
    const closed = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    c.ws.send(JSON.stringify({ type: 'subscribe', patterns: ['#'] }));
    await waitFor(() => c.frames.find((f) => f.type === 'snapshot'), 5000, 'snapshot');
    expect((await sendJson('DELETE', `${platform.httpUrl}/api/v1/showcase/${link.id}`)).status).toBe(204);
    expect(await closed).toBe(4404);
  });

  it('answers the same 404 for unknown, mistyped, revoked and expired links, view and live alike', async () => {
    const revoked = await createLink({ scope: LINE1, title: 'Revoked' });
    await sendJson('DELETE', `${platform.httpUrl}/api/v1/showcase/${revoked.id}`);
    const expiring = await createLink({ scope: LINE1, title: 'Short', expiresHours: 0.0003 }); // ~1 s
    await new Promise((r) => setTimeout(r, 1300));
    const good = await createLink({ scope: LINE1, title: 'Good' });
    const wrongSecret = `${good.id}.${'A'.repeat(43)}`;
    const bodies = new Set<string>();
    for (const token of [revoked.token, expiring.token, wrongSecret, 'nonsense', `${'x'.repeat(12)}.${'y'.repeat(43)}`]) {
      const r = await getJson(`${platform.httpUrl}/api/v1/showcase/${encodeURIComponent(token)}/view`, {});
      expect(r.status, token).toBe(404);
      bodies.add(JSON.stringify(r.body));
      const ws = await showcaseSocket(token);
      expect(ws).toEqual({ status: 404 });
    }
    expect(bodies.size).toBe(1);
  });

  it('opens no other API route: the link as a bearer token, or no credentials, answer 401', async () => {
    const link = await createLink({ scope: LINE1, title: 'No API' });
    for (const path of [`/api/v1/tags?prefix=${LINE1}/`, `/api/v1/history?tag=${LINE1}/press/speed`, `/api/v1/latest?tag=${LINE1}/press/speed`, '/api/v1/assets', '/api/v1/showcase', '/api/v1/audit']) {
      expect((await getJson(`${platform.httpUrl}${path}`, { authorization: `Bearer ${link.token}` })).status, path).toBe(401);
      expect((await getJson(`${platform.httpUrl}${path}`, {})).status, path).toBe(401);
    }
    // The live WebSocket without a link needs credentials as before.
    const anon = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${platform.httpUrl.replace('http', 'ws')}/api/v1/live`);
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(anon).toBe(401);
  });

  it('refuses links to other tenants\' ids, the whole tenant, over 90 days, or by a viewer', async () => {
    expect((await sendJson('POST', `${platform.httpUrl}/api/v1/showcase`, { scope: '', title: 'all' })).status).toBe(400);
    expect((await sendJson('POST', `${platform.httpUrl}/api/v1/showcase`, { scope: LINE1, title: 'long', expiresHours: 91 * 24 })).status).toBe(400);
    expect((await sendJson('POST', `${platform.httpUrl}/api/v1/showcase`, { scope: 'expo/hall/no-such-line', title: 'x' })).status).toBe(404);
    const viewer = await platform.authAdmin.createUser({ kind: 'system', id: 't', name: 'test', tenant: 'demo', grants: [{ role: 'admin', scope: '' }], platformOperator: true }, { username: 'showcase-viewer', grants: [{ role: 'viewer', scope: '' }] });
    const token = await platform.authAdmin.createToken({ kind: 'user', id: viewer.user.id, name: 'showcase-viewer', tenant: 'demo', grants: [{ role: 'viewer', scope: '' }], platformOperator: false }, { name: 'v' });
    const auth = { authorization: `Bearer ${token.secret}` };
    expect((await sendJson('POST', `${platform.httpUrl}/api/v1/showcase`, { scope: LINE1, title: 'x' }, auth)).status).toBe(403);
    const link = await createLink({ scope: LINE1, title: 'Theirs' });
    expect((await sendJson('DELETE', `${platform.httpUrl}/api/v1/showcase/${link.id}`, undefined, auth)).status).toBe(403);
    expect((await sendJson('DELETE', `${platform.httpUrl}/api/v1/showcase/not-a-link-id`)).status).toBe(404);
  });
});

describe('showcase rate limits', () => {
  let limited: Platform & { dataDir: string };
  beforeAll(async () => {
    limited = await startTestPlatform({ showcasePerMinute: 5 });
    const r = await sendJson('POST', `${limited.httpUrl}/api/v1/ingest`, { points: [{ tag: `${LINE1}/press/speed`, value: 1, ts: Date.now() }] });
    expect(r.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await limited?.stop();
  });

  it('answers 429 with Retry-After past showcasePerMinute per link, and per address for unknown links', async () => {
    const created = await sendJson<{ url: string }>('POST', `${limited.httpUrl}/api/v1/showcase`, { scope: LINE1, title: 'Busy' }, ADMIN_AUTH);
    const token = created.body.url.split('/showcase/')[1]!;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${limited.httpUrl}/api/v1/showcase/${token}/view`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
