/**
 * What the console knows about alarms without asking the server: ISA-18.2 priority order, which
 * states still want an operator, which actions a state allows, and the console's filters.
 * @module
 */
import type { ApiAlarm, ApiAlarmPriority, ApiAlarmState } from '../../../src/protocol/alarm-types.js';

/** Most urgent first. */
export const PRIORITIES: readonly ApiAlarmPriority[] = ['critical', 'high', 'medium', 'low'];

/** The states an alarm can be in, in the order the state filter lists them. */
export const STATES: readonly ApiAlarmState[] = [
  'unacknowledged', 'returned-unacknowledged', 'acknowledged', 'latched', 'shelved', 'suppressed', 'out-of-service', 'normal',
];

const RANK: Record<ApiAlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Nobody has acknowledged it yet (the header badge counts these; the console makes them blink). */
export function isUnacked(a: Pick<ApiAlarm, 'state'>): boolean {
  return a.state === 'unacknowledged' || a.state === 'returned-unacknowledged';
}

/** Priority first, then the newest raise first (an alarm that has waited long is still in its band). */
export function compareAlarms(a: ApiAlarm, b: ApiAlarm): number {
  return RANK[a.priority] - RANK[b.priority] || (b.activeTs ?? b.stateTs) - (a.activeTs ?? a.stateTs) || a.id.localeCompare(b.id);
}

/** The console's filters; '' means any. `state` may also be 'unacked'. */
export interface AlarmFilter { area: string; priority: string; state: string }

/** `path` lies in `area` (whole levels; '' is everything). */
export function inArea(area: string, path: string): boolean {
  const a = area.replace(/\/+$/, '');
  return a === '' || path === a || path.startsWith(a + '/');
}

/** The alarms a filter keeps, sorted for the console. Normal ones never show. */
export function visibleAlarms(all: Iterable<ApiAlarm>, f: AlarmFilter): ApiAlarm[] {
  const out: ApiAlarm[] = [];
  for (const a of all) {
    if (a.state === 'normal') continue;
    if (!inArea(f.area, a.area)) continue;
    if (f.priority && a.priority !== f.priority) continue;
    if (f.state === 'unacked' ? !isUnacked(a) : f.state && a.state !== f.state) continue;
    out.push(a);
  }
  return out.sort(compareAlarms);
}

/** The actions one alarm offers in its state (the server checks again). */
export interface AlarmActions { ack: boolean; reset: boolean; shelve: boolean; unshelve: boolean; outOfService: boolean; inService: boolean }

/** Which actions a state allows. */
export function actionsFor(a: Pick<ApiAlarm, 'state'>): AlarmActions {
  const s = a.state;
  return {
    ack: isUnacked(a),
    reset: s === 'latched',
    shelve: s === 'unacknowledged' || s === 'acknowledged' || s === 'returned-unacknowledged' || s === 'latched',
    unshelve: s === 'shelved',
    outOfService: s !== 'out-of-service',
    inService: s === 'out-of-service',
  };
}

/** Shelving choices offered, minutes. */
export const SHELVE_MINUTES: readonly number[] = [15, 60, 240, 480, 1440];
