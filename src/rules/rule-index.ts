/**
 * Which rules watch which tags: tenant → absolute tag path → (rule, roles). A batch of points is
 * matched with one map lookup per point; a tag no rule names costs a miss and nothing else.
 * @module
 */
import type { Point } from '../core/point.js';
import type { RuleRunner } from './rule-evaluator.js';

/** One rule watching one path. */
export interface Subscription {
  runner: RuleRunner;
  /** ROLE_* bits: what the path is to the rule. */
  roles: number;
}

/** The index of watched paths. */
export class RuleIndex {
  private readonly tenants = new Map<string, Map<string, Subscription[]>>();
  private readonly queue: RuleRunner[] = [];

  /** Watch the rule's paths. */
  add(tenant: string, runner: RuleRunner): void {
    let m = this.tenants.get(tenant);
    if (!m) this.tenants.set(tenant, (m = new Map()));
    for (const [path, roles] of runner.compiled.paths) {
      const subs = m.get(path);
      if (subs) subs.push({ runner, roles });
      else m.set(path, [{ runner, roles }]);
    }
  }

  /** Stop watching the rule's paths. */
  remove(tenant: string, runner: RuleRunner): void {
    const m = this.tenants.get(tenant);
    if (!m) return;
    for (const path of runner.compiled.paths.keys()) {
      const subs = m.get(path);
      if (!subs) continue;
      const i = subs.findIndex((s) => s.runner === runner);
      if (i >= 0) subs.splice(i, 1);
      if (subs.length === 0) m.delete(path);
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
