/**
 * Tenant isolation, generated from the server's route table: with tenant A's credentials every
 * route is called with tenant B's ids (and B's tag paths) and must answer 403 or 404, or an
 * answer holding nothing of B. A route the table holds but this file does not cover fails the
 * test, so a new route cannot ship without an isolation case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../src/app.js';
import { sendJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Platform;
const url = (p: string) => platform.httpUrl + p;

/** Tenant B's identifiers, filled by the seeding below. */
const B = {
  tenant: 'beta',
  tag: 'beta-site/area/line-1/press-1/force',
  line: 'beta-site/area/line-1',
  value: 987654.321,
  userId: '',
  username: 'bob-beta',
  tokenId: '',
  deviceId: 'beta-gw-1',
  commandId: '',
  showcaseId: '',
  connectorId: 'beta-plc-7q2x',
  asset: 'beta-site/area/line-1/press-1',
  ruleId: 'beta-force-high-q7',
  templateId: 'beta-tpl-k3',
  instanceId: 'beta-tpl-k3@beta-site/area/line-1/press-1',
  targetId: 'beta-hook-m5',
  targetUrl: 'http://127.0.0.1:9/beta-secret-hook-path',
  rosterId: 'beta-oncall-r2',
};

let alice: Record<string, string>;
let bob: Record<string, string>;

