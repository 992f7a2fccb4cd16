/** The command line as a newcomer meets it: what start prints, and one clear line when it cannot start. */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ADMIN_ENV, freePort, getJson, tempDir, waitFor } from './helpers.js';

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['bin/lightsout.js', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });

describe('lightsout CLI', () => {
  it('stops with one line naming the taken port and what to do', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const r = run(['start', '--mqtt-port', String(taken), '--http-port', String(await freePort()), '--data-dir', tempDir()]);
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('lightsout:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`MQTT port ${taken} .* already in use.*--mqtt-port`));
    } finally {
      blocker.close();
    }
  });

  it('stops with one line naming a bad setting from the environment', () => {
    const r = run(['start'], { LIGHTSOUT_HTTP_PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('lightsout: setting httpPort (LIGHTSOUT_HTTP_PORT) = "eighty" is invalid: Expected integer');
  });

  it('prints the dashboard URL, API docs and MQTT address, serves them, and stops cleanly on SIGTERM', async () => {
    const [http, mqtt] = [await freePort(), await freePort()];
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['bin/lightsout.js', 'start', '--demo', '--http-port', String(http), '--mqtt-port', String(mqtt), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...ADMIN_ENV } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', () => undefined);
    try {
      await waitFor(() => out.includes('API docs'), 20_000, 'start banner');
      expect(out).toContain(`Dashboard:  http://127.0.0.1:${http}/`);
      expect(out).toContain(`MQTT:       mqtt://127.0.0.1:${mqtt}`);
      expect((await getJson(`http://127.0.0.1:${http}/api/v1/health`)).body.status).toBeDefined();
      // A second platform on the same data directory is refused with one line naming the holder.
      const second = run(['start', '--http-port', String(await freePort()), '--mqtt-port', String(await freePort()), '--data-dir', dataDir]);
      expect(second.status).toBe(1);
      expect(second.stderr.trim()).toBe(`lightsout: data directory ${dataDir} is in use by another Lightsout process (PID ${child.pid}): stop it, or start with another --data-dir`);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
