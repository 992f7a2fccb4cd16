/**
 * The Connectors screen in real Chromium against the demo platform, whose assembly lines run on a
 * real OPC UA server and whose conveyors on a real Modbus TCP server: the demo's connectors shown
 * connected with their rates; a bad definition refused with the server's message; a new OPC UA
 * connector whose nodes are picked by browsing the server, whose tag then reads live values; and
 * removal.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, sendJson, startTestPlatform, waitFor } from '../helpers.js';
import { launchChromium, shot } from './chromium.js';
import { BROWSER_PLATFORM_FLAGS, loggedInContext } from './session.js';

const PRESS = 'shanghai-lingang/assembly/line-1/press-01';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform({ demo: true, ...BROWSER_PLATFORM_FLAGS }), launchChromium()]);
  ctx = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
  page = await ctx.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await waitFor(async () => {
    const list = (await getJson(`${platform.httpUrl}/api/v1/connectors`)).body.connectors as Array<{ id: string; state: string }>;
    return list.length === 2 && list.every((c) => c.state === 'connected');
  }, 30_000, 'the demo\'s OPC UA and Modbus connectors connected');
}, 90_000);

afterAll(async () => {
  await ctx?.close().catch(() => undefined);
  await browser?.close();
  await platform?.stop();
});

describe('the Connectors screen in Chromium', () => {
  it('shows the demo\'s OPC UA and Modbus connectors connected, with their rates and tags', async () => {
    await page.goto(`${platform.httpUrl}/#/connectors`);
    const ua = page.getByTestId('conn-sim-opcua');
    await expect.poll(() => ua.getByTestId('conn-state').innerText(), { timeout: 10_000 }).toBe('connected');
    await expect.poll(() => page.getByTestId('conn-sim-modbus-1').getByTestId('conn-state').innerText()).toBe('connected');
    await ua.getByRole('link', { name: 'sim-opcua' }).click();
    await expect.poll(() => page.getByTestId('conn-tags').innerText(), { timeout: 10_000 }).toContain(`${PRESS}/tonnage`);
    await shot(page, 'connectors');
  });

  it('refuses a definition that cannot work, naming the problem, and saves nothing', async () => {
    await page.goto(`${platform.httpUrl}/#/connectors?new=1`);
    await page.getByTestId('conn-id').fill('plc-bad');
    await page.getByTestId('conn-kind').selectOption('modbus');
    await page.getByTestId('conn-settings').fill(JSON.stringify({ host: '127.0.0.1', groups: [{ name: 'g', intervalMs: 1000, registers: [{ tag: 'a/b/c', area: 'holding-register', address: 0, type: 'string' }] }] }));
    await page.getByTestId('conn-save').click();
    await expect.poll(() => page.getByTestId('conn-editor-error').innerText()).toMatch(/length/i);
    await page.getByTestId('conn-settings').fill('{ not json');
    await page.getByTestId('conn-save').click();
    await expect.poll(() => page.getByTestId('conn-editor-error').innerText()).toContain('not valid JSON');
    const ids = (await getJson(`${platform.httpUrl}/api/v1/connectors`)).body.connectors.map((c: { id: string }) => c.id);
    expect(ids).not.toContain('plc-bad');
  });

  it('adds an OPC UA connector, picks a node by browsing the server, and the new tag reads live values', async () => {
    const demo = (await getJson(`${platform.httpUrl}/api/v1/connectors/sim-opcua`)).body.definition;
    // A second session to the same server; the certificate of the demo's server is trusted only
    // for the demo's own connector, so this one uses an unsecured session, allowed explicitly.
    const settings = { endpointUrl: demo.settings.endpointUrl, securityMode: 'None', allowInsecure: true, login: { kind: 'anonymous' } };
    await page.goto(`${platform.httpUrl}/#/connectors?new=1`);
    await page.getByTestId('conn-id').fill('press-ua');
    await page.getByTestId('conn-kind').selectOption('opcua');
    await page.getByTestId('conn-settings').fill(JSON.stringify(settings));
    await page.getByTestId('conn-save').click();
    await expect.poll(() => page.getByTestId('conn-press-ua').getByTestId('conn-state').innerText(), { timeout: 15_000 }).toBe('connected');
    await page.getByTestId('conn-tab-pick').click();
    for (const level of ['shanghai-lingang', 'assembly', 'line-1', 'press-01']) {
      await page.getByTestId(`pick-open-${level}`).first().click({ timeout: 10_000 });
    }
    await page.getByTestId('pick-tonnage').click({ timeout: 10_000 });
    await page.getByTestId('pick-prefix').fill('lab/bench/line-9');
    await shot(page, 'connectors-picker');
    await page.getByTestId('pick-add').click();
    const tag = 'lab/bench/line-9/press-01/tonnage';
    await expect.poll(() => page.getByTestId('conn-tags').innerText(), { timeout: 15_000 }).toContain(tag);
    await waitFor(async () => {
      const p = (await getJson(`${platform.httpUrl}/api/v1/latest?tag=${tag}`)).body.points[0];
      return p?.quality === 'good' && typeof p.value === 'number';
    }, 15_000, 'the picked node\'s values in the platform');
  });

  it('removes a connector after confirmation; its tags turn bad', async () => {
    await page.goto(`${platform.httpUrl}/#/connectors?id=press-ua`);
    await page.getByTestId('conn-delete').click();
    await page.getByTestId('conn-delete-yes').click(); // the confirm step
    await expect.poll(async () => page.getByTestId('conn-press-ua').count(), { timeout: 10_000 }).toBe(0);
    await waitFor(async () => (await getJson(`${platform.httpUrl}/api/v1/latest?tag=lab/bench/line-9/press-01/tonnage`)).body.points[0]?.quality === 'bad', 10_000, 'the removed connector\'s tag marked bad');
    const audit = await sendJson('GET', `${platform.httpUrl}/api/v1/audit?action=connector.delete`);
    expect(JSON.stringify(audit.body)).toContain('press-ua');
    expect(pageErrors).toEqual([]);
  });
});
