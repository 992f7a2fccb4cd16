/**
 * Logging in, roles and remote operation in real Chromium against the demo platform: the login
 * screen (wrong then right password), the one-time login link, what a viewer is not offered, an
 * operator writing a setpoint through the confirm step to its readback, a critical write approved
 * by a second person, the audit screen with its CSV export and chain check, and the public
 * showcase page of one line.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startTestPlatform, waitFor, getJson } from '../helpers.js';
import { launchChromium, shot } from './chromium.js';
import { ADMIN_PASSWORD, BROWSER_PLATFORM_FLAGS, loggedInContext } from './session.js';

const SITE = 'shanghai-lingang';
const LINE = `${SITE}/machining/line-1`;
const CNC = `${LINE}/cnc-01`;
const PACKER = `${SITE}/packaging/line-1/packer-01`;
const PASSWORD = 'correct-horse-battery';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
let mqttClient: MqttClient;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, locale: 'en-GB' };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB' };

/** A page in a fresh context (logged in as `user` when given), tracked for errors and closing. */
async function open(options: BrowserContextOptions = DESKTOP, user?: string, theme: 'dark' | 'light' = 'dark'): Promise<Page> {
  const ctx = user ? await loggedInContext(browser, platform.httpUrl, options, user, user === 'admin' ? ADMIN_PASSWORD : PASSWORD) : await browser.newContext(options);
  if (theme === 'light') await ctx.addInitScript(() => localStorage.setItem('lightsout.theme', 'light'));
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
}

/** Create a user through the API as the test admin. */
async function createUser(username: string, grants: Array<{ role: string; scope: string }>): Promise<void> {
  const r = await sendJson('POST', `${platform.httpUrl}/api/v1/users`, { username, password: PASSWORD, grants });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform({ demo: true, ...BROWSER_PLATFORM_FLAGS }), launchChromium()]);
  mqttClient = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'access-browser-test' });
  await createUser('olga', [{ role: 'operator', scope: `${SITE}` }]);
  await createUser('omar', [{ role: 'operator', scope: `${SITE}/packaging` }]);
  await createUser('vera', [{ role: 'viewer', scope: '' }]);
  // The demo marks its setpoints writable once the machines' births are in.
  await waitFor(async () => {
    const tags = (await getJson(`${platform.httpUrl}/api/v1/tags?prefix=${CNC}/`)).body.tags as Array<{ path: string; writable?: boolean }>;
    const packer = (await getJson(`${platform.httpUrl}/api/v1/tags?prefix=${PACKER}/`)).body.tags as Array<{ path: string; critical?: boolean }>;
    return tags.some((t) => t.path === `${CNC}/spindle_speed_sp` && t.writable) && packer.some((t) => t.path === `${PACKER}/seal_temp_sp` && t.critical);
  }, 20_000, 'the demo\'s writable setpoints');
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await mqttClient?.endAsync();
  await browser?.close();
  await platform?.stop();
});

