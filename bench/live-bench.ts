/**
 * Live hub end to end: a held-rate UNS JSON publisher (own process, uns-timed-publisher.ts) →
 * embedded broker → durable ingest → live hub → WebSocket → 100 clients in this process. Each value
 * is its publish time, so a client's latency is (frame arrival − value): publish → WebSocket frame,
 * including the durable write. Each rate runs twice, without and with the clients, to show what
 * the fan-out costs ingest. Tags: 10 areas × 10 machines × 100 tags; client i watches
 * `bench-site/area-(i mod 10)/#` (1,000 tags) at maxRate 50, the most a client may ask for.
 * The publisher also reports its PUBACK latency (publish → durable), the part before the hub.
 * Targets: p99 ≤ 50 ms at 10,000 points/s; ingest with clients within 10% of without.
 *   npx tsx bench/live-bench.ts [--seconds 10] [--warmup 3] [--clients 100] [--low 10000] [--high 100000]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { cpuSeconds, numFlags, progress, startPlatformProcess, type BenchPlatform } from './lib.js';

const f = numFlags({ seconds: 10, warmup: 3, clients: 100, maxRate: 50, low: 10_000, high: 100_000, areas: 10 });
const SITE = 'bench-site';

/** Latency histogram in 0.1 ms steps up to 10 s. */
class Histogram {
  private readonly counts = new Uint32Array(100_001);
  n = 0;
  max = 0;
  add(ms: number): void {
    this.counts[Math.min(100_000, Math.max(0, Math.round(ms * 10)))]!++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }
  pct(q: number): number {
    let seen = 0;
    const want = Math.ceil(q * this.n);
    for (let i = 0; i < this.counts.length; i++) if ((seen += this.counts[i]!) >= want) return i / 10;
    return Number.NaN;
  }
}

/** CPU seconds of a process's main thread (its JavaScript event loop), from /proc. */
function mainThreadCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const stats = { recording: false, hist: new Histogram(), points: 0, messages: 0, coalesced: 0, snapshots: 0, errors: 0 };

function openClient(platform: BenchPlatform, i: number): Promise<WebSocket> {
  const ws = new WebSocket(platform.httpUrl.replace('http', 'ws') + '/api/v1/live', { headers: platform.auth });
  ws.on('message', (data) => {
    const at = performance.timeOrigin + performance.now();
    const m = JSON.parse(data.toString()) as { type: string; points?: Array<{ value: number }>; coalesced?: boolean };
    if (m.type === 'snapshot') stats.snapshots++;
    else if (m.type === 'error') stats.errors++;
    if (m.type !== 'delta' || !stats.recording) return;
    stats.messages++;
    if (m.coalesced) stats.coalesced++;
    for (const p of m.points!) {
      stats.hist.add(at - p.value);
      stats.points++;
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', patterns: [`${SITE}/area-${String(i % f.areas).padStart(2, '0')}/#`], maxRate: f.maxRate }));
      resolve(ws);
    });
  });
}

function publish(platform: BenchPlatform, rate: number, seconds: number, skip = 0): Promise<any> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/uns-timed-publisher.ts', '--mqtt-url', platform.mqttUrl, '--rate', String(rate), '--seconds', String(seconds), '--areas', String(f.areas), '--skip', String(skip)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', () => resolve(out.trim() ? JSON.parse(out.trim().split('\n').pop()!) : null)));
}