async function loginCookie(username: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(url('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
}

/** How to call a route as A with B's ids; `list` routes must answer without B's data. */
interface Case {
  calls: () => Array<{ path: string; body?: unknown }>;
  /** Allowed statuses; default 403/404. */
  expect?: number[];
}

/** A Modbus connector to an address nobody answers on (it just keeps reconnecting). */
const betaConnector = (cid: string) => ({
  id: cid, kind: 'modbus', settings: { host: '127.0.0.1', port: 9, timeoutMs: 200, groups: [{ name: 'g', intervalMs: 1000, registers: [{ tag: 'beta-site/area/line-1/plc/level', area: 'holding-register', address: 0, type: 'uint16' }] }] },
});

const id = (path: string, body?: unknown) => () => [{ path, ...(body === undefined ? {} : { body }) }];

/** A rule on tenant B's press (its asset and tag do not exist in A's namespace). */
const betaRule = (rid: string) => ({
  id: rid, asset: B.asset, name: 'Force high', enabled: true,
  condition: { kind: 'threshold', tag: 'force', op: '>', limit: 1000 },
  alarm: { priority: 'high', message: 'Force at {force}' },
});
const betaTemplate = (tid: string) => ({
  id: tid, machineType: 'press', name: 'Force stale', enabled: true,
  condition: { kind: 'stale', tag: 'force', afterS: 3600 }, alarm: { priority: 'low', message: 'No force reading' },
});
const hook = (hid: string, url: string) => ({ id: hid, kind: 'webhook', name: 'Hook', url });
const roster = (rid: string, target: string) => ({ id: rid, name: 'On call', area: '', ackTimeoutMinutes: 10, entries: [{ person: 'Night shift', targets: [target] }] });
/** B's alarm ids: a rule's and a template instance's (sent URL-encoded). */
const betaAlarms = () => [B.ruleId, encodeURIComponent(B.instanceId)];
const alarmCalls = (suffix: string, body: unknown) => () => betaAlarms().map((a) => ({ path: `/api/v1/alarms/${a}${suffix}`, body }));

/** Every /api/ route, by "METHOD url". */
const CASES: Record<string, Case> = {
  // auth: about the caller only
  'POST /api/v1/auth/login': { calls: id('/api/v1/auth/login', { username: B.username, password: 'wrong-password-for-bob' }), expect: [401] },
  'POST /api/v1/auth/link': { calls: id('/api/v1/auth/link', { token: 'not-a-link-token' }), expect: [401] },
  'POST /api/v1/auth/logout': { calls: id('/api/v1/auth/logout'), expect: [204] },
  'GET /api/v1/auth/me': { calls: id('/api/v1/auth/me'), expect: [200] },
  'PUT /api/v1/auth/password': { calls: id('/api/v1/auth/password', { current: 'wrong-current-password', password: 'whatever-new-password' }), expect: [403] },
  // access
  'GET /api/v1/users': { calls: () => [{ path: '/api/v1/users' }, { path: `/api/v1/users?tenant=${B.tenant}` }], expect: [200, 403] },
  'POST /api/v1/users': { calls: id('/api/v1/users', { username: 'intruder-1', grants: [{ role: 'admin', scope: '' }], tenant: 'beta' }) },
  'PATCH /api/v1/users/:id': { calls: () => [{ path: `/api/v1/users/${B.userId}`, body: { disabled: true } }] },
  'DELETE /api/v1/users/:id': { calls: () => [{ path: `/api/v1/users/${B.userId}` }] },
  'GET /api/v1/tokens': { calls: id('/api/v1/tokens'), expect: [200] },
  'POST /api/v1/tokens': { calls: id('/api/v1/tokens', { name: 'x', grants: [{ role: 'admin', scope: B.line }] }), expect: [201, 403] },
  'DELETE /api/v1/tokens/:id': { calls: () => [{ path: `/api/v1/tokens/${B.tokenId}` }] },
  'GET /api/v1/tenants': { calls: id('/api/v1/tenants') },
  'POST /api/v1/tenants': { calls: id('/api/v1/tenants', { id: 'intruder' }) },
  'PATCH /api/v1/tenants/:id': { calls: () => [{ path: `/api/v1/tenants/${B.tenant}`, body: { disabled: true } }] },
  // catalog and data: A's namespace only, whatever path is named
  'GET /api/v1/health': { calls: id('/api/v1/health'), expect: [200] },
  'GET /api/v1/assets': { calls: id('/api/v1/assets'), expect: [200] },
  'PATCH /api/v1/assets': { calls: id('/api/v1/assets', { assets: [{ path: 'beta-site', description: 'taken over' }] }), expect: [200] },
  'GET /api/v1/tags': { calls: () => [{ path: '/api/v1/tags' }, { path: `/api/v1/tags?prefix=${B.line}` }], expect: [200] },
  'PATCH /api/v1/tags': { calls: id('/api/v1/tags', { tags: [{ path: B.tag, unit: 'kN' }] }) },
  'POST /api/v1/ingest': { calls: id('/api/v1/ingest', { points: [{ tag: 'acme-site/area/line-1/m/x', value: 1 }] }), expect: [200] },
  'GET /api/v1/latest': { calls: id(`/api/v1/latest?tag=${B.tag}`), expect: [200] },
  'GET /api/v1/history': { calls: id(`/api/v1/history?tag=${B.tag}&from=0`) },
  'GET /api/v1/live': { calls: id('/api/v1/live'), expect: [400] },
  // devices
  'GET /api/v1/devices': { calls: id('/api/v1/devices'), expect: [200] },
  'POST /api/v1/devices': { calls: id('/api/v1/devices', { id: B.deviceId }), expect: [409] },
  'DELETE /api/v1/devices/:id': { calls: () => [{ path: `/api/v1/devices/${B.deviceId}` }] },
  // connectors: ids are per tenant; a body naming another tenant still lands in the caller's own
  'GET /api/v1/connectors': { calls: id('/api/v1/connectors'), expect: [200] },
  'GET /api/v1/connectors/:id': { calls: () => [{ path: `/api/v1/connectors/${B.connectorId}` }] },
  'POST /api/v1/connectors': { calls: id('/api/v1/connectors', { ...betaConnector('acme-probe-1'), tenant: 'beta' }), expect: [201] },
  'PUT /api/v1/connectors/:id': { calls: () => [{ path: `/api/v1/connectors/${B.connectorId}`, body: betaConnector(B.connectorId) }] },
  'DELETE /api/v1/connectors/:id': { calls: () => [{ path: `/api/v1/connectors/${B.connectorId}` }] },
  'GET /api/v1/connectors/:id/browse': { calls: () => [{ path: `/api/v1/connectors/${B.connectorId}/browse` }] },
  // commands
  'GET /api/v1/commands': { calls: () => [{ path: '/api/v1/commands' }, { path: `/api/v1/commands?tag=${B.tag}` }], expect: [200] },
  'POST /api/v1/commands': { calls: id('/api/v1/commands', { kind: 'write', tag: B.tag, value: 1, idempotencyKey: 'iso-1' }) },
  'GET /api/v1/commands/:id': { calls: () => [{ path: `/api/v1/commands/${B.commandId}` }] },
  'POST /api/v1/commands/:id/confirm': { calls: () => [{ path: `/api/v1/commands/${B.commandId}/confirm`, body: {} }] },
  'POST /api/v1/commands/:id/approve': { calls: () => [{ path: `/api/v1/commands/${B.commandId}/approve`, body: {} }] },
  'POST /api/v1/commands/:id/cancel': { calls: () => [{ path: `/api/v1/commands/${B.commandId}/cancel`, body: {} }] },
  // rules: B's ids are unknown in A; a rule naming B's asset finds no such tag in A's namespace
  'GET /api/v1/rules': { calls: () => [{ path: '/api/v1/rules' }, { path: `/api/v1/rules?asset=${B.asset}` }], expect: [200] },
  'POST /api/v1/rules': { calls: id('/api/v1/rules', betaRule('acme-probe-rule')), expect: [400, 404] },
  'POST /api/v1/rules/validate': { calls: id('/api/v1/rules/validate', betaRule('acme-probe-rule')), expect: [400, 404] },
  'POST /api/v1/rules/test': { calls: id('/api/v1/rules/test', { rule: betaRule('acme-probe-rule'), from: 0, to: Date.now() }), expect: [400, 404] },
  'GET /api/v1/rules/:id': { calls: () => [B.ruleId, encodeURIComponent(B.instanceId)].map((r) => ({ path: `/api/v1/rules/${r}` })) },
  'PUT /api/v1/rules/:id': { calls: () => [{ path: `/api/v1/rules/${B.ruleId}`, body: betaRule(B.ruleId) }], expect: [400, 404] },
  'DELETE /api/v1/rules/:id': { calls: () => [B.ruleId, encodeURIComponent(B.instanceId)].map((r) => ({ path: `/api/v1/rules/${r}` })) },
  'GET /api/v1/rule-templates': { calls: id('/api/v1/rule-templates'), expect: [200] },
  'POST /api/v1/rule-templates': { calls: id('/api/v1/rule-templates', betaTemplate('acme-tpl-probe')), expect: [201] },
  'PUT /api/v1/rule-templates/:id': { calls: () => [{ path: `/api/v1/rule-templates/${B.templateId}`, body: betaTemplate(B.templateId) }] },
  'DELETE /api/v1/rule-templates/:id': { calls: () => [{ path: `/api/v1/rule-templates/${B.templateId}` }] },
  // alarms
  'GET /api/v1/alarms': { calls: () => [{ path: '/api/v1/alarms' }, { path: '/api/v1/alarms?all=true' }, { path: `/api/v1/alarms?all=true&area=${B.line}` }], expect: [200] },
  'GET /api/v1/alarms/history': { calls: () => [{ path: '/api/v1/alarms/history?from=0' }, { path: `/api/v1/alarms/history?from=0&alarm=${B.ruleId}` }, { path: `/api/v1/alarms/history?from=0&area=${B.line}` }], expect: [200] },
  'GET /api/v1/alarms/figures': { calls: () => [{ path: '/api/v1/alarms/figures' }, { path: `/api/v1/alarms/figures?area=${B.line}` }], expect: [200] },
  'GET /api/v1/alarms/live': { calls: id('/api/v1/alarms/live'), expect: [400] },
  'POST /api/v1/alarms/ack': { calls: id('/api/v1/alarms/ack', { ids: [B.ruleId, B.instanceId] }), expect: [200, 404] },
  'GET /api/v1/alarms/:id': { calls: alarmCalls('', undefined) },
  'POST /api/v1/alarms/:id/ack': { calls: alarmCalls('/ack', {}) },
  'POST /api/v1/alarms/:id/reset': { calls: alarmCalls('/reset', {}) },
  'POST /api/v1/alarms/:id/unshelve': { calls: alarmCalls('/unshelve', {}) },
  'POST /api/v1/alarms/:id/in-service': { calls: alarmCalls('/in-service', {}) },
  'POST /api/v1/alarms/:id/shelve': { calls: alarmCalls('/shelve', { reason: 'hide it', minutes: 5 }) },
  'POST /api/v1/alarms/:id/out-of-service': { calls: alarmCalls('/out-of-service', { reason: 'hide it' }) },
  'POST /api/v1/alarms/:id/comment': { calls: alarmCalls('/comment', { text: 'was here' }) },
  // notification targets and rosters: ids are per tenant
  'GET /api/v1/notification-targets': { calls: id('/api/v1/notification-targets'), expect: [200] },
  'POST /api/v1/notification-targets': { calls: id('/api/v1/notification-targets', hook('acme-hook-probe', 'http://127.0.0.1:9/acme')), expect: [201] },
  'PUT /api/v1/notification-targets/:id': { calls: () => [{ path: `/api/v1/notification-targets/${B.targetId}`, body: hook(B.targetId, 'http://127.0.0.1:9/taken') }] },
  'DELETE /api/v1/notification-targets/:id': { calls: () => [{ path: `/api/v1/notification-targets/${B.targetId}` }] },
  'POST /api/v1/notification-targets/:id/test': { calls: () => [{ path: `/api/v1/notification-targets/${B.targetId}/test` }] },
  'GET /api/v1/rosters': { calls: id('/api/v1/rosters'), expect: [200] },
  'POST /api/v1/rosters': { calls: id('/api/v1/rosters', roster('acme-roster-probe', 'acme-hook-probe')), expect: [201] },
  'PUT /api/v1/rosters/:id': { calls: () => [{ path: `/api/v1/rosters/${B.rosterId}`, body: roster(B.rosterId, 'acme-hook-probe') }] },
  'DELETE /api/v1/rosters/:id': { calls: () => [{ path: `/api/v1/rosters/${B.rosterId}` }] },
  'GET /api/v1/notifications': { calls: id('/api/v1/notifications'), expect: [200] },
  // audit
  'GET /api/v1/audit': { calls: () => [{ path: '/api/v1/audit' }, { path: `/api/v1/audit?actor=${B.username}` }], expect: [200] },
  'GET /api/v1/audit.csv': { calls: id('/api/v1/audit.csv'), expect: [200] },
  'GET /api/v1/audit/verify': { calls: id('/api/v1/audit/verify'), expect: [200] },
  // showcase links
  'GET /api/v1/showcase': { calls: id('/api/v1/showcase'), expect: [200] },
  'POST /api/v1/showcase': { calls: id('/api/v1/showcase', { scope: B.line, title: 'stolen' }) },
  'DELETE /api/v1/showcase/:id': { calls: () => [{ path: `/api/v1/showcase/${B.showcaseId}` }] },
  // A link is a capability: it opens one line to anyone holding it. Without B's secret, A gets 404.
  'GET /api/v1/showcase/:token/view': { calls: () => [{ path: `/api/v1/showcase/${B.showcaseId}.not-the-secret/view` }] },
};

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const t of ['acme', 'beta']) expect((await sendJson('POST', url('/api/v1/tenants'), { id: t, sparkplugGroups: [`${t}:*`] })).status).toBe(201);
  const a = await sendJson('POST', url('/api/v1/users'), { username: 'alice-acme', tenant: 'acme', grants: [{ role: 'admin', scope: '' }] });
  const b = await sendJson('POST', url('/api/v1/users'), { username: B.username, tenant: 'beta', grants: [{ role: 'admin', scope: '' }] });
  B.userId = b.body.user.id;
  alice = await loginCookie('alice-acme', a.body.password);
  bob = await loginCookie(B.username, b.body.password);
  // Tenant B's data and records, made by B's admin.
  expect((await sendJson('POST', url('/api/v1/ingest'), { points: [{ tag: B.tag, value: B.value }] }, bob)).status).toBe(200);
  expect((await sendJson('PATCH', url('/api/v1/tags'), { tags: [{ path: B.tag, writable: true }] }, bob)).status).toBe(200);
  B.tokenId = (await sendJson('POST', url('/api/v1/tokens'), { name: 'beta-mes' }, bob)).body?.token?.id ?? '';
  await sendJson('POST', url('/api/v1/devices'), { id: B.deviceId }, bob);
  const cmd = await sendJson('POST', url('/api/v1/commands'), { kind: 'write', tag: B.tag, value: 5, idempotencyKey: 'beta-1' }, bob);
  B.commandId = cmd.body?.id ?? cmd.body?.command?.id ?? 'no-command';
  const link = await sendJson('POST', url('/api/v1/showcase'), { scope: B.line, title: 'Beta line 1' }, bob);
  B.showcaseId = link.body?.id ?? 'no-link';
  expect((await sendJson('POST', url('/api/v1/connectors'), betaConnector(B.connectorId), bob)).status).toBe(201);
  // B's rule (raised by the next force reading, over its limit), template instance, target and roster.
  expect((await sendJson('PATCH', url('/api/v1/assets'), { assets: [{ path: B.asset, machineType: 'press' }] }, bob)).status).toBe(200);
  expect((await sendJson('POST', url('/api/v1/rules'), betaRule(B.ruleId), bob)).status).toBe(201);
  expect((await sendJson('POST', url('/api/v1/rule-templates'), betaTemplate(B.templateId), bob)).status).toBe(201);
  expect((await sendJson('POST', url('/api/v1/notification-targets'), hook(B.targetId, B.targetUrl), bob)).status).toBe(201);
  expect((await sendJson('POST', url('/api/v1/rosters'), roster(B.rosterId, B.targetId), bob)).status).toBe(201);
  expect((await sendJson('POST', url('/api/v1/ingest'), { points: [{ tag: B.tag, value: B.value }] }, bob)).status).toBe(200);
  await waitFor(async () => (await sendJson('GET', url(`/api/v1/alarms/${B.ruleId}`), undefined, bob)).body?.state === 'unacknowledged', 5000, 'B\'s alarm');
}, 60_000);
afterAll(async () => platform?.stop());

