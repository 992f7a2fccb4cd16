/**
 * Modbus register codec: registers ⇄ values of one mapping, with byte order, word order, scale and
 * offset. Pure functions, shared by reads and writes so a written value reads back the same.
 *
 * Layout decisions:
 * - Registers are handled as the bytes on the wire (2 per register, in the order received).
 *   `byteOrder: 'little'` swaps the two bytes of every register; `wordOrder: 'little'` puts the
 *   low register first (32/64-bit values only). Then the bytes are read big-endian.
 * - `float32` values are recorded as the shortest decimal that reads back as the same float32
 *   (1.23, not 1.2300000190734863), as the Sparkplug codec does.
 * - Strings are Latin-1, two characters per register (first in the high byte unless the byte order
 *   is little), trailing NULs dropped; a write pads with NULs.
 * - A write inverts scale/offset and rounds to the register's integer type; a value outside the
 *   type's range is refused, never wrapped.
 * @module
 */
import { LightsoutError } from '../../core/errors.js';
import type { ByteOrder, ModbusArea, ModbusType } from '../../core/connector-settings.js';
import type { Value, ValueType } from '../../core/point.js';

/** A register mapping with every default applied (see settings-check.ts). */
export interface ResolvedMapping {
  tag: string;
  group: string;
  area: ModbusArea;
  address: number;
  type: ModbusType;
  /** Registers (or bits, for coils and discrete inputs) it occupies. */
  count: number;
  bit: number | undefined;
  byteOrder: ByteOrder;
  wordOrder: ByteOrder;
  scale: number;
  offset: number;
  unit: string | undefined;
  writable: boolean;
}

/** True for the 1-bit areas (coils, discrete inputs). */
export function isBitArea(area: ModbusArea): boolean {
  return area === 'coil' || area === 'discrete-input';
}

/** Registers a value of `type` occupies (strings: `length`; bits: 1). */
export function registerCount(type: ModbusType, length = 0): number {
  switch (type) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'float64':
      return 4;
    case 'string':
      return length;
  }
}

/** The tag value type a Modbus type gives. */
export function valueTypeOf(type: ModbusType): ValueType {
  return type === 'bool' ? 'boolean' : type === 'string' ? 'string' : 'number';
}

/** Wire bytes of `m`'s registers (starting at `byteOffset` of `wire`) reordered to big-endian. */
function toBigEndian(m: ResolvedMapping, wire: Uint8Array, byteOffset: number): Buffer {
  const n = m.count;
  const out = Buffer.allocUnsafe(n * 2);
  for (let r = 0; r < n; r++) {
    // With word order little the last register on the wire is the most significant one.
    const src = byteOffset + 2 * (m.wordOrder === 'little' && m.type !== 'string' ? n - 1 - r : r);
    const hi = wire[src]!;
    const lo = wire[src + 1]!;
    if (m.byteOrder === 'little') {
      out[2 * r] = lo;
      out[2 * r + 1] = hi;
    } else {
      out[2 * r] = hi;
      out[2 * r + 1] = lo;
    }
  }
  return out;
}

/** The inverse of {@link toBigEndian}: big-endian value bytes to register words (as numbers 0..65535). */
function toWords(m: ResolvedMapping, be: Buffer): number[] {
  const n = m.count;
  const words = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    const hi = be[2 * r]!;
    const lo = be[2 * r + 1]!;
    const word = m.byteOrder === 'little' ? (lo << 8) | hi : (hi << 8) | lo;
    words[m.wordOrder === 'little' && m.type !== 'string' ? n - 1 - r : r] = word;
  }
  return words;
}

/** The shortest decimal that is the same float32 (what a person typed into the PLC). */
export function shortestFloat32(f: number): number {
  if (!Number.isFinite(f) || f === 0) return f;
  for (let p = 6; p <= 9; p++) {
    const v = Number(f.toPrecision(p));
    if (Math.fround(v) === f) return v;
  }
  return f;
}

/**
 * Decode one register mapping from the bytes of a read (as received; `byteOffset` is where the
 * mapping's first register starts). Numbers may come out NaN or ±Infinity (a float register
 * holding NaN); the caller records those as `bad`.
 */
