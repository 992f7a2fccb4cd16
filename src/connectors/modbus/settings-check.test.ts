import { describe, expect, it } from 'vitest';
import type { ModbusRegisterMapping, ModbusSettings } from '../../core/connector-settings.js';
import { LightsoutError } from '../../core/errors.js';
import { resolveSettings } from './settings-check.js';

const base = (registers: unknown[], extra: Partial<ModbusSettings> = {}): ModbusSettings => ({ host: '10.0.0.7', groups: [{ name: 'fast', intervalMs: 1000, registers: registers as ModbusRegisterMapping[] }], ...extra });
function refusal(s: ModbusSettings): string {
  try {
    resolveSettings(s);
  } catch (err) {
    expect((err as LightsoutError).code).toBe('LIGHTSOUT_CONFIG_INVALID');
    return (err as Error).message;
  }
  return 'accepted';
}

describe('Modbus settings check', () => {
  it('applies defaults', () => {
    const r = resolveSettings(base([{ tag: 'p/l/m/t', area: 'holding-register', address: 3, type: 'float32' }], { wordOrder: 'little' }));
    expect(r).toMatchObject({ port: 502, unitId: 1, timeoutMs: 1000, maxRegistersPerRequest: 125, maxGap: 8 });
    expect(r.byTag.get('p/l/m/t')).toMatchObject({ count: 2, byteOrder: 'big', wordOrder: 'little', scale: 1, offset: 0, writable: false });
  });

  it('refuses bad register maps, naming the tag', () => {
    const reg = (o: object) => ({ tag: 'p/l/m/bad', area: 'holding-register', address: 0, type: 'uint16', ...o });
    expect(refusal(base([reg({ type: 'string' })]))).toMatch(/p\/l\/m\/bad.*needs length/);
    expect(refusal(base([reg({ area: 'coil', type: 'bool', bit: 3 })]))).toMatch(/p\/l\/m\/bad.*bit is for a bool inside a register/);
    expect(refusal(base([reg({ type: 'int8' })]))).toMatch(/p\/l\/m\/bad.*unknown type "int8"/);
    expect(refusal(base([reg({ area: 'memory' })]))).toMatch(/p\/l\/m\/bad.*unknown area/);
    expect(refusal(base([reg({ address: 70000 })]))).toMatch(/p\/l\/m\/bad.*address/);
    expect(refusal(base([reg({ address: 65535, type: 'float32' })]))).toMatch(/runs past 65535/);
    expect(refusal(base([reg({ type: 'bool' })]))).toMatch(/needs bit/);
    expect(refusal(base([reg({ area: 'coil' })]))).toMatch(/type must be bool/);
    expect(refusal(base([reg({ area: 'input-register', writable: true })]))).toMatch(/read-only/);
    expect(refusal(base([reg({ scale: 0 })]))).toMatch(/scale/);
    expect(refusal(base([reg({ type: 'string', length: 2, scale: 2 })]))).toMatch(/numbers only/);
    expect(refusal(base([reg({ byteOrder: 'middle' })]))).toMatch(/byteOrder/);
    expect(refusal(base([reg({ type: 'string', length: 20 })], { maxRegistersPerRequest: 10 }))).toMatch(/do not fit one request/);
  });

  it('refuses overlapping registers and tags mapped twice, across groups too', () => {
    const s: ModbusSettings = {
      host: 'h',
      groups: [
        { name: 'a', intervalMs: 100, registers: [{ tag: 'x/one', area: 'holding-register', address: 10, type: 'float32' }] },
        { name: 'b', intervalMs: 1000, registers: [{ tag: 'x/two', area: 'holding-register', address: 11, type: 'uint16' }] },
      ],
    };
    expect(refusal(s)).toMatch(/x\/two overlaps x\/one/);
    s.groups[1]!.registers[0]!.area = 'input-register';
    expect(refusal(s)).toBe('accepted');
    s.groups[1]!.registers[0]!.tag = 'x/one';
    expect(refusal(s)).toMatch(/x\/one is mapped twice/);
    // Different bits of one register may share it; the same bit, or the whole register, may not.
    const bits = (b: number[]) => base(b.map((bit, i) => ({ tag: `x/b${i}`, area: 'holding-register', address: 5, type: 'bool', bit })));
    expect(refusal(bits([0, 1, 15]))).toBe('accepted');
    expect(refusal(bits([3, 3]))).toMatch(/x\/b1 overlaps x\/b0: both use bit 3/);
  });

  it('refuses bad connection settings', () => {
    expect(refusal(base([], { host: '' }))).toMatch(/host/);
    expect(refusal(base([], { port: 0 }))).toMatch(/port/);
    expect(refusal(base([], { unitId: 300 }))).toMatch(/unitId/);
    expect(refusal(base([], { maxRegistersPerRequest: 200 }))).toMatch(/maxRegistersPerRequest/);
    expect(refusal({ host: 'h', groups: [{ name: 'g', intervalMs: 0, registers: [] }] })).toMatch(/intervalMs/);
    expect(refusal({ host: 'h', groups: [{ name: 'g', intervalMs: 100, registers: [] }, { name: 'g', intervalMs: 100, registers: [] }] })).toMatch(/used twice/);
  });
});