describe('login, roles and remote operation in Chromium', () => {
  it('asks for a login, says when the password is wrong, and lets the right one in', async () => {
    const page = await open();
    await page.goto(`${platform.httpUrl}/#/machine/${CNC}`);
    await expect.poll(() => page.getByTestId('login-view').isVisible(), { timeout: 5000 }).toBe(true);
    await shot(page, 'login-dark');
    await page.getByTestId('login-username').fill('olga');
    await page.getByTestId('login-password').fill('not-her-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').innerText()).toBe('Wrong user name or password.');
    await shot(page, 'login-wrong');
    for (const [options, theme, name] of [[PHONE, 'dark', 'login-phone'], [DESKTOP, 'light', 'login-light']] as const) {
      const other = await open(options, undefined, theme);
      await other.goto(`${platform.httpUrl}/`);
      await expect.poll(() => other.getByTestId('login-view').count(), { timeout: 5000 }).toBe(1);
      expect(await other.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options.viewport!.width);
      await shot(other, name);
    }
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    // Straight to where the user was going, with who they are in the user menu.
    await expect.poll(() => page.getByTestId('machine-view').isVisible(), { timeout: 5000 }).toBe(true);
    await page.getByTestId('user-menu').click();
    expect(await page.getByTestId('me-name').innerText()).toBe('olga');
    expect(await page.getByTestId('me-grants').innerText()).toBe(`operator @ ${SITE}`);
    // Logging out shows the login screen again, and the API no longer answers this page.
    await page.getByTestId('logout').click();
    await expect.poll(() => page.getByTestId('login-view').isVisible()).toBe(true);
    expect((await page.request.get(`${platform.httpUrl}/api/v1/auth/me`)).status()).toBe(401);
  });

  it('shows the login screen as soon as the session ends elsewhere', async () => {
    const page = await open(DESKTOP, 'vera');
    await page.goto(`${platform.httpUrl}/#/plant`);
    await expect.poll(() => page.locator('.machine-card').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // Her sessions end when an admin disables her: the page's next call gets a 401.
    const users = (await getJson(`${platform.httpUrl}/api/v1/users`)).body.users as Array<{ id: string; username: string }>;
    const vera = users.find((u) => u.username === 'vera')!;
    expect((await sendJson('PATCH', `${platform.httpUrl}/api/v1/users/${vera.id}`, { disabled: true })).status).toBe(200);
    await expect.poll(() => page.getByTestId('login-view').count(), { timeout: 5000 }).toBe(1);
    expect((await sendJson('PATCH', `${platform.httpUrl}/api/v1/users/${vera.id}`, { disabled: false })).status).toBe(200);
  });

  it('logs in with the one-time link, drops the token from the address, and refuses the link a second time', async () => {
    const link = platform.loginLink;
    expect(link).toMatch(/#\/login\?once=/);
    const page = await open();
    await page.goto(link);
    await expect.poll(() => page.getByTestId('plant-view').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(page.url()).not.toContain('once=');
    await page.getByTestId('user-menu').click();
    expect(await page.getByTestId('me-name').innerText()).toBe('admin');
    const again = await open();
    await again.goto(link);
    await expect.poll(() => again.getByTestId('login-error').count(), { timeout: 5000 }).toBe(1);
    expect(await again.getByTestId('login-error').innerText()).toMatch(/expired or was already used/);
    expect(again.url()).not.toContain('once=');
  });

  it('offers a viewer neither the command panel nor the admin screens', async () => {
    const page = await open(DESKTOP, 'vera');
    await page.goto(`${platform.httpUrl}/#/machine/${CNC}`);
    await expect.poll(() => page.locator(`tr[data-tag="${CNC}/spindle_speed_sp"] .num`).innerText(), { timeout: 10_000 }).toMatch(/\d/);
    expect(await page.getByTestId('command-panel').count()).toBe(0);
    expect(await page.getByTestId('nav-access').count()).toBe(0);
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    // Typed in by hand, the audit screen shows the server's refusal and no records.
    await page.goto(`${platform.httpUrl}/#/audit`);
    await expect.poll(() => page.getByTestId('audit-view').locator('.banner').innerText(), { timeout: 5000 }).toMatch(/admin/);
    expect(await page.getByTestId('audit-table').locator('tbody tr').count()).toBe(0);

    // Her own password she may change, from the user menu; then she logs in with the new one.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('change-password').click();
    const form = page.getByTestId('password-form');
    const fields = form.locator('input[type="password"]');
    await fields.nth(0).fill(PASSWORD);
    await fields.nth(1).fill('a-new-longer-password');
    await fields.nth(2).fill('a-new-different-one');
    await form.locator('button[type="submit"]').click();
    expect(await form.locator('.form-error').innerText()).toBe('The two new passwords differ.');
    await fields.nth(2).fill('a-new-longer-password');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('login-view').count(), { timeout: 5000 }).toBe(1);
    await page.getByTestId('login-username').fill('vera');
    await page.getByTestId('login-password').fill('a-new-longer-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('audit-view').count(), { timeout: 5000 }).toBe(1);
  });

  it('lets an operator write a setpoint through the confirm step and shows the readback', async () => {
    const page = await open(DESKTOP, 'olga');
    await page.goto(`${platform.httpUrl}/#/machine/${CNC}`);
    const row = page.getByTestId('setpoint-spindle_speed_sp');
    await expect.poll(() => row.locator('.sp-now .num').innerText(), { timeout: 10_000 }).toMatch(/\d/);
    const before = await row.locator('.sp-now .num').innerText();
    await row.getByTestId('sp-input').fill('9876');
    await row.getByTestId('sp-request').click();
    const flow = page.getByTestId('cmd-flow');
    await expect.poll(() => flow.getAttribute('data-state'), { timeout: 5000 }).toBe('awaiting-confirmation');
    expect(await page.getByTestId('cmd-question').innerText()).toBe(`Set spindle speed sp from ${before} rpm to 9,876 rpm?`);
    expect(await page.getByTestId('cmd-interlock').getAttribute('data-holds')).toBe('true');
    expect(await page.getByTestId('cmd-interlock').innerText()).toContain('state != "fault"');
    await shot(page, 'command-confirm-dark');
    await page.getByTestId('cmd-confirm').click();
    await expect.poll(() => page.getByTestId('cmd-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    expect(await page.getByTestId('cmd-state').innerText()).toBe('Succeeded: the machine reports 9,876 rpm.');
    expect(await page.getByTestId('cmd-steps').locator('.step-state').allInnerTexts()).toEqual(['requested', 'authorised', 'awaiting confirmation', 'sent', 'acknowledged', 'succeeded']);
    // The live value in the panel and the table follow the machine.
    await expect.poll(() => row.locator('.sp-now .num').innerText(), { timeout: 5000 }).toBe('9,876');
    await shot(page, 'command-succeeded');

    // An interlock that does not hold: the request is refused with the reason, nothing to confirm.
    const cnc3 = `${LINE}/cnc-03`;
    const patched = await sendJson('PATCH', `${platform.httpUrl}/api/v1/tags`, { tags: [{ path: `${cnc3}/spindle_speed_sp`, interlock: 'spindle_speed < 0' }] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await page.goto(`${platform.httpUrl}/#/machine/${cnc3}`);
    const row3 = page.getByTestId('setpoint-spindle_speed_sp');
    await expect.poll(() => row3.count(), { timeout: 10_000 }).toBe(1);
    await row3.getByTestId('sp-input').fill('5000');
    await row3.getByTestId('sp-request').click();
    await expect.poll(() => page.getByTestId('cmd-error').count(), { timeout: 5000 }).toBe(1);
    expect(await page.getByTestId('cmd-error').innerText()).toMatch(/^Interlock does not hold: /);
    expect(await page.getByTestId('cmd-flow').count()).toBe(0);

    // A machine method, with the same confirm step: the device echoes the call.
    const cnc2 = `${LINE}/cnc-02`;
    await page.goto(`${platform.httpUrl}/#/machine/${cnc2}`);
    // The simulator's fault injection (fault_coolant) is a method of the machine too.
    await expect.poll(async () => (await page.getByTestId('methods').locator('button').allInnerTexts()).sort(), { timeout: 10_000 }).toEqual(['Fault coolant', 'Reset', 'Start', 'Stop']);
    await page.getByTestId('method-stop').click();
    await expect.poll(() => page.getByTestId('cmd-flow').getAttribute('data-state'), { timeout: 5000 }).toBe('awaiting-confirmation');
    expect(await page.getByTestId('cmd-question').innerText()).toBe(`Run "stop" on ${cnc2}?`);
    await page.getByTestId('cmd-confirm').click();
    await expect.poll(() => page.getByTestId('cmd-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    await expect.poll(() => page.locator('.view-head .state-chip').innerText(), { timeout: 5000 }).not.toBe('Running');
  });

  it('holds a critical write for a second person, who approves it', async () => {
    const first = await open(DESKTOP, 'olga', 'light');
    await first.goto(`${platform.httpUrl}/#/machine/${PACKER}`);
    const row = first.getByTestId('setpoint-seal_temp_sp');
    await expect.poll(() => row.locator('.sp-now .num').innerText(), { timeout: 10_000 }).toMatch(/\d/);
    await row.getByTestId('sp-input').fill('182.5');
    await row.getByTestId('sp-request').click();
    await expect.poll(() => first.getByTestId('cmd-flow').getAttribute('data-state'), { timeout: 5000 }).toBe('awaiting-confirmation');
    await shot(first, 'command-confirm-light');
    await first.getByTestId('cmd-confirm').click();
    await expect.poll(() => first.getByTestId('cmd-state').innerText(), { timeout: 5000 }).toBe('Awaiting approval by a second person.');
    // The requester cannot approve their own command.
    await expect.poll(() => first.getByTestId('approvals').locator('li').count(), { timeout: 5000 }).toBe(1);
    expect(await first.getByTestId('cmd-approve').count()).toBe(0);

    // The second operator is told on any screen, and the banner leads to the machine.
    const second = await open(PHONE, 'omar');
    await second.goto(`${platform.httpUrl}/#/plant`);
    await expect.poll(() => second.getByTestId('approval-banner').count(), { timeout: 8000 }).toBe(1);
    expect(await second.getByTestId('approval-banner').innerText()).toContain('olga: packer-01');
    await second.getByTestId('approval-banner').locator('a').first().click();
    await expect.poll(() => new URL(second.url()).hash).toBe(`#/machine/${PACKER}`);
    await expect.poll(() => second.getByTestId('cmd-approve').count(), { timeout: 5000 }).toBe(1);
    expect(await second.getByTestId('approvals').innerText()).toContain('olga asks: seal temp sp → 182.5 °C');
    await shot(second, 'phone-approval');
    await second.getByTestId('cmd-approve').click();
    await expect.poll(() => first.getByTestId('cmd-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    await expect.poll(() => second.getByTestId('cmd-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    expect(await first.getByTestId('cmd-state').innerText()).toBe('Succeeded: the machine reports 182.5 °C.');
    expect(await second.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it('lists the logins and the commands on the audit screen, exports them as CSV and verifies the chain', async () => {
    const page = await open({ ...DESKTOP, acceptDownloads: true }, 'admin');
    await page.goto(`${platform.httpUrl}/#/audit`);
    const table = page.getByTestId('audit-table');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 5000 }).toBeGreaterThan(5);
    const actions = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions.some((a) => a?.startsWith('auth.login'))).toBe(true);
    expect(actions.some((a) => a?.startsWith('command.'))).toBe(true);
    // A failed login is there too, as denied or failed.
    expect(await table.locator('tbody tr[data-action^="auth.login"]:not([data-outcome="ok"])').count()).toBeGreaterThan(0);
    // Filter by actor: only olga's records.
    await page.getByTestId('audit-actor').fill('olga');
    await page.getByTestId('audit-search').click();
    await expect.poll(async () => new Set(await table.locator('tbody tr td:nth-child(3)').allInnerTexts())).toEqual(new Set(['olga']));
    // The search is in the address: a reload (or a colleague) gets the same one.
    expect(new URL(page.url()).hash).toBe('#/audit?actor=olga');
    await page.reload();
    await expect.poll(() => page.getByTestId('audit-actor').inputValue(), { timeout: 5000 }).toBe('olga');
    await expect.poll(async () => new Set(await table.locator('tbody tr td:nth-child(3)').allInnerTexts()), { timeout: 5000 }).toEqual(new Set(['olga']));
    await shot(page, 'audit-dark');
    // Paged by position: Older and Newer walk the trail without repeats.
    await page.goto(`${platform.httpUrl}/#/audit?limit=4`);
    const seqs = () => table.locator('tbody tr td:first-child').allInnerTexts().then((xs) => xs.map(Number));
    await expect.poll(async () => (await seqs()).length, { timeout: 5000 }).toBe(4);
    const first = await seqs();
    await page.getByTestId('audit-older').click();
    await expect.poll(async () => (await seqs())[0], { timeout: 5000 }).toBeLessThan(first[3]!);
    const second = await seqs();
    // One chain serves every tenant, so positions may skip other tenants' records, never go back.
    expect(second.every((x) => x < first[3]!)).toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(seqs, { timeout: 5000 }).toEqual(first);
    await page.goto(`${platform.httpUrl}/#/audit?actor=olga`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const lines = csv.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toMatch(/actor/);
    expect(lines.slice(1).every((l) => l.includes('olga'))).toBe(true);
    await page.getByTestId('audit-verify').click();
    await expect.poll(() => page.getByTestId('audit-verify-result').innerText(), { timeout: 10_000 }).toMatch(/^Chain OK: [\d,]+ records verified\.$/);
  });

  it('shows a showcase link\'s line live to anyone, and nothing once it is revoked', async () => {
    const created = await sendJson('POST', `${platform.httpUrl}/api/v1/showcase`, { scope: LINE, title: 'Machining line 1 at the fair', expiresHours: 2 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const url = new URL(created.body.url, platform.httpUrl);
    const page = await open(PHONE);
    await page.goto(`${platform.httpUrl}${url.pathname}`);
    await expect.poll(() => page.getByTestId('showcase-title').innerText(), { timeout: 10_000 }).toBe('Machining line 1 at the fair');
    const cards = page.locator('.machine-card');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const paths = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('card-'.length)));
    expect(paths.filter((p) => !p.startsWith(`${LINE}/`))).toEqual([]);
    expect(paths).toContain(CNC);
    // Nothing to navigate to: no links, no login.
    expect(await page.locator('a[href]').count()).toBe(0);
    expect(await page.getByTestId('login-view').count()).toBe(0);
    await expect.poll(() => page.getByTestId('link-state').getAttribute('class'), { timeout: 5000 }).toContain('link-live');
    // Live: a value of the line changes on the page without a reload.
    const power = page.locator(`dd[data-tag="${CNC}/power_kw"] .num`);
    await expect.poll(() => power.innerText(), { timeout: 5000 }).toMatch(/\d/);
    const first = await power.innerText();
    await expect.poll(() => power.innerText(), { timeout: 10_000 }).not.toBe(first);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'showcase-phone');
    const desk = await open(DESKTOP, undefined, 'light');
    await desk.goto(`${platform.httpUrl}${url.pathname}`);
    await expect.poll(() => desk.locator('.machine-card').count(), { timeout: 10_000 }).toBe(paths.length);
    await shot(desk, 'showcase-light');

    // Revoked while open: the page says so without a reload, and after one.
    const revoked = await sendJson('DELETE', `${platform.httpUrl}/api/v1/showcase/${created.body.id}`);
    expect(revoked.status).toBe(204);
    await expect.poll(() => page.getByTestId('showcase-gone').count(), { timeout: 8000 }).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByTestId('showcase-gone').count(), { timeout: 5000 }).toBe(1);
    expect(await page.getByTestId('showcase-gone').getAttribute('data-problem')).toBe('expired');
    expect(await page.getByTestId('showcase-gone').innerText()).toContain('This link has expired');
    await shot(page, 'showcase-expired');
  });

  it('manages users from the access screen: create with a grant, password shown once, disable', async () => {
    const page = await open(DESKTOP, 'admin', 'light');
    await page.goto(`${platform.httpUrl}/#/access`);
    const panel = page.getByTestId('users-panel');
    await expect.poll(() => panel.getByTestId('user-olga').count(), { timeout: 5000 }).toBe(1);
    await page.getByTestId('user-name').fill('lena');
    await page.getByTestId('user-grants').getByTestId('grant-role').selectOption('operator');
    await page.getByTestId('user-grants').getByTestId('grant-scope').fill(LINE);
    await page.getByTestId('user-create-submit').click();
    const secret = await (async () => { await expect.poll(() => page.getByTestId('secret-value').count(), { timeout: 5000 }).toBe(1); return page.getByTestId('secret-value').innerText(); })();
    expect(secret.length).toBeGreaterThanOrEqual(12);
    expect(await panel.getByTestId('user-lena').innerText()).toContain(`operator @ ${LINE}`);
    await shot(page, 'access-users-light');
    // The shown password works.
    const lena = await loggedInContext(browser, platform.httpUrl, DESKTOP, 'lena', secret);
    contexts.push(lena);
    // Her grants changed in place: operator → engineer on the same line.
    await panel.getByTestId('user-lena').getByTestId('user-grants-edit').click();
    await page.getByTestId('grants-edit').getByTestId('grant-role').selectOption('engineer');
    await page.getByTestId('grants-save').click();
    await expect.poll(() => panel.getByTestId('user-lena').innerText(), { timeout: 5000 }).toContain(`engineer @ ${LINE}`);
    expect((await getJson(`${platform.httpUrl}/api/v1/users`)).body.users.find((u: { username: string }) => u.username === 'lena').grants).toEqual([{ role: 'engineer', scope: LINE }]);
    await panel.getByTestId('user-lena').getByTestId('user-toggle').click();
    await expect.poll(() => panel.getByTestId('user-lena').innerText()).toContain('disabled');
    expect((await lena.request.get(`${platform.httpUrl}/api/v1/auth/me`)).status()).toBe(401);
    // Tokens: the secret once, with a copy button.
    await page.getByTestId('tab-tokens').click();
    await page.getByTestId('token-name').fill('line-1 dashboard');
    await page.getByTestId('token-create-submit').click();
    await expect.poll(() => page.getByTestId('secret-value').innerText(), { timeout: 5000 }).toMatch(/^lo_/);
    const token = await page.getByTestId('secret-value').innerText();
    expect((await getJson(`${platform.httpUrl}/api/v1/auth/me`, { authorization: `Bearer ${token}` })).status).toBe(200);
    // Devices: MQTT credentials, the password shown once, then removed.
    await page.getByTestId('tab-devices').click();
    await page.getByTestId('device-id').fill('press-gateway-7');
    await page.getByTestId('device-create-submit').click();
    await expect.poll(() => page.getByTestId('secret-value').count(), { timeout: 5000 }).toBe(1);
    expect((await page.getByTestId('secret-value').innerText()).length).toBeGreaterThanOrEqual(12);
    await expect.poll(() => page.getByTestId('device-press-gateway-7').count(), { timeout: 5000 }).toBe(1);
    await page.getByTestId('device-press-gateway-7').getByTestId('device-delete').click();
    await page.getByTestId('device-press-gateway-7').getByTestId('device-delete-yes').click();
    await expect.poll(() => page.getByTestId('device-press-gateway-7').count(), { timeout: 5000 }).toBe(0);
    // Tenants, for the platform operator the first admin is.
    await page.getByTestId('tab-tenants').click();
    await expect.poll(() => page.getByTestId('tenant-demo').count(), { timeout: 5000 }).toBe(1);
    await page.getByTestId('tenant-id').fill('acme');
    await page.getByTestId('tenant-groups').fill('acme:*');
    await page.getByTestId('tenant-create-submit').click();
    await expect.poll(() => page.getByTestId('tenant-acme').count(), { timeout: 5000 }).toBe(1);
    expect(await page.getByTestId('tenant-acme').innerText()).toContain('acme:*');
    await shot(page, 'access-tenants-light');
  });

  it('fits the command panel and the access screen on a tablet, in Chinese', async () => {
    const tablet: BrowserContextOptions = { viewport: { width: 1024, height: 768 }, locale: 'zh-CN' };
    const page = await open(tablet, 'admin');
    await page.goto(`${platform.httpUrl}/#/machine/${CNC}`);
    await expect.poll(() => page.getByTestId('command-panel').locator('h2').innerText(), { timeout: 10_000 }).toBe('远程命令');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    expect(await page.evaluate(() => document.querySelector('.topbar')!.scrollWidth)).toBeLessThanOrEqual(1024);
    await shot(page, 'tablet-command-zh');
    await page.goto(`${platform.httpUrl}/#/access`);
    await expect.poll(() => page.getByTestId('users-panel').locator('tbody tr').count(), { timeout: 5000 }).toBeGreaterThan(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await shot(page, 'tablet-access-zh');
  });

  // Last but one: the limit also holds for the client address, and every test logs in from 127.0.0.1.
  it('says how long to wait after too many failed attempts', async () => {
    const page = await open();
    await page.goto(`${platform.httpUrl}/`);
    await page.getByTestId('login-username').fill('nobody-here');
    let text = '';
    for (let i = 0; i < 20 && !/too many/i.test(text); i++) {
      await page.getByTestId('login-password').fill(`guess-${i}`);
      await page.getByTestId('login-submit').click();
      await expect.poll(() => page.getByTestId('login-submit').isEnabled()).toBe(true);
      text = await page.getByTestId('login-error').innerText();
    }
    expect(text).toMatch(/^Too many attempts: try again in \d+ s\.$/);
  });

  it('threw no uncaught error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
