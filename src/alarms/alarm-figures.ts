/**
 * ISA-18.2 alarm management figures from the journal, as a pure function (docs/alarms.md):
 * - operator load counts *annunciated* raises (journal `raise` entering `unacknowledged`): alarms
 *   per operator position (the `site/area` of the alarm's asset) per 10 minutes, average and the
 *   busiest 10 minutes (sliding), and flood time: while more than 10 raises fell in the trailing
 *   10 minutes (the top-level flood time is the union over positions);
 * - bad actors and chattering count *every* raise, also those hidden by a shelve, suppression or
 *   out-of-service (a nuisance stays a nuisance when shelved): the ten most frequent alarms with
 *   their share, and alarms raised 3 or more times within 60 s (bursts = separate spells of that);
 * - stale: standing (not normal, and shown: not shelved, suppressed or out of service) at the end
 *   of the period, since it last left normal more than 24 h before;
 * - raises per priority and a 10-minute series (buckets on whole 10 minutes of UTC).
 * @module
 */
import type { AlarmEvent, AlarmRecord, AlarmState } from '../core/alarm-port.js';
import { inScope } from '../core/auth.js';
import { ALARM_PRIORITIES } from '../core/rule-port.js';
import type { ApiAlarmFigures } from '../protocol/alarm-types.js';
import { HIDDEN_STATES } from './alarm-state.js';

/** Ten minutes: the ISA-18.2 unit of operator load, and the series bucket. */
export const TEN_MINUTES_MS = 600_000;
/** More than this many raises in 10 minutes is a flood. */
export const FLOOD_RAISES = 10;
/** Chattering: this many raises of one alarm … */
export const CHATTER_RAISES = 3;
/** … within this window. */
export const CHATTER_WINDOW_MS = 60_000;
/** Not normal for longer than this at the end of the period: stale. */
export const STALE_MS = 24 * 3_600_000;

/** What the figures are computed from. */
export interface FiguresInput {
  from: number;
  to: number;
  /** Asset path prefix (whole levels); '' = the tenant. */
  area: string;
  /**
   * Journal entries, oldest first, from `journalFrom` up to `to` or later (later entries help to
   * tell the state at `to` of alarms that did not change in the period).
   */
  events: readonly AlarmEvent[];
  /** Where the journal given starts; it should be at or before `to − 24 h` and `from − 10 min`. */
  journalFrom: number;
  /** The alarms as they are now (rule names, and the state of alarms without entries). */
  records: readonly AlarmRecord[];
}

/** The operator position of an alarm: the `site/area` levels of its asset path. */
export function operatorPosition(area: string): string {
  return area.split('/').slice(0, 2).join('/');
}

interface Spells {
  /** Intervals within [from, to) where the trailing-window count exceeded the limit. */
  spells: Array<[number, number]>;
  /** The highest trailing-window count at any instant in [from, to). */
  max: number;
}

/**
 * Sweep the trailing-window count `#{ r : r ≤ t < r + windowMs }` over [from, to): spells above
 * `limit` and the maximum. `times` sorted ascending.
 */
export function trailingWindow(times: readonly number[], windowMs: number, limit: number, from: number, to: number): Spells {
  const changes: Array<[number, number]> = [];
  for (const r of times) changes.push([r, 1], [r + windowMs, -1]);
  // At the same instant a raise leaving the window goes before one entering it.
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const spells: Array<[number, number]> = [];
  let count = 0;
  let max = 0;
  let start: number | undefined;
  let i = 0;
  while (i < changes.length) {
    const t = changes[i]![0];
    while (i < changes.length && changes[i]![0] === t) count += changes[i++]![1];
    // The count holds on [t, next): it counts when that piece meets [from, to).
    const next = i < changes.length ? changes[i]![0] : Infinity;
    if (t < to && next > from) max = Math.max(max, count);
    const at = Math.min(Math.max(t, from), to);
    if (count > limit && start === undefined) start = at;
    else if (count <= limit && start !== undefined) {
      if (at > start) spells.push([start, at]);
      start = undefined;
    }
  }
  if (start !== undefined && to > start) spells.push([start, to]);
  return { spells, max };
}

/** Total length of the union of intervals. */
function unionMs(intervals: Array<[number, number]>): number {
  const s = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: [number, number] | undefined;
  for (const iv of s) {
    if (cur && iv[0] <= cur[1]) cur[1] = Math.max(cur[1], iv[1]);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [iv[0], iv[1]];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

const group = <T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it); else m.set(k, [it]);
  }
  return m;
};

