/**
 * The Modbus TCP connector against an independent peer: Debian's pymodbus 3.0 server
 * (test/peers/modbus_server.py), whose register image is encoded by pymodbus' own
 * BinaryPayloadBuilder and whose writes are decoded by its BinaryPayloadDecoder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorContext } from '../src/core/connector-port.js';
import type { ModbusRegisterMapping, ModbusSettings } from '../src/core/connector-settings.js';
import type { LightsoutError } from '../src/core/errors.js';
import type { CandidatePoint } from '../src/core/ingest-port.js';
import { ModbusConnector } from '../src/connectors/modbus/modbus-connector.js';
import { freePort, waitFor } from './helpers.js';
import { PyModbusPeer, pymodbusMissing, type ImageEntry } from './peers/modbus-peer.js';

const missing = pymodbusMissing();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A connector context that records every point. */
function recorder(): ConnectorContext & { points: CandidatePoint[]; of(tag: string): CandidatePoint[]; last(tag: string): CandidatePoint | undefined } {
  const points: CandidatePoint[] = [];
  return {
    points,
    emit: (p) => void points.push(...p),
    log: silent,
    dataDir: '/nonexistent',
    of: (tag) => points.filter((p) => p.tag === tag),
    last: (tag) => {
      for (let i = points.length - 1; i >= 0; i--) if (points[i]!.tag === tag) return points[i];
      return undefined;
    },
  };
}

const tagOf = (e: ImageEntry) => `plant/line-1/peer/${e.name}`;
function mappingOf(e: ImageEntry): ModbusRegisterMapping {
  const { name, value, ...rest } = e;
  void value;
  return { ...rest, tag: `plant/line-1/peer/${name}` };
}
const hr = (tag: string, address: number, extra: Partial<ModbusRegisterMapping> = {}): ModbusRegisterMapping => ({ tag: `plant/line-1/peer/${tag}`, area: 'holding-register', address, type: 'uint16', ...extra });

