/**
 * Test helpers of the alarm tests: principals, rules, a started AlarmService (the clock is
 * SimClock, src/core/sim-clock.ts). (The SQLite file each test opens lives in the test: only tests may name stores.)
 * Not used by the platform itself.
 * @module
 */
import type { Principal, Role } from '../core/auth.js';
import type { Clock, RuleDefinition } from '../core/rule-port.js';
import type { AlarmStore } from '../core/alarm-port.js';
import { AlarmService, type AlarmServiceOptions } from './alarm-service.js';

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
