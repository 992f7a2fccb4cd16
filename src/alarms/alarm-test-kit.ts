/**
 * Test helpers of the alarm tests: a clock moved by hand, principals, rules, a started
 * AlarmService. (The SQLite file each test opens lives in the test: only tests may name stores.)
 * Not used by the platform itself.
 * @module
 */
import type { Principal, Role } from '../core/auth.js';
import type { Clock, RuleDefinition } from '../core/rule-port.js';
import type { AlarmStore } from '../core/alarm-port.js';
import { AlarmService, type AlarmServiceOptions } from './alarm-service.js';

/** A clock whose time moves only through `advance`, firing due timers in time order. */
export class TestClock implements Clock {
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers armed now. */
  pending(): number {
    return this.timers.size;
  }

  /** Move time forward, firing every timer due on the way at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!first || e[1].at < first[1].at || (e[1].at === first[1].at && e[0] < first[0]))) first = e;
      if (!first) break;
      this.timers.delete(first[0]);
      this.t = Math.max(this.t, first[1].at);
      first[1].fn();
    }
    this.t = end;
  }
}

export const TENANT = 'acme';
export const CELL = 'plant/machining/line-1/cnc-01';

/** A principal of tenant acme with one grant. */
export function person(name: string, role: Role, scope = ''): Principal {
  return { kind: 'user', id: name, name, tenant: TENANT, grants: [{ role, scope }], platformOperator: false };
}

/** A threshold rule on CELL (or another asset). */
export function rule(id: string, extra: Partial<RuleDefinition> = {}, alarm: Partial<RuleDefinition['alarm']> = {}): RuleDefinition {
  return {
    id, tenant: TENANT, name: `Rule ${id}`, asset: CELL,
    condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 },
    alarm: { priority: 'high', message: 'Spindle at {spindle_temp} °C', ...alarm }, enabled: true, ...extra,
  };
}

/** An AlarmService on a store, started. */
export async function startService(store: AlarmStore, clock: Clock, extra: Partial<AlarmServiceOptions> = {}): Promise<AlarmService> {
  const svc = new AlarmService({ store, clock, settings: { maxShelveMinutes: 480 }, ...extra });
  await svc.start();
  return svc;
}
