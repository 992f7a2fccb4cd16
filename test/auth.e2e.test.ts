/**
 * Authentication and roles through the real HTTP server: every private route refuses anonymous
 * callers, logins and tokens work and are limited, and a role × action matrix holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../src/app.js';
import { ADMIN_AUTH, getJson, sendJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Platform;
const url = (p: string) => platform.httpUrl + p;
const T1 = 'plant/area/line-1/m1/temp';
const T2 = 'plant/area/line-2/m1/temp';

/** Log in; returns the Cookie header to send. */
async function login(username: string, password: string): Promise<{ status: number; cookie: string; setCookie: string; body: any; retryAfter: string | null }> {
  const res = await fetch(url('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { status: res.status, cookie: setCookie.split(';')[0]!, setCookie, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

async function addUser(username: string, grants: Array<{ role: string; scope: string }>): Promise<{ id: string; password: string }> {
  const r = await sendJson('POST', url('/api/v1/users'), { username, grants });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.user.id, password: r.body.password };
}

beforeAll(async () => {
  platform = await startTestPlatform({ loginMaxFailures: 5, adminPassword: 'first-admin-password-1' });
  const r = await sendJson('POST', url('/api/v1/ingest'), { points: [{ tag: T1, value: 20 }, { tag: T2, value: 21 }] });
  expect(r.status).toBe(200);
});
afterAll(async () => platform?.stop());

describe('authentication', () => {
  it('refuses every private route without credentials, listing them from the route table', async () => {
    const priv = platform.routes.filter((r) => r.url.startsWith('/api/') && !r.public && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json');
    expect(priv.length).toBeGreaterThan(10);
    for (const r of priv) {
      const path = r.url.replace(/:(\w+)/g, 'x');
      const res = await fetch(url(path), { method: r.method, headers: r.method === 'GET' || r.method === 'DELETE' ? {} : { 'content-type': 'application/json' }, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}' });
      expect(res.status, `${r.method} ${r.url}`).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('LIGHTSOUT_UNAUTHENTICATED');
    }
  });

  it('logs in with an HTTP-only, same-site session cookie and logs out', async () => {
    const bad = await login('admin', 'not-the-password');
    expect([bad.status, bad.body.error.code]).toEqual([401, 'LIGHTSOUT_UNAUTHENTICATED']);
    const ok = await login('admin', 'first-admin-password-1');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ kind: 'user', name: 'admin', tenant: 'demo', platformOperator: true });
    expect(ok.setCookie).toMatch(/HttpOnly/);
    expect(ok.setCookie).toMatch(/SameSite=Strict/);
    const me = await getJson(url('/api/v1/auth/me'), { cookie: ok.cookie });
    expect(me.body.name).toBe('admin');
    // A cross-site page cannot use the cookie to change state.
    const forged = await fetch(url('/api/v1/tokens'), { method: 'POST', headers: { cookie: ok.cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(forged.status).toBe(403);
    const out = await fetch(url('/api/v1/auth/logout'), { method: 'POST', headers: { cookie: ok.cookie } });
    expect(out.status).toBe(204);
    expect((await getJson(url('/api/v1/auth/me'), { cookie: ok.cookie })).status).toBe(401);
  });

  it('limits password guessing per user name, even for the right password afterwards', async () => {
    const u = await addUser('guessed', [{ role: 'viewer', scope: '' }]);
    for (let i = 0; i < 5; i++) expect((await login('guessed', `wrong-${i}-password`)).status).toBe(401);
    const blocked = await login('guessed', u.password);
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'LIGHTSOUT_RATE_LIMITED']);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
  });

  it('limits token guessing per client address', async () => {
    const other = await startTestPlatform({ loginMaxFailures: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 14; i++) statuses.push((await getJson(other.httpUrl + '/api/v1/tags', { authorization: `Bearer lo_AAAAAAAAAAAA_${'x'.repeat(43)}${i}` })).status);
      expect(statuses.slice(0, 12).every((s) => s === 401)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      // The real token is refused too while the address is blocked.
      expect((await getJson(other.httpUrl + '/api/v1/tags')).status).toBe(429);
    } finally {
      await other.stop();
    }
  });

  it('creates, uses, revokes and expires API tokens; secrets are never listed', async () => {
    const created = await sendJson('POST', url('/api/v1/tokens'), { name: 'mes-integration', grants: [{ role: 'viewer', scope: '' }] });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^lo_[\w-]{12}_[\w-]{43}$/);
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await getJson(url('/api/v1/tags'), bearer)).status).toBe(200);
    // A viewer token cannot write, whoever created it.
    expect((await sendJson('PATCH', url('/api/v1/tags'), { tags: [{ path: T1, unit: '°C' }] }, bearer)).status).toBe(403);
    const list = await getJson(url('/api/v1/tokens'));
    // lo_ + a 12-character id + _ : the rest is the secret (ids and secrets may themselves hold _).
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(16));
    expect((await sendJson('DELETE', url(`/api/v1/tokens/${created.body.token.id}`))).status).toBe(204);
    expect((await getJson(url('/api/v1/tags'), bearer)).status).toBe(401);

    const short = await sendJson('POST', url('/api/v1/tokens'), { name: 'short-lived', expiresDays: 1.5 / 86_400 });
    const shortAuth = { authorization: `Bearer ${short.body.secret}` };
    expect((await getJson(url('/api/v1/tags'), shortAuth)).status).toBe(200);
    await waitFor(async () => (await getJson(url('/api/v1/tags'), shortAuth)).status === 401, 4000, 'token expiry');
  });

  it('forbids framing the dashboard (clickjacking), allows framing a showcase page', async () => {
    const page = await fetch(url('/'));
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(url('/api/v1/auth/me'))).headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(url('/showcase/abc.def'))).headers.get('x-frame-options')).toBeNull();
  });

  it('a one-time login link works once', async () => {
    const token = new URL(platform.loginLink.replace('#/login', 'login')).searchParams.get('once')!;
    const first = await sendJson('POST', url('/api/v1/auth/link'), { token }, {});
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toMatch(/lightsout_session=/);
    const again = await sendJson('POST', url('/api/v1/auth/link'), { token }, {});
    expect(again.status).toBe(401);
  });

  it('a password change ends every session of the user', async () => {
    const u = await addUser('changer', [{ role: 'viewer', scope: '' }]);
    const s = await login('changer', u.password);
    const put = await fetch(url('/api/v1/auth/password'), { method: 'PUT', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ current: u.password, password: 'a-brand-new-password' }) });
    expect(put.status).toBe(204);
    expect((await getJson(url('/api/v1/auth/me'), { cookie: s.cookie })).status).toBe(401);
    expect((await login('changer', 'a-brand-new-password')).status).toBe(200);
  });
});

