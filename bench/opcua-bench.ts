/**
 * OPC UA connector cost: 10,000 monitored items at 1 s sampling. The server (the virtual
 * factory's OpcUaMachineServer: 100 machines × 100 Double variables, every value changed once a
 * second) runs in a child process, so its CPU is its own and reported apart; this process runs
 * one OpcUaConnector whose points go to a counter (the connector's own cost, not ingest's).
 * Figures: time to subscribe every item (browse rules expanded, nodes checked, items created),
 * CPU % of one core from process.cpuUsage() per window (median), RSS and heap, points/s.
 *   npx tsx bench/opcua-bench.ts [--machines 100] [--tags 100] [--window 30] [--windows 3] [--warmup 5] [--encrypt 1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, setLogLevel } from 'node-opcua';
import { OpcUaConnector } from '../src/connectors/opcua/opcua-connector.js';
import { OpcUaMachineServer, type OpcUaSimMachine } from '../src/sim/opcua-server.js';
import type { TagSpec } from '../src/sim/machine-types.js';
import { cpuSeconds, median, numFlags, progress } from './lib.js';

setLogLevel(LogLevel.Emergency);
const f = numFlags({ machines: 100, tags: 100, window: 30, windows: 3, warmup: 5, encrypt: 1, interval: 1000 });

function machines(): OpcUaSimMachine[] {
  const tags: TagSpec[] = Array.from({ length: f.tags }, (_, i) => ({ name: `v${String(i).padStart(3, '0')}`, kind: 'double', description: 'bench value' }));
  return Array.from({ length: f.machines }, (_, m) => ({
    assetPath: `bench/opcua/line-${String(Math.floor(m / 10)).padStart(2, '0')}/m-${String(m).padStart(3, '0')}`,
    id: `m-${m}`, tags, values: tags.map(() => Math.random() * 100), methods: [], onCommand: () => true,
  }));
}

if (process.argv.includes('--serve')) {
  // Child: the server. History off: its memory is not what this bench measures.
  const ms = machines();
  const server = new OpcUaMachineServer({ port: 0, machines: ms, historyValues: 0 });
  await server.start();
  setInterval(() => {
    const ts = Date.now();
    ms.forEach((m, i) => {
      const v = m.values as number[];
      for (let k = 0; k < v.length; k++) v[k] = v[k]! + (Math.random() - 0.5);
      server.update(i, ts);
    });
  }, f.interval);
  process.stdout.write(JSON.stringify({ port: server.endpointUrl, settings: server.connectorSettings() }) + '\n');
} else {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/opcua-bench.ts', '--serve', '--machines', String(f.machines), '--tags', String(f.tags), '--interval', String(f.interval)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tServer = performance.now();
  const hello = await new Promise<{ settings: ReturnType<OpcUaMachineServer['connectorSettings']> }>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const serverStartMs = Math.round(performance.now() - tServer);
  progress(`server (pid ${child.pid}) up in ${serverStartMs} ms with ${f.machines * f.tags} variables`);
  let points = 0;
  let bad = 0;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const settings = { ...hello.settings, securityMode: f.encrypt ? 'SignAndEncrypt' as const : 'None' as const, allowInsecure: !f.encrypt, samplingIntervalMs: 1000, publishingIntervalMs: 1000, timeoutMs: 30_000 };
  const c = new OpcUaConnector({ id: 'bench', settings }, {
    emit: (p) => { points += p.length; for (const x of p) if (x.quality !== 'good') bad++; },
    log: silent, dataDir: mkdtempSync(join(tmpdir(), 'opcua-bench-')),
  });
  const wait = async (ok: () => boolean, ms: number, what: string) => {
    const until = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > until) throw new Error(`timed out: ${what} (${JSON.stringify(c.status())})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await c.start();
    if (f.encrypt) {
      await wait(() => c.status().state === 'reconnecting', 30_000, 'the server certificate refused');
      await c.trustServerCertificate();
    }
    const t0 = performance.now();
    await wait(() => c.status().state === 'connected', 300_000, 'connected');
    const subscribeMs = Math.round(performance.now() - t0);
    progress(`${c.tags().length} items subscribed in ${subscribeMs} ms; warming up ${f.warmup} s`);
    await new Promise((r) => setTimeout(r, f.warmup * 1000));
    const cpu: number[] = [];
    const rate: number[] = [];
    const serverCpu: number[] = [];
    let rssMax = 0;
    let heapMax = 0;
    for (let w = 0; w < f.windows; w++) {
      const u0 = process.cpuUsage();
      const s0 = cpuSeconds(child.pid!);
      const p0 = points;
      const t1 = performance.now();
      const sampler = setInterval(() => {
        const mu = process.memoryUsage();
        rssMax = Math.max(rssMax, mu.rss);
        heapMax = Math.max(heapMax, mu.heapUsed);
      }, 1000);
      await new Promise((r) => setTimeout(r, f.window * 1000));
      clearInterval(sampler);
      const secs = (performance.now() - t1) / 1000;
      const u = process.cpuUsage(u0);
      cpu.push((100 * (u.user + u.system)) / 1e6 / secs);
      serverCpu.push((100 * (cpuSeconds(child.pid!) - s0)) / secs);
      rate.push((points - p0) / secs);
      progress(`window ${w + 1}/${f.windows}: connector CPU ${cpu.at(-1)!.toFixed(1)}%, ${Math.round(rate.at(-1)!)} points/s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB; server CPU ${serverCpu.at(-1)!.toFixed(1)}%`);
    }
    const mu = process.memoryUsage();
    process.stdout.write(JSON.stringify({
      benchmark: 'opcua',
      items: c.tags().length,
      security: settings.securityMode,
      samplingMs: 1000,
      serverStartMs,
      subscribeMs,
      windowS: f.window,
      connectorCpuPctMedian: Number(median(cpu).toFixed(1)),
      connectorCpuPct: cpu.map((x) => Number(x.toFixed(1))),
      pointsPerSecondMedian: Math.round(median(rate)),
      badPoints: bad,
      rssMb: Math.round(mu.rss / 2 ** 20),
      rssMaxMb: Math.round(rssMax / 2 ** 20),
      heapUsedMb: Math.round(mu.heapUsed / 2 ** 20),
      heapUsedMaxMb: Math.round(heapMax / 2 ** 20),
      serverCpuPctMedian: Number(median(serverCpu).toFixed(1)),
      status: c.status().state,
      counters: c.counters(),
    }) + '\n');
  } finally {
    await c.stop();
    child.kill();
  }
}
