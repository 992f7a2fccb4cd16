/**
 * Store-and-forward end to end: a Mosquitto of our own (persistent), the platform in
 * external-broker mode against it, and the edge agent in a child process reading a counter device
 * (value = sequence number). The broker is stopped for 30 s while the edge produces; during that
 * outage the edge is killed with SIGKILL and started again. After the broker is back, every point
 * must be in the historian exactly once and in order, and the live value must be the newest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, getJson, startTestPlatform, tempDir, waitFor, type TestPlatform } from './helpers.js';

const ROOT = join(import.meta.dirname, '..');
const TAG = 'plant/line-1/m1/count';
const GROUP = `edge-e2e-${randomUUID().slice(0, 6)}`;
const PLATFORM_TAG = `${GROUP}/node-1/counter/${TAG}`;
const SECOND_RUN = 1_000_000;

// The edge agent with a deterministic counter device (test-local SupervisedConnector): one point
// every 50 ms, value = sequence number, timestamps strictly increasing. Prints each value emitted.
const EDGE_SCRIPT = `
import { EdgeAgent } from ${JSON.stringify(join(ROOT, 'src/edge/edge-agent.ts'))};
import { parseEdgeConfig } from ${JSON.stringify(join(ROOT, 'src/edge/edge-config.ts'))};
const config = parseEdgeConfig(JSON.parse(process.env.EDGE_CONFIG));
let seq = Number(process.env.EDGE_START), lastTs = 0, timer;
const log = { debug() {}, info: (o, m) => process.stderr.write(m + ' ' + JSON.stringify(o) + '\\n'), warn: (o, m) => process.stderr.write(m + ' ' + JSON.stringify(o) + '\\n'), error: (o, m) => process.stderr.write(m + ' ' + JSON.stringify(o) + '\\n') };
const createConnector = (def, ctx) => ({
  id: def.id, kind: 'counter',
  status: () => ({ state: 'connected', since: 0 }), counters: () => ({ points: seq, errors: 0, reconnects: 0, writes: 0 }),
  tagIssues: () => [], tags: () => [{ path: ${JSON.stringify(TAG)}, type: 'number', writable: false }],
  async start() { timer = setInterval(() => { lastTs = Math.max(Date.now(), lastTs + 1); ctx.emit([{ tag: ${JSON.stringify(TAG)}, ts: lastTs, value: seq }]); process.stdout.write('e ' + seq++ + '\\n'); }, 50); },
  async stop() { clearInterval(timer); }, async write() {}, async call() {},
});
const agent = new EdgeAgent({ config, createConnector, log, reconnectMs: 300, progressMs: 2000 });
await agent.start();
process.on('SIGTERM', async () => { await agent.stop(); process.exit(0); });
`;

interface Edge { child: ChildProcess; last: number; logs: string[] }

function startEdge(config: object, start: number): Edge {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', EDGE_SCRIPT], {
    cwd: ROOT, env: { ...process.env, EDGE_CONFIG: JSON.stringify(config), EDGE_START: String(start) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const e: Edge = { child, last: -1, logs: [] };
  child.stdout!.on('data', (b: Buffer) => {
    const m = b.toString().trim().split('\n').pop()!.match(/^e (\d+)$/);
    if (m) e.last = Number(m[1]);
  });
  child.stderr!.on('data', (b: Buffer) => e.logs.push(b.toString()));
  return e;
}

function startMosquitto(conf: string): ChildProcess {
  return spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
}

async function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  await exited;
}

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

describe('edge store-and-forward', () => {
  it('a 30 s broker outage and a SIGKILL of the edge while buffering lose nothing and duplicate nothing', async () => {
    const dir = tempDir('edge-e2e-');
    const port = await freePort();
    mkdirSync(join(dir, 'mosquitto'));
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${join(dir, 'mosquitto')}/\n`);
    let broker = startMosquitto(conf);
    cleanup.push(() => stopProcess(broker));
    const url = `mqtt://127.0.0.1:${port}`;
    const platform: TestPlatform = await waitFor(() => startTestPlatform({ mqttUrl: url, mqttClientId: `lightsout-edge-e2e-${randomUUID().slice(0, 6)}`, dataDir: tempDir() }).catch(() => undefined), 5000, 'platform on Mosquitto');
    cleanup.push(() => platform.stop());
    const config = {
      central: { mqttUrl: url, groupId: GROUP, edgeNodeId: 'node-1', hostId: 'lightsout' }, // birth only once the platform is back (docs/edge.md)
      buffer: { dir: join(dir, 'buffer'), maxMegabytes: 16 },
      connectors: [{ id: 'counter', kind: 'modbus', settings: { host: '127.0.0.1', groups: [{ name: 'g', intervalMs: 1000, registers: [{ tag: TAG, area: 'holding-register', address: 0, type: 'uint16' }] }] } }],
    };
    const history = async (): Promise<{ ts: number; value: number; quality: string }[]> =>
      (await getJson(`${platform.httpUrl}/api/v1/history?tag=${PLATFORM_TAG}&from=${Date.now() - 600_000}&limit=100000`)).body.points ?? [];

    let edge = startEdge(config, 0);
    cleanup.push(() => stopProcess(edge.child, 'SIGKILL'));
    await waitFor(async () => (await history()).length >= 20, 15_000, 'live points before the outage').catch((err: Error) => {
      throw new Error(`${err.message}; edge said: ${edge.logs.join('').slice(-3000)}`);
    });

    await stopProcess(broker); // the central broker goes away for 30 s
    await new Promise((r) => setTimeout(r, 12_000));
    await stopProcess(edge.child, 'SIGKILL'); // the edge dies while buffering
    const lastOfFirstRun = edge.last;
    expect(lastOfFirstRun).toBeGreaterThan(200);
    edge = startEdge(config, SECOND_RUN);
    await new Promise((r) => setTimeout(r, 18_000));
    broker = startMosquitto(conf);

    await waitFor(async () => edge.last > SECOND_RUN && (await history()).some((p) => p.value >= edge.last - 5), 30_000, 'backlog replayed and live again');
    await stopProcess(edge.child);
    const lastOfSecondRun = edge.last;
    const all = await waitFor(async () => {
      const h = await history();
      return h.some((p) => p.value === lastOfSecondRun) ? h : undefined;
    }, 10_000, 'the last point');
    // The platform marks a tag stale (bad quality, last value kept) when its node dies or the
    // broker link drops: those are marks, not data points. Every other point is the edge's.
    const points = all.filter((p) => p.quality === 'good');
    for (const b of all.filter((p) => p.quality !== 'good')) expect(points.some((p) => p.value === b.value && p.ts <= b.ts)).toBe(true);

    const values = points.map((p) => p.value);
    // The kill can land between an append and its stdout line: the first run may end a little later.
    const endOfFirstRun = Math.max(...values.filter((v) => v < SECOND_RUN));
    expect(endOfFirstRun).toBeGreaterThanOrEqual(lastOfFirstRun); // nothing the killed edge took is lost
    expect(endOfFirstRun - lastOfFirstRun).toBeLessThan(5);
    const expected = [
      ...Array.from({ length: endOfFirstRun + 1 }, (_, i) => i),
      ...Array.from({ length: lastOfSecondRun - SECOND_RUN + 1 }, (_, i) => SECOND_RUN + i),
    ];
    const seen = new Map<number, number>();
    for (const p of points) seen.set(p.value, (seen.get(p.value) ?? 0) + 1);
    const dups = points.filter((p) => seen.get(p.value)! > 1);
    expect(dups, `duplicates; edge said: ${edge.logs.join('').slice(-2000)}`).toEqual([]);
    expect(values.length).toBe(expected.length); // exactly once
    expect(values).toEqual(expected); // in order (the history is in timestamp order)
    for (let i = 1; i < points.length; i++) expect(points[i]!.ts).toBeGreaterThan(points[i - 1]!.ts);
    const latest = await getJson(`${platform.httpUrl}/api/v1/latest?tag=${PLATFORM_TAG}`);
    expect(latest.body.points[0].value).toBe(lastOfSecondRun); // the replay did not roll the live value back
    expect(edge.logs.join('')).toMatch(/edge caught up/);
  }, 90_000);
});
