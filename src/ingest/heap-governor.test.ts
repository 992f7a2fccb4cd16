import { describe, expect, it } from 'vitest';
import { HeapGovernor } from './heap-governor.js';

describe('HeapGovernor', () => {
  it('runs a full collection once garbage exceeds the allowance, and not before', () => {
    const g = new HeapGovernor(8 * 1024 * 1024, 60_000);
    try {
      g.check(); // settle the live size
      const settled = g.stats().collections;
      g.check();
      expect(g.stats().collections).toBe(settled);
      let junk: unknown[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `garbage-${i}` }));
      expect(junk.length).toBe(400_000);
      junk = undefined;
      const before = process.memoryUsage().heapUsed;
      g.check();
      expect(g.stats().collections).toBe(settled + 1);
      expect(g.stats().liveBytes).toBeLessThan(before);
    } finally {
      g.stop();
    }
  });
});