describe('roles', () => {
  const people: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    const grants: Record<string, Array<{ role: string; scope: string }>> = {
      viewer: [{ role: 'viewer', scope: '' }],
      operator: [{ role: 'operator', scope: '' }],
      engineer: [{ role: 'engineer', scope: '' }],
      admin: [{ role: 'admin', scope: '' }],
      'line2-operator': [{ role: 'operator', scope: 'plant/area/line-2' }],
      'line2-admin': [{ role: 'admin', scope: 'plant/area/line-2' }],
    };
    for (const [name, g] of Object.entries(grants)) {
      const u = await addUser(`m-${name}`, g);
      people[name] = { cookie: (await login(`m-${name}`, u.password)).cookie };
    }
  });

  const ACTIONS: Array<{ name: string; call: (h: Record<string, string>) => Promise<number> }> = [
    { name: 'read tags', call: async (h) => (await getJson(url('/api/v1/tags'), h)).status },
    { name: 'read line-1 history', call: async (h) => (await getJson(url(`/api/v1/history?tag=${T1}`), h)).status },
    { name: 'write a line-1 point', call: async (h) => (await sendJson('POST', url('/api/v1/ingest'), { points: [{ tag: T1, value: 1 }] }, h)).status },
    { name: 'write a line-2 point', call: async (h) => (await sendJson('POST', url('/api/v1/ingest'), { points: [{ tag: T2, value: 1 }] }, h)).status },
    { name: 'configure a line-1 tag', call: async (h) => (await sendJson('PATCH', url('/api/v1/tags'), { tags: [{ path: T1, unit: '°C' }] }, h)).status },
    { name: 'list users', call: async (h) => (await getJson(url('/api/v1/users'), h)).status },
    { name: 'create a whole-tenant viewer', call: async (h) => (await sendJson('POST', url('/api/v1/users'), { username: `v-${Math.random().toString(36).slice(2, 10)}`, grants: [{ role: 'viewer', scope: '' }] }, h)).status },
    { name: 'create a line-2 viewer', call: async (h) => (await sendJson('POST', url('/api/v1/users'), { username: `w-${Math.random().toString(36).slice(2, 10)}`, grants: [{ role: 'viewer', scope: 'plant/area/line-2' }] }, h)).status },
    { name: 'list tenants', call: async (h) => (await getJson(url('/api/v1/tenants'), h)).status },
  ];
  // Expected status per person, in the order of ACTIONS.
  const MATRIX: Record<string, number[]> = {
    viewer: [200, 200, 403, 403, 403, 403, 403, 403, 403],
    operator: [200, 200, 200, 200, 403, 403, 403, 403, 403],
    engineer: [200, 200, 200, 200, 200, 403, 403, 403, 403],
    admin: [200, 200, 200, 200, 200, 200, 201, 201, 403],
    'line2-operator': [200, 404, 403, 200, 404, 403, 403, 403, 403],
    'line2-admin': [200, 404, 403, 200, 404, 403, 403, 201, 403],
  };

  it('holds the role × action matrix', async () => {
    const got: Record<string, number[]> = {};
    for (const who of Object.keys(MATRIX)) {
      got[who] = [];
      for (const a of ACTIONS) got[who]!.push(await a.call({ cookie: people[who]!.cookie! }));
    }
    expect(got).toEqual(MATRIX);
  });

  it('shows a line-scoped user only their line', async () => {
    const tags = (await getJson(url('/api/v1/tags'), { cookie: people['line2-operator']!.cookie! })).body.tags.map((t: any) => t.path);
    expect(tags).toContain(T2);
    expect(tags).not.toContain(T1);
    const assets = JSON.stringify((await getJson(url('/api/v1/assets'), { cookie: people['line2-operator']!.cookie! })).body);
    expect(assets).toContain('line-2');
    expect(assets).not.toContain('line-1');
  });

  it('the seeded admin token is a platform operator of the default tenant', async () => {
    const me = await getJson(url('/api/v1/auth/me'), ADMIN_AUTH);
    expect(me.body).toMatchObject({ kind: 'token', tenant: 'demo', platformOperator: true });
  });
});

describe('the seeded admin token (LIGHTSOUT_ADMIN_TOKEN)', () => {
  it('is rotated by a restart with another value: the old one stops working, the new one works', async () => {
    const first = `rotate-first-${'x'.repeat(24)}`;
    const second = `rotate-second-${'y'.repeat(24)}`;
    let p = await startTestPlatform({ adminToken: first });
    const url = () => `${p.httpUrl}/api/v1/tags`;
    try {
      expect((await getJson(url(), { authorization: `Bearer ${first}` })).status).toBe(200);
      await p.stop();
      p = await startTestPlatform({ dataDir: p.dataDir, adminToken: second });
      expect((await getJson(url(), { authorization: `Bearer ${second}` })).status).toBe(200);
      expect((await getJson(url(), { authorization: `Bearer ${first}` })).status).toBe(401);
    } finally {
      await p.stop();
    }
  });
});