describe('tenant isolation', () => {
  it('seeded tenant B with a user, a token and data', () => {
    expect(B.userId).not.toBe('');
    expect(B.tokenId).not.toBe('');
  });

  it('every route refuses tenant B\'s ids to tenant A, and leaks nothing of B', async () => {
    const routes = platform.routes.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json');
    const uncovered = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !(k in CASES));
    expect(uncovered, 'routes without a tenant-isolation case: add them to CASES').toEqual([]);
    const secrets = [B.userId, B.tokenId, String(B.value), B.commandId, B.showcaseId, B.connectorId, B.ruleId, B.templateId, B.targetId, 'beta-secret-hook-path', B.rosterId].filter((s) => s.length >= 5 && !s.startsWith('no-'));
    // Logging out ends A's session: last.
    const ordered = [...routes.filter((r) => r.url !== '/api/v1/auth/logout'), ...routes.filter((r) => r.url === '/api/v1/auth/logout')];
    for (const r of ordered) {
      const c = CASES[`${r.method} ${r.url}`]!;
      for (const call of c.calls()) {
        const res = await sendJson(r.method, url(call.path), call.body, alice).catch(async () => {
          const raw = await fetch(url(call.path), { method: r.method, headers: alice });
          return { status: raw.status, body: await raw.text(), headers: raw.headers };
        });
        const allowed = c.expect ?? [403, 404];
        expect(allowed, `${r.method} ${call.path} answered ${res.status}: ${String(JSON.stringify(res.body ?? null)).slice(0, 200)}`).toContain(res.status);
        const text = JSON.stringify(res.body ?? '');
        // An id the request itself named may be echoed in the error; anything else of B may not appear.
        const asked = call.path + JSON.stringify(call.body ?? '');
        for (const s of secrets) if (!asked.includes(s)) expect(text, `${r.method} ${call.path} leaks ${s}`).not.toContain(s);
        if (r.method === 'GET') expect(text, `${r.method} ${call.path} names tenant B's user`).not.toContain(B.username);
      }
    }
    // B's records are intact after A's attempts.
    expect((await sendJson('GET', url(`/api/v1/latest?tag=${B.tag}`), undefined, bob)).body.points[0].value).toBe(B.value);
    expect((await sendJson('GET', url('/api/v1/auth/me'), undefined, bob)).status).toBe(200);
    const bConnectors = (await sendJson('GET', url('/api/v1/connectors'), undefined, bob)).body.connectors.map((c: any) => c.id);
    expect(bConnectors).toEqual([B.connectorId]);
    const bAlarm = (await sendJson('GET', url(`/api/v1/alarms/${B.ruleId}`), undefined, bob)).body;
    expect([bAlarm.state, bAlarm.ackedBy, bAlarm.comments]).toEqual(['unacknowledged', undefined, undefined]);
    expect((await sendJson('GET', url(`/api/v1/alarms/${encodeURIComponent(B.instanceId)}`), undefined, bob)).status).toBe(200);
    expect((await sendJson('GET', url('/api/v1/rules'), undefined, bob)).body.rules.map((r: any) => r.id).sort()).toEqual([B.ruleId, B.instanceId].sort());
    expect((await sendJson('GET', url('/api/v1/rule-templates'), undefined, bob)).body.templates.map((t: any) => t.id)).toEqual([B.templateId]);
    expect((await sendJson('GET', url('/api/v1/notification-targets'), undefined, bob)).body.targets.map((t: any) => t.url)).toEqual([B.targetUrl]);
    expect((await sendJson('GET', url('/api/v1/rosters'), undefined, bob)).body.rosters.map((r: any) => r.id)).toEqual([B.rosterId]);
    const tenants = (await sendJson('GET', url('/api/v1/tenants'))).body.tenants;
    expect(tenants.find((t: any) => t.id === 'beta').disabled).toBe(false);
  });
});
