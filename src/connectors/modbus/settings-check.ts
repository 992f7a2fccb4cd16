/**
 * Validation of Modbus settings at construction: every problem is a LIGHTSOUT_CONFIG_INVALID
 * naming the register's tag, so a bad register map stops the connector with one clear line
 * instead of reading garbage. Also applies the defaults.
 * @module
 */
import { LightsoutError } from '../../core/errors.js';
import type { ModbusRegisterMapping, ModbusSettings } from '../../core/connector-settings.js';
import { isBitArea, registerCount, type ResolvedMapping } from './register-codec.js';

/** Modbus settings with defaults applied and register maps checked. */
export interface ResolvedSettings {
  host: string;
  port: number;
  unitId: number;
  timeoutMs: number;
  maxRegistersPerRequest: number;
  maxGap: number;
  groups: Array<{ name: string; intervalMs: number; mappings: ResolvedMapping[] }>;
  /** Every mapping by tag. */
  byTag: Map<string, ResolvedMapping>;
}

const AREAS = new Set(['coil', 'discrete-input', 'holding-register', 'input-register']);
const TYPES = new Set(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string']);
const ORDERS = new Set(['big', 'little']);
/** Longest string mapping: one read request's worth of registers. */
const MAX_STRING_REGISTERS = 125;

function invalid(message: string, details?: Record<string, unknown>): LightsoutError {
  return new LightsoutError('LIGHTSOUT_CONFIG_INVALID', message, details ? { details } : undefined);
}

function intIn(v: unknown, lo: number, hi: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

function resolveMapping(r: ModbusRegisterMapping, group: string, s: ModbusSettings): ResolvedMapping {
  const tag = typeof r?.tag === 'string' ? r.tag : '';
  if (tag.trim() === '') throw invalid(`modbus register in group "${group}" has no tag`, { group });
  const bad = (why: string) => invalid(`modbus register ${tag} (group "${group}"): ${why}`, { tag, group });
  if (!AREAS.has(r.area)) throw bad(`unknown area ${JSON.stringify(r.area)} (coil, discrete-input, holding-register, input-register)`);
  if (!TYPES.has(r.type)) throw bad(`unknown type ${JSON.stringify(r.type)} (bool, int16, uint16, int32, uint32, float32, float64, string)`);
  if (!intIn(r.address, 0, 65535)) throw bad(`address ${JSON.stringify(r.address)} is not an integer 0..65535`);
  const bitArea = isBitArea(r.area);
  if (bitArea && r.type !== 'bool') throw bad(`a ${r.area} holds one bit: its type must be bool, not ${r.type}`);
  if (bitArea && r.bit !== undefined) throw bad(`bit is for a bool inside a register, not a ${r.area}`);
  if (!bitArea && r.type === 'bool' && r.bit === undefined) throw bad('a bool in a register needs bit (0..15)');
  if (r.bit !== undefined && (r.type !== 'bool' || !intIn(r.bit, 0, 15))) throw bad(`bit ${JSON.stringify(r.bit)} must be 0..15 and only with type bool`);
  if (r.type === 'string') {
    if (!intIn(r.length, 1, MAX_STRING_REGISTERS)) throw bad(`a string needs length (registers, 1..${MAX_STRING_REGISTERS})`);
  } else if (r.length !== undefined) {
    throw bad('length is only for strings');
  }
  for (const k of ['byteOrder', 'wordOrder'] as const) {
    if (r[k] !== undefined && !ORDERS.has(r[k])) throw bad(`${k} must be big or little, not ${JSON.stringify(r[k])}`);
  }
  const numeric = r.type !== 'bool' && r.type !== 'string';
  if ((r.scale !== undefined || r.offset !== undefined) && !numeric) throw bad('scale and offset are for numbers only');
  if (r.scale !== undefined && (typeof r.scale !== 'number' || !Number.isFinite(r.scale) || r.scale === 0)) throw bad('scale must be a finite number other than 0');
  if (r.offset !== undefined && (typeof r.offset !== 'number' || !Number.isFinite(r.offset))) throw bad('offset must be a finite number');
  if (r.writable === true && (r.area === 'discrete-input' || r.area === 'input-register')) throw bad(`a ${r.area} is read-only: it cannot be writable`);
  if (r.writable === true && r.type === 'bool' && !bitArea) throw bad('a bit inside a register cannot be writable (map the whole register instead)');
  const count = bitArea ? 1 : registerCount(r.type, r.length);
  if (r.address + count - 1 > 65535) throw bad(`address ${r.address} + ${count} registers runs past 65535`);
  return {
    tag, group, area: r.area, address: r.address, type: r.type, count, bit: r.bit,
    byteOrder: r.byteOrder ?? s.byteOrder ?? 'big',
    wordOrder: r.wordOrder ?? s.wordOrder ?? 'big',
    scale: r.scale ?? 1,
    offset: r.offset ?? 0,
    unit: typeof r.unit === 'string' ? r.unit : undefined,
    writable: r.writable === true,
  };
}

/** Two mappings may share a register only when both are single bits of it, on different bits. */
function checkOverlaps(all: ResolvedMapping[]): void {
  const sorted = [...all].sort((a, b) => (a.area === b.area ? a.address - b.address : a.area < b.area ? -1 : 1));
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.area !== a.area || b.address > a.address + a.count - 1) break;
      const bothBits = a.bit !== undefined && b.bit !== undefined;
      if (bothBits && a.bit !== b.bit) continue;
      const what = bothBits ? `bit ${a.bit} of ${a.area} ${a.address}` : `${a.area} ${b.address}`;
      throw invalid(`modbus register ${b.tag} overlaps ${a.tag}: both use ${what}`, { tag: b.tag, other: a.tag });
    }
  }
}

