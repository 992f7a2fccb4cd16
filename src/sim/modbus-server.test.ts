import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusConnector } from '../connectors/modbus/modbus-connector.js';
import type { CandidatePoint } from '../core/ingest-port.js';
import type { LightsoutError } from '../core/errors.js';
import type { Value } from '../core/point.js';
import { MACHINE_TYPES } from './machine-types.js';
import { ModbusMachineServer, type ModbusSimMachine } from './modbus-server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function machine(kind: 'robot' | 'packer', assetPath: string, values: Value[]): ModbusSimMachine & { values: Value[]; commands: Array<{ name: string; value: Value }> } {
  const tags = MACHINE_TYPES[kind].tags;
  expect(values).toHaveLength(tags.length);
  const commands: Array<{ name: string; value: Value }> = [];
  const m = {
    assetPath, id: assetPath.split('/').pop()!, tags, values, methods: ['start', 'stop', 'reset'], commands,
    onCommand(cmd: { name: string; value: Value }) {
      commands.push(cmd);
      // The machine refuses a seal temperature above 220 °C.
      if (cmd.name === 'seal_temp_sp' && typeof cmd.value === 'number' && cmd.value > 220) return false;
      const i = tags.findIndex((t) => t.name === cmd.name);
      m.values[i] = cmd.value;
      return true;
    },
  };
  return m;
}

describe('ModbusMachineServer read by the Modbus connector', () => {
  // robot: state, state_code, good_count, reject_count, power_kw, vibration_rms, tcp_speed, axis2_torque, motor_temp, gripper_closed, program
  const robot = machine('robot', 'site/assembly/line-2/robot-03', ['running', 1, 123456, 7, 5.25, 0.875, 1500.5, -42.5, 61.125, true, 'PICK_PLACE_07']);
  // packer: state, state_code, good_count, reject_count, power_kw, vibration_rms, packs_per_min, seal_temp, seal_temp_sp, film_remaining
  const packer = machine('packer', 'site/packing/line-9/packer-01', ['idle', 2, 4_000_000_000, 12, 2.5, 2.25, 0, 180.5, 185, 75.5]);
  const server = new ModbusMachineServer({ port: 0, machines: [robot, packer] });
  const connectors: ModbusConnector[] = [];
  const points: CandidatePoint[] = [];
  const last = (tag: string) => points.filter((p) => p.tag === tag).pop();

  beforeAll(async () => {
    await server.start();
    for (const i of [0, 1]) {
      const c = new ModbusConnector({ id: `sim-${i}`, settings: server.connectorSettings(i, { intervalMs: 100 }) }, { emit: (p) => void points.push(...p), log: silent, dataDir: '/nonexistent' });
      connectors.push(c);
      await c.start();
    }
  });
  afterAll(async () => {
    await Promise.all(connectors.map((c) => c.stop()));
    await server.stop();
  });

  async function until(check: () => boolean, what: string): Promise<void> {
    const t = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > t) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('serves each machine on its own unit id with the register map its connector settings describe', async () => {
    const s = server.connectorSettings(1);
    expect(s).toMatchObject({ host: '127.0.0.1', port: server.port, unitId: 2 });
    const regs = s.groups[0]!.registers;
    expect(regs.find((r) => r.tag.endsWith('/state_code'))).toMatchObject({ area: 'holding-register', type: 'uint16' });
    expect(regs.find((r) => r.tag.endsWith('/good_count'))).toMatchObject({ type: 'uint32' });
    expect(regs.find((r) => r.tag.endsWith('/seal_temp_sp'))).toMatchObject({ type: 'float32', writable: true, unit: '°C' });
    expect(regs.filter((r) => r.writable).map((r) => r.tag)).toEqual(['site/packing/line-9/packer-01/seal_temp_sp']);
    await until(() => robot.tags.every((t) => last(`${robot.assetPath}/${t.name}`)) && packer.tags.every((t) => last(`${packer.assetPath}/${t.name}`)), 'every tag read');
    for (const m of [robot, packer]) {
      m.tags.forEach((t, i) => expect(last(`${m.assetPath}/${t.name}`), t.name).toMatchObject({ value: m.values[i], quality: 'good' }));
    }
    expect(connectors.map((c) => c.status().state)).toEqual(['connected', 'connected']);
    // One request for the holding registers, one for the coils, per poll.
    // state (16) + state_code (1) + 7 two-register numbers + program (16) = 47 registers in one request, one coil in another.
    expect(connectors[0]!.plans().machine).toEqual([{ area: 'coil', start: 0, count: 1 }, { area: 'holding-register', start: 0, count: 47 }]);
  });

  it('update() copies the machine values into the registers', async () => {
    robot.values[6] = 333.25;
    robot.values[9] = false;
    robot.values[0] = 'fault';
    server.update(0);
    await until(() => last(`${robot.assetPath}/tcp_speed`)?.value === 333.25 && last(`${robot.assetPath}/gripper_closed`)?.value === false && last(`${robot.assetPath}/state`)?.value === 'fault', 'updated values');
  });

  it('a setpoint write reaches the machine; read-only tags and refused values answer Modbus exceptions', async () => {
    const packerConn = connectors[1]!;
    await packerConn.write('site/packing/line-9/packer-01/seal_temp_sp', 190.5);
    expect(packer.commands).toEqual([{ name: 'seal_temp_sp', value: 190.5 }]);
    expect(last('site/packing/line-9/packer-01/seal_temp_sp')).toMatchObject({ value: 190.5, quality: 'good' });
    const err = await packerConn.write('site/packing/line-9/packer-01/seal_temp_sp', 250).catch((e: LightsoutError) => e);
    expect(err).toMatchObject({ code: 'LIGHTSOUT_DEVICE_ERROR', message: expect.stringMatching(/exception 3 \(illegal data value\)/) });
    // A client that maps a read-only register as writable is refused by the device itself.
    const rogue = new ModbusConnector(
      { id: 'rogue', settings: { ...server.connectorSettings(1), groups: [{ name: 'g', intervalMs: 60_000, registers: [{ tag: 'x/power', area: 'holding-register', address: 5, type: 'float32', writable: true }] }] } },
      { emit: () => undefined, log: silent, dataDir: '/nonexistent' },
    );
    await rogue.start();
    await until(() => rogue.status().state === 'connected', 'rogue connected');
    const refused = await rogue.write('x/power', 1).catch((e: LightsoutError) => e);
    expect(refused).toMatchObject({ code: 'LIGHTSOUT_DEVICE_ERROR', message: expect.stringMatching(/exception 2 \(illegal data address\)/) });
    await rogue.stop();
    expect(packer.commands).toHaveLength(2);
  });

  it('an unknown unit id answers exception 11', async () => {
    const c = new ModbusConnector({ id: 'u9', settings: { ...server.connectorSettings(0), unitId: 9, groups: [{ name: 'g', intervalMs: 100, registers: [{ tag: 'x/y', area: 'holding-register', address: 0, type: 'uint16' }] }] } }, { emit: () => undefined, log: silent, dataDir: '/nonexistent' });
    await c.start();
    await until(() => c.tagIssues().length === 1, 'issue');
    expect(c.tagIssues()[0]!.message).toMatch(/exception 11/);
    await c.stop();
  });
});
