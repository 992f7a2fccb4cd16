/**
 * What authentication costs. A platform in its own process; from outside:
 *  - login: POST /api/v1/auth/login (argon2id verification) latency, median of `logins`;
 *  - API: GET /api/v1/latest of one tag with a bearer token, and with a session cookie, at
 *    concurrency `concurrency` for `seconds` each: requests/s and p50/p99 latency; and the same
 *    count of requests refused (no credentials, 401) to show what the guard's work is;
 *  - MQTT: connect latency of a device with credentials, first (argon2) and repeated (cached).
 * Prints one JSON line.
 */
import mqtt from 'mqtt';
import { median, numFlags, progress, startPlatformProcess } from './lib.js';

const f = numFlags({ logins: 20, seconds: 5, concurrency: 16, connects: 20 });

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

/** Fire requests from `concurrency` loops for `seconds`; returns req/s and latency percentiles. */
async function load(url: string, headers: Record<string, string>, expectStatus: number): Promise<{ perSecond: number; p50: number; p99: number; requests: number }> {
  const lat: number[] = [];
  const until = performance.now() + f.seconds * 1000;
  let bad = 0;
  await Promise.all(Array.from({ length: f.concurrency }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.status !== expectStatus) bad++;
      lat.push(performance.now() - t0);
    }
  }));
  if (bad > 0) throw new Error(`${bad} answers were not ${expectStatus}`);
  return { perSecond: Math.round(lat.length / f.seconds), p50: +pct(lat, 50).toFixed(2), p99: +pct(lat, 99).toFixed(2), requests: lat.length };
}

const platform = await startPlatformProcess([], { LIGHTSOUT_LOGIN_MAX_FAILURES: '1000000' });
try {
  const api = (p: string) => platform.httpUrl + p;
  const tag = 'bench-site/area/line/m1/temp';
  await fetch(api('/api/v1/ingest'), { method: 'POST', headers: { ...platform.auth, 'content-type': 'application/json' }, body: JSON.stringify({ points: [{ tag, value: 21.5 }] }) });

  progress(`login × ${f.logins}`);
  const logins: number[] = [];
  let cookie = '';
  for (let i = 0; i < f.logins; i++) {
    const t0 = performance.now();
    const res = await fetch(api('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: platform.adminPassword }) });
    logins.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  }
  const token = (await (await fetch(api('/api/v1/tokens'), { method: 'POST', headers: { ...platform.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', grants: [{ role: 'viewer', scope: '' }] }) })).json() as { secret: string }).secret;

  const latest = api(`/api/v1/latest?tag=${encodeURIComponent(tag)}`);
  progress('warming up (each kind of request, unmeasured)');
  const measured = f.seconds;
  f.seconds = 1;
  await load(latest, { authorization: `Bearer ${token}` }, 200);
  await load(latest, { cookie }, 200);
  await load(latest, {}, 401);
  f.seconds = measured;
  progress(`GET /api/v1/latest with a token, ${f.seconds} s at concurrency ${f.concurrency}`);
  const withToken = await load(latest, { authorization: `Bearer ${token}` }, 200);
  progress('… with a session cookie');
  const withCookie = await load(latest, { cookie }, 200);
  progress('… without credentials (refused)');
  const refused = await load(latest, {}, 401);

  progress(`MQTT connect × ${f.connects}`);
  const dev = (await (await fetch(api('/api/v1/devices'), { method: 'POST', headers: { ...platform.auth, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'bench-gw' }) })).json() as { password: string }).password;
  const connects: number[] = [];
  for (let i = 0; i < f.connects; i++) {
    const t0 = performance.now();
    const c = await mqtt.connectAsync(platform.mqttUrl, { username: 'bench-gw', password: dev, clientId: `bench-gw-${i}`, reconnectPeriod: 0 });
    connects.push(performance.now() - t0);
    await c.endAsync();
  }

  const result = {
    benchmark: 'auth',
    loginMs: { median: +median(logins).toFixed(1), max: +Math.max(...logins).toFixed(1) },
    latestWithToken: withToken,
    latestWithSessionCookie: withCookie,
    refusedWithoutCredentials: refused,
    mqttConnectMs: { first: +connects[0]!.toFixed(1), medianCached: +median(connects.slice(1)).toFixed(1) },
    concurrency: f.concurrency,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await platform.stop();
}
