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

/**
 * Start the whole platform in this process on free ports and a temporary data dir, seeded with
 * the test admin token. MQTT clients of the older ingest tests connect without credentials, so
 * anonymous MQTT is allowed unless the flags say otherwise; the ACL tests turn it off.
 */
export async function startTestPlatform(flags: Record<string, unknown> = {}): Promise<Platform & { dataDir: string }> {
  const dataDir = (flags.dataDir as string | undefined) ?? tempDir();
  const config = loadConfig({ env: {}, flags: { httpPort: 0, mqttPort: 0, dataDir, logLevel: 'silent', adminToken: TEST_ADMIN_TOKEN, mqttAllowAnonymous: true, ...flags } });
  const platform = await startPlatform(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  return { ...platform, dataDir };
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
