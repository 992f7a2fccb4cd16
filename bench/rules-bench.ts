/**
 * What 100,000 threshold rules cost ingest. Two platforms, each in its own process on its own data
 * dir, hold the same 100,000 tags (Sparkplug B: 10 edge nodes × 100 devices × 100 metrics); one
 * has no rules, the other one threshold rule per tag, written straight into its rule store
 * (SqliteRuleStore, the table RuleService loads at start) while it was stopped. The publisher of
 * bench/ingest-bench.ts (sim-publisher.ts: QoS 1, flat out, paced by PUBACKs, its own process)
 * then runs against each platform in turn, alternating, `--rounds` times; each run counts points
 * made durable by the platform (its own counter) after a warm-up. Figures are medians; the drop is
 * 1 − median(with rules) / median(without), measured in the same run.
 *
 * Values are the publisher's random walks (step ±0.5 per update, seeded: the start values are
 * known here). 99% of the rules have limits ~30 away from their tag's start value and stay normal;
 * `--crossPct` % (default 1%) sit 0.5 above (or below) the start value with a 0.3 deadband, so
 * their alarms are raised and cleared again and again while the run lasts (counted from the alarm
 * journal). Every DDATA carries all 100 metrics of a device, so every point meets its rule.
 * Target on a 2-core machine: drop ≤ 20%.
 *   npx tsx bench/rules-bench.ts [--seconds 15] [--warmup 4] [--rounds 3] [--nodes 10] [--devices 100] [--metrics 100] [--crossPct 1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuleDefinition } from '../src/core/rule-port.js';
import { Rng } from '../src/sim/prng.js';
import { SqliteRuleStore } from '../src/store/sqlite/sqlite-rule-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { cpuSeconds, median, numFlags, progress, rssMb, startPlatformProcess, type BenchPlatform } from './lib.js';

const f = numFlags({ seconds: 15, warmup: 4, rounds: 3, nodes: 10, devices: 100, metrics: 100, crossPct: 1, window: 64 });
const TENANT = 'demo';
const GROUP = 'bench';
const pad = (n: number): string => String(n).padStart(3, '0');
const tags = f.nodes * f.devices * f.metrics;

/** The publisher's start values, in its order (node, device, metric): the same seed, the same draws. */
function startValues(): number[] {
  const rng = new Rng(1);
  const out: number[] = [];
  for (let i = 0; i < tags; i++) out.push(Math.round(rng.uniform(0, 100) * 100) / 100);
  return out;
}

/** One threshold rule per tag: most far from the value, `crossPct` % right next to it. */
function rules(): RuleDefinition[] {
  const v0 = startValues();
  const every = Math.max(1, Math.round(100 / f.crossPct));
  const out: RuleDefinition[] = [];
  let i = 0;
  for (let n = 1; n <= f.nodes; n++) {
    for (let d = 1; d <= f.devices; d++) {
      const asset = `${GROUP}/node-${pad(n)}/dev-${pad(d)}`;
      for (let m = 1; m <= f.metrics; m++, i++) {
        const tag = `m_${pad(m)}`;
        const high = i % 2 === 0;
        const gap = i % every === 7 % every ? 0.5 : 30;
        const limit = Math.round((high ? v0[i]! + gap : v0[i]! - gap) * 100) / 100;
        out.push({
          id: `r-${pad(n)}-${pad(d)}-${tag.replace('_', '')}`, tenant: TENANT, name: `${tag} ${high ? 'high' : 'low'}`, asset,
          condition: { kind: 'threshold', tag, op: high ? '>' : '<', limit, deadband: gap < 1 ? 0.3 : 2 },
          onDelayS: 0, offDelayS: 0,
          alarm: { priority: i % 20 === 0 ? 'high' : 'low', message: `${tag} at {${tag}} (limit {limit})` },
          enabled: true, updatedTs: Date.now(), updatedBy: 'rules-bench',
        });
      }
    }
  }
  return out;
}

