/**
 * Read planning: which requests read a poll group's registers. Adjacent mappings of one area are
 * batched into one request while it stays within the device's limit and the unused registers
 * between two mappings stay within `maxGap` (reading a few unused registers is cheaper than a
 * second round trip, but devices refuse addresses they do not have, so the gap is bounded).
 * @module
 */
import type { ModbusArea } from '../../core/connector-settings.js';
import { isBitArea, type ResolvedMapping } from './register-codec.js';

/** One read request: `count` registers (or bits) of `area` from `start`, serving `mappings`. */
export interface ReadBatch {
  area: ModbusArea;
  start: number;
  count: number;
  /** Ordered by address. */
  mappings: ResolvedMapping[];
}

/** Limits of a plan. */
export interface PlanLimits {
  /** Registers per request (FC3/FC4 allow 125). */
  maxRegisters: number;
  /** Unused registers a request may span between two mappings. */
  maxGap: number;
  /** Bits per request for coils and discrete inputs (FC1/FC2 allow 2000). */
  maxBits?: number;
}

/** Bits per coil or discrete-input request (the protocol's limit). */
export const MAX_BITS_PER_REQUEST = 2000;

const AREA_ORDER: readonly ModbusArea[] = ['coil', 'discrete-input', 'holding-register', 'input-register'];

/**
 * Plan the requests for `mappings`. For coils and discrete inputs the gap allowance is
 * `maxGap × 16` bits, the bytes a register gap would cost.
 *
 * @example
 * planReads(group.mappings, { maxRegisters: 125, maxGap: 8 });
 * // → [{ area: 'holding-register', start: 0, count: 10, mappings: [...] }, ...]
 */
export function planReads(mappings: readonly ResolvedMapping[], limits: PlanLimits): ReadBatch[] {
  const out: ReadBatch[] = [];
  for (const area of AREA_ORDER) {
    const inArea = mappings.filter((m) => m.area === area).sort((a, b) => a.address - b.address || (a.bit ?? 0) - (b.bit ?? 0));
    if (inArea.length === 0) continue;
    const bits = isBitArea(area);
    const max = bits ? Math.min(limits.maxBits ?? MAX_BITS_PER_REQUEST, MAX_BITS_PER_REQUEST) : limits.maxRegisters;
    const gap = bits ? limits.maxGap * 16 : limits.maxGap;
    let cur: ReadBatch | undefined;
    for (const m of inArea) {
      const end = m.address + m.count; // exclusive
      if (cur) {
        const curEnd = cur.start + cur.count;
        const newEnd = Math.max(curEnd, end);
        if (m.address - curEnd <= gap && newEnd - cur.start <= max) {
          cur.count = newEnd - cur.start;
          cur.mappings.push(m);
          continue;
        }
        out.push(cur);
      }
      cur = { area, start: m.address, count: m.count, mappings: [m] };
    }
    if (cur) out.push(cur);
  }
  return out;
}

/**
 * Split a batch in two halves of its mappings (each re-planned tight, without gap), to find the
 * register a device refuses while the rest keep reading. A single-mapping batch cannot be split.
 */
export function splitBatch(b: ReadBatch): [ReadBatch, ReadBatch] | undefined {
  if (b.mappings.length < 2) return undefined;
  const mid = b.mappings.length >> 1;
  const tight = (ms: ResolvedMapping[]): ReadBatch => {
    const start = ms[0]!.address;
    const end = Math.max(...ms.map((m) => m.address + m.count));
    return { area: b.area, start, count: end - start, mappings: ms };
  };
  return [tight(b.mappings.slice(0, mid)), tight(b.mappings.slice(mid))];
}
