/** Shared helpers of the integration tests: free ports, a platform in-process, polling. */
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

/** Start the whole platform in this process on free ports and a temporary data dir. */
export async function startTestPlatform(flags: Record<string, unknown> = {}): Promise<Platform & { dataDir: string }> {
  const dataDir = (flags.dataDir as string | undefined) ?? tempDir();
  const config = loadConfig({ env: {}, flags: { httpPort: 0, mqttPort: 0, dataDir, logLevel: 'silent', ...flags } });
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

/** GET a JSON body. */
export async function getJson<T = any>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}
