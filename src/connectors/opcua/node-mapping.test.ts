import { describe, expect, it } from 'vitest';
import { pathSafe, ruleTag } from './node-mapping.js';

describe('node mapping', () => {
  it('makes browse names path-safe without lowercasing them', () => {
    expect(pathSafe('Spindle Speed')).toBe('Spindle_Speed');
    expect(pathSafe('a/b+c#d')).toBe('a_b_c_d');
    expect(pathSafe('tab\there')).toBe('tab_here');
    expect(pathSafe('')).toBe('_');
  });
  it('joins the prefix and the names below the root', () => {
    expect(ruleTag('plant/press/line-1/', ['Press 1', 'Temp'])).toBe('plant/press/line-1/Press_1/Temp');
  });
});
