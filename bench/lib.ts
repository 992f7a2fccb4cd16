/**
 * Shared pieces of the benchmarks: run the platform as its own process (so its CPU and memory are
 * its own), read a process's CPU time and RSS from /proc, pick free ports, print progress to stderr.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Progress to stderr; stdout is kept for the JSON result. */
export function progress(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** A free TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set size of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A platform process started for a benchmark. */
export interface BenchPlatform {
  child: ChildProcess;
  httpUrl: string;
  mqttUrl: string;
  dataDir: string;
  /** Headers authenticating as the seeded admin token. */
  auth: Record<string, string>;
  /** The first admin's password (to log a browser in). */
  adminPassword: string;
  health(): Promise<any>;
  stop(): Promise<void>;
}

/** Start `lightsout start` in its own process on free ports and a temporary data dir. */
export async function startPlatformProcess(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BenchPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lightsout-bench-'));
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const adminPassword = `bench-${randomBytes(12).toString('base64url')}`;
  const child = spawn(process.execPath, ['bin/lightsout.js', 'start', '--http-port', String(httpPort), '--mqtt-port', String(mqttPort), '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // The benchmark's publishers connect without credentials (auth is per connection, not per message).
    env: { ...process.env, LIGHTSOUT_ADMIN_TOKEN: token, LIGHTSOUT_ADMIN_PASSWORD: adminPassword, LIGHTSOUT_MQTT_ALLOW_ANONYMOUS: 'true', ...env },
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const auth = { authorization: `Bearer ${token}` };
  const health = async () => (await fetch(httpUrl + '/api/v1/health', { headers: auth })).json();
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await health();
      break;
    } catch {
      if (Date.now() > until || child.exitCode !== null) throw new Error('platform did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child, httpUrl, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, dataDir, health, auth, adminPassword,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Parse `--name value` flags with numeric defaults. */
export function numFlags<T extends Record<string, number>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!.replace(/^--/, '');
    if (k in out && argv[i + 1] !== undefined) out[k] = Number(argv[++i]);
  }
  return out as T;
}