export function decodeRegisters(m: ResolvedMapping, wire: Uint8Array, byteOffset: number): Value {
  const be = toBigEndian(m, wire, byteOffset);
  let raw: number;
  switch (m.type) {
    case 'bool':
      return ((be.readUInt16BE(0) >> (m.bit ?? 0)) & 1) === 1;
    case 'string': {
      let end = be.length;
      while (end > 0 && be[end - 1] === 0) end--;
      return be.toString('latin1', 0, end);
    }
    case 'int16':
      raw = be.readInt16BE(0);
      break;
    case 'uint16':
      raw = be.readUInt16BE(0);
      break;
    case 'int32':
      raw = be.readInt32BE(0);
      break;
    case 'uint32':
      raw = be.readUInt32BE(0);
      break;
    case 'float32':
      raw = shortestFloat32(be.readFloatBE(0));
      break;
    case 'float64':
      raw = be.readDoubleBE(0);
      break;
  }
  return m.scale === 1 && m.offset === 0 ? raw : raw * m.scale + m.offset;
}

const INT_RANGE: Partial<Record<ModbusType, [number, number]>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};
const FLOAT32_MAX = 3.4028234663852886e38;

function badValue(m: ResolvedMapping, why: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_VALUE', `cannot write ${m.tag} (${m.type}): ${why}`, { details: { tag: m.tag } });
}

/**
 * Encode a value for a write of a register mapping: the register words to send (FC6 for one,
 * FC16 for more). Throws LIGHTSOUT_BAD_VALUE for a wrong JS type, a non-finite number, a value out
 * of the type's range or a string too long. Not for coils (a coil write is just the boolean).
 */
export function encodeRegisters(m: ResolvedMapping, value: Value): number[] {
  const be = Buffer.alloc(m.count * 2);
  if (m.type === 'string') {
    if (typeof value !== 'string') throw badValue(m, `expected a string, got ${typeof value}`);
    if (value.length > m.count * 2) throw badValue(m, `"${value.slice(0, 40)}" is longer than ${m.count * 2} characters`);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c > 0xff) throw badValue(m, `character ${JSON.stringify(value[i])} is not Latin-1`);
      be[i] = c;
    }
    return toWords(m, be);
  }
  if (m.type === 'bool') throw badValue(m, 'a bit inside a register cannot be written on its own');
  if (typeof value !== 'number') throw badValue(m, `expected a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw badValue(m, `${value} is not a finite number`);
  const raw = m.scale === 1 && m.offset === 0 ? value : (value - m.offset) / m.scale;
  const range = INT_RANGE[m.type];
  if (range) {
    const r = Math.round(raw);
    if (r < range[0] || r > range[1]) throw badValue(m, `${value} is outside ${m.type} range ${range[0]}..${range[1]}${m.scale !== 1 || m.offset !== 0 ? ` (raw ${raw}, scale ${m.scale}, offset ${m.offset})` : ''}`);
    if (m.type === 'int16') be.writeInt16BE(r, 0);
    else if (m.type === 'uint16') be.writeUInt16BE(r, 0);
    else if (m.type === 'int32') be.writeInt32BE(r, 0);
    else be.writeUInt32BE(r, 0);
  } else if (m.type === 'float32') {
    if (Math.abs(raw) > FLOAT32_MAX) throw badValue(m, `${value} is outside the float32 range`);
    be.writeFloatBE(raw, 0);
  } else {
    if (!Number.isFinite(raw)) throw badValue(m, `${value} gives a non-finite raw value`);
    be.writeDoubleBE(raw, 0);
  }
  return toWords(m, be);
}

/** Check a value for a coil write: a boolean (or 0/1, as operators type them). */
export function encodeCoil(m: ResolvedMapping, value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw badValue(m, `expected true or false, got ${JSON.stringify(value)}`);
}

/** Words (0..65535 each) as the bytes a read of them would carry on the wire. */
export function wordsToWire(words: readonly number[]): Buffer {
  const b = Buffer.allocUnsafe(words.length * 2);
  for (let i = 0; i < words.length; i++) b.writeUInt16BE(words[i]! & 0xffff, 2 * i);
  return b;
}
