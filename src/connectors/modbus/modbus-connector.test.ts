/**
 * Connector behaviour that needs control over the device's timing: modbus-serial's own
 * ServerTCP in-process (the driver's server, not a mock) with answers delayed on purpose.
 * The protocol itself is tested against pymodbus in test/modbus.e2e.test.ts.
 */
import { createServer } from 'node:net';
import modbusSerial from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModbusRegisterMapping } from '../../core/connector-settings.js';
import type { LightsoutError } from '../../core/errors.js';
import type { CandidatePoint } from '../../core/ingest-port.js';
import { ModbusConnector } from './modbus-connector.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A device whose every read takes `delayMs`; counts requests and how many were in flight at once. */
async function slowDevice(delayMs: number) {
  const port = await freePort();
  const stats = { requests: 0, inFlight: 0, maxInFlight: 0, delayMs };
  const answer = (length: number, cb: (err: null, v: number[]) => void) => {
    stats.requests++;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    setTimeout(() => {
      stats.inFlight--;
      cb(null, Array.from({ length }, (_, i) => i + 1));
    }, stats.delayMs);
  };
  const server = new modbusSerial.ServerTCP(
    {
      getHoldingRegister: (_a: number, _u: number, cb: (err: null, v: number) => void) => answer(1, (e, v) => cb(e, v[0]!)),
      getMultipleHoldingRegisters: (_a: number, length: number, _u: number, cb: (err: null, v: number[]) => void) => answer(length, cb),
    },
    { host: '127.0.0.1', port },
  );
  server.on('socketError', () => undefined);
  await new Promise((r) => server.once('initialized', r));
  return { port, stats, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

const reg = (tag: string, address: number): ModbusRegisterMapping => ({ tag: `p/l/m/${tag}`, area: 'holding-register', address, type: 'uint32' });

describe('ModbusConnector timing', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('serialises the requests of all poll groups on its one connection', async () => {
    const dev = await slowDevice(25);
    cleanup.push(dev.stop);
    const c = new ModbusConnector({ id: 'serial', settings: { host: '127.0.0.1', port: dev.port, groups: [
      { name: 'a', intervalMs: 20, registers: [reg('a', 0)] },
      { name: 'b', intervalMs: 20, registers: [reg('b', 100)] },
      { name: 'c', intervalMs: 20, registers: [reg('c', 200)] },
    ] } }, { emit: () => undefined, log: silent, dataDir: '/nonexistent' });
    cleanup.push(() => c.stop());
    await c.start();
    await sleep(800);
    expect(dev.stats.requests).toBeGreaterThan(10);
    expect(dev.stats.maxInFlight).toBe(1);
  });

  it('a slow device gets one request per group at a time, not a backlog', async () => {
    const dev = await slowDevice(300);
    cleanup.push(dev.stop);
    const points: CandidatePoint[] = [];
    const c = new ModbusConnector({ id: 'slow', settings: { host: '127.0.0.1', port: dev.port, timeoutMs: 2000, groups: [{ name: 'g', intervalMs: 50, registers: [reg('a', 0)] }] } }, { emit: (p) => void points.push(...p), log: silent, dataDir: '/nonexistent' });
    cleanup.push(() => c.stop());
    await c.start();
    await sleep(1600);
    // 1.6 s / 300 ms per answer: about 5 requests, whatever the 50 ms interval asks for.
    expect(dev.stats.requests).toBeGreaterThanOrEqual(3);
    expect(dev.stats.requests).toBeLessThanOrEqual(6);
    expect(points.every((p) => p.quality === 'good')).toBe(true);
    // The device speeds up: the group runs at its interval again.
    dev.stats.delayMs = 0;
    const before = dev.stats.requests;
    await sleep(1000);
    expect(dev.stats.requests - before).toBeGreaterThanOrEqual(12);
  });

  it('waits for emit (backpressure) before the next poll of the group', async () => {
    const dev = await slowDevice(0);
    cleanup.push(dev.stop);
    let pending = 0;
    let maxPending = 0;
    let emits = 0;
    const c = new ModbusConnector({ id: 'bp', settings: { host: '127.0.0.1', port: dev.port, groups: [{ name: 'g', intervalMs: 20, registers: [reg('a', 0)] }] } }, {
      emit: async () => {
        emits++;
        maxPending = Math.max(maxPending, ++pending);
        await sleep(300);
        pending--;
      },
      log: silent,
      dataDir: '/nonexistent',
    });
    cleanup.push(() => c.stop());
    await c.start();
    await sleep(1300);
    expect(maxPending).toBe(1);
    expect(emits).toBeGreaterThanOrEqual(3);
    expect(emits).toBeLessThanOrEqual(6);
    expect(dev.stats.requests).toBeLessThanOrEqual(emits + 1);
  });

  it('an unreachable device: start resolves, status reconnecting with the error and attempts, stop ends it', async () => {
    const port = await freePort();
    const c = new ModbusConnector({ id: 'gone', settings: { host: '127.0.0.1', port, groups: [{ name: 'g', intervalMs: 100, registers: [reg('a', 0)] }] } }, { emit: () => undefined, log: silent, dataDir: '/nonexistent' });
    await c.start();
    await sleep(300);
    expect(c.status()).toMatchObject({ state: 'reconnecting', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(c.tags()).toEqual([{ path: 'p/l/m/a', type: 'number', writable: false }]);
    const w = await c.write('p/l/m/a', 1).catch((e: LightsoutError) => e.code);
    expect(w).toBe('LIGHTSOUT_NOT_WRITABLE');
    await c.stop();
    expect(c.status().state).toBe('stopped');
  });

  it('bad settings are refused at construction, naming the tag', () => {
    expect(() => new ModbusConnector({ id: 'x', settings: { host: 'h', groups: [{ name: 'g', intervalMs: 100, registers: [{ tag: 'p/l/m/name', area: 'holding-register', address: 0, type: 'string' }] }] } }, { emit: () => undefined, log: silent, dataDir: '' }))
      .toThrow(expect.objectContaining({ code: 'LIGHTSOUT_CONFIG_INVALID', message: expect.stringContaining('p/l/m/name') }));
  });
});