/** Compute the figures of a period. */
export function alarmFigures(input: FiguresInput): ApiAlarmFigures {
  const { from, to, area } = input;
  const span = Math.max(1, to - from);
  const events = input.events.filter((e) => inScope(area, e.area));
  const names = new Map(input.records.map((r) => [r.id, r.ruleName]));
  const inPeriod = (e: AlarmEvent): boolean => e.ts >= from && e.ts <= to;
  const raises = events.filter((e) => e.kind === 'raise');
  const annunciated = raises.filter((e) => e.to === 'unacknowledged');
  const shown = annunciated.filter(inPeriod);
  const all = raises.filter(inPeriod);

  const floodSpells: Array<[number, number]> = [];
  const positions: ApiAlarmFigures['positions'] = [];
  const byPosition = group(annunciated.filter((e) => e.ts >= from - TEN_MINUTES_MS && e.ts <= to), (e) => operatorPosition(e.area));
  for (const [position, evs] of [...byPosition].sort((a, b) => a[0].localeCompare(b[0]))) {
    const mine = evs.filter(inPeriod);
    const flood = trailingWindow(evs.map((e) => e.ts), TEN_MINUTES_MS, FLOOD_RAISES, from, to);
    const floodMs = unionMs(flood.spells);
    // A position is listed when it had alarms in the period, or a flood that began just before.
    if (mine.length === 0 && floodMs === 0) continue;
    floodSpells.push(...flood.spells);
    positions.push({
      position, raises: mine.length,
      per10MinAvg: mine.length / (span / TEN_MINUTES_MS),
      per10MinMax: trailingWindow(mine.map((e) => e.ts), TEN_MINUTES_MS, Infinity, from, to).max,
      floodMs, floodFraction: floodMs / span,
    });
  }
  const floodMs = unionMs(floodSpells);

  const series: ApiAlarmFigures['series'] = [];
  const first = Math.floor(from / TEN_MINUTES_MS) * TEN_MINUTES_MS;
  for (let b = first; b < to || b === first; b += TEN_MINUTES_MS) series.push({ ts: b, raises: 0 });
  for (const e of shown) {
    const bucket = series[Math.floor((e.ts - first) / TEN_MINUTES_MS)];
    if (bucket) bucket.raises += 1;
  }

  const byPriority: Record<string, number> = Object.fromEntries(ALARM_PRIORITIES.map((p) => [p, 0]));
  for (const e of shown) byPriority[e.priority] = (byPriority[e.priority] ?? 0) + 1;

  const perAlarm = group(all, (e) => e.alarmId);
  const chattering: ApiAlarmFigures['chattering'] = [];
  const badActors: ApiAlarmFigures['badActors'] = [];
  for (const [alarmId, evs] of perAlarm) {
    const last = evs[evs.length - 1]!;
    const who = { alarmId, ruleName: names.get(alarmId) ?? alarmId, area: last.area };
    badActors.push({ ...who, priority: last.priority, raises: evs.length, share: evs.length / all.length });
    const chatter = trailingWindow(evs.map((e) => e.ts), CHATTER_WINDOW_MS, CHATTER_RAISES - 1, from, to);
    if (chatter.spells.length > 0) chattering.push({ ...who, bursts: chatter.spells.length, maxPerMinute: chatter.max });
  }
  badActors.sort((a, b) => b.raises - a.raises || a.alarmId.localeCompare(b.alarmId));
  chattering.sort((a, b) => b.maxPerMinute - a.maxPerMinute || b.bursts - a.bursts || a.alarmId.localeCompare(b.alarmId));

  return {
    from, to, area, positions, series, floodMs, floodFraction: floodMs / span,
    chattering, stale: staleAlarms(input, events), badActors: badActors.slice(0, 10), byPriority,
  };
}

/** Alarms standing at `to` (shown, not normal) whose current episode began more than 24 h before. */
function staleAlarms(input: FiguresInput, events: readonly AlarmEvent[]): ApiAlarmFigures['stale'] {
  const { to, area } = input;
  const perAlarm = group(events, (e) => e.alarmId);
  const records = new Map(input.records.filter((r) => inScope(area, r.area)).map((r) => [r.id, r]));
  const out: ApiAlarmFigures['stale'] = [];
  for (const id of new Set([...perAlarm.keys(), ...records.keys()])) {
    const evs = perAlarm.get(id) ?? [];
    const rec = records.get(id);
    const before = evs.filter((e) => e.ts <= to);
    const after = evs.find((e) => e.ts > to);
    const state: AlarmState = before.length > 0 ? before[before.length - 1]!.to : after ? after.from : rec?.state ?? 'normal';
    // Hidden alarms are accounted by their shelve, suppression or out-of-service, not as standing.
    if (state === 'normal' || HIDDEN_STATES.includes(state)) continue;
    let since: number | undefined;
    for (let i = before.length - 1; i >= 0; i--) {
      const e = before[i]!;
      if (e.from === 'normal' && e.to !== 'normal') { since = e.ts; break; }
    }
    // The episode began before the journal given: at or before its start.
    since ??= Math.min(input.journalFrom, rec?.activeTs ?? Infinity, rec?.stateTs ?? Infinity);
    if (to - since <= STALE_MS) continue;
    const last = evs[evs.length - 1];
    out.push({ alarmId: id, ruleName: rec?.ruleName ?? id, area: rec?.area ?? last?.area ?? '', sinceTs: since });
  }
  return out.sort((a, b) => a.sinceTs - b.sinceTs || a.alarmId.localeCompare(b.alarmId));
}
