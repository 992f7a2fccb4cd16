/**
 * Notifications and alarms together, as the platform wires them: the real AlarmService raises,
 * escalates on its timer and stops on ack; the NotificationService pages the people on duty
 * through a real webhook receiver; the journal (SQLite) shows notify and escalate.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RuleDefinition } from '../core/rule-port.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import { AlarmService } from './alarm-service.js';
import { NotificationService } from './notification-service.js';
import { principal, startReceiver, until, type WebhookReceiver } from './notification-test-kit.js';

const FRI_10_SH = Date.parse('2026-11-27T02:00:00Z'); // Friday 10:00 in Shanghai
const MIN = 60_000;
const CELL = 'sh/machining/line-1/cnc-01';
const engineer = principal('engineer');
const operator = principal('operator', 'sh/machining');

let db: TempAlarmDb;
let store: SqliteAlarmStore;
let hook: WebhookReceiver;
let clock: SimClock;
let alarms: AlarmService;
let notifications: NotificationService;

const rule: RuleDefinition = {
  id: 'cnc-01-hot', tenant: 'acme', name: 'Spindle over temperature', asset: CELL,
  condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 },
  alarm: { priority: 'high', message: 'Spindle at {spindle_temp} °C', notify: ['ops-hook'] }, enabled: true,
};

beforeEach(async () => {
  db = new TempAlarmDb('lightsout-escalation-');
  store = await db.open();
  hook = await startReceiver();
  clock = new SimClock(FRI_10_SH);
  notifications = new NotificationService({
    store, clock, settings: { smtpFrom: 'lightsout@plant.example', maxAttempts: 3, timeoutMs: 60_000 },
    siteTimeZone: () => 'Asia/Shanghai',
    journal: (tenant, id, kind, text) => alarms.note(tenant, id, kind, text),
    random: () => 0.5,
  });
  alarms = new AlarmService({ store, clock, notifier: notifications, settings: { maxShelveMinutes: 480 } });
  await notifications.start();
  await alarms.start();
  for (const who of ['li', 'zhao', 'chen', 'boss', 'ops']) {
    await notifications.saveTarget(engineer, { id: `${who}-hook`, kind: 'webhook', name: `${who} pager`, url: `${hook.url}/${who}` });
  }
  await notifications.saveRoster(engineer, {
    id: 'machining', name: 'Machining on call', area: 'sh/machining', ackTimeoutMinutes: 10,
    entries: [
      { person: 'Li', targets: ['li-hook'], days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' },
      { person: 'Zhao', targets: ['zhao-hook'], from: '20:00', to: '08:00' },
      { person: 'Chen', targets: ['chen-hook'] },
      { person: 'Boss', targets: ['boss-hook'] },
    ],
  });
  alarms.define(rule);
});
afterEach(async () => {
  await alarms.stop();
  await notifications.stop();
  await hook.close();
  await db.remove();
});

async function journal(): Promise<string[]> {
  await alarms.flush();
  const { events } = await alarms.history(engineer, { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 });
  return events.reverse().map((e) => `${e.kind}${e.text ? `: ${e.text}` : ''}`);
}

it('raise pages the direct target and the first on duty; escalation pages the next on duty (off duty skipped); ack stops it', async () => {
  hook.status = 'hang';
  alarms.condition('acme', rule.id, true, clock.now(), { value: 85, message: 'Spindle at 85 °C' });
  await alarms.flush(); // the alarm is durable while both webhooks still hang: it never waits for delivery
  expect(alarms.get(operator, rule.id)).toMatchObject({ state: 'unacknowledged', escalationStep: 0 });
  await until(() => hook.waiting() === 2);
  hook.status = 200;
  hook.release();
  expect(hook.calls.map((c) => c.path).sort()).toEqual(['/li', '/ops']);
  await until(async () => (await journal()).filter((j) => j.startsWith('notify')).length === 2);

  clock.advance(10 * MIN); // nobody acknowledged: Chen next (Zhao works nights)
  await until(() => hook.calls.length === 3);
  expect(hook.calls[2]).toMatchObject({ path: '/chen', body: { event: 'escalate', person: 'Chen', step: 1, alarm: { id: rule.id, message: 'Spindle at 85 °C' } } });
  expect(alarms.get(operator, rule.id).escalationStep).toBe(1);

  await alarms.ack(operator, rule.id);
  clock.advance(60 * MIN);
  await new Promise((r) => setTimeout(r, 50));
  expect(hook.calls).toHaveLength(3); // the boss was never paged

  await until(async () => (await journal()).filter((j) => j.startsWith('notify')).length === 3);
  const entries = await journal();
  expect(entries[0]).toBe('raise');
  expect(entries).toContain('escalate: escalated to Chen (step 2 of roster "Machining on call")');
  expect(entries.filter((e) => e.startsWith('notify: delivered to webhook target')).sort()).toEqual([
    `notify: delivered to webhook target "chen pager" (${hook.url}) for Chen`,
    `notify: delivered to webhook target "li pager" (${hook.url}) for Li`,
    `notify: delivered to webhook target "ops pager" (${hook.url})`,
  ]);
  expect(entries).toContain('ack');
});

it('a webhook that keeps failing is journaled notify-failed after maxAttempts, the alarm is unaffected', async () => {
  hook.status = 500;
  alarms.condition('acme', rule.id, true, clock.now(), { value: 85, message: 'Spindle at 85 °C' });
  const tried = async (n: number): Promise<boolean> => {
    const jobs = await store.listJobs('acme', 10);
    return jobs.length === 2 && jobs.every((j) => j.attempts === n);
  };
  await until(() => tried(1), 5_000, 'first attempts');
  expect(hook.calls).toHaveLength(2);
  for (const [wait, n] of [[5_000, 2], [10_000, 3]] as const) {
    await until(() => clock.nextAt() === clock.now() + wait, 5_000, `retry timer in ${wait} ms`);
    clock.advance(wait);
    await until(() => tried(n), 5_000, `attempt ${n}`);
    expect(hook.calls).toHaveLength(2 * n);
  }
  await until(async () => (await journal()).filter((j) => j.startsWith('notify-failed')).length === 2, 5_000, 'notify-failed');
  expect((await journal()).filter((j) => j.startsWith('notify-failed')).sort()).toEqual([
    `notify-failed: gave up after 3 attempts for Li: webhook target "li pager" (${hook.url}): answered HTTP 500 Internal Server Error`,
    `notify-failed: gave up after 3 attempts: webhook target "ops pager" (${hook.url}): answered HTTP 500 Internal Server Error`,
  ]);
  expect(alarms.get(operator, rule.id).state).toBe('unacknowledged');
});
