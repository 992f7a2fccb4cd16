/**
 * Notifications and escalation end to end: a real platform, a real SMTP server (smtp-server on a
 * free port, the platform's smtpUrl) and a real HTTP webhook receiver.
 * - A roster of three people with a short acknowledgement timeout: the raise pages person 1
 *   (e-mail and webhook); nobody acknowledges, so person 2 gets an e-mail; the acknowledgement
 *   stops escalation before person 3.
 * - A webhook that answers 500 twice, then 200: delivered on the third attempt.
 * - The mail server is down when the alarm is raised (it takes connections and never answers):
 *   the attempt times out, and the e-mail is delivered once a working server is up.
 * - Through all of it, alarm states change at once: notifications never hold them up.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getJson, sendJson, startTestPlatform, waitFor } from './helpers.js';

interface Mail { to: string[]; text: string }
interface Hook { path: string; body: any }

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let smtp: SMTPServer | undefined;
let blackHole: TcpServer | undefined;
const held: Socket[] = [];
let smtpPort: number;
let hooks: Server;
let hookUrl: string;
const mails: Mail[] = [];
const received: Hook[] = [];
let flakyLeft = 2;

const api = (path: string) => `${platform.httpUrl}/api/v1${path}`;
const ROSTER_AREA = 'esc-site/area-1';
const PAGED = `${ROSTER_AREA}/line-1/m1`;
const FLAKY = 'esc-other/area-1/line-1/m2';
const LATE = 'esc-other/area-1/line-1/m3';

function startSmtp(port: number): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), text: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function ingest(tag: string, value: number): Promise<void> {
  const r = await sendJson('POST', api('/ingest'), { points: [{ tag, value }] });
  expect(r.body).toMatchObject({ accepted: 1 });
}

async function rule(id: string, asset: string, notify?: string[]): Promise<void> {
  const r = await sendJson('POST', api('/rules'), {
    id, asset, name: `Temperature high (${id})`, enabled: true,
    condition: { kind: 'threshold', tag: 'temp', op: '>', limit: 50, deadband: 1 },
    alarm: { priority: 'high', message: 'Temperature {temp} (limit {limit})', ...(notify ? { notify } : {}) },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

const alarm = async (id: string) => (await getJson(api(`/alarms/${encodeURIComponent(id)}`))).body;
const journal = async (id: string): Promise<any[]> => (await getJson(api(`/alarms/history?alarm=${id}&from=${Date.now() - 600_000}&limit=100`))).body.events ?? [];
const mailsTo = (addr: string) => mails.filter((m) => m.to.includes(addr));

beforeAll(async () => {
  // The mail server is down at first: its port takes connections and never says a word.
  smtpPort = await freePort();
  blackHole = createTcpServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => blackHole!.listen(smtpPort, '127.0.0.1', () => resolve()));
  hooks = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path === '/flaky' && flakyLeft > 0) {
        flakyLeft--;
        received.push({ path: `${path} (500)`, body: undefined });
        res.writeHead(500).end('not now');
        return;
      }
      received.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', () => resolve()));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  platform = await startTestPlatform({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, smtpFrom: 'alarms@lightsout.test', notificationTimeoutMs: 2000 });

  const targets = [
    { id: 'p1-mail', kind: 'email', name: 'Person 1 mail', to: 'p1@plant.test' },
    { id: 'p1-hook', kind: 'webhook', name: 'Person 1 phone', url: `${hookUrl}/p1` },
    { id: 'p2-mail', kind: 'email', name: 'Person 2 mail', to: 'p2@plant.test' },
    { id: 'p3-mail', kind: 'email', name: 'Person 3 mail', to: 'p3@plant.test' },
    { id: 'flaky-hook', kind: 'webhook', name: 'Flaky chat', url: `${hookUrl}/flaky` },
    { id: 'late-mail', kind: 'email', name: 'Maintenance mailbox', to: 'maint@plant.test' },
  ];
  for (const t of targets) {
    const r = await sendJson('POST', api('/notification-targets'), t);
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  }
  const roster = await sendJson('POST', api('/rosters'), {
    id: 'esc-oncall', name: 'Area 1 on call', area: ROSTER_AREA, timeZone: 'UTC', ackTimeoutMinutes: 0.1,
    entries: [
      { person: 'Person 1', targets: ['p1-mail', 'p1-hook'] },
      { person: 'Person 2', targets: ['p2-mail'] },
      { person: 'Person 3', targets: ['p3-mail'] },
    ],
  });
  expect(roster.status, JSON.stringify(roster.body)).toBeLessThan(300);
  for (const m of [PAGED, FLAKY, LATE]) await ingest(`${m}/temp`, 20);
  await rule('esc-paged', PAGED);
  await rule('esc-flaky', FLAKY, ['flaky-hook']);
  await rule('esc-late', LATE, ['late-mail']);
}, 30_000);

afterAll(async () => {
  await platform?.stop();
  held.forEach((s) => s.destroy());
  await new Promise<void>((resolve) => (blackHole?.listening ? blackHole.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  hooks?.closeAllConnections();
  await new Promise<void>((resolve) => (hooks ? hooks.close(() => resolve()) : resolve()));
});

describe('notifications and escalation', () => {
  it('the mail server is down at the raise: the alarm is raised at once, the e-mail goes out once the server is up', async () => {
    await ingest(`${LATE}/temp`, 70);
    // Not blocked by the dead mail server: raised as soon as the point is in.
    const raised = await waitFor(async () => ((await alarm('esc-late')).state === 'unacknowledged' ? Date.now() : 0), 3000, 'esc-late raised');
    expect(raised).toBeGreaterThan(0);
    // An operator acts while the delivery hangs on the silent server: answered at once.
    await waitFor(() => held.length > 0, 5000, 'the platform to call the mail server');
    const t0 = Date.now();
    const acked = await sendJson('POST', api('/alarms/esc-late/ack'), { comment: 'seen on the console' });
    expect(acked.status).toBe(200);
    expect(acked.body.state).toBe('acknowledged');
    expect(Date.now() - t0).toBeLessThan(1000);
    // The attempt gives up after notificationTimeoutMs (2 s) and waits for its retry.
    const failedOnce = await waitFor(async () => {
      const jobs = (await getJson(api('/notifications?limit=100'))).body.jobs as any[];
      return jobs.find((j) => j.alarmId === 'esc-late' && j.targetId === 'late-mail' && j.attempts >= 1 && j.state === 'pending');
    }, 10_000, 'a failed first attempt');
    expect(failedOnce.lastError).toMatch(/time/i);

    // A working mail server takes the port.
    await new Promise<void>((resolve) => {
      held.forEach((s) => s.destroy());
      blackHole!.close(() => resolve());
    });
    smtp = await startSmtp(smtpPort);
    await waitFor(() => mailsTo('maint@plant.test').length > 0, 25_000, 'the late e-mail');
    expect(mailsTo('maint@plant.test')[0]!.text).toContain('esc-late');
    const job = await waitFor(async () => ((await getJson(api('/notifications?limit=100'))).body.jobs as any[]).find((j) => j.alarmId === 'esc-late' && j.state === 'delivered'), 5000, 'the job delivered');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    await waitFor(async () => (await journal('esc-late')).some((e) => e.kind === 'notify'), 5000, 'notify in the journal');
  }, 60_000);

  it('the roster pages person 1 by e-mail and webhook, escalates to person 2 when nobody acknowledges, and the ack stops escalation', async () => {
    expect(smtp).toBeDefined();
    const t0 = Date.now();
    await ingest(`${PAGED}/temp`, 75);
    await waitFor(async () => (await alarm('esc-paged')).state === 'unacknowledged', 2000, 'esc-paged raised');
    await waitFor(() => mailsTo('p1@plant.test').length > 0 && received.some((h) => h.path === '/p1'), 5000, 'person 1 paged');
    const hook = received.find((h) => h.path === '/p1')!.body;
    expect(hook).toMatchObject({ tenant: 'demo', event: 'raise', person: 'Person 1', alarm: { id: 'esc-paged', priority: 'high', area: PAGED } });
    expect(mailsTo('p1@plant.test')[0]!.text).toContain('Temperature');
    expect(mailsTo('p2@plant.test')).toHaveLength(0);

    // 0.1 minute later, still unacknowledged: person 2.
    await waitFor(() => mailsTo('p2@plant.test').length > 0, 12_000, 'person 2 paged');
    const escalatedAfter = Date.now() - t0;
    expect(escalatedAfter).toBeGreaterThan(5000);
    expect(mailsTo('p2@plant.test')[0]!.text).toMatch(/Escalation/);
    expect((await journal('esc-paged')).some((e) => e.kind === 'escalate')).toBe(true);

    const acked = await sendJson('POST', api('/alarms/esc-paged/ack'), {});
    expect(acked.body).toMatchObject({ state: 'acknowledged', ackedBy: expect.any(String) });
    // Two more timeouts pass: person 3 is never paged.
    await new Promise((r) => setTimeout(r, 13_000));
    expect(mailsTo('p3@plant.test')).toHaveLength(0);
    expect(mailsTo('p1@plant.test')).toHaveLength(1);
  }, 60_000);

  it('a webhook answering 500 twice then 200 is delivered on the third attempt', async () => {
    await ingest(`${FLAKY}/temp`, 80);
    await waitFor(async () => (await alarm('esc-flaky')).state === 'unacknowledged', 2000, 'esc-flaky raised');
    // Backoff 5 s, then 10 s (±20 %).
    await waitFor(() => received.some((h) => h.path === '/flaky'), 25_000, 'the webhook delivered');
    expect(received.filter((h) => h.path === '/flaky (500)')).toHaveLength(2);
    expect(received.find((h) => h.path === '/flaky')!.body).toMatchObject({ event: 'raise', alarm: { id: 'esc-flaky' } });
    const job = await waitFor(async () => ((await getJson(api('/notifications?limit=100'))).body.jobs as any[]).find((j) => j.alarmId === 'esc-flaky' && j.state === 'delivered'), 5000, 'the job delivered');
    expect(job.attempts).toBe(3);
    const events = await journal('esc-flaky');
    expect(events.some((e) => e.kind === 'notify')).toBe(true);
    expect(events.some((e) => e.kind === 'notify-failed')).toBe(false);
    // The alarm was never held up: it is still as the raise left it.
    expect((await alarm('esc-flaky')).state).toBe('unacknowledged');
  }, 60_000);
});
