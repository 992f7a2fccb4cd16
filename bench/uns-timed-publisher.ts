/**
 * Held-rate UNS JSON publisher for the live benchmark, run as its own process. Every value it sends
 * is its own send time (epoch ms with a fraction), so a subscriber can compute publish → delivery
 * latency from the value alone. Topics: uns/<tenant>/<site>/area-NN/line-1/m-NN, one batch of
 * --tags values per message, QoS 1 with at most --window unacknowledged. Prints one JSON line, with
 * the PUBACK latency (publish → durable) of messages sent after --skip seconds.
 *   npx tsx bench/uns-timed-publisher.ts --mqtt-url mqtt://127.0.0.1:1883 --rate 10000 --seconds 10
 */
import mqtt from 'mqtt';
import { numFlags } from './lib.js';

// A small window (200 messages = 20,000 points) keeps the broker-side queue short: when ingest cannot keep up the
// publisher falls behind its rate (reported) instead of hiding seconds of queue inside the latency figure.
const f = numFlags({ rate: 10_000, seconds: 10, areas: 10, machines: 10, tags: 100, window: 200, skip: 0 });
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const url = arg('--mqtt-url', 'mqtt://127.0.0.1:1883');
const tenant = arg('--tenant', 'demo');
const site = arg('--site', 'bench-site');

const pad = (n: number): string => String(n).padStart(2, '0');
const topics: string[] = [];
for (let m = 0; m < f.machines; m++) for (let a = 0; a < f.areas; a++) topics.push(`uns/${tenant}/${site}/area-${pad(a)}/line-1/m-${pad(m)}`);
const names = Array.from({ length: f.tags }, (_, i) => `"t${String(i).padStart(3, '0')}":`);

const client = await mqtt.connectAsync(url, { clientId: `live-bench-pub-${process.pid}`, clean: true });
const msgRate = f.rate / f.tags;
let sent = 0;
let acked = 0;
let inflight = 0;
let held = 0;
const ackMs: number[] = [];
const t0 = performance.now();
const end = t0 + f.seconds * 1000;
for (let now = t0; now < end; now = performance.now()) {
  const due = Math.floor(((now - t0) / 1000) * msgRate);
  while (sent < due) {
    if (inflight >= f.window) {
      held++; // the broker is not keeping up: wait for acknowledgements rather than queue
      break;
    }
    const at = performance.timeOrigin + performance.now();
    const payload = `{"ts":${Math.floor(at)},"values":{${names.map((n) => n + at).join(',')}}}`;
    inflight++;
    const measured = now - t0 >= f.skip * 1000;
    client.publish(topics[sent % topics.length]!, payload, { qos: 1 }, () => {
      inflight--;
      acked++;
      // PUBACK comes once the points are durable: publish → durable, the part before the live hub.
      if (measured) ackMs.push(performance.timeOrigin + performance.now() - at);
    });
    sent++;
  }
  await new Promise((r) => setTimeout(r, 1));
}
const seconds = (performance.now() - t0) / 1000;
const drainUntil = Date.now() + 10_000;
while (inflight > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
await client.endAsync();
ackMs.sort((a, b) => a - b);
const q = (x: number): number => Number((ackMs[Math.min(ackMs.length - 1, Math.floor(x * ackMs.length))] ?? Number.NaN).toFixed(1));
process.stdout.write(JSON.stringify({ ackLatencyMs: { p50: q(0.5), p99: q(0.99) }, askedPointsPerSec: f.rate, messages: sent, acked, points: acked * f.tags, seconds: Number(seconds.toFixed(2)), pointsPerSec: Math.round((acked * f.tags) / seconds), heldByWindow: held }) + '\n');
