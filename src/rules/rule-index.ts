/**
 * Which rules watch which tags: tenant → absolute tag path → (rule, roles). A batch of points is
 * matched with one map lookup per point; a tag no rule names costs a miss and nothing else.
 * @module
 */
import type { Point } from '../core/point.js';
import { ROLE_MAIN } from './rule-compiler.js';
import type { RuleRunner } from './rule-evaluator.js';

/** One rule watching one path. */
export interface Subscription {
  runner: RuleRunner;
  /** ROLE_* bits: what the path is to the rule. */
  roles: number;
}

/**
 * What a path maps to: the runner itself when it is the only one watching and a threshold (the
 * common case, one object touched per point), else every subscription.
 */
type Watchers = RuleRunner | Subscription[];

/** The index of watched paths. */
export class RuleIndex {
  private readonly tenants = new Map<string, Map<string, Watchers>>();
  private readonly queue: RuleRunner[] = [];

  /** Watch the rule's paths. */
  add(tenant: string, runner: RuleRunner): void {
    let m = this.tenants.get(tenant);
    if (!m) this.tenants.set(tenant, (m = new Map()));
    for (const { path, roles } of runner.compiled.paths) {
      const subs = this.subscriptions(m.get(path));
      subs.push({ runner, roles });
      m.set(path, compact(subs));
    }
  }

  private subscriptions(w: Watchers | undefined): Subscription[] {
    if (w === undefined) return [];
    if (Array.isArray(w)) return w;
    return [{ runner: w, roles: ROLE_MAIN }];
  }

  /** Stop watching the rule's paths. */
  remove(tenant: string, runner: RuleRunner): void {
    const m = this.tenants.get(tenant);
    if (!m) return;
    for (const { path } of runner.compiled.paths) {
      const w = m.get(path);
      if (w === undefined) continue;
      const subs = this.subscriptions(w).filter((s) => s.runner !== runner);
      if (subs.length === 0) m.delete(path);
      else m.set(path, compact(subs));
    }
    if (m.size === 0) this.tenants.delete(tenant);
  }

  /** Number of watched paths of a tenant. */
  paths(tenant: string): number {
    return this.tenants.get(tenant)?.size ?? 0;
  }

  /**
   * Feed a batch: each point to the rules watching its tag, then the batch-end evaluations
   * (deviation, expressions, suppression). `onError` hears a rule that threw; the others go on.
   */
  feed(tenant: string, points: readonly Point[], now: number, onError: (runner: RuleRunner, err: unknown) => void): void {
    const m = this.tenants.get(tenant);
    if (m === undefined) return;
    const queue = this.queue;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const subs = m.get(p.tag);
      if (subs === undefined) continue;
      if (!Array.isArray(subs)) {
        try {
          subs.threshold(p, now);
        } catch (err) {
          onError(subs, err);
        }
        continue;
      }
      for (let j = 0; j < subs.length; j++) {
        const s = subs[j]!;
        try {
          s.runner.input(s.roles, p, now, queue);
        } catch (err) {
          onError(s.runner, err);
        }
      }
    }
    if (queue.length === 0) return;
    for (let i = 0; i < queue.length; i++) {
      const r = queue[i]!;
      try {
        r.flush(now);
      } catch (err) {
        onError(r, err);
      }
    }
    queue.length = 0;
  }
}

function compact(subs: Subscription[]): Watchers {
  const only = subs.length === 1 ? subs[0]! : undefined;
  return only !== undefined && only.roles === ROLE_MAIN && only.runner.isThreshold ? only.runner : subs;
}
