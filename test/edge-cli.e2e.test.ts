/**
 * The real `lightsout edge` CLI against a real device: the Modbus TCP simulator server (a counter
 * register the test increments), the Modbus connector, a Mosquitto of our own and the platform in
 * external-broker mode. The broker goes away for 5 s: the points polled meanwhile arrive afterwards
 * as history, once each and in order; SIGTERM stops the agent cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModbusMachineServer, type ModbusSimMachine } from '../src/sim/modbus-server.js';
import { freePort, getJson, startTestPlatform, tempDir, waitFor, type TestPlatform } from './helpers.js';

const ROOT = join(import.meta.dirname, '..');
const GROUP = `edge-cli-${randomUUID().slice(0, 6)}`;

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  p.kill(signal);
  return exited;
}

describe('lightsout edge (CLI) with a Modbus device', () => {
  it('publishes live, buffers through a broker outage, replays in order, stops on SIGTERM', async () => {
    const dir = tempDir('edge-cli-');
    const values = [0];
    const machine: ModbusSimMachine = {
      assetPath: 'plant/area/line-1/m1', id: 'm1', methods: [], values,
      tags: [{ name: 'count', kind: 'uint32', description: 'a counter' }],
      onCommand: () => false,
    };
    const device = new ModbusMachineServer({ port: 0, machines: [machine] });
    await device.start();
    cleanup.push(() => device.stop());
    const tick = setInterval(() => {
      values[0] = (values[0] as number) + 1;
      device.update(0);
    }, 100);
    cleanup.push(async () => clearInterval(tick));

    const port = await freePort();
    mkdirSync(join(dir, 'mosquitto'));
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${join(dir, 'mosquitto')}/\n`);
    let broker = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
    cleanup.push(() => stopProcess(broker).then(() => undefined));
    const url = `mqtt://127.0.0.1:${port}`;
    const platform: TestPlatform = await waitFor(() => startTestPlatform({ mqttUrl: url, mqttClientId: `lightsout-edge-cli-${randomUUID().slice(0, 6)}`, dataDir: tempDir() }).catch(() => undefined), 5000, 'platform on Mosquitto');
    cleanup.push(() => platform.stop());

    const configFile = join(dir, 'edge.json');
    writeFileSync(configFile, JSON.stringify({
      // Births wait for the platform's STATE online on each new broker session, so none is sent before the host listens.
      central: { mqttUrl: url, groupId: GROUP, edgeNodeId: 'node-1', hostId: 'lightsout' },
      buffer: { dir: join(dir, 'buffer'), maxMegabytes: 8 },
      connectors: [{ id: 'plc', kind: 'modbus', settings: device.connectorSettings(0, { intervalMs: 200 }) }],
    }));
    const edge = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'edge', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LIGHTSOUT_LOG_FORMAT: 'json' } });
    const logs: string[] = [];
    edge.stdout!.on('data', (b: Buffer) => logs.push(b.toString()));
    edge.stderr!.on('data', (b: Buffer) => logs.push(b.toString()));
    cleanup.push(() => stopProcess(edge, 'SIGKILL').then(() => undefined));

    const tag = `${GROUP}/node-1/plc/plant/area/line-1/m1/count`;
    const history = async (): Promise<{ ts: number; value: number; quality: string }[]> =>
      (await getJson(`${platform.httpUrl}/api/v1/history?tag=${tag}&from=${Date.now() - 600_000}&limit=100000`)).body.points ?? [];
    await waitFor(async () => (await history()).length >= 5, 20_000, 'live points').catch((err: Error) => {
      throw new Error(`${err.message}; edge said: ${logs.join('').slice(-3000)}`);
    });

    const caughtUp = (): number => (logs.join('').match(/edge caught up/g) ?? []).length;
    const before = caughtUp();
    await stopProcess(broker);
    const outageFrom = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const outageTo = Date.now();
    broker = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
    // Caught up again after the outage (not the line from before it), and the platform has the replay.
    await waitFor(() => caughtUp() > before, 20_000, 'caught up after the outage');
    const inOutage = (p: { ts: number }): boolean => p.ts > outageFrom + 500 && p.ts < outageTo - 500;
    await waitFor(async () => (await history()).filter((p) => p.quality === 'good' && inOutage(p)).length >= 10, 20_000, 'the outage\'s points in the historian').catch(async (err: Error) => {
      const h = await getJson(`${platform.httpUrl}/api/v1/health`);
      throw new Error(`${err.message}; platform rejected: ${JSON.stringify(h.body.rejected)}; edge said: ${logs.join('').slice(-4000)}`);
    });

    const good = (await history()).filter((p) => p.quality === 'good');
    for (let i = 1; i < good.length; i++) {
      expect(good[i]!.ts).toBeGreaterThan(good[i - 1]!.ts); // once each, in order
      expect(good[i]!.value).toBeGreaterThanOrEqual(good[i - 1]!.value);
    }
    const during = good.filter(inOutage);
    expect(during.length).toBeGreaterThanOrEqual(10); // polled during the outage, delivered afterwards
    expect(await stopProcess(edge)).toBe(0);
  }, 60_000);
});
