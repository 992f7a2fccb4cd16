import { describe, expect, it } from 'vitest';
import type { ByteOrder, ModbusType } from '../../core/connector-settings.js';
import { LightsoutError } from '../../core/errors.js';
import { decodeRegisters, encodeCoil, encodeRegisters, registerCount, shortestFloat32, wordsToWire, type ResolvedMapping } from './register-codec.js';

function m(type: ModbusType, o: Partial<ResolvedMapping> = {}): ResolvedMapping {
  const count = o.count ?? registerCount(type, 4);
  return { tag: 'site/line/m1/x', group: 'g', area: 'holding-register', address: 0, type, count, bit: undefined, byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, unit: undefined, writable: true, ...o };
}

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// Wire bytes written out by hand from the IEEE-754 / two's complement layouts (big/big is the
// value's big-endian bytes; the other orders permute them as the Modbus convention names say).
const CASES: Array<{ type: ModbusType; value: number; wire: Record<string, string> }> = [
  { type: 'int16', value: -12345, wire: { 'big/big': 'cfc7', 'little/big': 'c7cf' } },
  { type: 'uint16', value: 54321, wire: { 'big/big': 'd431', 'little/big': '31d4' } },
  { type: 'int32', value: -123456789, wire: { 'big/big': 'f8a4 32eb', 'big/little': '32eb f8a4', 'little/big': 'a4f8 eb32', 'little/little': 'eb32 a4f8' } },
  { type: 'uint32', value: 3000000000, wire: { 'big/big': 'b2d0 5e00', 'big/little': '5e00 b2d0', 'little/big': 'd0b2 005e', 'little/little': '005e d0b2' } },
  { type: 'float32', value: 1.23, wire: { 'big/big': '3f9d 70a4', 'big/little': '70a4 3f9d', 'little/big': '9d3f a470', 'little/little': 'a470 9d3f' } },
  { type: 'float64', value: -9876.54321, wire: { 'big/big': 'c0c3 4a45 87e7 c06e', 'big/little': 'c06e 87e7 4a45 c0c3', 'little/big': 'c3c0 454a e787 6ec0', 'little/little': '6ec0 e787 454a c3c0' } },
];

