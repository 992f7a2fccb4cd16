/**
 * The rules, alarms and on-call REST API (docs/alarms.md) as the dashboard uses it, typed by
 * src/protocol/alarm-types.ts. Alarm ids of template instances hold `@` and `/`, so every id goes
 * into a path encoded.
 * @module
 */
import type {
  ApiAlarm, ApiAlarmEvent, ApiAlarmFigures, ApiNotificationJob, ApiNotificationTarget, ApiRoster, ApiRule, ApiRuleInput,
  ApiRuleTemplate, ApiRuleTemplateInput, ApiRuleTestResponse,
} from '../../../src/protocol/alarm-types.js';
import { getJson, sendJson } from '../api.js';

/** A roster as listed: the server may add who is on duty now. */
export type ListedRoster = ApiRoster & { onDuty?: string[] };

/** Lists come back wrapped (`{ rules: [...] }`); take the array whichever key holds it. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const v = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

const enc = encodeURIComponent;

/** GET /api/v1/alarms (not normal unless `all`). */
export async function fetchAlarms(signal?: AbortSignal): Promise<ApiAlarm[]> {
  return listOf<ApiAlarm>(await getJson('/api/v1/alarms', signal), 'alarms');
}

/** An operator action on one alarm; the answer is the alarm after it. */
export function alarmAction(id: string, action: 'ack' | 'reset' | 'unshelve' | 'in-service', comment?: string): Promise<ApiAlarm> {
  return sendJson<ApiAlarm>('POST', `/api/v1/alarms/${enc(id)}/${action}`, comment ? { comment } : {});
}

/** POST /api/v1/alarms/:id/shelve */
export function shelveAlarm(id: string, reason: string, minutes: number): Promise<ApiAlarm> {
  return sendJson<ApiAlarm>('POST', `/api/v1/alarms/${enc(id)}/shelve`, { reason, minutes });
}

/** POST /api/v1/alarms/:id/out-of-service */
export function outOfService(id: string, reason: string): Promise<ApiAlarm> {
  return sendJson<ApiAlarm>('POST', `/api/v1/alarms/${enc(id)}/out-of-service`, { reason });
}

/** POST /api/v1/alarms/:id/comment */
export function commentAlarm(id: string, text: string): Promise<ApiAlarm> {
  return sendJson<ApiAlarm>('POST', `/api/v1/alarms/${enc(id)}/comment`, { text });
}

/** POST /api/v1/alarms/ack — many at once. */
export async function ackMany(ids: string[], comment?: string): Promise<ApiAlarm[]> {
  const out: ApiAlarm[] = [];
  // The server takes at most 1000 ids a request.
  for (let i = 0; i < ids.length; i += 1000) {
    out.push(...listOf<ApiAlarm>(await sendJson('POST', '/api/v1/alarms/ack', { ids: ids.slice(i, i + 1000), ...(comment ? { comment } : {}) }), 'alarms'));
  }
  return out;
}

/** Search of the alarm journal. */
export interface HistorySearch { from?: number; to?: number; area?: string; priority?: string; kind?: string; q?: string; alarm?: string; limit: number; before?: number }

/** GET /api/v1/alarms/history */
export function fetchAlarmHistory(s: HistorySearch, signal?: AbortSignal): Promise<{ events: ApiAlarmEvent[]; nextBefore?: number }> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== '') q.set(k, String(v));
  return getJson(`/api/v1/alarms/history?${q.toString()}`, signal);
}

/** GET /api/v1/alarms/figures */
export function fetchFigures(from: number, to: number, area: string, signal?: AbortSignal): Promise<ApiAlarmFigures> {
  const q = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  if (area) q.set('area', area);
  return getJson(`/api/v1/alarms/figures?${q.toString()}`, signal);
}

/** GET /api/v1/rules */
export async function fetchRules(signal?: AbortSignal): Promise<ApiRule[]> {
  return listOf<ApiRule>(await getJson('/api/v1/rules', signal), 'rules');
}