describe.skipIf(missing !== undefined)(`Modbus connector against pymodbus ${missing ? `(skipped: ${missing})` : ''}`, () => {
  let peer: PyModbusPeer;
  const running: ModbusConnector[] = [];
  function connector(settings: Partial<ModbusSettings> & Pick<ModbusSettings, 'groups'>, ctx = recorder()) {
    const c = new ModbusConnector({ id: `mb-${running.length}`, settings: { host: '127.0.0.1', port: peer.port, timeoutMs: 500, ...settings } }, ctx);
    running.push(c);
    return { c, ctx };
  }

  beforeAll(async () => {
    peer = new PyModbusPeer(await freePort());
    await peer.start();
  });
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await peer?.kill();
  });

  it('reads every type in every byte and word order as pymodbus encoded it', async () => {
    const { c, ctx } = connector({ groups: [{ name: 'all', intervalMs: 200, registers: peer.image.map(mappingOf) }] });
    await c.start();
    await waitFor(() => peer.image.every((e) => ctx.last(tagOf(e))?.quality === 'good'), 5000, 'every image value read');
    for (const e of peer.image) {
      const p = ctx.last(tagOf(e))!;
      if (e.scale !== undefined) expect(p.value as number, e.name).toBeCloseTo(e.value as number, 9);
      else expect(p.value, e.name).toBe(e.value);
      expect(typeof p.ts).toBe('number');
    }
    expect(peer.image.filter((e) => e.type === 'float64' || e.wordOrder === 'little').length).toBeGreaterThan(8);
    expect(c.status().state).toBe('connected');
    expect(c.tagIssues()).toEqual([]);
    await c.stop();
  });

  it('batches adjacent registers into one request per area and poll', async () => {
    const numeric = peer.image.filter((e) => e.area !== 'holding-register' || e.address < 48);
    const { c } = connector({ groups: [{ name: 'g', intervalMs: 250, registers: numeric.map(mappingOf) }] });
    await c.start();
    await new Promise((r) => setTimeout(r, 300));
    await peer.log();
    await new Promise((r) => setTimeout(r, 1000));
    await c.stop();
    const seen = (await peer.log()).filter(([unit]) => unit === 1).map(([, fc, a, n]) => `${fc}:${a}+${n}`);
    const shapes = [...new Set(seen)].sort();
    // 24 values over 48 holding registers in one FC3, 4 coils in one FC1, 3 discrete inputs in one FC2, 2 input registers in one FC4.
    expect(shapes).toEqual(['1:0+6', '2:0+8', '3:0+48', '4:0+3']);
    const per = shapes.map((s) => seen.filter((x) => x === s).length);
    expect(Math.min(...per)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
  });

  it('polls each group on its own interval over the one connection', async () => {
    const { c } = connector({ groups: [{ name: 'fast', intervalMs: 100, registers: [hr('fast', 140)] }, { name: 'slow', intervalMs: 1000, registers: [hr('slow', 145)] }] });
    await peer.log();
    await c.start();
    await new Promise((r) => setTimeout(r, 2500));
    await c.stop();
    const log = (await peer.log()).filter(([unit, fc]) => unit === 1 && fc === 3);
    const fast = log.filter(([, , a]) => a === 140).length;
    const slow = log.filter(([, , a]) => a === 145).length;
    expect(fast).toBeGreaterThanOrEqual(15);
    expect(fast).toBeLessThanOrEqual(27);
    expect(slow).toBeGreaterThanOrEqual(2);
    expect(slow).toBeLessThanOrEqual(4);
  });

  it('a register the device refuses goes bad once with a tag issue; its neighbours keep reading', async () => {
    const { c, ctx } = connector({
      groups: [{ name: 'g', intervalMs: 150, registers: [hr('h148', 148), hr('h149', 149), hr('h150', 150), hr('h151', 151), hr('h152', 152), hr('nan', 240, { type: 'float32' })] }],
    });
    await c.start();
    await waitFor(() => ctx.of('plant/line-1/peer/h152').length >= 4, 5000, 'four polls');
    for (const t of ['h148', 'h149', 'h151', 'h152']) {
      expect(ctx.of(`plant/line-1/peer/${t}`).every((p) => p.quality === 'good')).toBe(true);
      expect(ctx.last(`plant/line-1/peer/${t}`)!.value).toBe(Number(t.slice(1)));
    }
    const bad = ctx.of('plant/line-1/peer/h150');
    expect(bad).toEqual([{ tag: 'plant/line-1/peer/h150', ts: expect.any(Number), value: 0, quality: 'bad' }]);
    expect(ctx.of('plant/line-1/peer/nan').map((p) => p.quality)).toEqual(['bad']);
    const issues = c.tagIssues();
    expect(issues.map((i) => [i.tag, i.code])).toEqual(
      expect.arrayContaining([
        ['plant/line-1/peer/h150', 'LIGHTSOUT_DEVICE_ERROR'],
        ['plant/line-1/peer/nan', 'LIGHTSOUT_BAD_VALUE'],
      ]),
    );
    expect(issues.find((i) => i.tag.endsWith('h150'))!.message).toMatch(/illegal data address/);
    expect(c.status()).toMatchObject({ state: 'degraded', reason: expect.stringMatching(/2 of 6 tags unreadable/) });
    // The split plan reads the bad register alone and the good ones together.
    expect(c.plans().g).toEqual(expect.arrayContaining([{ area: 'holding-register', start: 150, count: 1 }]));
    // The device gets the register: it reads good again and the issue goes.
    await peer.cmd({ cmd: 'set', unit: 1, fc: 3, address: 150, values: [4242] });
    await waitFor(() => ctx.last('plant/line-1/peer/h150')?.quality === 'good', 3000, 'h150 good');
    expect(ctx.last('plant/line-1/peer/h150')!.value).toBe(4242);
    expect(c.tagIssues().map((i) => i.tag)).toEqual(['plant/line-1/peer/nan']);
    expect(c.counters().errors).toBeGreaterThan(0);
    await c.stop();
  });

  it('a device that stops answering: timeout status and bad quality once, another device unaffected; back when it answers', async () => {
    const regs = [hr('a', 140), hr('b', 141), hr('c', 160 - 1)];
    const dead = connector({ unitId: 2, timeoutMs: 300, groups: [{ name: 'g', intervalMs: 200, registers: regs }] });
    const alive = connector({ unitId: 1, timeoutMs: 300, groups: [{ name: 'g', intervalMs: 200, registers: regs }] });
    await dead.c.start();
    await alive.c.start();
    await waitFor(() => dead.ctx.last('plant/line-1/peer/a')?.quality === 'good', 3000, 'unit 2 read');
    await peer.cmd({ cmd: 'mute', unit: 2 });
    const aliveBefore = alive.ctx.points.length;
    await waitFor(() => dead.ctx.last('plant/line-1/peer/a')?.quality === 'bad', 3000, 'unit 2 bad');
    await waitFor(() => dead.c.tagIssues().length === 3, 3000, 'three issues');
    expect(dead.c.tagIssues().every((i) => i.code === 'LIGHTSOUT_DEVICE_TIMEOUT')).toBe(true);
    expect(['degraded', 'reconnecting']).toContain(dead.c.status().state);
    await new Promise((r) => setTimeout(r, 1500));
    const st = dead.c.status();
    expect(st.state === 'degraded' ? st.reason : st.state === 'reconnecting' ? st.lastError : '').toMatch(/no answer/);
    for (const t of ['a', 'b', 'c']) expect(dead.ctx.of(`plant/line-1/peer/${t}`).filter((p) => p.quality === 'bad')).toHaveLength(1);
    // The other unit, on its own connection, kept reading all along.
    expect(alive.ctx.points.length - aliveBefore).toBeGreaterThan(15);
    expect(alive.ctx.points.every((p) => p.quality === 'good')).toBe(true);
    expect(alive.c.status().state).toBe('connected');
    await peer.cmd({ cmd: 'unmute', unit: 2 });
    await waitFor(() => dead.ctx.last('plant/line-1/peer/a')?.quality === 'good', 8000, 'unit 2 back');
    await waitFor(() => dead.c.status().state === 'connected', 3000, 'connected again');
    expect(dead.c.tagIssues()).toEqual([]);
    await dead.c.stop();
    await alive.c.stop();
  });

  it('writes a holding register and a coil, pymodbus decodes them, and the readback arrives without a poll', async () => {
    const { c, ctx } = connector({
      groups: [
        {
          name: 'setpoints',
          intervalMs: 60_000,
          registers: [
            hr('speed_sp', 200, { type: 'float32', wordOrder: 'little', writable: true }),
            hr('temp_sp', 202, { type: 'int16', scale: 0.1, offset: -10, writable: true }),
            hr('count_sp', 204, { type: 'uint32', byteOrder: 'little', writable: true }),
            hr('recipe', 210, { type: 'string', length: 4, writable: true }),
            hr('big', 220, { type: 'float64', writable: true }),
            hr('ro', 140),
            hr('missing', 300, { writable: true }),
            { tag: 'plant/line-1/peer/run', area: 'coil', address: 20, type: 'bool', writable: true },
          ],
        },
      ],
    });
    await c.start();
    await waitFor(() => ctx.last('plant/line-1/peer/ro')?.quality === 'good', 3000, 'first poll');
    const t0 = Date.now();
    await c.write('plant/line-1/peer/speed_sp', 1234.5);
    await c.write('plant/line-1/peer/temp_sp', 72.3);
    await c.write('plant/line-1/peer/count_sp', 4_000_000_000);
    await c.write('plant/line-1/peer/recipe', 'AB-7');
    await c.write('plant/line-1/peer/big', -0.000123);
    await c.write('plant/line-1/peer/run', true);
    expect(Date.now() - t0).toBeLessThan(3000);
    const decode = async (address: number, type: string, extra: object = {}) => (await peer.cmd({ cmd: 'decode', unit: 1, address, type, ...extra })).value;
    expect(await decode(200, 'float32', { wordOrder: 'little' })).toBe(1234.5);
    expect(await decode(202, 'int16')).toBe(823); // (72.3 + 10) / 0.1
    expect(await decode(204, 'uint32', { byteOrder: 'little' })).toBe(4_000_000_000);
    expect(await decode(210, 'string', { length: 4 })).toBe('AB-7');
    expect(await decode(220, 'float64')).toBe(-0.000123);
    expect((await peer.cmd({ cmd: 'get', unit: 1, fc: 1, address: 20, count: 1 })).values).toEqual([true]);
    // Readbacks, well before the 60 s poll.
    expect(ctx.last('plant/line-1/peer/speed_sp')).toMatchObject({ value: 1234.5, quality: 'good' });
    expect(ctx.last('plant/line-1/peer/temp_sp')!.value as number).toBeCloseTo(72.3, 9);
    expect(ctx.last('plant/line-1/peer/count_sp')!.value).toBe(4_000_000_000);
    expect(ctx.last('plant/line-1/peer/recipe')!.value).toBe('AB-7');
    expect(ctx.last('plant/line-1/peer/run')).toMatchObject({ value: true, quality: 'good' });
    // Function codes used: FC16 for multi-register values, FC6 for one register, FC5 for a coil.
    const fcs = (await peer.log()).filter(([u, fc]) => u === 1 && fc !== 3 && fc !== 1).map(([, fc, a]) => `${fc}:${a}`);
    expect(fcs).toEqual(['16:200', '6:202', '16:204', '16:210', '16:220', '5:20']);
    const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: LightsoutError) => `${e.code}: ${e.message}`);
    expect(await code(c.write('plant/line-1/peer/ro', 1))).toMatch(/^LIGHTSOUT_NOT_WRITABLE/);
    expect(await code(c.write('plant/line-1/peer/nope', 1))).toMatch(/^LIGHTSOUT_NOT_WRITABLE/);
    expect(await code(c.write('plant/line-1/peer/temp_sp', 'hot'))).toMatch(/^LIGHTSOUT_BAD_VALUE/);
    expect(await code(c.write('plant/line-1/peer/temp_sp', 5000))).toMatch(/^LIGHTSOUT_BAD_VALUE.*range/);
    expect(await code(c.write('plant/line-1/peer/run', 'yes'))).toMatch(/^LIGHTSOUT_BAD_VALUE/);
    expect(await code(c.write('plant/line-1/peer/missing', 1))).toMatch(/^LIGHTSOUT_DEVICE_ERROR.*illegal data address/);
    expect(await code(c.call('plant/line-1/peer', 'start', {}))).toMatch(/^LIGHTSOUT_NOT_WRITABLE/);
    expect(c.counters().writes).toBe(6);
    await c.stop();
  });
});