describe('register codec', () => {
  for (const c of CASES) {
    for (const [orders, wire] of Object.entries(c.wire)) {
      const [byteOrder, wordOrder] = orders.split('/') as [ByteOrder, ByteOrder];
      it(`${c.type} ${orders}: decodes ${c.value} and encodes it back to the same wire bytes`, () => {
        const mapping = m(c.type, { byteOrder, wordOrder });
        // Offset inside a larger read: the mapping starts at byte 4.
        const buf = Buffer.concat([hex('dead beef'), hex(wire), hex('0102')]);
        expect(decodeRegisters(mapping, buf, 4)).toBe(c.value);
        expect(wordsToWire(encodeRegisters(mapping, c.value)).toString('hex')).toBe(wire.replace(/ /g, ''));
      });
    }
  }

  it('word order does not touch 16-bit values', () => {
    expect(decodeRegisters(m('int16', { wordOrder: 'little' }), hex('cfc7'), 0)).toBe(-12345);
  });

  it('strings: two characters per register, NULs dropped, byte order swaps the pair', () => {
    const big = m('string', { count: 5 });
    expect(decodeRegisters(big, Buffer.from('Hello PLC\0', 'latin1'), 0)).toBe('Hello PLC');
    expect(wordsToWire(encodeRegisters(big, 'Hi')).toString('latin1')).toBe('Hi\0\0\0\0\0\0\0\0');
    const little = m('string', { count: 2, byteOrder: 'little', wordOrder: 'little' });
    expect(decodeRegisters(little, Buffer.from('badc', 'latin1'), 0)).toBe('abcd');
    expect(wordsToWire(encodeRegisters(little, 'abcd')).toString('latin1')).toBe('badc');
    expect(() => encodeRegisters(big, 'x'.repeat(11))).toThrow(/longer than 10/);
    expect(() => encodeRegisters(big, 'Ω')).toThrow(/Latin-1/);
  });

  it('bool with bit reads one bit of the register (after byte order)', () => {
    const wire = hex('8005'); // 1000 0000 0000 0101
    expect([0, 1, 2, 15].map((bit) => decodeRegisters(m('bool', { bit, count: 1 }), wire, 0))).toEqual([true, false, true, true]);
    expect(decodeRegisters(m('bool', { bit: 15, count: 1, byteOrder: 'little' }), wire, 0)).toBe(false);
    expect(decodeRegisters(m('bool', { bit: 7, count: 1, byteOrder: 'little' }), wire, 0)).toBe(true);
  });

  it('scale and offset apply on read and invert on write (rounded to the integer type)', () => {
    const t = m('int16', { scale: 0.1, offset: -10 });
    expect(decodeRegisters(t, hex('0929'), 0)).toBeCloseTo(224.5, 10); // raw 2345
    expect(encodeRegisters(t, 224.5)).toEqual([2345]);
    expect(encodeRegisters(t, 224.54)).toEqual([2345]);
    const f = m('float32', { scale: 2, offset: 1 });
    expect(decodeRegisters(f, wordsToWire(encodeRegisters(f, 7)), 0)).toBe(7);
  });

  it('round trips every type through encode and decode', () => {
    const values: Array<[ModbusType, number]> = [['int16', -32768], ['int16', 32767], ['uint16', 65535], ['int32', -2147483648], ['uint32', 4294967295], ['float32', -0.5], ['float64', Math.PI]];
    for (const [type, v] of values) {
      for (const byteOrder of ['big', 'little'] as const) {
        for (const wordOrder of ['big', 'little'] as const) {
          const t = m(type, { byteOrder, wordOrder });
          expect(decodeRegisters(t, wordsToWire(encodeRegisters(t, v)), 0)).toBe(v);
        }
      }
    }
  });

  it('refuses values out of range, non-finite or of the wrong JS type with LIGHTSOUT_BAD_VALUE', () => {
    const bad = (type: ModbusType, v: unknown, o: Partial<ResolvedMapping> = {}) => {
      try {
        encodeRegisters(m(type, o), v as number);
      } catch (err) {
        return (err as LightsoutError).code;
      }
      return 'accepted';
    };
    expect(bad('int16', 32768)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('int16', -32769)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('uint16', -1)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('uint16', 65536)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('uint32', 2 ** 32)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('int32', 2 ** 31)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('float32', 1e39)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('float64', Number.NaN)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('float32', Number.POSITIVE_INFINITY)).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('int16', '12')).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('string', 12, { count: 2 })).toBe('LIGHTSOUT_BAD_VALUE');
    expect(bad('int16', 3000, { scale: 0.1 })).toBe('accepted'); // raw 30000 fits
    expect(bad('int16', 3300, { scale: 0.1 })).toBe('LIGHTSOUT_BAD_VALUE'); // raw 33000 does not
  });

  it('a NaN float register decodes to NaN (the connector records it bad)', () => {
    expect(decodeRegisters(m('float32'), hex('7fc0 0000'), 0)).toBeNaN();
  });

  it('coil writes take booleans or 0/1 only', () => {
    const c = m('bool', { area: 'coil', count: 1 });
    expect(encodeCoil(c, true)).toBe(true);
    expect(encodeCoil(c, 0)).toBe(false);
    expect(() => encodeCoil(c, 'on')).toThrow(LightsoutError);
    expect(() => encodeCoil(c, 2)).toThrow(/true or false/);
  });

  it('float32 is recorded as the shortest decimal of the same float32', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(21.5))).toBe(21.5);
    expect(Math.fround(shortestFloat32(Math.fround(123.456789)))).toBe(Math.fround(123.456789));
  });
});
