/**
 * Who of a roster is on duty at a moment, for the on-call screen when the server does not say:
 * days and working hours in the roster's time zone (UTC when it names none; the server uses the
 * site's zone then). A span whose end is before its start runs over midnight and belongs to the
 * day it starts.
 * @module
 */
import type { ApiRoster } from '../../../src/protocol/alarm-types.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function minutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Day of week (0 = Sunday) and minute of day of `ts` in `timeZone`. */
export function zonedClock(ts: number, timeZone = 'UTC'): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ts);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: DAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** The people on duty at `ts`, in roster order (escalation order). */
export function onDutyAt(r: ApiRoster, ts: number): string[] {
  let clock: { day: number; minute: number };
  try {
    clock = zonedClock(ts, r.timeZone || 'UTC');
  } catch {
    clock = zonedClock(ts, 'UTC');
  }
  const out: string[] = [];
  for (const e of r.entries) {
    const days = e.days && e.days.length ? e.days : [0, 1, 2, 3, 4, 5, 6];
    const from = e.from ? minutes(e.from) : 0;
    const to = e.to ? minutes(e.to) : 1440;
    let on: boolean;
    if (from <= to) on = days.includes(clock.day) && clock.minute >= from && clock.minute < to;
    else on = (days.includes(clock.day) && clock.minute >= from) || (days.includes((clock.day + 6) % 7) && clock.minute < to);
    if (on && !out.includes(e.person)) out.push(e.person);
  }
  return out;
}
