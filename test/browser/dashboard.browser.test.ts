/**
 * The dashboard in real Chromium against a real platform (embedded broker, historian, virtual
 * factory): what an operator sees on the plant, machine, trend and health views, live updates
 * from MQTT, zoom with server-side buckets, languages, themes and the phone layout.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUTH, startTestPlatform } from '../helpers.js';
import { launchChromium, shot } from './chromium.js';
import { BROWSER_PLATFORM_FLAGS, loggedInContext } from './session.js';

const SITE = 'shanghai-lingang';
const MACHINE = `${SITE}/machining/line-1/cnc-01`;
const MARKER = `${MACHINE}/browser_marker`;
const HIST = `${SITE}/test-area/line-9/oven-01/zone_temp`;

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let client: MqttClient;
/** Uncaught errors in the page: any one fails the run (see the last test). */
const pageErrors: string[] = [];

/** POST /api/v1/ingest of a few points, expecting all accepted. */
async function ingest(points: Array<{ tag: string; value: number | string; ts?: number }>): Promise<void> {
  const res = await fetch(`${platform.httpUrl}/api/v1/ingest`, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ points }) });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(points.length);
}

/** PATCH a metadata endpoint (tags or assets), expecting every entry updated. */
async function patchMeta(what: 'tags' | 'assets', entries: Array<Record<string, unknown>>): Promise<void> {
  const res = await fetch(`${platform.httpUrl}/api/v1/${what}`, { method: 'PATCH', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ [what]: entries }) });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(((await res.json()) as { updated: number }).updated).toBe(entries.length);
}

/** A day of one reading every 10 s: a daily cycle plus a fast wobble, so the chart has shape. */
async function ingestDay(tag: string, end: number): Promise<void> {
  const points = [];
  for (let ts = end - 86_400_000; ts < end; ts += 10_000) {
    points.push({ tag, ts, value: Number((180 + 20 * Math.sin(ts / 13_750_000) + 3 * Math.sin(ts / 400_000)).toFixed(2)) });
  }
  for (let i = 0; i < points.length; i += 4000) {
    const res = await fetch(`${platform.httpUrl}/api/v1/ingest`, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ points: points.slice(i, i + 4000) }) });
    expect(res.status).toBe(200);
  }
}

beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform({ demo: true, ...BROWSER_PLATFORM_FLAGS }), launchChromium()]);
  client = await mqtt.connectAsync(platform.mqttUrl, { ...platform.mqttAuth, clientId: 'browser-test' });
  // The marker tag exists before the page opens, so the machine view lists it from the start.
  await client.publishAsync(`uns/demo/${MARKER}`, '1', { qos: 1 });
  await ingestDay(HIST, Date.now() - 60_000);
  // Two more machines beside the oven: one in fault, one whose data went stale (quality bad).
  const now = Date.now();
  const res = await fetch(`${platform.httpUrl}/api/v1/ingest`, {
    method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ points: [
      { tag: `${SITE}/test-area/line-9/oven-01/state`, ts: now, value: 'fault' },
      { tag: `${SITE}/test-area/line-9/oven-02/state`, ts: now, value: 'running', quality: 'bad' },
      { tag: `${SITE}/test-area/line-9/oven-02/zone_temp`, ts: now, value: 171.5, quality: 'bad' },
    ] }),
  });
  expect(res.status).toBe(200);
  context = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Paris', acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await client?.endAsync();
  await browser?.close();
  await platform?.stop();
});