/** GET /api/v1/rules/:id */
export function fetchRule(id: string, signal?: AbortSignal): Promise<ApiRule> {
  return getJson(`/api/v1/rules/${enc(id)}`, signal);
}

/** Create (no `id` yet known to the server) or replace a rule. */
export function saveRule(input: ApiRuleInput, existing: boolean): Promise<ApiRule> {
  if (existing) {
    const { id, ...body } = input;
    return sendJson('PUT', `/api/v1/rules/${enc(id!)}`, body);
  }
  return sendJson('POST', '/api/v1/rules', input);
}

/** DELETE /api/v1/rules/:id */
export function deleteRule(id: string): Promise<void> {
  return sendJson('DELETE', `/api/v1/rules/${enc(id)}`);
}

/** POST /api/v1/rules/validate */
export function validateRule(input: ApiRuleInput): Promise<{ ok: boolean; variables: string[] }> {
  return sendJson('POST', '/api/v1/rules/validate', input);
}

/** POST /api/v1/rules/test — replay [from, to) through the rule. */
export function testRule(rule: ApiRuleInput, from: number, to: number): Promise<ApiRuleTestResponse> {
  return sendJson('POST', '/api/v1/rules/test', { rule, from: Math.floor(from), to: Math.floor(to) });
}

/** GET /api/v1/rule-templates */
export async function fetchTemplates(signal?: AbortSignal): Promise<ApiRuleTemplate[]> {
  return listOf<ApiRuleTemplate>(await getJson('/api/v1/rule-templates', signal), 'templates');
}

/** Create or replace a template. */
export function saveTemplate(input: ApiRuleTemplateInput, existing: boolean): Promise<ApiRuleTemplate> {
  if (existing) {
    const { id, ...body } = input;
    return sendJson('PUT', `/api/v1/rule-templates/${enc(id!)}`, body);
  }
  return sendJson('POST', '/api/v1/rule-templates', input);
}

/** DELETE /api/v1/rule-templates/:id */
export function deleteTemplate(id: string): Promise<void> {
  return sendJson('DELETE', `/api/v1/rule-templates/${enc(id)}`);
}

/** GET /api/v1/notification-targets */
export async function fetchTargets(signal?: AbortSignal): Promise<ApiNotificationTarget[]> {
  return listOf<ApiNotificationTarget>(await getJson('/api/v1/notification-targets', signal), 'targets');
}

/** Create or replace a notification target. */
export function saveTarget(input: ApiNotificationTarget, existing: boolean): Promise<ApiNotificationTarget> {
  return existing ? sendJson('PUT', `/api/v1/notification-targets/${enc(input.id)}`, input) : sendJson('POST', '/api/v1/notification-targets', input);
}

/** DELETE /api/v1/notification-targets/:id */
export function deleteTarget(id: string): Promise<void> {
  return sendJson('DELETE', `/api/v1/notification-targets/${enc(id)}`);
}

/** POST /api/v1/notification-targets/:id/test — a test message now. */
export function testTarget(id: string): Promise<void> {
  return sendJson('POST', `/api/v1/notification-targets/${enc(id)}/test`);
}

/** GET /api/v1/rosters */
export async function fetchRosters(signal?: AbortSignal): Promise<ListedRoster[]> {
  return listOf<ListedRoster>(await getJson('/api/v1/rosters', signal), 'rosters');
}

/** Create or replace a roster. */
export function saveRoster(input: ApiRoster, existing: boolean): Promise<ApiRoster> {
  return existing ? sendJson('PUT', `/api/v1/rosters/${enc(input.id)}`, input) : sendJson('POST', '/api/v1/rosters', input);
}

/** DELETE /api/v1/rosters/:id */
export function deleteRoster(id: string): Promise<void> {
  return sendJson('DELETE', `/api/v1/rosters/${enc(id)}`);
}

/** GET /api/v1/notifications — the delivery log, newest first. */
export async function fetchJobs(limit = 100, signal?: AbortSignal): Promise<ApiNotificationJob[]> {
  return listOf<ApiNotificationJob>(await getJson(`/api/v1/notifications?limit=${limit}`, signal), 'jobs');
}