/** Run the publisher against a platform: births only (`measure` false) or a measured run. */
async function run(platform: BenchPlatform, measure: boolean): Promise<Record<string, number> | undefined> {
  const duration = measure ? f.warmup + f.seconds + 2 : 3;
  const publisher = spawn(process.execPath, ['--import', 'tsx', 'bench/sim-publisher.ts', '--mqtt-url', platform.mqttUrl, '--nodes', String(f.nodes), '--devices', String(f.devices), '--metrics', String(f.metrics), '--rate', '0', '--qos', '1', '--window', String(f.window), '--duration', String(duration), '--group', GROUP, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const done = new Promise<void>((r) => publisher.once('exit', () => r()));
  if (!measure) {
    await done;
    return undefined;
  }
  const pid = platform.child.pid!;
  try {
    await new Promise((r) => setTimeout(r, f.warmup * 1000));
    const h0 = await platform.health();
    const c0 = cpuSeconds(pid);
    const from = Date.now();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, f.seconds * 1000));
    const h1 = await platform.health();
    const c1 = cpuSeconds(pid);
    const to = Date.now();
    const secs = (performance.now() - t0) / 1000;
    const points = h1.ingest.acceptedTotal - h0.ingest.acceptedTotal;
    await done;
    return {
      pointsPerSec: Math.round(points / secs), points,
      cpuSecondsPerMillionPoints: Number(((c1 - c0) / (points / 1e6)).toFixed(2)),
      cpuCores: Number(((c1 - c0) / secs).toFixed(2)), rssMb: Math.round(rssMb(pid)),
      raises: await raises(platform, from, to),
    };
  } finally {
    publisher.kill('SIGKILL');
  }
}

/** Alarm raises journaled in a period (from the ISA-18.2 figures), -1 when the API has none. */
async function raises(platform: BenchPlatform, from: number, to: number): Promise<number> {
  try {
    const res = await fetch(`${platform.httpUrl}/api/v1/alarms/figures?from=${from}&to=${to}`, { headers: platform.auth });
    if (!res.ok) return -1;
    const fig = (await res.json()) as { byPriority: Record<string, number> };
    return Object.values(fig.byPriority).reduce((a, b) => a + b, 0);
  } catch {
    return -1;
  }
}

