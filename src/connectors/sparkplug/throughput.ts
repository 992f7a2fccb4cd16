/**
 * Measures Sparkplug codec and host throughput on this machine, for bench/ and for checking a
 * change to the hot path. Run it directly: `npx tsx src/connectors/sparkplug/throughput.ts`
 * (prints JSON). Not a timed test: figures depend on the machine and its load.
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { Point } from '../../core/point.js';
import { DataType, decodePayload, encodePayload, metricToValue } from './codec.js';
import type { SpPayload } from './codec.js';
import { SparkplugHost } from './host.js';
import { pathMapping } from './mapping.js';

/** Throughput figures, in metrics per second. */
export interface SparkplugThroughput {
  metricsPerPayload: number;
  payloadBytes: number;
  encodeMetricsPerSec: number;
  decodeMetricsPerSec: number;
  decodeToValueMetricsPerSec: number;
  hostMetricsPerSec: number;
}

function rate(metricsPerCall: number, ms: number, fn: (i: number) => void): number {
  for (let i = 0; i < 2000; i++) fn(i); // warm up the JIT
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let j = 0; j < 500; j++) fn(calls++);
    elapsed = performance.now() - start;
  }
  return Math.round((calls * metricsPerCall) / (elapsed / 1000));
}

/**
 * DDATA-shaped payloads of `metricsPerPayload` Double metrics sent by alias, as an edge node
 * publishes them; each stage runs for about `msPerStage` milliseconds.
 */
export function measureSparkplugThroughput(metricsPerPayload = 50, msPerStage = 1000): SparkplugThroughput {
  const now = Date.now();
  const payloads: SpPayload[] = Array.from({ length: 256 }, (_, seq) => ({
    timestamp: now + seq,
    seq,
    metrics: Array.from({ length: metricsPerPayload }, (_, i) => ({ alias: i + 1, timestamp: now + seq, value: Math.random() * 1000 })),
  }));
  const bytes = payloads.map((p) => Buffer.from(encodePayload(p)));
  let sink = 0;
  const encode = rate(metricsPerPayload, msPerStage, (i) => {
    sink += encodePayload(payloads[i & 255]!).length;
  });
  const decode = rate(metricsPerPayload, msPerStage, (i) => {
    sink += decodePayload(bytes[i & 255]!).metrics.length;
  });
  const toValue = rate(metricsPerPayload, msPerStage, (i) => {
    for (const m of decodePayload(bytes[i & 255]!).metrics) sink += metricToValue(m).value as number;
  });

  let emitted = 0;
  const host = new SparkplugHost({
    hostId: 'bench',
    mapping: pathMapping(),
    publish: () => undefined,
    emit: (points: Point[]) => {
      emitted += points.length;
    },
    onReject: (reason) => {
      throw new Error(`unexpected reject: ${reason}`);
    },
  });
  const topic = 'spBv1.0/bench:area/NDATA/line-1';
  const birth: SpPayload = {
    timestamp: now,
    seq: 255,
    metrics: [
      { name: 'bdSeq', datatype: DataType.Int64, value: 0n },
      ...Array.from({ length: metricsPerPayload }, (_, i) => ({ name: `m${i + 1}`, alias: i + 1, datatype: DataType.Double, value: 0 })),
    ],
  };
  host.handle('spBv1.0/bench:area/NBIRTH/line-1', encodePayload(birth));
  const hostRate = rate(metricsPerPayload, msPerStage, (i) => host.handle(topic, bytes[i & 255]!));
  host.stop();
  if (sink === -1 || emitted === 0) throw new Error('benchmark did no work');
  return {
    metricsPerPayload,
    payloadBytes: bytes[0]!.length,
    encodeMetricsPerSec: encode,
    decodeMetricsPerSec: decode,
    decodeToValueMetricsPerSec: toValue,
    hostMetricsPerSec: hostRate,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(measureSparkplugThroughput(Number(process.argv[2] ?? 50))));
}
