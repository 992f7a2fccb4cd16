import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateMeter } from './rate-meter.js';

afterEach(() => vi.useRealTimers());

describe('RateMeter', () => {
  it('gives the rate over its window and keeps a history every 5 s', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    let n = 0;
    const m = new RateMeter(() => n);
    for (let s = 0; s < 20; s++) {
      n += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(m.rate()).toBeCloseTo(1000, 0);
    const h = m.history();
    expect(h).toHaveLength(4);
    expect(h.map((e) => e[0])).toEqual([1_005_000, 1_010_000, 1_015_000, 1_020_000]);
    expect(h[3]![1]).toBe(1000);
    m.stop();
  });
});