async function waitForTags(platform: BenchPlatform): Promise<void> {
  for (let i = 0; ; i++) {
    const h = await platform.health();
    if (h.ingest.tags >= tags) return;
    if (i > 300) throw new Error(`only ${h.ingest.tags} of ${tags} tags after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Start a platform again on its data dir with the token it had. (A different LIGHTSOUT_ADMIN_TOKEN
 * is not taken on a restart: the seeded token row keeps its first secret.)
 */
async function restart(dir: string, auth: Record<string, string>): Promise<BenchPlatform> {
  const p = await startPlatformProcess(['--data-dir', dir], { LIGHTSOUT_ADMIN_TOKEN: auth.authorization!.replace(/^Bearer /, '') });
  return { ...p, auth, health: async () => (await fetch(p.httpUrl + '/api/v1/health', { headers: auth })).json() };
}

const dirs = { without: mkdtempSync(join(tmpdir(), 'lightsout-rules-bench-')), with: mkdtempSync(join(tmpdir(), 'lightsout-rules-bench-')) };
const platforms: Partial<Record<'without' | 'with', BenchPlatform>> = {};
try {
  // Both platforms learn the 100,000 tags from the publisher's births.
  for (const k of ['without', 'with'] as const) {
    const p = (platforms[k] = await startPlatformProcess(['--data-dir', dirs[k]]));
    progress(`platform "${k} rules" pid ${p.child.pid}: birthing ${tags.toLocaleString('en')} tags`);
    await run(p, false);
    await waitForTags(p);
  }
  // The rules go into the stopped platform's store; it loads them when it starts again. Both
  // restart, so both start the measured runs in the same state (a historian fresh from its births
  // ingests differently from a reopened one).
  await platforms.without!.stop();
  await platforms.with!.stop();
  const t0 = performance.now();
  const defs = rules();
  const store = new SqliteStore(join(dirs.with, 'metadata.sqlite'));
  await store.open();
  const ruleStore = new SqliteRuleStore(store.connection());
  store.connection().transaction(() => {
    for (const r of defs) void ruleStore.saveRule(r);
  })();
  const stored = (await ruleStore.listRules(TENANT)).length;
  await store.close();
  progress(`${stored.toLocaleString('en')} rules stored in ${((performance.now() - t0) / 1000).toFixed(1)} s; restarting`);
  const t2 = performance.now();
  platforms.without = await restart(dirs.without, platforms.without!.auth);
  const startWithoutS = (performance.now() - t2) / 1000;
  const t1 = performance.now();
  platforms.with = await restart(dirs.with, platforms.with!.auth);
  const startS = (performance.now() - t1) / 1000;
  const rulesApi = await fetch(`${platforms.with.httpUrl}/api/v1/rules?asset=${encodeURIComponent(`${GROUP}/node-001/dev-001`)}`, { headers: platforms.with.auth });
  const loaded = rulesApi.ok ? ((await rulesApi.json()) as { rules?: unknown[] }).rules?.length ?? -1 : -1;
  progress(`platform "with rules" pid ${platforms.with.child.pid} up in ${startS.toFixed(1)} s (rules of one device via the API: ${loaded})`);

  // One run each that is not counted: the first run after a start is slower (JIT, historian warm-up).
  for (const k of ['without', 'with'] as const) progress(`warm-up run, ${k} rules: ${JSON.stringify(await run(platforms[k]!, true))}`);
  const results: Record<'without' | 'with', Array<Record<string, number>>> = { without: [], with: [] };
  for (let r = 0; r < f.rounds; r++) {
    // Alternate which goes first, so a drift of the machine weighs on both alike.
    const order = r % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const);
    for (const k of order) {
      const m = (await run(platforms[k]!, true))!;
      results[k].push(m);
      progress(`round ${r + 1}/${f.rounds}, ${k} rules: ${JSON.stringify(m)}`);
    }
  }
  const med = (k: 'without' | 'with', field: string): number => median(results[k].map((m) => m[field]!));
  const ratio = med('with', 'pointsPerSec') / med('without', 'pointsPerSec');
  const drop = 1 - ratio;
  process.stdout.write(JSON.stringify({
    benchmark: 'rules',
    path: 'Sparkplug B DDATA → embedded broker → durable ingest → rules (threshold, per tag) → alarms',
    tags, rules: stored, crossingRules: Math.ceil(tags * f.crossPct / 100), seconds: f.seconds, rounds: f.rounds,
    restartWithRulesSeconds: Number(startS.toFixed(1)), restartWithoutRulesSeconds: Number(startWithoutS.toFixed(1)),
    without: { medianPointsPerSec: med('without', 'pointsPerSec'), medianCpuSecondsPerMillionPoints: med('without', 'cpuSecondsPerMillionPoints'), runs: results.without },
    with: { medianPointsPerSec: med('with', 'pointsPerSec'), medianCpuSecondsPerMillionPoints: med('with', 'cpuSecondsPerMillionPoints'), medianRaisesPerRun: med('with', 'raises'), runs: results.with },
    ratio: Number(ratio.toFixed(3)),
    // Each round's with/without, then their median: less sensitive to a machine that drifts.
    roundRatios: results.with.map((m, i) => Number((m.pointsPerSec! / results.without[i]!.pointsPerSec!).toFixed(3))),
    medianRoundRatio: Number(median(results.with.map((m, i) => m.pointsPerSec! / results.without[i]!.pointsPerSec!)).toFixed(3)),
    drop: Number(drop.toFixed(3)),
    // CPU per point is steadier than points/s on a shared machine: what the rules cost each point.
    cpuPerPointRatio: Number((med('with', 'cpuSecondsPerMillionPoints') / med('without', 'cpuSecondsPerMillionPoints')).toFixed(3)),
    targetMaxDrop: 0.2,
    meetsTarget: drop <= 0.2,
  }) + '\n');
} finally {
  for (const p of Object.values(platforms)) await p?.stop().catch(() => undefined);
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
}
