import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LightsoutError } from '../core/errors.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import { NotificationService } from './notification-service.js';
import { alarmRecord, principal, startReceiver, until, type WebhookReceiver } from './notification-test-kit.js';

const FRI_10_SH = Date.parse('2026-11-27T02:00:00Z'); // Friday 10:00 in Shanghai
const SAT_10_SH = Date.parse('2026-11-28T02:00:00Z');
const engineer = principal('engineer');

let db: TempAlarmDb;
let store: SqliteAlarmStore;
let clock: SimClock;
let hook: WebhookReceiver;
let svc: NotificationService;
let journal: Array<{ alarmId: string; kind: string; text: string }>;

async function setup(start = FRI_10_SH): Promise<void> {
  clock = new SimClock(start);
  journal = [];
  svc = new NotificationService({
    store, clock, settings: { smtpFrom: 'lightsout@plant.example', maxAttempts: 3, timeoutMs: 2_000 },
    siteTimeZone: (_t, area) => (area.startsWith('sh') ? 'Asia/Shanghai' : undefined),
    journal: (_t, alarmId, kind, text) => journal.push({ alarmId, kind, text }),
    random: () => 0.5,
  });
  await svc.start();
  for (const who of ['li', 'zhao', 'wang', 'chen', 'ops']) {
    await svc.saveTarget(engineer, { id: `${who}-hook`, kind: 'webhook', name: `${who} pager`, url: `${hook.url}/${who}` });
  }
  await svc.saveRoster(engineer, {
    id: 'machining', name: 'Machining on call', area: 'sh/machining', ackTimeoutMinutes: 10, minPriority: 'medium',
    entries: [
      { person: 'Li', targets: ['li-hook'], days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' },
      { person: 'Zhao', targets: ['zhao-hook'], from: '20:00', to: '08:00' },
      { person: 'Wang', targets: ['wang-hook'], days: [0, 6] },
      { person: 'Chen', targets: ['chen-hook', 'ops-hook'] },
    ],
  });
}

const paths = (): string[] => hook.calls.map((c) => c.path).sort();

beforeEach(async () => {
  db = new TempAlarmDb('lightsout-notify-');
  store = await db.open();
  hook = await startReceiver();
});
afterEach(async () => {
  await svc?.stop();
  await hook.close();
  await db.remove();
});

describe('escalation', () => {
  it('a raise pages the first person on duty; escalation the next; the last step has no due time', async () => {
    await setup();
    const alarm = alarmRecord();
    const first = svc.raised(alarm, []);
    expect(first).toEqual({ step: 0, person: 'Li', dueTs: FRI_10_SH + 10 * 60_000 });
    await until(() => hook.calls.length === 1, 5_000, 'the page to Li');
    const call = hook.calls[0]!;
    expect(call.path).toBe('/li');
    expect(call.body).toMatchObject({ tenant: 'acme', event: 'raise', person: 'Li', alarm: { id: alarm.id, area: alarm.area, priority: 'high', message: alarm.message } });
    await until(() => journal.some((j) => j.kind === 'notify'));
    expect(journal).toEqual([{ alarmId: alarm.id, kind: 'notify', text: expect.stringContaining('webhook target "li pager"') }]);
    expect(journal[0]!.text).toContain('for Li');

    clock.advance(10 * 60_000);
    const second = svc.escalate({ ...alarm, escalationStep: 0, escalationDueTs: first!.dueTs }, 1);
    expect(second).toEqual({ step: 1, person: 'Chen' }); // Zhao and Wang are off duty on a Friday morning
    await until(() => hook.calls.length === 3, 5_000, 'the pages to Chen');
    expect(paths()).toEqual(['/chen', '/li', '/ops']);
    expect(hook.calls.find((c) => c.path === '/chen')!.body).toMatchObject({ event: 'escalate', person: 'Chen', step: 1 });
    expect(journal.filter((j) => j.kind === 'escalate').map((j) => j.text)).toEqual(['escalated to Chen (step 2 of roster "Machining on call")']);
    expect(svc.escalate({ ...alarm, escalationStep: 1 }, 2)).toBeUndefined();
  });

  it('escalate also works when given the step notified last', async () => {
    await setup();
    const alarm = alarmRecord({ escalationStep: 0 });
    expect(svc.escalate(alarm, 0)).toEqual({ step: 1, person: 'Chen' });
  });

  it('off-duty people are skipped: on Saturday the weekend person is first', async () => {
    await setup(SAT_10_SH);
    expect(svc.raised(alarmRecord(), [])).toEqual({ step: 0, person: 'Wang', dueTs: SAT_10_SH + 10 * 60_000 });
    expect(svc.onDuty(principal('viewer', 'sh/machining'), 'machining')).toEqual(['Wang', 'Chen']);
    expect(svc.onDuty(engineer, 'machining', Date.parse('2026-11-27T15:00:00Z'))).toEqual(['Zhao', 'Chen']);
    await until(() => hook.calls.length === 1);
    expect(hook.calls[0]!.path).toBe('/wang');
  });

  it('below the roster\'s minimum priority nobody is paged, direct targets still are', async () => {
    await setup();
    expect(svc.raised(alarmRecord({ priority: 'low' }), ['ops-hook'])).toBeUndefined();
    await until(() => hook.calls.length === 1);
    expect(paths()).toEqual(['/ops']);
    expect(svc.escalate(alarmRecord({ priority: 'low', escalationStep: 0 }), 1)).toBeUndefined();
  });

  it('direct targets and the roster\'s are told once each; an unknown target is journaled', async () => {
    await setup();
    svc.raised(alarmRecord(), ['li-hook', 'ops-hook', 'nobody']);
    await until(() => journal.filter((j) => j.kind === 'notify').length === 2);
    expect(paths()).toEqual(['/li', '/ops']);
    expect(journal.filter((j) => j.kind === 'notify-failed').map((j) => j.text)).toEqual(['notification target "nobody" does not exist']);
  });

  it('no roster for the area, or acknowledged: no escalation', async () => {
    await setup();
    expect(svc.raised(alarmRecord({ area: 'sh/assembly/line-2' }), [])).toBeUndefined();
    expect(svc.escalate(alarmRecord({ state: 'acknowledged', escalationStep: 0 }), 1)).toBeUndefined();
    expect(svc.pendingJobs()).toBe(0);
  });
});

describe('targets and rosters', () => {
  it('validates targets and redacts their secrets; the placeholder keeps the stored value', async () => {
    await setup();
    const bad = async (input: Parameters<NotificationService['saveTarget']>[1]): Promise<LightsoutError> =>
      svc.saveTarget(engineer, input).then(() => { throw new Error('accepted'); }, (e: LightsoutError) => e);
    expect((await bad({ id: 'x', kind: 'webhook', name: 'X', url: 'ftp://example.com/x' })).message).toMatch(/http or https/);
    expect((await bad({ id: 'x', kind: 'webhook', name: 'X', url: 'not a url' })).code).toBe('LIGHTSOUT_BAD_REQUEST');
    expect((await bad({ id: 'x', kind: 'email', name: 'X', to: 'ops at example.com' })).message).toMatch(/not an e-mail address/);
    expect((await bad({ id: 'x', kind: 'email', name: 'X', to: 'ops@example.com\r\nBcc: evil@example.com' })).code).toBe('LIGHTSOUT_BAD_REQUEST');
    expect((await bad({ id: 'x', kind: 'webhook', name: 'X', url: 'https://h.example.com', headers: { 'Bad Header': 'v' } })).message).toMatch(/header name/);

    const saved = await svc.saveTarget(engineer, { id: 'teams', kind: 'webhook', name: 'Teams', url: 'https://bot:hunter2@hooks.example.com/in?x=1', headers: { Authorization: 'Bearer abc' } });
    expect(saved).toEqual({ id: 'teams', kind: 'webhook', name: 'Teams', url: 'https://bot:********@hooks.example.com/in?x=1', headers: { Authorization: '********' } });
    expect(JSON.stringify(svc.listTargets(principal('viewer', 'sh')))).not.toMatch(/hunter2|Bearer abc/);
    await svc.saveTarget(engineer, { ...saved, name: 'Teams 2' } as typeof saved, 'update');
    const stored = (await store.listTargets('acme')).find((t) => t.id === 'teams');
    expect(stored).toMatchObject({ name: 'Teams 2', url: 'https://bot:hunter2@hooks.example.com/in?x=1', headers: { Authorization: 'Bearer abc' } });
    await expect(svc.saveTarget(engineer, { id: 'teams', kind: 'email', name: 'T', to: 'a@example.com' }, 'create')).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    await expect(svc.saveTarget(principal('operator'), { id: 'y', kind: 'email', name: 'Y', to: 'a@example.com' })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.saveTarget(principal('engineer', 'sh/machining'), { id: 'y', kind: 'email', name: 'Y', to: 'a@example.com' })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect(() => svc.listTargets(principal('viewer', '', 'globex'))).not.toThrow();
    expect(svc.listTargets(principal('viewer', '', 'globex'))).toEqual([]);
  });

  it('validates rosters: targets exist, zone known, hours well formed', async () => {
    await setup();
    const base = { id: 'r2', name: 'R2', area: 'sh', ackTimeoutMinutes: 5, entries: [{ person: 'A', targets: ['li-hook'] }] };
    await expect(svc.saveRoster(engineer, { ...base, entries: [{ person: 'A', targets: ['gone'] }] })).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', message: expect.stringContaining('"gone"') });
    await expect(svc.saveRoster(engineer, { ...base, timeZone: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST', message: expect.stringContaining('Mars/Olympus') });
    await expect(svc.saveRoster(engineer, { ...base, entries: [{ person: 'A', targets: ['li-hook'], from: '25:00' }] })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(svc.saveRoster(engineer, { ...base, area: 'sh//x' })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(svc.saveRoster(principal('viewer'), base)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect(await svc.saveRoster(engineer, { ...base, area: 'sh/', timeZone: 'Europe/Paris' })).toEqual({ ...base, area: 'sh', timeZone: 'Europe/Paris' });
    expect(svc.listRosters(principal('viewer', 'sh')).map((r) => r.id)).toEqual(['machining', 'r2']);
    // A target in use cannot go; the roster first.
    await expect(svc.deleteTarget(engineer, 'li-hook')).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT', message: expect.stringContaining('Machining on call') });
    await svc.deleteRoster(engineer, 'r2');
    await svc.deleteRoster(engineer, 'machining');
    await svc.deleteTarget(engineer, 'li-hook');
    await expect(svc.deleteTarget(engineer, 'li-hook')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    expect(await store.listRosters('acme')).toEqual([]);
    expect(() => svc.onDuty(engineer, 'machining')).toThrow(/does not exist/);
  });

  it('the delivery log shows only the alarms the caller may see', async () => {
    await setup();
    svc.raised(alarmRecord(), []);
    svc.raised(alarmRecord({ id: 'press', area: 'paris/press/line-1' }), ['ops-hook']);
    await until(() => hook.calls.length === 2);
    await until(async () => (await svc.listJobs(engineer, 10)).every((j) => j.state === 'delivered'));
    expect((await svc.listJobs(engineer, 10)).map((j) => j.alarmId).sort()).toEqual(['cnc-01-spindle-hot', 'press']);
    const lineViewer = await svc.listJobs(principal('viewer', 'sh/machining'), 10);
    expect(lineViewer.map((j) => j.alarmId)).toEqual(['cnc-01-spindle-hot']);
    expect(lineViewer[0]).toMatchObject({ targetId: 'li-hook', attempts: 1, state: 'delivered', subject: '[HIGH] Spindle over temperature — sh/machining/line-1/cnc-01' });
    await expect(svc.listJobs(principal('viewer', '', 'globex'), 10)).resolves.toEqual([]);
  });
});