/** One phase: publish at `rate`, measure durable ingest and platform CPU after the warm-up. */
async function phase(platform: BenchPlatform, rate: number, withClients: boolean): Promise<Record<string, unknown>> {
  const pid = platform.child.pid!;
  const snapshotsWanted = stats.snapshots + (withClients ? f.clients : 0); // counted before opening: early ones count too
  const clients = withClients ? await Promise.all(Array.from({ length: f.clients }, (_, i) => openClient(platform, i))) : [];
  for (let waited = 0; stats.snapshots < snapshotsWanted; waited += 20) {
    if (waited > 10_000) throw new Error(`only ${stats.snapshots - snapshotsWanted + clients.length} of ${clients.length} snapshots arrived (errors: ${stats.errors})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const pub = publish(platform, rate, f.warmup + f.seconds + 1, f.warmup);
  await new Promise((r) => setTimeout(r, f.warmup * 1000));
  Object.assign(stats, { recording: true, hist: new Histogram(), points: 0, messages: 0, coalesced: 0 });
  const h0 = await platform.health();
  const c0 = cpuSeconds(pid);
  const m0 = mainThreadCpuSeconds(pid);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, f.seconds * 1000));
  const h1 = await platform.health();
  const c1 = cpuSeconds(pid);
  const m1 = mainThreadCpuSeconds(pid);
  const own1 = process.cpuUsage(own0);
  const secs = (performance.now() - t0) / 1000;
  stats.recording = false;
  const publisher = await pub;
  for (const ws of clients) ws.close();
  const ingest = Math.round((h1.ingest.acceptedTotal - h0.ingest.acceptedTotal) / secs);
  const r: Record<string, unknown> = {
    clients: clients.length, ingestPointsPerSec: ingest, platformCpuCores: Number(((c1 - c0) / secs).toFixed(2)),
    platformMainThreadCores: Number(((m1 - m0) / secs).toFixed(2)),
    queuedPointsAtEnd: h1.ingest.queuedPoints, publisherPointsPerSec: publisher?.pointsPerSec ?? null,
    pubackLatencyMs: publisher?.ackLatencyMs ?? null,
  };
  if (withClients) {
    const h = stats.hist;
    Object.assign(r, {
      latencyMs: { p50: h.pct(0.5), p90: h.pct(0.9), p99: h.pct(0.99), max: Number(h.max.toFixed(1)), samples: h.n },
      deliveredPointsPerSec: Math.round(stats.points / secs), deltasPerSec: Math.round(stats.messages / secs),
      coalescedDeltas: stats.coalesced, clientErrors: stats.errors,
      benchCpuCores: Number(((own1.user + own1.system) / 1e6 / secs).toFixed(2)),
      live: h1.live,
    });
  }
  progress(`${rate.toLocaleString('en')} points/s ${withClients ? `with ${clients.length} clients` : 'without clients'}: ${JSON.stringify(r)}`);
  await new Promise((r) => setTimeout(r, 2000)); // let the sessions expire and the queue drain
  return r;
}

// Closed sessions are kept for a resume and keep collecting changes; a short grace keeps one
// phase's clients from weighing on the next phase's "without clients" figure.
const platform = await startPlatformProcess([], { LIGHTSOUT_LIVE_RESUME_GRACE_MS: '500' });
try {
  progress(`platform pid ${platform.child.pid} at ${platform.httpUrl}; creating ${f.areas * 1000} tags`);
  await publish(platform, 10_000, 2);
  const rates: Record<string, unknown>[] = [];
  for (const rate of [f.low, f.high]) {
    const without = await phase(platform, rate, false);
    const withClients = await phase(platform, rate, true);
    rates.push({
      askedPointsPerSec: rate, without, with: withClients,
      ingestRatioWithClients: Number(((withClients.ingestPointsPerSec as number) / (without.ingestPointsPerSec as number)).toFixed(3)),
    });
  }
  const low = rates[0]!;
  const p99Low = ((low.with as any).latencyMs.p99 as number);
  process.stdout.write(JSON.stringify({
    benchmark: 'live',
    path: 'UNS JSON (QoS 1) → embedded broker → durable ingest → live hub → WebSocket frame',
    clients: f.clients, subscription: `${SITE}/area-NN/# per client (${f.clients / f.areas} clients per area, 1,000 tags each)`,
    maxRate: f.maxRate, leadingEdgeFlush: true, tags: f.areas * 1000, seconds: f.seconds,
    rates,
    targets: { p99MsAt10k: 50, ingestRatioMin: 0.9 },
    meetsTargets: p99Low <= 50 && rates.every((r) => (r.ingestRatioWithClients as number) >= 0.9),
  }) + '\n');
} finally {
  await platform.stop();
}