/** Check settings and apply defaults; throws LIGHTSOUT_CONFIG_INVALID naming the first problem. */
export function resolveSettings(s: ModbusSettings): ResolvedSettings {
  if (typeof s !== 'object' || s === null) throw invalid('modbus settings missing');
  if (typeof s.host !== 'string' || s.host.trim() === '') throw invalid('modbus host is empty', { field: 'host' });
  const port = s.port ?? 502;
  if (!intIn(port, 1, 65535)) throw invalid(`modbus port ${JSON.stringify(s.port)} is not 1..65535`, { field: 'port' });
  const unitId = s.unitId ?? 1;
  if (!intIn(unitId, 0, 255)) throw invalid(`modbus unitId ${JSON.stringify(s.unitId)} is not 0..255`, { field: 'unitId' });
  const timeoutMs = s.timeoutMs ?? 1000;
  if (!intIn(timeoutMs, 1, 600_000)) throw invalid(`modbus timeoutMs ${JSON.stringify(s.timeoutMs)} is not 1..600000`, { field: 'timeoutMs' });
  const maxRegistersPerRequest = s.maxRegistersPerRequest ?? 125;
  if (!intIn(maxRegistersPerRequest, 1, 125)) throw invalid(`modbus maxRegistersPerRequest ${JSON.stringify(s.maxRegistersPerRequest)} is not 1..125`, { field: 'maxRegistersPerRequest' });
  const maxGap = s.maxGap ?? 8;
  if (!intIn(maxGap, 0, 124)) throw invalid(`modbus maxGap ${JSON.stringify(s.maxGap)} is not 0..124`, { field: 'maxGap' });
  for (const k of ['byteOrder', 'wordOrder'] as const) {
    if (s[k] !== undefined && !ORDERS.has(s[k])) throw invalid(`modbus ${k} must be big or little`, { field: k });
  }
  if (!Array.isArray(s.groups)) throw invalid('modbus groups must be a list', { field: 'groups' });
  const names = new Set<string>();
  const byTag = new Map<string, ResolvedMapping>();
  const groups: ResolvedSettings['groups'] = [];
  for (const g of s.groups) {
    const name = typeof g?.name === 'string' ? g.name : '';
    if (name === '' || names.has(name)) throw invalid(`modbus poll group name ${JSON.stringify(g?.name)} is empty or used twice`, { group: name });
    names.add(name);
    if (!intIn(g.intervalMs, 10, 86_400_000)) throw invalid(`modbus poll group "${name}": intervalMs ${JSON.stringify(g.intervalMs)} is not 10..86400000`, { group: name });
    if (!Array.isArray(g.registers)) throw invalid(`modbus poll group "${name}": registers must be a list`, { group: name });
    const mappings: ResolvedMapping[] = [];
    for (const r of g.registers) {
      const m = resolveMapping(r, name, s);
      if (byTag.has(m.tag)) throw invalid(`modbus register ${m.tag} is mapped twice`, { tag: m.tag });
      if (!isBitArea(m.area) && m.count > maxRegistersPerRequest) throw invalid(`modbus register ${m.tag} (group "${name}"): ${m.count} registers do not fit one request (maxRegistersPerRequest ${maxRegistersPerRequest})`, { tag: m.tag });
      byTag.set(m.tag, m);
      mappings.push(m);
    }
    groups.push({ name, intervalMs: g.intervalMs, mappings });
  }
  checkOverlaps([...byTag.values()]);
  return { host: s.host, port, unitId, timeoutMs, maxRegistersPerRequest, maxGap, groups, byTag };
}
