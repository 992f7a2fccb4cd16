/**
 * Memory with many live tags: the platform process's RSS (the highest over 40 s of quiet after the
 * load) once 100,000 tags (by default) have been created and updated 10 times over UNS JSON.
 * Target: ≤ 400 MB.
 *   npx tsx bench/memory-bench.ts [--tags 100000] [--rounds 10]
 */
import mqtt from 'mqtt';
import { numFlags, progress, rssMb, startPlatformProcess } from './lib.js';

const { tags, rounds } = numFlags({ tags: 100_000, rounds: 10 });
const PER_MACHINE = 100;

const platform = await startPlatformProcess([], process.env.BENCH_ENV ? JSON.parse(process.env.BENCH_ENV) : {});
const pid = platform.child.pid!;
const rssIdle = rssMb(pid);
try {
  const client = await mqtt.connectAsync(platform.mqttUrl, { clientId: 'memory-bench' });
  const machines = Math.ceil(tags / PER_MACHINE);
  let sent = 0;
  for (let r = 0; r < rounds; r++) {
    const ts = Date.now() - (rounds - r) * 1000;
    const inflight: Promise<unknown>[] = [];
    for (let m = 0; m < machines; m++) {
      const values: Record<string, number> = {};
      for (let t = 0; t < PER_MACHINE && m * PER_MACHINE + t < tags; t++) values[`tag_${t}`] = Math.round(Math.random() * 1000) / 10;
      const site = `site-${m % 10}`;
      inflight.push(client.publishAsync(`uns/demo/${site}/area-${m % 7}/line-${m % 13}/machine-${m}`, JSON.stringify({ ts, values }), { qos: 1 }));
      sent += Object.keys(values).length;
      if (inflight.length >= 64) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
    progress(`round ${r + 1}/${rounds}: ${sent} points acknowledged, RSS ${rssMb(pid).toFixed(0)} MB`);
  }
  await client.endAsync();
  const samples: number[] = [];
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rssMb(pid));
    if (i % 5 === 4) progress(`idle ${i + 1} s: RSS ${samples[samples.length - 1]!.toFixed(0)} MB`);
  }
  const health = await platform.health();
  const result = {
    benchmark: 'memory',
    liveTags: health.ingest.tags,
    pointsStored: health.ingest.acceptedTotal,
    rssIdleMb: Math.round(rssIdle),
    rssMb: Math.round(Math.max(...samples)),
    rssSettledMb: Math.round(samples[samples.length - 1]!),
    targetMb: 400,
    meetsTarget: Math.max(...samples) <= 400,
    heapUsedAtEndMb: Math.round(health.process.heapUsedBytes / 1048576),
    externalMb: Math.round(health.process.externalBytes / 1048576),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await platform.stop();
}
