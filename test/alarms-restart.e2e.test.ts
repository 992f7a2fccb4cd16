/**
 * Alarms survive a restart exactly: a real platform with 1,000 alarms in every state an operator
 * leaves them in — unacknowledged, acknowledged, shelved, out of service, latched, returned
 * unacknowledged, with comments — is stopped and started again on the same data dir. Every alarm
 * comes back identical (state, who acknowledged it and when, shelve expiry, out-of-service reason,
 * comments, raise count, message) and the journal is the same, entry for entry; the first
 * evaluation after the start (from the last values) adds nothing.
 * Rules: two templates on 900 machines (one latched) and 100 rules made one by one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, sendJson, startTestPlatform, waitFor, type TestPlatform } from './helpers.js';

const N = 1000;
const machine = (i: number): string => `rs-site/area-a/line-${Math.floor(i / 100)}/m-${String(i).padStart(4, '0')}`;
/** 0–799 pump template, 800–899 latched press template, 900–999 rules of their own. */
const alarmId = (i: number): string => (i < 800 ? `rs-hot@${machine(i)}` : i < 900 ? `rs-press-hot@${machine(i)}` : `rs-rule-${i}`);
type Want = 'unacknowledged' | 'acknowledged' | 'shelved' | 'out-of-service' | 'latched' | 'returned-unacknowledged';
function wanted(i: number): Want {
  if (i >= 800 && i < 900) return 'latched';
  if (i >= 900) return i % 2 === 0 ? 'acknowledged' : 'unacknowledged';
  return (['unacknowledged', 'acknowledged', 'shelved', 'out-of-service', 'returned-unacknowledged'] as const)[i % 5]!;
}
const enc = encodeURIComponent;

let platform: TestPlatform | undefined;
afterAll(async () => platform?.stop());

/** Run `fn` over items, `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function ok(method: string, url: string, body?: unknown): Promise<any> {
  const r = await sendJson(method, url, body);
  expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

async function temps(api: (p: string) => string, indexes: number[], value: number): Promise<void> {
  const body = await ok('POST', api('/ingest'), { points: indexes.map((i) => ({ tag: `${machine(i)}/temp`, value })) });
  expect(body.accepted).toBe(indexes.length);
}

/** Every alarm (sorted) and the whole journal of the test period (every page). */
async function snapshot(api: (p: string) => string, from: number): Promise<{ alarms: any[]; journal: any[] }> {
  const alarms = ((await getJson(api('/alarms?all=true'))).body.alarms as any[]).sort((a, b) => (a.id < b.id ? -1 : 1));
  const journal: any[] = [];
  let before: number | undefined;
  for (;;) {
    const r = await getJson(api(`/alarms/history?from=${from}&to=${Date.now() + 60_000}&limit=1000${before ? `&before=${before}` : ''}`));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    journal.push(...r.body.events);
    if (r.body.nextBefore === undefined || r.body.events.length === 0) break;
    before = r.body.nextBefore;
  }
  return { alarms, journal };
}

