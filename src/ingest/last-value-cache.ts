/**
 * Last value of every tag, in memory. An older point never replaces a newer one, so late or
 * replayed data cannot roll a live value back.
 * @module
 */
import type { StoredPoint } from '../core/point.js';

/** Newest point per tag id. */
export class LastValueCache {
  private readonly values = new Map<number, StoredPoint>();

  /** Offer a point; kept if it is at least as new as the current one. */
  offer(p: StoredPoint): void {
    const prev = this.values.get(p.tagId);
    if (prev === undefined || p.ts >= prev.ts) this.values.set(p.tagId, p);
  }

  /** The newest point of a tag. */
  get(tagId: number): StoredPoint | undefined {
    return this.values.get(tagId);
  }

  /** Seed from the historian at start. */
  seed(points: Iterable<StoredPoint>): void {
    for (const p of points) this.offer(p);
  }

  /** Number of tags with a value. */
  get size(): number {
    return this.values.size;
  }
}
