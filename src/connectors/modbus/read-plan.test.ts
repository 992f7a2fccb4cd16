import { describe, expect, it } from 'vitest';
import type { ModbusArea, ModbusType } from '../../core/connector-settings.js';
import { planReads, splitBatch } from './read-plan.js';
import { registerCount, type ResolvedMapping } from './register-codec.js';

function m(tag: string, area: ModbusArea, address: number, type: ModbusType = 'uint16', extra: Partial<ResolvedMapping> = {}): ResolvedMapping {
  const count = area === 'coil' || area === 'discrete-input' ? 1 : registerCount(type, 4);
  return { tag, group: 'g', area, address, type, count, bit: undefined, byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, unit: undefined, writable: false, ...extra };
}
const shape = (bs: ReturnType<typeof planReads>) => bs.map((b) => `${b.area}:${b.start}+${b.count}[${b.mappings.map((x) => x.tag).join(',')}]`);

describe('read planner', () => {
  it('batches adjacent registers of one area into one request, areas apart', () => {
    const plan = planReads([m('b', 'holding-register', 2, 'float32'), m('a', 'holding-register', 0), m('c', 'holding-register', 4, 'float64'), m('i', 'input-register', 2), m('k', 'coil', 5)], { maxRegisters: 125, maxGap: 8 });
    expect(shape(plan)).toEqual(['coil:5+1[k]', 'holding-register:0+8[a,b,c]', 'input-register:2+1[i]']);
  });

  it('spans gaps up to maxGap and no further', () => {
    const ms = [m('a', 'holding-register', 0), m('b', 'holding-register', 9), m('c', 'holding-register', 19)];
    // 0 → 9: gap of 8 unused registers (1..8) is allowed; 9 → 19: gap of 9 is not.
    expect(shape(planReads(ms, { maxRegisters: 125, maxGap: 8 }))).toEqual(['holding-register:0+10[a,b]', 'holding-register:19+1[c]']);
    expect(shape(planReads(ms, { maxRegisters: 125, maxGap: 0 }))).toHaveLength(3);
  });

  it('keeps each request within maxRegistersPerRequest', () => {
    const ms = Array.from({ length: 100 }, (_, i) => m(`t${i}`, 'holding-register', i * 2, 'float32'));
    const plan = planReads(ms, { maxRegisters: 125, maxGap: 8 });
    expect(plan.map((b) => b.count)).toEqual([124, 76]);
    expect(plan.flatMap((b) => b.mappings).length).toBe(100);
    expect(planReads(ms, { maxRegisters: 10, maxGap: 8 }).every((b) => b.count <= 10)).toBe(true);
  });

  it('never splits a multi-register value across requests', () => {
    const plan = planReads([m('a', 'holding-register', 0, 'float64'), m('b', 'holding-register', 4, 'float64'), m('c', 'holding-register', 8, 'float64')], { maxRegisters: 10, maxGap: 8 });
    expect(shape(plan)).toEqual(['holding-register:0+8[a,b]', 'holding-register:8+4[c]']);
  });

  it('batches coils and discrete inputs up to 2000 bits, gap in bits = maxGap × 16', () => {
    const coils = Array.from({ length: 2500 }, (_, i) => m(`c${i}`, 'coil', i, 'bool'));
    expect(planReads(coils, { maxRegisters: 125, maxGap: 8 }).map((b) => b.count)).toEqual([2000, 500]);
    const sparse = [m('a', 'discrete-input', 0, 'bool'), m('b', 'discrete-input', 129, 'bool'), m('c', 'discrete-input', 259, 'bool')];
    expect(shape(planReads(sparse, { maxRegisters: 125, maxGap: 8 }))).toEqual(['discrete-input:0+130[a,b]', 'discrete-input:259+1[c]']);
  });

  it('bits of one register share its read', () => {
    const plan = planReads([m('b1', 'holding-register', 7, 'bool', { bit: 1, count: 1 }), m('b0', 'holding-register', 7, 'bool', { bit: 0, count: 1 }), m('x', 'holding-register', 8)], { maxRegisters: 125, maxGap: 8 });
    expect(shape(plan)).toEqual(['holding-register:7+2[b0,b1,x]']);
  });

  it('splits a refused batch into two tight halves, down to one mapping', () => {
    const [b] = planReads([m('a', 'holding-register', 0), m('b', 'holding-register', 4), m('c', 'holding-register', 6, 'float32'), m('d', 'holding-register', 12)], { maxRegisters: 125, maxGap: 8 });
    const halves = splitBatch(b!)!;
    expect(shape(halves)).toEqual(['holding-register:0+5[a,b]', 'holding-register:6+7[c,d]']);
    const single = splitBatch(halves[0])!;
    expect(shape(single)).toEqual(['holding-register:0+1[a]', 'holding-register:4+1[b]']);
    expect(splitBatch(single[0])).toBeUndefined();
  });
});
