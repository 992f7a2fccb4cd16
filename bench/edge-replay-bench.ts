/**
 * Edge replay: fill the store-and-forward buffer with 1,000,000 points offline (100 tags, records
 * of 1,000 points), then connect the edge agent to a Mosquitto of its own and measure how fast the
 * backlog is replayed: read from disk, encoded as historical Sparkplug DDATA, published QoS 1, and
 * acknowledged (the cursor moves only on PUBACK). Prints JSON.
 *
 * With `--platform`, the broker is the embedded one of a platform started in a child process
 * (bench/lib.ts startPlatformProcess): PUBACKs then wait for the platform's ingest, and the bench
 * also times until the historian holds every point of the last tag.
 *
 *   npx tsx bench/edge-replay-bench.ts [points] [--platform]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBuffer } from '../src/edge/disk-buffer.js';
import { EdgeAgent } from '../src/edge/edge-agent.js';
import { parseEdgeConfig } from '../src/edge/edge-config.js';
import { encodeRecord } from '../src/edge/edge-payloads.js';
import { freePort, progress, startPlatformProcess, type BenchPlatform } from './lib.js';

const WITH_PLATFORM = process.argv.includes('--platform');
const TOTAL = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const PER_RECORD = 1000;
const TAGS = 100;

const dir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
const bufferDir = join(dir, 'buffer');

// 1. Fill the buffer offline.
const fillStart = performance.now();
const buffer = DiskBuffer.open({ dir: bufferDir, maxBytes: 4 * 2 ** 30 });
const t0 = Date.now() - 3_600_000;
for (let n = 0; n < TOTAL; n += PER_RECORD) {
  const pts = Array.from({ length: PER_RECORD }, (_, i) => ({ tag: `site/area/line-1/m${(n + i) % TAGS}/value`, ts: t0 + Math.floor((n + i) / TAGS), value: (n + i) * 0.5 }));
  buffer.append(encodeRecord('bench', pts, Date.now()), PER_RECORD);
}
buffer.close();
const fillSeconds = (performance.now() - fillStart) / 1000;
progress(`filled ${TOTAL} points (${(buffer.backlogBytes / 1e6).toFixed(1)} MB) in ${fillSeconds.toFixed(2)} s`);

// 2. A broker of our own, or the platform's embedded one.
let platform: BenchPlatform | undefined;
let mqttUrl: string;
let stopBroker: () => Promise<unknown>;
if (WITH_PLATFORM) {
  platform = await startPlatformProcess();
  mqttUrl = platform.mqttUrl;
  stopBroker = () => platform!.stop();
} else {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\n`);
  const broker = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  mqttUrl = `mqtt://127.0.0.1:${port}`;
  stopBroker = async () => broker.kill('SIGTERM');
}

// 3. Replay.
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const config = parseEdgeConfig({ central: { mqttUrl, groupId: 'bench', edgeNodeId: 'edge-1' }, buffer: { dir: bufferDir, maxMegabytes: 4096 }, connectors: [] });
const agent = new EdgeAgent({ config, createConnector: () => { throw new Error('no connectors'); }, log: silent });
const start = performance.now();
await agent.start();
while (agent.buffer.backlogPoints > 0) await new Promise((r) => setTimeout(r, 5));
const seconds = (performance.now() - start) / 1000;
progress(`replayed and acknowledged in ${seconds.toFixed(2)} s`);
let historianSeconds: number | undefined;
if (platform) {
  // The last tag's points all stored means every earlier message was too (one session, in order).
  const url = `${platform.httpUrl}/api/v1/history?tag=bench/edge-1/bench/site/area/line-1/m${TAGS - 1}/value&from=0&limit=100000`;
  for (;;) {
    const body = (await (await fetch(url, { headers: platform.auth })).json()) as { points?: unknown[] };
    if ((body.points?.length ?? 0) >= TOTAL / TAGS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  historianSeconds = (performance.now() - start) / 1000;
}
await agent.stop();
await stopBroker();

console.log(JSON.stringify({
  bench: 'edge-replay',
  points: TOTAL,
  pointsPerRecord: PER_RECORD,
  bufferMegabytes: Number((TOTAL === 0 ? 0 : agent.buffer.writePos / 1e6).toFixed(1)),
  fillSeconds: Number(fillSeconds.toFixed(2)),
  fillPointsPerSecond: Math.round(TOTAL / fillSeconds),
  replaySeconds: Number(seconds.toFixed(2)),
  replayPointsPerSecond: Math.round(TOTAL / seconds),
  broker: WITH_PLATFORM ? 'platform (embedded broker)' : 'mosquitto',
  ...(historianSeconds !== undefined ? { historianSeconds: Number(historianSeconds.toFixed(2)), historianPointsPerSecond: Math.round(TOTAL / historianSeconds) } : {}),
  messages: agent.counters.messages,
  historicalPointsAcknowledged: agent.counters.historicalPoints,
}, null, 2));
process.exit(0);