describe('alarms across a restart', () => {
  it('brings back 1,000 alarms in mixed states and their journal unchanged', async () => {
    const from = Date.now() - 1000;
    platform = await startTestPlatform({ alarmMaxShelveMinutes: 480 });
    const dataDir = platform.dataDir;
    let api = (p: string): string => `${platform!.httpUrl}/api/v1${p}`;
    const all = Array.from({ length: N }, (_, i) => i);

    await temps(api, all, 20);
    await ok('PATCH', api('/assets'), { assets: all.filter((i) => i < 900).map((i) => ({ path: machine(i), machineType: i < 800 ? 'rs-pump' : 'rs-press' })) });
    const body = (name: string, latched: boolean) => ({
      name, enabled: true, condition: { kind: 'threshold', tag: 'temp', op: '>', limit: 80, deadband: 2 },
      alarm: { priority: latched ? 'critical' : 'high', message: 'Temperature {temp} °C over {limit} °C', ...(latched ? { latched: true } : {}) },
    });
    await ok('POST', api('/rule-templates'), { id: 'rs-hot', machineType: 'rs-pump', ...body('Pump too hot', false) });
    await ok('POST', api('/rule-templates'), { id: 'rs-press-hot', machineType: 'rs-press', ...body('Press too hot', true) });
    await pool(all.filter((i) => i >= 900), 8, async (i) => void await ok('POST', api('/rules'), { id: alarmId(i), asset: machine(i), ...body(`Machine ${i} too hot`, false) }));

    // Raise all 1,000.
    await temps(api, all, 90);
    await waitFor(async () => (await getJson(api('/alarms?state=unacknowledged'))).body.alarms.length === N, 20_000, '1,000 raised alarms');

    // Put them where an operator leaves them.
    const of = (s: Want, pred: (i: number) => boolean = () => true): number[] => all.filter((i) => wanted(i) === s && pred(i));
    const acked = [...of('acknowledged'), ...of('latched')];
    await ok('POST', api('/alarms/ack'), { ids: acked.map(alarmId), comment: 'seen, crew on the way' });
    await pool(of('shelved'), 8, async (i) => void await ok('POST', api(`/alarms/${enc(alarmId(i))}/shelve`), { reason: 'sensor being recalibrated', minutes: 240 }));
    await pool(of('out-of-service'), 8, async (i) => void await ok('POST', api(`/alarms/${enc(alarmId(i))}/out-of-service`), { reason: 'pump replaced this week' }));
    await pool(all.filter((i) => i % 7 === 0), 8, async (i) => {
      await ok('POST', api(`/alarms/${enc(alarmId(i))}/comment`), { text: `note ${i}: checked on site` });
      if (i % 14 === 0) await ok('POST', api(`/alarms/${enc(alarmId(i))}/comment`), { text: `note ${i}: second look` });
    });
    // Latched ones clear after their ack; returned-unacknowledged ones clear without one.
    await temps(api, [...of('latched'), ...of('returned-unacknowledged')], 70);

    const expected = new Map(all.map((i) => [alarmId(i), wanted(i)]));
    await waitFor(async () => {
      const alarms = (await getJson(api('/alarms?all=true'))).body.alarms as Array<{ id: string; state: string }>;
      return alarms.length === N && alarms.every((a) => expected.get(a.id) === a.state);
    }, 20_000, 'every alarm in its wanted state');
    const before = await snapshot(api, from);
    const counts: Record<string, number> = {};
    for (const a of before.alarms) counts[a.state] = (counts[a.state] ?? 0) + 1;
    expect(counts).toEqual({ unacknowledged: 210, acknowledged: 210, shelved: 160, 'out-of-service': 160, latched: 100, 'returned-unacknowledged': 160 });
    // The details that must survive are there to compare in the first place.
    const sample = (i: number) => before.alarms.find((a) => a.id === alarmId(i));
    expect(sample(1)).toMatchObject({ ackedBy: expect.any(String), ackedTs: expect.any(Number), comments: [{ text: 'seen, crew on the way' }] });
    expect(sample(2).shelved).toMatchObject({ reason: 'sensor being recalibrated', untilTs: expect.any(Number) });
    expect(sample(2).shelved.untilTs - sample(2).shelved.ts).toBe(240 * 60_000);
    expect(sample(3).outOfService).toMatchObject({ reason: 'pump replaced this week' });
    expect(sample(14).comments.map((c: any) => c.text)).toEqual(['note 14: second look', 'note 14: checked on site']);
    expect(before.journal.length).toBeGreaterThan(N * 2);

    await platform.stop();
    platform = undefined;
    platform = await startTestPlatform({ dataDir, alarmMaxShelveMinutes: 480 });
    api = (p: string): string => `${platform!.httpUrl}/api/v1${p}`;
    // The rules' first evaluation after the start (from the last values) must change nothing.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await snapshot(api, from);
    expect(after.alarms.length).toBe(N);
    expect(after.alarms).toEqual(before.alarms);
    expect(after.journal.length).toBe(before.journal.length);
    expect(after.journal).toEqual(before.journal);

    // And the alarms still work: a latched one resets, an unacknowledged one acknowledges.
    await ok('POST', api(`/alarms/${enc(alarmId(800))}/reset`), { comment: 'repaired' });
    await ok('POST', api(`/alarms/${enc(alarmId(0))}/ack`), {});
    expect((await getJson(api(`/alarms/${enc(alarmId(800))}`))).body.state).toBe('normal');
    expect((await getJson(api(`/alarms/${enc(alarmId(0))}`))).body.state).toBe('acknowledged');
  }, 180_000);
});
