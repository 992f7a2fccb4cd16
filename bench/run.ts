/**
 * `npm run bench`: runs every benchmark in turn, each in its own process, and prints one JSON
 * array of their results on stdout (progress on stderr). `npm run bench -- --quick` runs smaller
 * sizes for a smoke check; `npm run bench -- ingest query` runs only those.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const QUICK = process.argv.includes('--quick');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const BENCHES: Array<{ name: string; file: string; args: string[]; quick: string[] }> = [
  { name: 'ingest', file: 'bench/ingest-bench.ts', args: ['--seconds', '20'], quick: ['--seconds', '5', '--warmup', '2'] },
  { name: 'query', file: 'bench/query-bench.ts', args: ['--tags', '1000', '--hours', '24'], quick: ['--tags', '100', '--hours', '2', '--queries', '20'] },
  { name: 'memory', file: 'bench/memory-bench.ts', args: ['--tags', '100000'], quick: ['--tags', '10000'] },
  { name: 'live', file: 'bench/live-bench.ts', args: ['--seconds', '10'], quick: ['--seconds', '3', '--warmup', '1', '--clients', '20'] },
  { name: 'trend', file: 'bench/trend-bench.ts', args: ['--days', '30', '--runs', '7'], quick: ['--days', '2', '--runs', '3'] },
  { name: 'auth', file: 'bench/auth-bench.ts', args: ['--seconds', '5'], quick: ['--seconds', '1', '--logins', '5', '--connects', '5'] },
  { name: 'opcua', file: 'bench/opcua-bench.ts', args: [], quick: ['--machines', '10', '--window', '5', '--windows', '1', '--warmup', '2'] },
  { name: 'modbus', file: 'bench/modbus-bench.ts', args: [], quick: ['--devices', '10', '--seconds', '5', '--warmup', '2'] },
  { name: 'rules', file: 'bench/rules-bench.ts', args: ['--seconds', '15', '--rounds', '3'], quick: ['--seconds', '4', '--warmup', '2', '--rounds', '1', '--devices', '10'] },
  { name: 'alarm-latency', file: 'bench/alarm-latency-bench.ts', args: ['--n', '500'], quick: ['--n', '50'] },
  { name: 'edge-replay', file: 'bench/edge-replay-bench.ts', args: ['1000000', '--platform'], quick: ['50000'] },
];

if (!existsSync('dist/cli/main.js')) {
  process.stderr.write('building first (npm run build)\n');
  spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
}

const results: unknown[] = [];
for (const b of BENCHES) {
  if (only.length > 0 && !only.includes(b.name)) continue;
  process.stderr.write(`\n=== ${b.name} (${b.file} ${(QUICK ? b.quick : b.args).join(' ')})\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', b.file, ...(QUICK ? b.quick : b.args)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    // One JSON line, or one pretty-printed JSON document.
    results.push(JSON.parse(line.startsWith('{') ? line : r.stdout.trim()));
  } catch {
    results.push({ benchmark: b.name, error: `exit ${r.status}; no JSON result`, output: line.slice(0, 500) });
  }
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
