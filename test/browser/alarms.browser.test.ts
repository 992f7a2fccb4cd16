/**
 * The alarm screens in real Chromium against a platform of its own (no demo: the test makes its
 * own rules through the API): an alarm raised by a value pushed over the ingest API appears in the
 * console live, without a reload, and in the header badge; it is acknowledged in the page; another
 * is shelved with a reason and the shelving is in the history; the rule editor shows the server's
 * validation message at the expression; the figures screen draws its chart.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, sendJson, startTestPlatform } from '../helpers.js';
import { launchChromium, shot } from './chromium.js';
import { BROWSER_PLATFORM_FLAGS, loggedInContext } from './session.js';
import type { ApiAlarm } from '../../src/protocol/alarm-types.js';
import { actionsFor, visibleAlarms } from '../../web/src/alarms/alarm-model.js';
import { draftOf, emptyDraft, errorFor, FieldError, ruleInput } from '../../web/src/alarms/rule-draft.js';
import { onDutyAt } from '../../web/src/alarms/roster-duty.js';

const OVEN = 'lab/area-1/line-1/oven-01';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function ingest(tag: string, value: number): Promise<void> {
  const res = await sendJson('POST', `${platform.httpUrl}/api/v1/ingest`, { points: [{ tag: `${OVEN}/${tag}`, value }] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const row = (id: string) => page.locator(`[data-testid="alarm-row"][data-alarm="${id}"]`);

beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform({ ...BROWSER_PLATFORM_FLAGS }), launchChromium()]);
  // The tags must exist before a rule may name them.
  await ingest('temp', 20);
  await ingest('pressure', 1);
  await ingest('door', 0);
  for (const rule of [
    { id: 'oven-hot', asset: OVEN, name: 'Oven over temperature', condition: { kind: 'threshold', tag: 'temp', op: '>', limit: 100 }, alarm: { priority: 'high', message: 'Oven at {temp} (limit {limit})' }, enabled: true },
    { id: 'oven-pressure', asset: OVEN, name: 'Oven pressure high', condition: { kind: 'threshold', tag: 'pressure', op: '>', limit: 5 }, alarm: { priority: 'critical', message: 'Pressure {pressure} bar' }, enabled: true },
    { id: 'oven-door', asset: OVEN, name: 'Oven door opened while hot', condition: { kind: 'threshold', tag: 'door', op: '>', limit: 0.5 }, alarm: { priority: 'medium', message: 'Door opened', latched: true }, enabled: true },
  ]) {
    const res = await sendJson('POST', `${platform.httpUrl}/api/v1/rules`, rule);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  ctx = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
  page = await ctx.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
}, 90_000);

afterAll(async () => {
  await ctx?.close().catch(() => undefined);
  await browser?.close();
  await platform?.stop();
});

describe('the alarm screens in Chromium', () => {
  it('shows a raised alarm live in the console and the header badge, acknowledges it and comments on it', async () => {
    await page.goto(`${platform.httpUrl}/#/alarms`);
    await expect.poll(() => page.getByTestId('alarm-link').innerText(), { timeout: 10_000 }).toBe('Live');
    await expect.poll(() => page.getByTestId('alarm-none').count()).toBe(1);
    await ingest('temp', 123);
    await expect.poll(() => row('oven-hot').getAttribute('data-state'), { timeout: 10_000 }).toBe('unacknowledged');
    expect(await row('oven-hot').getByTestId('alarm-message').innerText()).toContain('Oven at 123');
    await expect.poll(() => page.getByTestId('alarm-badge').getAttribute('data-count')).toBe('1');
    await shot(page, 'alarms-console');
    // Unacknowledged blinks, unless the user asked for less motion.
    const animation = () => row('oven-hot').locator('.prio-chip').evaluate((el) => getComputedStyle(el).animationName);
    expect(await animation()).toBe('alarm-blink');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await animation()).toBe('none');
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await row('oven-hot').getByTestId('alarm-ack').click();
    await expect.poll(() => row('oven-hot').getAttribute('data-state')).toBe('acknowledged');
    await expect.poll(() => page.getByTestId('alarm-badge').getAttribute('data-count')).toBe('0');
    const alarm = (await getJson(`${platform.httpUrl}/api/v1/alarms/oven-hot`)).body;
    expect(alarm.state).toBe('acknowledged');
    expect(alarm.ackedBy).toBe('admin');
    await row('oven-hot').getByTestId('alarm-comment').click();
    await page.getByTestId('alarm-dialog-text').fill('door seal checked, heater on manual');
    await page.getByTestId('alarm-dialog-submit').click();
    await expect.poll(() => row('oven-hot').innerText()).toContain('door seal checked, heater on manual');
  });

  it('sorts by priority, and shelves an alarm with a reason that the history then shows', async () => {
    await ingest('pressure', 9);
    await expect.poll(() => row('oven-pressure').getAttribute('data-state'), { timeout: 10_000 }).toBe('unacknowledged');
    // Critical above high, whatever the time.
    expect(await page.getByTestId('alarm-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alarm')))).toEqual(['oven-pressure', 'oven-hot']);
    await row('oven-pressure').getByTestId('alarm-shelve').click();
    await page.getByTestId('alarm-dialog-text').fill('pressure sensor being recalibrated');
    await page.getByTestId('alarm-dialog-minutes').selectOption('60');
    await page.getByTestId('alarm-dialog-submit').click();
    await expect.poll(() => row('oven-pressure').getAttribute('data-state')).toBe('shelved');
    expect(await page.getByTestId('alarm-dialog').count()).toBe(0);
    await page.getByTestId('alarm-tab-alarm-history').click();
    const shelved = page.locator('[data-testid="history-row"][data-kind="shelve"][data-alarm="oven-pressure"]');
    await expect.poll(() => shelved.count(), { timeout: 10_000 }).toBe(1);
    expect(await shelved.getByTestId('history-text').innerText()).toContain('pressure sensor being recalibrated');
    expect(await page.locator('[data-testid="history-row"][data-kind="ack"][data-alarm="oven-hot"]').count()).toBe(1);
    await shot(page, 'alarms-history');
  });

  it('drops an alarm that returns to normal, and acknowledges all visible ones at once, only those the filters show', async () => {
    await page.getByTestId('alarm-tab-alarms').click();
    await expect.poll(() => row('oven-hot').count(), { timeout: 10_000 }).toBe(1);
    await ingest('temp', 20);
    // Acknowledged and cleared: back to normal, out of the console, without a reload.
    await expect.poll(() => row('oven-hot').count(), { timeout: 10_000 }).toBe(0);
    await ingest('temp', 130);
    await expect.poll(() => row('oven-hot').getAttribute('data-state'), { timeout: 10_000 }).toBe('unacknowledged');
    await page.getByTestId('alarm-filter-priority').selectOption('critical');
    await expect.poll(() => page.getByTestId('alarm-row').count()).toBe(1);
    expect(await page.getByTestId('alarm-ack-visible').isDisabled()).toBe(true); // the critical one is shelved
    await page.getByTestId('alarm-filter-priority').selectOption('');
    await page.getByTestId('alarm-filter-state').selectOption('unacked');
    await expect.poll(() => page.getByTestId('alarm-row').count()).toBe(1);
    await page.getByTestId('alarm-ack-visible').click();
    await expect.poll(() => page.getByTestId('alarm-row').count()).toBe(0);
    expect((await getJson(`${platform.httpUrl}/api/v1/alarms/oven-hot`)).body.state).toBe('acknowledged');
    expect((await getJson(`${platform.httpUrl}/api/v1/alarms/oven-pressure`)).body.state).toBe('shelved');
  });

  it('keeps a latched alarm after it clears and is acknowledged, until an operator resets it', async () => {
    await page.goto(`${platform.httpUrl}/#/alarms`);
    await ingest('door', 1);
    await expect.poll(() => row('oven-door').getAttribute('data-state'), { timeout: 10_000 }).toBe('unacknowledged');
    await ingest('door', 0);
    await expect.poll(() => row('oven-door').getAttribute('data-state'), { timeout: 10_000 }).toBe('returned-unacknowledged');
    expect(await row('oven-door').getByTestId('alarm-reset').count()).toBe(0);
    await row('oven-door').getByTestId('alarm-ack').click();
    await expect.poll(() => row('oven-door').getAttribute('data-state')).toBe('latched');
    await row('oven-door').getByTestId('alarm-reset').click();
    await expect.poll(() => row('oven-door').count()).toBe(0);
    expect((await getJson(`${platform.httpUrl}/api/v1/alarms/oven-door`)).body.state).toBe('normal');
  });

  it('tests a rule against the last 7 days, and shows the server\'s validation message at the expression in the rule editor, saving nothing', async () => {
    await page.goto(`${platform.httpUrl}/#/rules?id=oven-hot`);
    // The rule as saved, replayed over the week: temp went 20, 123, 20, 130.
    await page.getByTestId('rule-test').click();
    await expect.poll(() => page.getByTestId('rule-test-raises').innerText(), { timeout: 10_000 }).toBe('2');
    await page.getByTestId('rule-kind').selectOption('expression');
    await page.getByTestId('rule-expression').fill('temp > 100 &&');
    await page.getByTestId('rule-save').click();
    const err = page.getByTestId('field-error');
    await expect.poll(() => err.count(), { timeout: 10_000 }).toBe(1);
    expect(await err.getAttribute('data-field')).toMatch(/expression/);
    expect(await err.innerText()).toContain('^');
    await page.getByTestId('rule-expression').fill('temp > 100 && unknown_tag > 1');
    await page.getByTestId('rule-check').click();
    await expect.poll(() => page.getByTestId('field-error').innerText()).toContain('unknown_tag');
    await shot(page, 'alarms-rule-editor');
    expect((await getJson(`${platform.httpUrl}/api/v1/rules/oven-hot`)).body.condition.kind).toBe('threshold');
  });

  it('adds a webhook target and a roster on the on-call screen; "send test" reaches the receiver; the roster shows who is on duty', async () => {
    const received: string[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { received.push(`${req.headers['x-token'] ?? ''} ${body}`); res.writeHead(204).end(); });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      await page.goto(`${platform.httpUrl}/#/on-call`);
      await page.getByTestId('target-add').click();
      await page.getByTestId('target-id').fill('ops-hook');
      await page.getByTestId('target-kind').selectOption('webhook');
      await page.getByTestId('target-name').fill('Ops channel');
      await page.getByTestId('target-url').fill(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alarms`);
      await page.getByTestId('target-headers').fill('{"x-token": "s3cret"}');
      await page.getByTestId('target-save').click();
      const target = page.getByTestId('target-ops-hook');
      await expect.poll(() => target.count(), { timeout: 10_000 }).toBe(1);
      await target.getByTestId('target-test').click();
      await expect.poll(() => page.getByTestId('oncall-note').innerText(), { timeout: 10_000 }).toContain('ops-hook');
      expect(received.length).toBe(1);
      expect(received[0]).toMatch(/^s3cret /);
      await page.getByTestId('roster-add').click();
      await page.getByTestId('roster-id').fill('line-1');
      await page.getByTestId('roster-name').fill('Line 1 on call');
      await page.getByTestId('roster-area').fill('lab/area-1');
      await page.getByTestId('roster-person-0').fill('Wei');
      await page.getByTestId('roster-targets-0').fill('ops-hook');
      await page.getByTestId('roster-save').click();
      await expect.poll(() => page.getByTestId('roster-line-1').getByTestId('roster-on-duty').innerText(), { timeout: 10_000 }).toBe('Wei');
      await shot(page, 'alarms-on-call');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('offers each role only its actions: a viewer none, an operator on the area acknowledge but not out of service, an engineer out of service', async () => {
    const password = 'alarm-role-test-password';
    for (const [username, grants] of [['vic', [{ role: 'viewer', scope: '' }]], ['otto', [{ role: 'operator', scope: 'lab/area-1' }, { role: 'viewer', scope: '' }]]] as const) {
      const r = await sendJson('POST', `${platform.httpUrl}/api/v1/users`, { username, password, grants });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    await ingest('temp', 20);
    await ingest('temp', 140); // oven-hot raised again, unacknowledged
    for (const [username, ack, oos] of [['vic', 0, 0], ['otto', 1, 0]] as const) {
      const c = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1440, height: 900 }, locale: 'en-GB' }, username, password);
      try {
        const p = await c.newPage();
        await p.goto(`${platform.httpUrl}/#/alarms`);
        const r = p.locator('[data-testid="alarm-row"][data-alarm="oven-hot"]');
        await expect.poll(() => r.getAttribute('data-state'), { timeout: 10_000 }).toBe('unacknowledged');
        expect(await r.getByTestId('alarm-ack').count()).toBe(ack);
        expect(await r.getByTestId('alarm-out-of-service').count()).toBe(oos);
        expect(await p.getByTestId('alarm-ack-visible').isDisabled()).toBe(ack === 0);
      } finally {
        await c.close();
      }
    }
    // The admin (engineer everywhere) may take it out of service.
    await page.goto(`${platform.httpUrl}/#/alarms`);
    await expect.poll(() => row('oven-hot').getByTestId('alarm-out-of-service').count(), { timeout: 10_000 }).toBe(1);
  });

  it('falls back to polling when the socket drops, shows what changed meanwhile, and goes live again', async () => {
    const res = await sendJson('POST', `${platform.httpUrl}/api/v1/rules`, { id: 'oven-cold', asset: OVEN, name: 'Oven too cold', condition: { kind: 'threshold', tag: 'temp', op: '<', limit: 0 }, alarm: { priority: 'low', message: 'Oven at {temp}' }, enabled: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const p = await ctx.newPage();
    const sockets: WebSocketRoute[] = [];
    let refuse = false;
    await p.routeWebSocket(/\/api\/v1\/alarms\/live$/, (ws) => {
      if (refuse) {
        void ws.close();
        return;
      }
      sockets.push(ws);
      ws.connectToServer();
    });
    try {
      await p.goto(`${platform.httpUrl}/#/alarms`);
      await expect.poll(() => p.getByTestId('alarm-link').innerText(), { timeout: 10_000 }).toBe('Live');
      refuse = true;
      for (const ws of sockets) await ws.close();
      await expect.poll(() => p.getByTestId('alarm-link').innerText(), { timeout: 10_000 }).toBe('Polling every 2 s');
      await ingest('temp', -5);
      const cold = p.locator('[data-testid="alarm-row"][data-alarm="oven-cold"]');
      await expect.poll(() => cold.getAttribute('data-state'), { timeout: 10_000 }).toBe('unacknowledged');
      refuse = false;
      await expect.poll(() => p.getByTestId('alarm-link').innerText(), { timeout: 20_000 }).toBe('Live');
      expect(sockets.length).toBeGreaterThan(1);
      await cold.getByTestId('alarm-ack').click();
      await expect.poll(() => cold.getAttribute('data-state')).toBe('acknowledged');
    } finally {
      await p.close();
    }
  });

  it('draws the figures chart, shading a flood, and lists the chattering alarm', async () => {
    // Twelve raises of one alarm within a few seconds: a flood (over 10 in 10 minutes) and chattering.
    for (let i = 0; i < 12; i++) {
      await ingest('temp', 20);
      await ingest('temp', -5);
    }
    await page.goto(`${platform.httpUrl}/#/alarm-figures`);
    const chart = page.getByTestId('figures-chart');
    await expect.poll(() => chart.locator('canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => chart.getAttribute('data-flood-buckets')).not.toBe('0');
    expect(Number(await page.getByTestId('fig-total').innerText())).toBeGreaterThanOrEqual(14);
    expect(await page.getByTestId('fig-chattering').innerText()).toContain('Oven too cold');
    expect(await page.getByTestId('fig-bad-actors').locator('li').first().innerText()).toContain('Oven too cold');
    await shot(page, 'alarms-figures');
  });

  it('searches the history by event and words, and pages older and newer', async () => {
    await page.goto(`${platform.httpUrl}/#/alarm-history?limit=5`);
    const rows = page.getByTestId('history-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(5);
    const ids = () => rows.evaluateAll((rs) => rs.map((r) => r.textContent ?? ''));
    const first = await ids();
    await page.getByTestId('history-older').click();
    await expect.poll(async () => (await ids()).join() !== first.join()).toBe(true);
    expect(await rows.count()).toBe(5);
    await page.getByTestId('history-newer').click();
    await expect.poll(async () => (await ids()).join()).toBe(first.join());
    // Raises of the cold alarm only, by words of its message.
    await page.getByTestId('history-kind').selectOption('raise');
    await page.getByTestId('history-q').fill('Oven at -5');
    await page.getByTestId('history-search').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('kind=raise');
    await expect.poll(async () => {
      const kinds = await rows.evaluateAll((rs) => rs.map((r) => `${r.getAttribute('data-kind')} ${r.getAttribute('data-alarm')}`));
      return kinds.length === 5 && kinds.every((k) => k === 'raise oven-cold');
    }, { timeout: 10_000 }).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});

describe('what the alarm screens work out for themselves', () => {
  const alarm = (id: string, priority: ApiAlarm['priority'], state: ApiAlarm['state'], area: string, activeTs: number): ApiAlarm =>
    ({ id, ruleName: id, area, priority, state, conditionActive: true, message: id, activeTs, stateTs: activeTs, raiseCount: 1 });

  it('lists alarms most urgent first, newest first within a priority, filtered by whole area levels, never normal ones', () => {
    const all = [
      alarm('low-new', 'low', 'unacknowledged', 'site/a/l1/m1', 5), alarm('crit-old', 'critical', 'acknowledged', 'site/a/l1/m2', 1),
      alarm('high-new', 'high', 'unacknowledged', 'site/a/l2/m1', 4), alarm('high-old', 'high', 'returned-unacknowledged', 'site/a/l1/m1', 2),
      alarm('gone', 'critical', 'normal', 'site/a/l1/m1', 9), alarm('other-area', 'critical', 'unacknowledged', 'site/ab/l1/m1', 9),
    ];
    expect(visibleAlarms(all, { area: 'site/a', priority: '', state: '' }).map((a) => a.id)).toEqual(['crit-old', 'high-new', 'high-old', 'low-new']);
    expect(visibleAlarms(all, { area: 'site/a/l1', priority: '', state: 'unacked' }).map((a) => a.id)).toEqual(['high-old', 'low-new']);
    expect(visibleAlarms(all, { area: '', priority: 'high', state: 'acknowledged' })).toEqual([]);
  });

  it('offers the actions a state allows', () => {
    expect(actionsFor({ state: 'unacknowledged' })).toMatchObject({ ack: true, reset: false, shelve: true, unshelve: false });
    expect(actionsFor({ state: 'latched' })).toMatchObject({ ack: false, reset: true });
    expect(actionsFor({ state: 'shelved' })).toMatchObject({ ack: false, shelve: false, unshelve: true });
    expect(actionsFor({ state: 'out-of-service' })).toMatchObject({ outOfService: false, inService: true, shelve: false });
  });

  it('turns the editor\'s text into the API\'s rule and back, and places a server error at its field', () => {
    const d = { ...emptyDraft('s/a/l/m'), name: ' Hot ', tag: 'temp', limit: '80.5', deadband: '', onDelayS: '5', message: 'hot',
      actions: [{ on: 'raise' as const, kind: 'write' as const, tag: 'valve', value: 'false', method: '', args: '' }, { on: 'clear' as const, kind: 'call' as const, tag: '', value: '', method: 'start', args: '{"speed": 3}' }] };
    const input = ruleInput(d);
    expect(input).toEqual({
      asset: 's/a/l/m', name: 'Hot', condition: { kind: 'threshold', tag: 'temp', op: '>', limit: 80.5 }, onDelayS: 5,
      alarm: { priority: 'medium', message: 'hot' }, enabled: true,
      actions: [{ on: 'raise', command: { kind: 'write', tag: 'valve', value: false } }, { on: 'clear', command: { kind: 'call', method: 'start', args: { speed: 3 } } }],
    });
    expect(ruleInput(draftOf({ ...input, id: 'hot', tenant: 't' }))).toEqual({ ...input, id: 'hot' });
    expect(() => ruleInput({ ...d, limit: 'eighty' })).toThrow(/not a number/);
    expect(errorFor(new FieldError('/actions/1/command/method', 'x'), 'actions.1')).toBeDefined();
    expect(errorFor(new FieldError('condition.expression', 'x', 3), 'condition')).toBeDefined();
    expect(errorFor(new FieldError('condition.expression', 'x', 3), 'alarm')).toBeUndefined();
  });

  it('tells who of a roster is on duty, with spans over midnight in the roster\'s zone', () => {
    const roster = { id: 'r', name: 'r', area: '', timeZone: 'Asia/Shanghai', ackTimeoutMinutes: 10, entries: [
      { person: 'day', targets: ['t'], days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' },
      { person: 'night', targets: ['t'], days: [1, 2, 3, 4, 5], from: '20:00', to: '08:00' },
      { person: 'boss', targets: ['t'] },
    ] };
    // Monday 2026-11-23 10:00 and 23:00 in Shanghai, Saturday 03:00 (Friday's night shift), Sunday 12:00.
    expect(onDutyAt(roster, Date.parse('2026-11-23T02:00:00Z'))).toEqual(['day', 'boss']);
    expect(onDutyAt(roster, Date.parse('2026-11-23T15:00:00Z'))).toEqual(['night', 'boss']);
    expect(onDutyAt(roster, Date.parse('2026-11-27T19:00:00Z'))).toEqual(['night', 'boss']);
    expect(onDutyAt(roster, Date.parse('2026-11-29T04:00:00Z'))).toEqual(['boss']);
  });
});
