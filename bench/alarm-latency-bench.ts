/**
 * Alarm raise latency: from a value sent to a platform (its own process) to the alarm's message on
 * the WebSocket /api/v1/alarms/live. 2 × `--n` threshold rules (created through POST /api/v1/rules
 * on as many machines, each on its own `temp` tag, limit 80) are raised one at a time, `--gap` ms
 * apart: half by POST /api/v1/ingest (one point per request), half by an MQTT publish of a UNS
 * JSON value (QoS 1) to the embedded broker. Latency = arrival of `{type: 'alarm'}` with the
 * alarm `unacknowledged` − the moment the value was handed to fetch / MQTT.js; both ends in this
 * process, so one clock. The path includes durable ingest, rule evaluation, the alarm's durable
 * commit (the journal) and the WebSocket send. `--load` adds a held-rate UNS publisher
 * (bench/uns-timed-publisher.ts, its own process) on 10,000 other tags meanwhile.
 * Target: p99 ≤ 100 ms.
 *   npx tsx bench/alarm-latency-bench.ts [--n 500] [--gap 20] [--load 0]
 */
import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { numFlags, progress, startPlatformProcess, type BenchPlatform } from './lib.js';

const f = numFlags({ n: 500, gap: 20, load: 0, concurrency: 8 });
const TENANT = 'demo';
const SITE = 'alarm-lat';
const pad = (n: number): string => String(n).padStart(4, '0');
const asset = (via: string, i: number): string => `${SITE}/${via}/m-${pad(i)}`;
const ruleId = (via: string, i: number): string => `lat-${via}-${pad(i)}`;
const now = (): number => performance.timeOrigin + performance.now();

function pct(sorted: number[], q: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN).toFixed(1));
}

async function api(platform: BenchPlatform, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(platform.httpUrl + path, { method, headers: { ...platform.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Run `fn` over items with at most `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const platform = await startPlatformProcess();
let load: ReturnType<typeof spawn> | undefined;
try {
  // Tags first (one request), then one rule per machine through the API.
  const vias = ['http', 'mqtt'] as const;
  const all = vias.flatMap((via) => Array.from({ length: f.n }, (_, i) => ({ via, i })));
  await api(platform, 'POST', '/api/v1/ingest', { points: all.map(({ via, i }) => ({ tag: `${asset(via, i)}/temp`, value: 20 })) });
  const t0 = performance.now();
  await pool(all, f.concurrency, async ({ via, i }) => {
    await api(platform, 'POST', '/api/v1/rules', {
      id: ruleId(via, i), asset: asset(via, i), name: `Temperature high (${via} ${i})`, enabled: true,
      condition: { kind: 'threshold', tag: 'temp', op: '>', limit: 80, deadband: 2 },
      alarm: { priority: 'high', message: 'Temperature {temp} over {limit}' },
    });
  });
  progress(`${all.length} rules created through the API in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // The console's view: every alarm change the admin may see.
  const sent = new Map<string, number>();
  const latencies: Record<string, number[]> = { http: [], mqtt: [] };
  // The part before the rules: the ingest acknowledgement (HTTP answer / PUBACK), sent once durable.
  const acks: Record<string, number[]> = { http: [], mqtt: [] };
  let frames = 0;
  const ws = new WebSocket(platform.httpUrl.replace('http', 'ws') + '/api/v1/alarms/live', { headers: platform.auth });
  const first = new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const at = now();
      const m = JSON.parse(data.toString()) as { type: string; alarm?: { id: string; state: string } };
      if (m.type === 'alarms') resolve();
      if (m.type !== 'alarm') return;
      frames++;
      const a = m.alarm!;
      const t = sent.get(a.id);
      if (t === undefined || a.state !== 'unacknowledged') return;
      sent.delete(a.id);
      latencies[a.id.startsWith('lat-http') ? 'http' : 'mqtt']!.push(at - t);
    });
  });
  await first;
  const client = await mqtt.connectAsync(platform.mqttUrl, { clientId: `alarm-lat-${process.pid}`, clean: true });
  if (f.load > 0) {
    load = spawn(process.execPath, ['--import', 'tsx', 'bench/uns-timed-publisher.ts', '--mqtt-url', platform.mqttUrl, '--rate', String(f.load), '--seconds', '3600', '--site', 'alarm-load'], { stdio: ['ignore', 'ignore', 'inherit'] });
    await new Promise((r) => setTimeout(r, 3000));
    progress(`background load ${f.load.toLocaleString('en')} points/s on 10,000 other tags`);
  }

  for (const via of vias) {
    progress(`raising ${f.n} alarms through ${via}, one every ${f.gap} ms`);
    for (let i = 0; i < f.n; i++) {
      const id = ruleId(via, i);
      const t = now();
      sent.set(id, t);
      if (via === 'http') {
        void api(platform, 'POST', '/api/v1/ingest', { points: [{ tag: `${asset(via, i)}/temp`, value: 90 }] }).then(() => acks.http!.push(now() - t), (err: Error) => progress(err.message));
      } else {
        client.publish(`uns/${TENANT}/${asset(via, i)}/temp`, '90', { qos: 1 }, (err) => void (err ? progress(err.message) : acks.mqtt!.push(now() - t)));
      }
      await new Promise((r) => setTimeout(r, f.gap));
    }
    for (let waited = 0; [...sent.keys()].some((k) => k.startsWith(`lat-${via}`)) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  }
  const missing = sent.size;
  await client.endAsync();
  ws.close();
  const figures = (xs: number[]): Record<string, number> => {
    const s = [...xs].sort((a, b) => a - b);
    return { samples: s.length, p50: pct(s, 0.5), p95: pct(s, 0.95), p99: pct(s, 0.99), max: pct(s, 1) };
  };
  const both = figures([...latencies.http!, ...latencies.mqtt!]);
  process.stdout.write(JSON.stringify({
    benchmark: 'alarm-latency',
    path: 'value (HTTP ingest | UNS MQTT QoS 1) → durable ingest → rule → alarm commit → WebSocket /api/v1/alarms/live',
    rules: all.length, gapMs: f.gap, backgroundLoadPointsPerSec: f.load,
    latencyMs: { all: both, http: figures(latencies.http!), mqtt: figures(latencies.mqtt!) },
    ingestAckMs: { http: figures(acks.http!), mqtt: figures(acks.mqtt!) },
    missing, frames,
    targetP99Ms: 100,
    meetsTarget: missing === 0 && both.p99! <= 100,
  }) + '\n');
} finally {
  load?.kill('SIGKILL');
  await platform.stop();
}
