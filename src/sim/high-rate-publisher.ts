/**
 * The high-rate Sparkplug publisher behind bench/sim-publisher.ts: N edge nodes × D devices ×
 * M metrics, born per spec, then DDATA as fast as asked — or flat out, paced only by the
 * broker's PUBACKs (QoS 1) or the socket draining (QoS 0). Values are cheap random walks, not
 * the machine models, so the publisher spends its CPU on MQTT and the benchmark measures the
 * receiver. Memory stays bounded: nothing is queued beyond the in-flight window.
 * @module
 */
import type { TagSpec } from './machine-types.js';
import { Rng } from './prng.js';
import { SILENT_LOG, withTimeout, type SimLog } from './publish-gate.js';
import { SparkplugEdgeNode } from './sparkplug-edge-node.js';

/** Options of {@link runHighRatePublisher}. */
export interface HighRateOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /** Edge nodes (one MQTT connection each). Default 10. */
  nodes?: number;
  /** Devices per node. Default 10. */
  devices?: number;
  /** Metrics per device (Double). Default 50. */
  metrics?: number;
  /** DDATA per device per second; 0 = as fast as the broker takes them. Default 0. */
  rate?: number;
  /** Seconds of publishing after every node is born. Default 10. */
  durationS?: number;
  /** QoS of DDATA. Default 1 (so PUBACKs pace the sender). */
  qos?: 0 | 1;
  /** Unacknowledged QoS 1 messages allowed per node. Default 128. */
  window?: number;
  /** Sparkplug group_id. Default `bench`. */
  group?: string;
  seed?: number | string;
  /** Seconds between progress lines on `log`. Default 2. */
  progressS?: number;
  log?: SimLog;
}

/** Defaults of {@link HighRateOptions}. */
export const HIGH_RATE_DEFAULTS = { nodes: 10, devices: 10, metrics: 50, rate: 0, durationS: 10, qos: 1, window: 128, group: 'bench', seed: 1, progressS: 2 } as const;

/** What the publisher achieved. Counts only acknowledged messages under QoS 1. */
export interface HighRateResult {
  points: number;
  messages: number;
  seconds: number;
  pointsPerSec: number;
  messagesPerSec: number;
  /** Points per second asked for; null when flat out. */
  askedPointsPerSec: number | null;
  nodes: number;
  devices: number;
  metrics: number;
  qos: 0 | 1;
  window: number;
}

const pad = (n: number): string => String(n).padStart(3, '0');

/** Run the publisher for `durationS` seconds and report the achieved rate. */
export async function runHighRatePublisher(opts: HighRateOptions): Promise<HighRateResult> {
  const o = { ...HIGH_RATE_DEFAULTS, ...opts };
  const log = opts.log ?? SILENT_LOG;
  const rng = new Rng(o.seed);
  const tags: TagSpec[] = Array.from({ length: o.metrics }, (_, i) => ({ name: `m_${pad(i + 1)}`, kind: 'double', description: 'benchmark metric' }));
  const nodes: { node: SparkplugEdgeNode; values: number[][] }[] = [];
  for (let n = 0; n < o.nodes; n++) {
    const values = Array.from({ length: o.devices }, () => Array.from({ length: o.metrics }, () => Math.round(rng.uniform(0, 100) * 100) / 100));
    const node = new SparkplugEdgeNode({
      mqttUrl: o.mqttUrl, username: o.username, password: o.password, groupId: o.group, edgeNodeId: `node-${pad(n + 1)}`,
      devices: values.map((v, d) => ({ id: `dev-${pad(d + 1)}`, tags, values: v })),
      qos: o.qos, maxInFlight: o.window, maxBufferBytes: 4 << 20, log,
    });
    nodes.push({ node, values });
  }
  await Promise.all(nodes.map((x) => x.node.start()));
  const t0 = Date.now();
  const until = t0 + o.durationS * 1000;
  const perNodeRate = o.rate * o.devices; // DDATA per second per node
  let stopping = false;

  const pumps = nodes.map(({ node, values }) => {
    let issued = 0;
    let d = 0;
    const pump = (): void => {
      if (stopping) return;
      for (let n = 0; n < 256; n++) {
        if (!node.canPublish()) return node.whenWritable(pump);
        const now = Date.now();
        if (now >= until) return;
        if (perNodeRate > 0) {
          const due = Math.floor(((now - t0) / 1000) * perNodeRate);
          // After a stall, forget debt older than a second instead of bursting to repay it.
          if (due - issued > perNodeRate) issued = due - perNodeRate;
          if (issued >= due) return void setTimeout(pump, Math.max(1, Math.ceil(1000 / perNodeRate)));
        }
        const v = values[d]!;
        for (let i = 0; i < v.length; i++) v[i] = Math.round((v[i]! + rng.next() - 0.5) * 100) / 100;
        node.publishDevice(d, now);
        issued++;
        d = (d + 1) % o.devices;
      }
      setImmediate(pump); // let acks and timers in between bursts
    };
    return pump;
  });
  pumps.forEach((p) => p());

  const sent = (): number => nodes.reduce((s, x) => s + x.node.counters.messages - x.node.inFlight, 0);
  let last = { at: t0, messages: 0 };
  const ticker = setInterval(() => {
    const now = Date.now();
    const m = sent();
    log.info({ pointsPerSec: Math.round(((m - last.messages) * o.metrics * 1000) / (now - last.at)), messages: m }, 'publishing');
    last = { at: now, messages: m };
  }, o.progressS * 1000);

  await new Promise((r) => setTimeout(r, until - Date.now()));
  stopping = true;
  clearInterval(ticker);
  // The run ends when what was sent is acknowledged (QoS 1) or flushed (QoS 0), bounded.
  await withTimeout(
    new Promise<void>((resolve) => {
      const check = (): void => {
        const busy = nodes.some((x) => x.node.inFlight > 0 || x.node.pendingBytes > 0);
        if (!busy || nodes.every((x) => !x.node.online)) resolve();
        else setTimeout(check, 5);
      };
      check();
    }),
    10_000,
  ).catch(() => log.warn({}, 'some messages were still unacknowledged after 10 s'));
  const seconds = (Date.now() - t0) / 1000;
  const messages = sent();
  await Promise.all(nodes.map((x) => x.node.stop()));
  return {
    points: messages * o.metrics,
    messages,
    seconds,
    pointsPerSec: Math.round((messages * o.metrics) / seconds),
    messagesPerSec: Math.round(messages / seconds),
    askedPointsPerSec: o.rate > 0 ? o.rate * o.nodes * o.devices * o.metrics : null,
    nodes: o.nodes,
    devices: o.devices,
    metrics: o.metrics,
    qos: o.qos,
    window: o.window,
  };
}
