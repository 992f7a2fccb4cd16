/**
 * How alarms and their journal look to API callers: the record without internals, and the journal
 * search limited to what the caller may see.
 * @module
 */
import type { AlarmHistoryQuery, AlarmRecord, AlarmState, AlarmStore } from '../core/alarm-port.js';
import { can, inScope, requireRole, roleRank, type Principal } from '../core/auth.js';
import { ALARM_PRIORITIES, type AlarmPriority } from '../core/rule-port.js';
import type { ApiAlarm, ApiAlarmEvent } from '../protocol/alarm-types.js';

/** An alarm as the API shows it (no tenant, no escalation due time, no suppression flag). */
export function toApiAlarm(r: AlarmRecord): ApiAlarm {
  const a: ApiAlarm = {
    id: r.id, ruleName: r.ruleName, area: r.area, priority: r.priority, state: r.state, conditionActive: r.conditionActive,
    message: r.message, stateTs: r.stateTs, raiseCount: r.raiseCount,
  };
  if (r.value !== undefined) a.value = r.value;
  if (r.activeTs !== undefined) a.activeTs = r.activeTs;
  if (r.ackedBy !== undefined) a.ackedBy = r.ackedBy;
  if (r.ackedTs !== undefined) a.ackedTs = r.ackedTs;
  if (r.shelved) a.shelved = { ...r.shelved };
  if (r.outOfService) a.outOfService = { ...r.outOfService };
  if (r.escalationStep !== undefined) a.escalationStep = r.escalationStep;
  if (r.comments && r.comments.length > 0) a.comments = r.comments.map((c) => ({ ...c }));
  return a;
}

/**
 * Search the journal of the caller's tenant, newest first. A caller who may not view the whole
 * area asked for gets the parts of it they may view (one search per granted subtree, merged).
 */
export async function alarmHistory(store: AlarmStore, p: Principal, q: Omit<AlarmHistoryQuery, 'tenant'>): Promise<{ events: ApiAlarmEvent[]; nextBefore?: number }> {
  const area = (q.area ?? '').replace(/\/+$/, '');
  const limit = Math.min(Math.max(Math.trunc(q.limit) || 100, 1), 5000);
  let scopes: string[];
  if (can(p, 'viewer', area)) scopes = [area];
  else {
    const inside = p.grants.filter((g) => roleRank(g.role) >= roleRank('viewer') && inScope(area, g.scope)).map((g) => g.scope);
    scopes = [...new Set(inside)].filter((s, _i, all) => !all.some((o) => o !== s && inScope(o, s)));
    if (scopes.length === 0) requireRole(p, 'viewer', area, 'see the alarm history');
  }
  const found = (await Promise.all(scopes.map((s) => store.history({ ...q, area: s, tenant: p.tenant, limit })))).flat();
  found.sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0));
  const events = found.slice(0, limit).map((e): ApiAlarmEvent => {
    const out: ApiAlarmEvent = { seq: e.seq ?? 0, alarmId: e.alarmId, ts: e.ts, kind: e.kind, from: e.from, to: e.to, area: e.area, priority: e.priority, by: e.by };
    if (e.text !== undefined) out.text = e.text;
    if (e.value !== undefined) out.value = e.value;
    if (e.message !== undefined) out.message = e.message;
    return out;
  });
  const last = events[events.length - 1];
  return events.length === limit && last ? { events, nextBefore: last.seq } : { events };
}

/** Which alarms a list shows: the caller's tenant and scope (viewer), the filters; most urgent first. */
export function selectAlarms(
  records: Iterable<AlarmRecord>, p: Principal,
  q: { state?: AlarmState[]; area?: string; priority?: AlarmPriority[]; all?: boolean },
): AlarmRecord[] {
  const area = q.area?.replace(/\/+$/, '');
  const out: AlarmRecord[] = [];
  for (const r of records) {
    if (r.tenant !== p.tenant || !can(p, 'viewer', r.area)) continue;
    if (q.state && q.state.length > 0 ? !q.state.includes(r.state) : !q.all && r.state === 'normal') continue;
    if (area && !inScope(area, r.area)) continue;
    if (q.priority && q.priority.length > 0 && !q.priority.includes(r.priority)) continue;
    out.push(r);
  }
  const rank = (r: AlarmRecord): number => ALARM_PRIORITIES.indexOf(r.priority);
  return out.sort((a, b) => rank(a) - rank(b) || b.stateTs - a.stateTs || a.id.localeCompare(b.id));
}
