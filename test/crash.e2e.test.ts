/**
 * The durability promise, tested the hard way: a publisher sends QoS 1 batches while the platform
 * process is killed with SIGKILL; after a restart on the same data dir, every point whose PUBACK
 * the publisher received is in the historian.
 */
import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { ADMIN_ENV, freePort, getJson, startTestPlatform, tempDir, testDevice, waitFor } from './helpers.js';

const TAGS = 10;

describe('crash safety', () => {
  it('keeps every acknowledged point across kill -9', async () => {
    const dataDir = tempDir();
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['bin/lightsout.js', 'start', '--http-port', String(httpPort), '--mqtt-port', String(mqttPort), '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...ADMIN_ENV } });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor(async () => (await getJson(`http://127.0.0.1:${httpPort}/api/v1/health`)).status === 200, 20_000, 'platform start');
      const device = await testDevice(`http://127.0.0.1:${httpPort}`, 'crash-publisher');
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { ...device, clientId: 'crash-publisher', reconnectPeriod: 0 });
      client.on('error', () => undefined);
      const base = Date.now() - 3_600_000;
      const acked: number[] = [];
      let next = 0;
      let stop = false;
      const worker = async (): Promise<void> => {
        while (!stop) {
          const k = next++;
          const values: Record<string, number> = {};
          for (let t = 0; t < TAGS; t++) values[`t${t}`] = k;
          try {
            await client.publishAsync('uns/demo/crash/area/line/m1', JSON.stringify({ ts: base + k, values }), { qos: 1 });
            acked.push(k); // a PUBACK arrived: the platform promised this batch is durable
          } catch {
            return;
          }
        }
      };
      const workers = Array.from({ length: 32 }, worker);
      await waitFor(() => acked.length > 500, 20_000, '500 acknowledged batches');
      child.kill('SIGKILL'); // publishers are mid-flight: some batches get no PUBACK and are not counted
      await exited;
      stop = true;
      const ackedNow = [...acked];
      client.end(true);
      void Promise.allSettled(workers);
      expect(ackedNow.length).toBeGreaterThan(500);

      const platform = await startTestPlatform({ dataDir });
      try {
        for (let t = 0; t < TAGS; t++) {
          const r = await getJson(`${platform.httpUrl}/api/v1/history?tag=crash/area/line/m1/t${t}&from=${base}&to=${base + next + 1}&limit=100000`);
          const stored = new Set<number>(r.body.points.map((p: any) => p.ts - base));
          const missing = ackedNow.filter((k) => !stored.has(k));
          expect(missing, `tag t${t}: acknowledged but missing`).toEqual([]);
        }
      } finally {
        await platform.stop();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
