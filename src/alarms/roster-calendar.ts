/**
 * Who is on call, and in which order: pure functions over a roster, a time and an IANA zone.
 *
 * Working hours are read in the roster's zone (plant time). A span whose `to` is not after its
 * `from` runs over midnight and belongs to the day it starts on: an entry for Friday 22:00–06:00
 * is on duty Friday 23:00 and Saturday 03:00, but not Friday 03:00 (that is Thursday's shift).
 * `to` may be `24:00` (end of day); `from` equal to `to` is a 24-hour shift starting at `from`.
 * Without `from`/`to` the entry is on duty all day; without `days`, every day.
 * @module
 */
import { inScope } from '../core/auth.js';
import type { Roster, RosterEntry } from '../core/alarm-port.js';
import { ALARM_PRIORITIES, type AlarmPriority } from '../core/rule-port.js';

const HM = /^(\d{2}):(\d{2})$/;
const DAY_MINUTES = 24 * 60;
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `zone` is an IANA time zone this runtime knows (e.g. `Asia/Shanghai`, `UTC`). */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  return f;
}

/** Day of week (0 = Sunday) and minute of day of `ts` in `zone`. Throws RangeError for an unknown zone. */
export function zonedTime(ts: number, zone: string): { day: number; minute: number } {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(zone).formatToParts(new Date(ts))) {
    if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** Minutes after midnight of `HH:MM` (`24:00` = 1440), or undefined when malformed. */
export function parseClock(text: string): number | undefined {
  const m = HM.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}

/** True when the entry is on duty at `ts` in `zone`. */
export function entryOnDuty(entry: RosterEntry, ts: number, zone: string): boolean {
  const { day, minute } = zonedTime(ts, zone);
  const onDay = (d: number): boolean => entry.days === undefined || entry.days.includes(d);
  const from = entry.from === undefined ? 0 : parseClock(entry.from) ?? 0;
  const to = entry.to === undefined ? DAY_MINUTES : parseClock(entry.to) ?? DAY_MINUTES;
  if (from < to) return onDay(day) && minute >= from && minute < to;
  // Over midnight (or a 24-hour shift when equal): the part after midnight is the previous day's shift.
  if (minute >= from) return onDay(day);
  if (minute < to) return onDay((day + 6) % 7);
  return false;
}

/** The entries on duty at `ts`, in roster order (the escalation order). */
export function onDutyEntries(roster: Roster, ts: number, zone: string): RosterEntry[] {
  return roster.entries.filter((e) => entryOnDuty(e, ts, zone));
}

/** The zone a roster's hours are read in: its own, else the site's, else UTC. */
export function rosterZone(roster: Roster, siteZone: string | undefined): string {
  if (roster.timeZone && isValidTimeZone(roster.timeZone)) return roster.timeZone;
  if (siteZone && isValidTimeZone(siteZone)) return siteZone;
  return 'UTC';
}

/** The roster covering `area` in `tenant`: the longest area prefix (whole levels) wins, ties by id. */
export function rosterFor(rosters: Iterable<Roster>, tenant: string, area: string): Roster | undefined {
  let best: Roster | undefined;
  for (const r of rosters) {
    if (r.tenant !== tenant || !inScope(r.area, area)) continue;
    if (!best || r.area.length > best.area.length || (r.area.length === best.area.length && r.id < best.id)) best = r;
  }
  return best;
}

/** True when `priority` is at least as urgent as `min` (no minimum: every priority). */
export function meetsPriority(priority: AlarmPriority, min: AlarmPriority | undefined): boolean {
  if (!min) return true;
  return ALARM_PRIORITIES.indexOf(priority) <= ALARM_PRIORITIES.indexOf(min);
}

/**
 * Step `step` of escalation at `ts`: the `step`-th entry on duty then (0 = first), and whether a
 * further step exists. Undefined when fewer people are on duty.
 */
export function escalationEntry(roster: Roster, step: number, ts: number, zone: string): { entry: RosterEntry; last: boolean } | undefined {
  const on = onDutyEntries(roster, ts, zone);
  const entry = on[step];
  return entry ? { entry, last: step >= on.length - 1 } : undefined;
}
