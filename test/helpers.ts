/** Shared helpers of the integration tests: free ports, a platform in-process, polling. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startPlatform, type Platform } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'lightsout-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The admin API token every test platform is seeded with (LIGHTSOUT_ADMIN_TOKEN), random per test
 * process. getJson sends it unless told otherwise.
 */
export const TEST_ADMIN_TOKEN = `test-admin-${randomBytes(24).toString('base64url')}`;

/** Headers that authenticate as the seeded admin. */
export const ADMIN_AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const;

/** Env for a spawned `lightsout start` so tests can call its API as admin. */
export const ADMIN_ENV = { LIGHTSOUT_ADMIN_TOKEN: TEST_ADMIN_TOKEN } as const;

/** A test platform: the platform, its data dir, and MQTT credentials of a device of the default tenant. */
export type TestPlatform = Platform & { dataDir: string; mqttAuth: { username: string; password: string } };

/**
 * Start the whole platform in this process on free ports and a temporary data dir, seeded with
 * the test admin token, with a device `test-device` of the default tenant whose credentials MQTT
 * clients pass as `{...platform.mqttAuth}` (anonymous clients are refused, as in production).
 */
export async function startTestPlatform(flags: Record<string, unknown> = {}): Promise<TestPlatform> {
  const dataDir = (flags.dataDir as string | undefined) ?? tempDir();
  const config = loadConfig({ env: {}, flags: { httpPort: 0, mqttPort: 0, dataDir, logLevel: 'silent', adminToken: TEST_ADMIN_TOKEN, ...flags } });
  const platform = await startPlatform(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const system = { kind: 'system' as const, id: 'test', name: 'test', tenant: config.tenant, grants: [{ role: 'admin' as const, scope: '' }], platformOperator: true };
  // A restart on the same data dir finds the device: give it a new password then.
  const password = (await platform.auth.store.getDevice('test-device'))
    ? await platform.devices.resetPassword(system, 'test-device')
    : (await platform.devices.add(system, { id: 'test-device', description: 'the integration tests\' MQTT clients' })).password!;
  return { ...platform, dataDir, mqttAuth: { username: 'test-device', password } };
}

/** MQTT credentials of a device of a platform running in another process (created anew through the API). */
export async function testDevice(httpUrl: string, id = 'test-device'): Promise<{ username: string; password: string }> {
  await fetch(`${httpUrl}/api/v1/devices/${id}`, { method: 'DELETE', headers: ADMIN_AUTH });
  const res = await fetch(`${httpUrl}/api/v1/devices`, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
  const body = (await res.json()) as { password?: string; error?: { message: string } };
  if (!body.password) throw new Error(`test device not created: ${body.error?.message ?? res.status}`);
  return { username: id, password: body.password };
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET a JSON body, as the test admin unless other headers are given. */
export async function getJson<T = any>(url: string, headers: Record<string, string> = ADMIN_AUTH): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

/** Send a JSON body (POST, PATCH, PUT, DELETE), as the test admin unless other headers are given. */
export async function sendJson<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = ADMIN_AUTH): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}
