import { describe, expect, it } from 'vitest';
import type { Roster, RosterEntry } from '../core/alarm-port.js';
import {
  entryOnDuty, escalationEntry, isValidTimeZone, meetsPriority, onDutyEntries, parseClock, rosterFor, rosterZone, zonedTime,
} from './roster-calendar.js';

const at = (iso: string): number => Date.parse(iso);
const SH = 'Asia/Shanghai';
const entry = (person: string, extra: Partial<RosterEntry> = {}): RosterEntry => ({ person, targets: [`${person.toLowerCase()}-mail`], ...extra });
const roster = (extra: Partial<Roster> = {}): Roster => ({
  id: 'r', tenant: 'acme', name: 'Machining', area: 'sh', ackTimeoutMinutes: 10, entries: [], ...extra,
});

describe('zonedTime', () => {
  it('reads weekday and minute in the zone, not in UTC', () => {
    // Thursday 23:30 UTC is Friday 07:30 in Shanghai.
    expect(zonedTime(at('2026-11-26T23:30:00Z'), SH)).toEqual({ day: 5, minute: 7 * 60 + 30 });
    expect(zonedTime(at('2026-11-26T23:30:00Z'), 'UTC')).toEqual({ day: 4, minute: 23 * 60 + 30 });
    expect(zonedTime(at('2026-11-29T00:00:00Z'), 'UTC')).toEqual({ day: 0, minute: 0 });
  });
  it('follows daylight saving time (Paris, last Sunday of March 2026)', () => {
    expect(zonedTime(at('2026-03-27T06:30:00Z'), 'Europe/Paris').minute).toBe(7 * 60 + 30);
    expect(zonedTime(at('2026-03-30T06:30:00Z'), 'Europe/Paris').minute).toBe(8 * 60 + 30);
  });
});