describe('dashboard in Chromium', () => {
  it('shows the plant tree of the demo site and a live card per machine', async () => {
    await page.goto(platform.httpUrl + '/');
    const tree = page.getByTestId('asset-tree');
    await expect.poll(() => tree.getByTestId(`tree-${SITE}`).count(), { timeout: 15_000 }).toBe(1);
    // Sparkplug lines appear once their births are in; the tree picks up new assets within 2 s.
    for (const area of ['machining', 'assembly', 'packaging']) await expect.poll(() => tree.getByTestId(`tree-${SITE}/${area}`).count(), { timeout: 10_000 }).toBe(1);
    // Cards carry the machine's state from the `state` tag once the virtual factory has published it.
    await expect.poll(() => page.locator('.machine-card[data-state="running"], .machine-card[data-state="idle"], .machine-card[data-state="fault"]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    expect(await page.locator('.machine-card').count()).toBeGreaterThanOrEqual(15);
    await expect.poll(() => page.getByTestId(`card-${MACHINE}`).locator('dd').first().innerText()).toMatch(/\d/);
    // A unit the virtual factory publishes with its tags (the name `feed_rate` states none).
    await expect.poll(() => page.getByTestId(`card-${MACHINE}`).locator(`dd[data-tag="${MACHINE}/feed_rate"] .unit`).innerText(), { timeout: 5000 }).toBe('mm/min');
    await expect.poll(async () => (await page.getByTestId('clock').textContent())!.replace(/\s+/g, ' ')).toMatch(/Plant \d\d:\d\d \(Asia\/Shanghai\) · You \d\d:\d\d/);
    await shot(page, 'plant-dark');
  });

  it('marks a machine in fault red and a stale one hatched with a badge', async () => {
    await page.goto(`${platform.httpUrl}/#/plant/${SITE}/test-area`);
    const fault = page.getByTestId(`card-${SITE}/test-area/line-9/oven-01`);
    const stale = page.getByTestId(`card-${SITE}/test-area/line-9/oven-02`);
    await expect.poll(() => fault.getAttribute('data-state'), { timeout: 5000 }).toBe('fault');
    expect(await fault.locator('.state-chip').innerText()).toBe('Fault');
    await expect.poll(() => stale.getAttribute('data-stale')).toBe('1');
    expect(await stale.locator('.badge-stale').innerText()).toMatch(/stale/i);
    // Hatched: the stale card's background is a stripe pattern, not a flat colour.
    expect(await stale.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('repeating-linear-gradient');
    // The stale machine is counted as stale, not as running on data that may be old.
    expect((await page.getByTestId('plant-summary').innerText()).replace(/\s+/g, ' ')).toBe('0 Running 0 Idle 1 Fault 1 stale');
    await shot(page, 'plant-fault-stale');
  });

  it('shows a value published over MQTT within 2 s, on the machine view', async () => {
    await page.goto(`${platform.httpUrl}/#/machine/${MACHINE}`);
    const cell = page.locator(`tr[data-tag="${MARKER}"] .num`);
    await expect.poll(() => cell.innerText(), { timeout: 10_000 }).toBe('1');
    const value = 4242.5;
    await client.publishAsync(`uns/demo/${MARKER}`, String(value), { qos: 1 });
    const t0 = Date.now();
    await expect.poll(() => cell.innerText(), { timeout: 2000, interval: 50 }).toBe('4,242.5');
    const latencyMs = Date.now() - t0;
    expect(latencyMs).toBeLessThan(2000);
    // The live hub's WebSocket is up on this server: values come through it, not by polling.
    expect(await page.getByTestId('link-state').getAttribute('class')).toContain('link-live');
    await expect.poll(() => page.locator('.tags-table svg.spark path[d^="M"]').count(), { timeout: 5000 }).toBeGreaterThan(3);
    await shot(page, 'machine');
  });

  it('falls back to polling /api/v1/latest when the WebSocket cannot connect', async () => {
    const ctx = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    // A proxy that refuses WebSocket upgrades: the page must still show live values.
    await ctx.routeWebSocket(/\/api\/v1\/live/, (ws) => ws.close({ code: 1011, reason: 'refused by test' }));
    const p = await ctx.newPage();
    await p.goto(`${platform.httpUrl}/#/machine/${MACHINE}`);
    await expect.poll(() => p.getByTestId('link-state').getAttribute('class'), { timeout: 5000 }).toContain('link-polling');
    const cell = p.locator(`tr[data-tag="${MARKER}"] .num`);
    await expect.poll(() => cell.innerText(), { timeout: 5000 }).toMatch(/\d/);
    await client.publishAsync(`uns/demo/${MARKER}`, '77.25', { qos: 1 });
    // Polling every 2 s: within one period plus a request.
    await expect.poll(() => cell.innerText(), { timeout: 3000, interval: 100 }).toBe('77.25');
    await ctx.close();
  });

  it('draws a trend of stored history in buckets of the plot width, and zooms with a narrower request', async () => {
    const history: URL[] = [];
    const onRequest = (r: Request) => { if (r.url().includes('/api/v1/history')) history.push(new URL(r.url())); };
    page.on('request', onRequest);
    await page.goto(`${platform.httpUrl}/#/trends?tag=${encodeURIComponent(HIST)}&range=24h`);
    const chart = page.getByTestId('trend-chart');
    await expect.poll(() => chart.getAttribute('data-ready'), { timeout: 10_000 }).toBe('true');
    // One request per pen: the bucket count is right the first time (no refetch once drawn).
    expect(history.length).toBe(1);
    const first = history.at(-1)!;
    const span0 = Number(first.searchParams.get('to')) - Number(first.searchParams.get('from'));
    expect(span0).toBeGreaterThan(86_000_000);
    const over = await page.locator('.u-over').boundingBox();
    const buckets0 = Number(first.searchParams.get('buckets'));
    expect(buckets0).toBeGreaterThan(100);
    expect(buckets0).toBeLessThanOrEqual(over!.width / 2);
    await shot(page, 'trend-24h');

    const loadId = await chart.getAttribute('data-load-id');
    const y = over!.y + over!.height / 2;
    await page.mouse.move(over!.x + over!.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(over!.x + over!.width * 0.6, y, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => chart.getAttribute('data-load-id'), { timeout: 10_000 }).not.toBe(loadId);
    const zoomed = history.at(-1)!;
    const span1 = Number(zoomed.searchParams.get('to')) - Number(zoomed.searchParams.get('from'));
    expect(span1).toBeLessThan(span0 * 0.4);
    expect(span1).toBeGreaterThan(span0 * 0.2);
    expect(Number(zoomed.searchParams.get('buckets'))).toBe(buckets0);
    // And the time axis drawn is the zoomed window, not the old one.
    expect(Number(await chart.getAttribute('data-x-from'))).toBe(Number(zoomed.searchParams.get('from')));
    expect(Number(await chart.getAttribute('data-x-to'))).toBe(Number(zoomed.searchParams.get('to')));
    // The zoomed window is in the URL, so the link shows the same thing to a colleague.
    expect(page.url()).toMatch(/from=\d+&to=\d+/);
    page.off('request', onRequest);
    await shot(page, 'trend-zoomed');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(`time_utc,ts_ms,${HIST} avg,${HIST} min,${HIST} max,${HIST} count`);
    expect(lines.length).toBeGreaterThan(50);

    // Add a pen with the picker: it suggests numeric tags as you type.
    const input = page.getByTestId('tag-input');
    await input.click();
    await input.fill('cnc-01 spindle_temp');
    await expect.poll(() => page.locator('#trend-tags option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([`${MACHINE}/spindle_temp`]);
    await input.fill(`${MACHINE}/spindle_temp`);
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('trend-legend').locator('li').count()).toBe(2);
    expect(new URL(page.url()).hash).toContain(encodeURIComponent(`${MACHINE}/spindle_temp`));
  });

  it('appends live values to a trend that ends at now', async () => {
    const tags = [MARKER, `${MACHINE}/spindle_speed`, `${MACHINE}/spindle_temp`];
    await page.goto(`${platform.httpUrl}/#/trends?${tags.map((t) => `tag=${encodeURIComponent(t)}`).join('&')}&range=5m`);
    await expect.poll(() => page.getByTestId('trend-chart').getAttribute('data-ready'), { timeout: 10_000 }).toBe('true');
    // The legend reads out the value under the cursor: keep the mouse off the chart.
    await page.mouse.move(5, 5);
    await client.publishAsync(`uns/demo/${MARKER}`, '555.5', { qos: 1 });
    await expect.poll(() => page.getByTestId('trend-legend').locator('.pen-value').first().innerText(), { timeout: 2000 }).toBe('555.5');
    await shot(page, 'trend-live-3-pens');
  });

  it('shows the unit, description and range set through PATCH /api/v1/tags, from one cached catalog request per view', async () => {
    const press = `${SITE}/test-area/line-9/press-01`;
    const oil = `${press}/oil_temp`;
    await ingest([{ tag: oil, value: 48.5 }, { tag: `${press}/drive_power_kw`, value: 12.5 }]);
    await patchMeta('tags', [{ path: oil, unit: '°C', description: 'Hydraulic oil temperature at the tank', min: 0, max: 80 }]);
    const tagRequests: URL[] = [];
    const onRequest = (r: Request) => { if (r.url().includes('/api/v1/tags')) tagRequests.push(new URL(r.url())); };
    page.on('request', onRequest);
    // Once the tree shows the new machine, the tag count is settled and no catalog refresh is due.
    await page.goto(`${platform.httpUrl}/#/plant/${SITE}/test-area`);
    await expect.poll(() => page.getByTestId(`tree-${press}`).count(), { timeout: 5000 }).toBe(1);

    // The card: the catalog's unit, and the unit the name states where the catalog has none.
    const card = page.getByTestId(`card-${press}`);
    await expect.poll(() => card.locator(`dd[data-tag="${oil}"] .unit`).innerText(), { timeout: 5000 }).toBe('°C');
    expect(await card.locator(`dd[data-tag="${press}/drive_power_kw"] .unit`).innerText()).toBe('kW');
    // One request for the whole view, not one per card.
    const plantRequests = tagRequests.filter((u) => u.searchParams.get('prefix') === `${SITE}/test-area/`);
    expect(plantRequests.length).toBe(1);
    expect(tagRequests.length).toBe(1);

    await page.goto(`${platform.httpUrl}/#/machine/${press}`);
    const row = page.locator(`tr[data-tag="${oil}"]`);
    await expect.poll(() => row.locator('.unit-cell').innerText(), { timeout: 5000 }).toBe('°C');
    expect(await row.locator('.tag-desc').innerText()).toBe('Hydraulic oil temperature at the tank');
    expect(await page.locator(`tr[data-tag="${press}/drive_power_kw"] .unit-cell`).innerText()).toBe('kW');
    const bar = row.getByTestId('range-bar');
    await expect.poll(() => bar.getAttribute('data-out')).toBe('0');
    expect(await bar.getAttribute('title')).toBe('Range 0 – 80 °C');
    // A reading above the range turns the bar red.
    await ingest([{ tag: oil, value: 95 }]);
    await expect.poll(() => bar.getAttribute('data-out'), { timeout: 3000 }).toBe('1');
    await shot(page, 'machine-catalog');
    expect(tagRequests.map((u) => u.searchParams.get('prefix'))).toEqual([`${SITE}/test-area/`, `${press}/`]);

    // The trend opened from the row: the legend shows the unit, from the machine view's cached list.
    await row.locator('a.link-btn').click();
    await expect.poll(() => page.getByTestId('trend-chart').getAttribute('data-ready'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('trend-legend').getByTestId('pen-unit').innerText()).toBe('°C');
    await shot(page, 'trend-unit');
    expect(tagRequests.length).toBe(2);
    page.off('request', onRequest);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    expect(csv.split('\n')[0]).toBe(`time_utc,ts_ms,${oil} avg (°C),${oil} min (°C),${oil} max (°C),${oil} count`);
  });

  it('shows the plant clock in the time zone the API gives for the site of the view, and none when it gives none', async () => {
    // Set before the site has any tag: the zone belongs to the site, not to a tag.
    await patchMeta('assets', [{ path: 'toulouse-test', timeZone: 'Europe/Paris' }]);
    const robot = 'toulouse-test/assembly/line-1/robot-01';
    await ingest([
      { tag: `${robot}/state`, value: 'running' }, { tag: `${robot}/cycle_time`, value: 3.2 },
      // A site the API knows no zone of (and sorted first: the overview takes the first site that has one).
      { tag: 'lille-test/assembly/line-1/robot-01/state', value: 'idle' },
    ]);
    // A viewer in Brazil: Paris time is not theirs, so the plant clock is shown beside their own.
    const ctx = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'America/Sao_Paulo' });
    const p = await ctx.newPage();
    const clock = async () => (await p.getByTestId('clock').textContent())!.replace(/\s+/g, ' ').trim();
    await p.goto(`${platform.httpUrl}/#/plant/toulouse-test`);
    await expect.poll(clock, { timeout: 5000 }).toMatch(/^Plant \d\d:\d\d \(Europe\/Paris\) · You \d\d:\d\d$/);
    const paris = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
    const shown = (await clock()).match(/^Plant (\d\d:\d\d)/)![1];
    // Not just the label: the time is Paris time (a minute may have turned meanwhile).
    expect([paris.format(Date.now()), paris.format(Date.now() - 60_000)]).toContain(shown);
    await shot(p, 'clock-paris');
    await p.goto(`${platform.httpUrl}/#/machine/${robot}`);
    await expect.poll(clock).toContain('(Europe/Paris)');
    // A trend's plant is its first pen's.
    await p.goto(`${platform.httpUrl}/#/trends?tag=${encodeURIComponent(`${robot}/cycle_time`)}&range=1h`);
    await expect.poll(clock).toContain('(Europe/Paris)');
    await p.goto(`${platform.httpUrl}/#/plant/lille-test`);
    await expect.poll(clock).toMatch(/^You \d\d:\d\d$/);
    await p.goto(`${platform.httpUrl}/#/plant`);
    await expect.poll(clock).toContain('(Asia/Shanghai)');
    await ctx.close();
  });

  it('switches language to Chinese and French, and remembers it', async () => {
    await page.goto(platform.httpUrl + '/#/plant');
    await page.getByTestId('lang').selectOption('zh');
    await expect.poll(() => page.getByTestId('nav-trends').innerText()).toBe('趋势');
    await expect.poll(() => page.getByTestId('plant-view').locator('h1').innerText()).toBe('工厂总览');
    await shot(page, 'plant-zh');
    await page.getByTestId('lang').selectOption('fr');
    await expect.poll(() => page.getByTestId('nav-health').innerText()).toBe('État du système');
    await page.reload();
    await expect.poll(() => page.getByTestId('nav-trends').innerText()).toBe('Tendances');
    await page.getByTestId('lang').selectOption('en');
  });

  it('switches to the light theme and back', async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await bg();
    await page.getByTestId('theme').click();
    await expect.poll(bg).not.toBe(dark);
    expect(await page.evaluate(() => localStorage.getItem('lightsout.theme'))).toBe('light');
    await page.goto(`${platform.httpUrl}/#/plant/${SITE}/test-area`);
    await expect.poll(() => page.locator('.machine-card[data-state="fault"]').count(), { timeout: 5000 }).toBe(1);
    await shot(page, 'plant-light');
    await page.goto(platform.httpUrl + '/#/health');
    await expect.poll(() => page.getByTestId('health-view').innerText(), { timeout: 5000 }).toContain('mqtt-broker');
    await shot(page, 'health-light');
    await page.getByTestId('theme').click();
    await expect.poll(bg).toBe(dark);
  });

  it('threw no uncaught error in the page along the way', () => {
    expect(pageErrors).toEqual([]);
  });

  it('fits a tablet screen without sideways scrolling', async () => {
    const tablet = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
    const p = await tablet.newPage();
    await p.goto(platform.httpUrl + '/#/plant');
    await expect.poll(() => p.locator('.machine-card').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // First visit follows the browser's language.
    expect(await p.getByTestId('nav-plant').innerText()).toBe('Usine');
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    expect(await p.evaluate(() => document.querySelector('.topbar')!.scrollWidth)).toBeLessThanOrEqual(1024);
    await shot(p, 'tablet-plant-fr');
    await tablet.close();
  });

  it('collapses the tree into a drawer on a phone', async () => {
    const phone = await loggedInContext(browser, platform.httpUrl, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const p = await phone.newPage();
    await p.goto(platform.httpUrl + '/');
    await expect.poll(() => p.locator('.machine-card').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const drawerX = async () => (await p.getByTestId('drawer').boundingBox())!.x;
    expect(await drawerX()).toBeLessThan(0);
    // Nothing is wider than the screen.
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(p, 'phone-plant');
    await p.getByTestId('menu').click();
    await expect.poll(drawerX).toBe(0);
    await expect.poll(() => p.getByTestId(`tree-${SITE}/machining`).isVisible()).toBe(true);
    await shot(p, 'phone-drawer');
    await phone.close();
  });
});