describe.skipIf(missing !== undefined)('Modbus connector when the device goes away', () => {
  it('kill the pymodbus server: reconnecting, every tag bad once; restart it: values resume', async () => {
    const peer = new PyModbusPeer(await freePort());
    await peer.start();
    const ctx = recorder();
    const regs = [hr('a', 140), hr('b', 141, { type: 'int16' }), { tag: 'plant/line-1/peer/k', area: 'coil' as const, address: 3, type: 'bool' as const }];
    const c = new ModbusConnector({ id: 'mb-restart', settings: { host: '127.0.0.1', port: peer.port, timeoutMs: 500, groups: [{ name: 'g', intervalMs: 200, registers: regs }] } }, ctx);
    try {
      await c.start();
      await waitFor(() => ctx.last('plant/line-1/peer/k')?.quality === 'good', 3000, 'first values');
      await peer.kill();
      const st = await waitFor(() => (c.status().state === 'reconnecting' ? c.status() : undefined), 3000, 'reconnecting');
      expect(st).toMatchObject({ state: 'reconnecting', lastError: expect.any(String), attempts: expect.any(Number) });
      await waitFor(() => c.status().state === 'reconnecting' && (c.status() as { attempts: number }).attempts >= 1, 5000, 'a failed attempt');
      expect((c.status() as { lastError: string }).lastError).toMatch(/ECONNREFUSED/);
      for (const t of ['a', 'b', 'k']) {
        expect(ctx.of(`plant/line-1/peer/${t}`).filter((p) => p.quality === 'bad'), t).toHaveLength(1);
        expect(ctx.last(`plant/line-1/peer/${t}`)!.quality).toBe('bad');
      }
      expect(ctx.last('plant/line-1/peer/a')!.value).toBe(140); // bad with its last value
      const restarted = Date.now();
      await peer.start();
      await waitFor(() => ['a', 'b', 'k'].every((t) => ctx.last(`plant/line-1/peer/${t}`)!.quality === 'good'), 10_000, 'values resume');
      expect(ctx.last('plant/line-1/peer/a')!.ts as number).toBeGreaterThanOrEqual(restarted);
      expect(c.status().state).toBe('connected');
      expect(c.counters().reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await c.stop();
      await peer.kill();
    }
    expect(c.status().state).toBe('stopped');
  });
});
