/**
 * Modbus TCP polling cost: 100 devices × 100 registers at 1 Hz. The devices (one modbus-serial
 * ServerTCP answering unit ids 1..N, values changing every second) run in a child process so
 * their CPU is not counted; the bench process runs N ModbusConnector instances, each with its own
 * TCP connection, and counts the points they hand on (no ingest behind them: this is the
 * connector's own cost). CPU % of one core from process.cpuUsage() over 1 s windows (median, p90),
 * RSS, points/s delivered.
 *   npx tsx bench/modbus-bench.ts [--devices 100] [--tags 100] [--interval 1000] [--seconds 20] [--warmup 5]
 * Tags alternate float32 (2 registers) and uint16 (1), so 100 tags span 150 registers: two FC3
 * requests per device and poll (125 registers at most per request).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import modbusSerial from 'modbus-serial';
import { ModbusConnector } from '../src/connectors/modbus/modbus-connector.js';
import type { ModbusRegisterMapping } from '../src/core/connector-settings.js';
import { cpuSeconds, freePort, median, numFlags, progress } from './lib.js';

const f = numFlags({ devices: 100, tags: 100, interval: 1000, seconds: 20, warmup: 5, port: 0 });

/** Child: the device side. Register r of unit u holds a value that changes every second. */
async function deviceSide(port: number): Promise<void> {
  const words = (addr: number, length: number, unit: number): number[] => {
    const t = Math.floor(Date.now() / 1000);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = (t * 7 + unit * 131 + (addr + i) * 17) & 0x3fff; // keeps float32 high words finite
    return out;
  };
  const server = new modbusSerial.ServerTCP(
    { getHoldingRegister: (addr: number, unit: number) => words(addr, 1, unit)[0]!, getMultipleHoldingRegisters: words },
    { host: '127.0.0.1', port },
  );
  server.on('socketError', () => undefined);
  await new Promise((r) => server.once('initialized', r));
  process.stdout.write('ready\n');
}

if (process.argv.includes('--device-side')) {
  await deviceSide(f.port);
} else {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--device-side', '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`device side exited ${code}`)));
  });
  const registers: ModbusRegisterMapping[] = [];
  let address = 0;
  for (let i = 0; i < f.tags; i++) {
    const float = i % 2 === 0;
    registers.push({ tag: `bench/modbus/line/dev/t${i}`, area: 'holding-register', address, type: float ? 'float32' : 'uint16' });
    address += float ? 2 : 1;
  }
  let delivered = 0;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const connectors = Array.from({ length: f.devices }, (_, d) => {
    const regs = registers.map((r) => ({ ...r, tag: r.tag.replace('/dev/', `/dev-${d}/`) }));
    return new ModbusConnector(
      { id: `dev-${d}`, settings: { host: '127.0.0.1', port, unitId: (d % 247) + 1, timeoutMs: 2000, groups: [{ name: 'all', intervalMs: f.interval, registers: regs }] } },
      { emit: (pts) => void (delivered += pts.length), log: silent, dataDir: '/nonexistent' },
    );
  });
  const requestsPerPoll = connectors[0]!.plans().all!.length;
  progress(`device side pid ${child.pid} on port ${port}; ${f.devices} connectors × ${f.tags} tags (${address} registers, ${requestsPerPoll} requests per poll) every ${f.interval} ms`);
  // Start them spread over one interval, as devices added over time would be.
  for (const [i, c] of connectors.entries()) {
    setTimeout(() => void c.start(), Math.floor((i * f.interval) / f.devices));
  }
  try {
    await new Promise((r) => setTimeout(r, f.warmup * 1000));
    const connected = connectors.filter((c) => c.status().state === 'connected').length;
    const p0 = delivered;
    const d0 = cpuSeconds(child.pid!);
    const t0 = performance.now();
    const windows: number[] = [];
    const rss: number[] = [];
    let u = process.cpuUsage();
    let tw = performance.now();
    for (let s = 0; s < f.seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      const du = process.cpuUsage(u);
      const now = performance.now();
      windows.push(((du.user + du.system) / 1000 / (now - tw)) * 100);
      rss.push(process.memoryUsage().rss / 1024 / 1024);
      u = process.cpuUsage();
      tw = now;
      if ((s + 1) % 5 === 0) progress(`${s + 1}/${f.seconds} s: CPU ${windows.at(-1)!.toFixed(1)}% of a core, RSS ${rss.at(-1)!.toFixed(0)} MB, ${delivered - p0} points so far`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const points = delivered - p0;
    const sorted = [...windows].sort((a, b) => a - b);
    const states: Record<string, number> = {};
    for (const c of connectors) states[c.status().state] = (states[c.status().state] ?? 0) + 1;
    const errors = connectors.reduce((n, c) => n + c.counters().errors, 0);
    const result = {
      benchmark: 'modbus-poll',
      devices: f.devices,
      tagsPerDevice: f.tags,
      registersPerDevice: address,
      requestsPerPoll,
      intervalMs: f.interval,
      seconds: Number(seconds.toFixed(2)),
      connectedAtStart: connected,
      states,
      errors,
      pointsPerSec: Math.round(points / seconds),
      expectedPointsPerSec: Math.round((f.devices * f.tags * 1000) / f.interval),
      requestsPerSec: Math.round((f.devices * requestsPerPoll * 1000) / f.interval),
      connectorCpuPctMedian: Number(median(windows).toFixed(1)),
      connectorCpuPctP90: Number(sorted[Math.floor(sorted.length * 0.9)]!.toFixed(1)),
      connectorRssMb: Math.round(median(rss)),
      deviceSideCpuPct: Number((((cpuSeconds(child.pid!) - d0) / seconds) * 100).toFixed(1)),
      note: 'CPU % is of one core, for the connector process only (device side in a child process); points are handed to a counter, not to ingest',
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await Promise.all(connectors.map((c) => c.stop()));
    child.kill('SIGKILL');
  }
}
