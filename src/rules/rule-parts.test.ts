import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window.js';
import { compileCel, tagVariables } from './rule-cel.js';
import { formatValue, parseMessage, renderMessage } from './rule-message.js';
import { idFromName } from './rule-views.js';

describe('RateWindow', () => {
  it('measures the change against the sample a window ago, per minute', () => {
    const w = new RateWindow(60_000);
    expect(w.push(0, 10)).toBe(0);
    expect(w.push(30_000, 13)).toBe(3); // less than a window of data: the change so far, per window
    for (let i = 2; i <= 100; i++) w.push(i * 30_000, 10 + 3 * i); // 6 per minute, for 50 minutes
    expect(w.push(101 * 30_000, 10 + 3 * 101)).toBeCloseTo(6);
    expect(w.size).toBeLessThanOrEqual(4);
  });

  it('ignores older samples, replaces same-time ones, and grows past its first size', () => {
    const w = new RateWindow(1000);
    w.push(0, 0);
    expect(w.push(500, 10)).toBe(600);
    expect(w.push(400, 99)).toBe(600);
    expect(w.push(500, 5)).toBe(300);
    const big = new RateWindow(10_000);
    for (let i = 0; i < 100; i++) big.push(i * 10, i);
    expect(big.size).toBe(100);
    expect(big.push(10_000, 100)).toBeCloseTo(600); // 100 over 10 s
  });
});

describe('messages', () => {
  it('fills placeholders, adds units unless written, shows ? for unknowns', () => {
    const t = parseMessage('T {a} °C, {b}, {c}!');
    expect(t.names).toEqual(['a', 'b', 'c']);
    const out = renderMessage(t, (n) => (n === 'a' ? { value: 81.256, unit: '°C' } : n === 'b' ? { value: 0.012345, unit: 'bar' } : undefined));
    expect(out).toBe('T 81.26 °C, 0.0123 bar, ?!');
    expect(parseMessage('T {a} °C, {b}, {c}!')).toBe(t); // parsed once
    expect(renderMessage(parseMessage('plain'), () => undefined)).toBe('plain');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(1200, 'rpm')).toBe('1200 rpm');
  });
});

describe('rule CEL', () => {
  it('finds tag variables, literal tags keys and macro-bound names', () => {
    const c = compileCel('a > 1.0 && tags["x/y"] == 2 && tags.z && [1, 2].exists(i, i > b)', 'f');
    expect(tagVariables(c.refs).sort()).toEqual(['a', 'b']);
    expect([...c.refs.tagKeys].sort()).toEqual(['x/y', 'z']);
    expect(c.refs.dynamicTags).toBe(false);
    expect(compileCel('tags[k] > 1', 'f').refs.dynamicTags).toBe(true);
    expect(c.run({ a: 2, b: 0, tags: { 'x/y': 2, z: true } })).toBe(true);
  });

  it('has abs() for doubles and ints', () => {
    expect(compileCel('abs(a - b) > 10.0 && abs(-3) == 3', 'f').run({ a: 1, b: 12.5 })).toBe(true);
    expect(compileCel('abs(a - b) > 10.0', 'f').run({ a: 1, b: 10.5 })).toBe(false);
  });

  it('refuses an empty or overlong expression', () => {
    expect(() => compileCel('  ', 'f')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_EXPRESSION', details: expect.objectContaining({ field: 'f' }) }));
    expect(() => compileCel('a'.repeat(2001), 'f')).toThrow(/longer than 2000/);
  });
});

describe('idFromName', () => {
  it('makes a valid id and avoids taken ones', () => {
    expect(idFromName('Spindle over-temp (°C)!', () => false)).toBe('spindle-over-temp-c');
    expect(idFromName('Über Druck', () => false)).toBe('uber-druck');
    expect(idFromName('!!!', () => false)).toBe('rule');
    expect(idFromName('a', (x) => x === 'a' || x === 'a-2')).toBe('a-3');
  });
});