describe('entryOnDuty', () => {
  const weekdays = entry('Li', { days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' });
  it('a Shanghai day shift on weekdays', () => {
    expect(entryOnDuty(weekdays, at('2026-11-27T00:30:00Z'), SH)).toBe(true); // Fri 08:30
    expect(entryOnDuty(weekdays, at('2026-11-26T23:30:00Z'), SH)).toBe(false); // Fri 07:30
    expect(entryOnDuty(weekdays, at('2026-11-27T11:59:00Z'), SH)).toBe(true); // Fri 19:59
    expect(entryOnDuty(weekdays, at('2026-11-27T12:00:00Z'), SH)).toBe(false); // Fri 20:00, end is exclusive
    expect(entryOnDuty(weekdays, at('2026-11-28T02:00:00Z'), SH)).toBe(false); // Sat 10:00
  });
  it('weekends only', () => {
    const weekend = entry('Wang', { days: [0, 6] });
    expect(entryOnDuty(weekend, at('2026-11-28T02:00:00Z'), SH)).toBe(true); // Sat 10:00
    expect(entryOnDuty(weekend, at('2026-11-29T15:59:00Z'), SH)).toBe(true); // Sun 23:59
    expect(entryOnDuty(weekend, at('2026-11-29T16:00:00Z'), SH)).toBe(false); // Mon 00:00
    // Friday 17:00 UTC is already Saturday 01:00 in Shanghai.
    expect(entryOnDuty(weekend, at('2026-11-27T17:00:00Z'), SH)).toBe(true);
    expect(entryOnDuty(weekend, at('2026-11-27T17:00:00Z'), 'UTC')).toBe(false);
  });
  it('a night shift over midnight belongs to the day it starts on', () => {
    const friNight = entry('Zhao', { days: [5], from: '22:00', to: '06:00' });
    expect(entryOnDuty(friNight, at('2026-11-27T15:00:00Z'), SH)).toBe(true); // Fri 23:00
    expect(entryOnDuty(friNight, at('2026-11-27T19:00:00Z'), SH)).toBe(true); // Sat 03:00 (Friday's shift)
    expect(entryOnDuty(friNight, at('2026-11-27T21:59:00Z'), SH)).toBe(true); // Sat 05:59
    expect(entryOnDuty(friNight, at('2026-11-27T22:00:00Z'), SH)).toBe(false); // Sat 06:00
    expect(entryOnDuty(friNight, at('2026-11-26T19:00:00Z'), SH)).toBe(false); // Fri 03:00 is Thursday's shift
    expect(entryOnDuty(friNight, at('2026-11-28T14:30:00Z'), SH)).toBe(false); // Sat 22:30
    expect(entryOnDuty(friNight, at('2026-11-27T12:00:00Z'), SH)).toBe(false); // Fri 20:00
  });
  it('every night without days', () => {
    const nights = entry('Sun', { from: '20:00', to: '08:00' });
    expect(entryOnDuty(nights, at('2026-11-29T01:00:00Z'), 'UTC')).toBe(true);
    expect(entryOnDuty(nights, at('2026-11-29T21:00:00Z'), 'UTC')).toBe(true);
    expect(entryOnDuty(nights, at('2026-11-29T12:00:00Z'), 'UTC')).toBe(false);
  });
  it('24:00, all-day and 24-hour shifts', () => {
    expect(entryOnDuty(entry('A', { from: '18:00', to: '24:00' }), at('2026-11-26T23:59:00Z'), 'UTC')).toBe(true);
    expect(entryOnDuty(entry('A', { from: '18:00', to: '24:00' }), at('2026-11-27T00:00:00Z'), 'UTC')).toBe(false);
    expect(entryOnDuty(entry('B'), at('2026-11-27T03:17:00Z'), 'UTC')).toBe(true);
    const day24 = entry('C', { days: [1], from: '07:00', to: '07:00' }); // Monday 07:00 to Tuesday 07:00
    expect(entryOnDuty(day24, at('2026-11-30T07:00:00Z'), 'UTC')).toBe(true);
    expect(entryOnDuty(day24, at('2026-12-01T06:59:00Z'), 'UTC')).toBe(true);
    expect(entryOnDuty(day24, at('2026-12-01T07:00:00Z'), 'UTC')).toBe(false);
    expect(entryOnDuty(day24, at('2026-11-30T06:59:00Z'), 'UTC')).toBe(false);
  });
});

describe('rosters', () => {
  const r = roster({
    entries: [
      entry('Li', { days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' }),
      entry('Zhao', { from: '20:00', to: '08:00' }),
      entry('Wang', { days: [0, 6] }),
      entry('Chen'),
    ],
  });
  it('on duty in roster order, off-duty people skipped', () => {
    expect(onDutyEntries(r, at('2026-11-27T02:00:00Z'), SH).map((e) => e.person)).toEqual(['Li', 'Chen']); // Fri 10:00
    expect(onDutyEntries(r, at('2026-11-27T15:00:00Z'), SH).map((e) => e.person)).toEqual(['Zhao', 'Chen']); // Fri 23:00
    expect(onDutyEntries(r, at('2026-11-28T02:00:00Z'), SH).map((e) => e.person)).toEqual(['Wang', 'Chen']); // Sat 10:00
    expect(onDutyEntries(r, at('2026-11-28T15:00:00Z'), SH).map((e) => e.person)).toEqual(['Zhao', 'Wang', 'Chen']); // Sat 23:00
  });
  it('escalation steps walk the people on duty; the last has no next', () => {
    const ts = at('2026-11-28T15:00:00Z');
    expect(escalationEntry(r, 0, ts, SH)).toMatchObject({ entry: { person: 'Zhao' }, last: false });
    expect(escalationEntry(r, 1, ts, SH)).toMatchObject({ entry: { person: 'Wang' }, last: false });
    expect(escalationEntry(r, 2, ts, SH)).toMatchObject({ entry: { person: 'Chen' }, last: true });
    expect(escalationEntry(r, 3, ts, SH)).toBeUndefined();
  });
  it('the longest area prefix of whole levels wins, within the tenant', () => {
    const all = [
      roster({ id: 'tenant', area: '' }), roster({ id: 'site', area: 'sh' }), roster({ id: 'line', area: 'sh/machining/line-1' }),
      roster({ id: 'other', tenant: 'globex', area: 'sh/machining/line-1/cnc-01' }),
    ];
    expect(rosterFor(all, 'acme', 'sh/machining/line-1/cnc-01')?.id).toBe('line');
    expect(rosterFor(all, 'acme', 'sh/machining/line-10/cnc-01')?.id).toBe('site');
    expect(rosterFor(all, 'acme', 'paris/press')?.id).toBe('tenant');
    expect(rosterFor(all, 'initech', 'sh')).toBeUndefined();
  });
  it('minimum priority', () => {
    expect(meetsPriority('critical', 'high')).toBe(true);
    expect(meetsPriority('high', 'high')).toBe(true);
    expect(meetsPriority('medium', 'high')).toBe(false);
    expect(meetsPriority('low', undefined)).toBe(true);
  });
  it('zone: the roster\'s, else the site\'s, else UTC', () => {
    expect(rosterZone(roster({ timeZone: 'Europe/Paris' }), SH)).toBe('Europe/Paris');
    expect(rosterZone(roster(), SH)).toBe(SH);
    expect(rosterZone(roster(), undefined)).toBe('UTC');
    expect(rosterZone(roster(), 'Mars/Olympus')).toBe('UTC');
  });
  it('zone names and clock times', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(parseClock('07:05')).toBe(425);
    expect(parseClock('24:00')).toBe(1440);
    expect(parseClock('24:01')).toBeUndefined();
    expect(parseClock('7:05')).toBeUndefined();
    expect(parseClock('12:60')).toBeUndefined();
  });
});
