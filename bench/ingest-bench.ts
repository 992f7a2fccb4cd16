/**
 * End-to-end ingest: a Sparkplug B publisher in its own process sends DDATA (QoS 1, paced by
 * PUBACKs) over loopback into the embedded broker of a platform running in another process; we
 * count points made durable by the platform (its own counter) and the CPU time each process used.
 * Target on a 2-core machine: ≥ 200,000 points/s.
 *   npx tsx bench/ingest-bench.ts [--seconds 20] [--warmup 4] [--nodes 10] [--devices 10] [--metrics 50]
 */
import { spawn } from 'node:child_process';
import { cpuSeconds, numFlags, progress, rssMb, startPlatformProcess } from './lib.js';

const f = numFlags({ seconds: 20, warmup: 4, nodes: 10, devices: 10, metrics: 50, window: 64 });

const platform = await startPlatformProcess();
const pid = platform.child.pid!;
progress(`platform pid ${pid} at ${platform.httpUrl}; publisher: ${f.nodes} nodes × ${f.devices} devices × ${f.metrics} metrics, QoS 1, flat out`);
const publisher = spawn(process.execPath, ['--import', 'tsx', 'bench/sim-publisher.ts', '--mqtt-url', platform.mqttUrl, '--nodes', String(f.nodes), '--devices', String(f.devices), '--metrics', String(f.metrics), '--rate', '0', '--qos', '1', '--window', String(f.window), '--duration', String(f.warmup + f.seconds + 2), '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
let publisherOut = '';
publisher.stdout.on('data', (d: Buffer) => (publisherOut += d.toString()));
const publisherDone = new Promise<void>((r) => publisher.once('exit', () => r()));

try {
  await new Promise((r) => setTimeout(r, f.warmup * 1000));
  const h0 = await platform.health();
  const c0 = cpuSeconds(pid);
  const pc0 = cpuSeconds(publisher.pid!);
  const t0 = performance.now();
  const perSecond: number[] = [];
  let last = h0.ingest.acceptedTotal as number;
  for (let s = 0; s < f.seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const h = await platform.health();
    perSecond.push(h.ingest.acceptedTotal - last);
    last = h.ingest.acceptedTotal;
    if ((s + 1) % 5 === 0) progress(`${s + 1}/${f.seconds} s: ${Math.round(perSecond.slice(-5).reduce((a, b) => a + b, 0) / 5).toLocaleString('en')} points/s durable, queue ${h.ingest.queuedPoints}, RSS ${rssMb(pid).toFixed(0)} MB`);
  }
  const h1 = await platform.health();
  const c1 = cpuSeconds(pid);
  const pc1 = cpuSeconds(publisher.pid!);
  const seconds = (performance.now() - t0) / 1000;
  const points = h1.ingest.acceptedTotal - h0.ingest.acceptedTotal;
  await publisherDone;
  const sorted = [...perSecond].sort((a, b) => a - b);
  const result = {
    benchmark: 'ingest-e2e',
    path: 'Sparkplug B DDATA → embedded broker → decode → validate → registry → DuckDB (durable) → PUBACK',
    seconds: Number(seconds.toFixed(2)),
    points,
    pointsPerSec: Math.round(points / seconds),
    medianPointsPerSecond: sorted[sorted.length >> 1],
    platformCpuSecondsPerMillionPoints: Number(((c1 - c0) / (points / 1e6)).toFixed(2)),
    platformCpuCoresUsed: Number(((c1 - c0) / seconds).toFixed(2)),
    publisherCpuCoresUsed: Number(((pc1 - pc0) / seconds).toFixed(2)),
    platformRssMb: Math.round(rssMb(pid)),
    rejected: h1.rejected.total,
    storageErrors: h1.ingest.storageErrors,
    targetPointsPerSec: 200_000,
    meetsTarget: points / seconds >= 200_000,
    publisher: publisherOut.trim() ? JSON.parse(publisherOut.trim().split('\n').pop()!) : null,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  publisher.kill('SIGKILL');
  await platform.stop();
}
