/**
 * A small seeded pseudo-random generator for the virtual factory. The signal models draw every
 * random number from here (never Math.random) so a seed replays the same plant, value for value.
 * @module
 */

/** A seed: a number, or any string (hashed), so seeds can be derived from asset paths. */
export type Seed = number | string;

/**
 * Hash a string into 32 bits (FNV-1a then a murmur-style finaliser). Used to derive one
 * independent stream per machine from `seed + path`, so adding a machine does not change the
 * values of the others.
 */
export function hashSeed(seed: Seed): number {
  const text = typeof seed === 'number' ? `n:${seed}` : seed;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A deterministic random stream (mulberry32: 32-bit state, fast, good enough for simulated
 * noise; not for cryptography).
 *
 * @example
 * const rng = new Rng('demo/shanghai-lingang/machining/line-1/cnc-01');
 * const jitter = rng.normal(0, 0.2);
 */
export class Rng {
  private state: number;
  // Box–Muller yields two normals per draw; keep the spare so each costs one uniform pair per two.
  private spare: number | undefined;

  constructor(seed: Seed) {
    this.state = hashSeed(seed);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A normal (Gaussian) number. */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return mean + sd * s;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** An exponential number with the given mean: the waiting time of a memoryless event (a fault). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}
