/**
 * Delivery against real servers: an SMTP server (smtp-server) and an HTTP webhook receiver
 * (node:http), both on free ports of this machine, with the real SQLite outbox. Time of the
 * retries is driven by a manual clock; the network I/O is real.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationJob } from '../core/alarm-port.js';
import { SimClock } from '../core/sim-clock.js';
import { SqliteAlarmStore } from '../store/sqlite/sqlite-alarm-store.js';
import { TempAlarmDb } from '../store/sqlite/temp-alarm-db.js';
import { NotificationService } from './notification-service.js';
import { alarmRecord, principal, startReceiver, until, type WebhookReceiver } from './notification-test-kit.js';

const T0 = Date.parse('2026-11-27T02:00:00Z');
const PASSWORD = 'pa$$:w0rd/secret';
const engineer = principal('engineer');

interface Mail { to: string; subject: string; body: string; pendingInStore: boolean }

/** Subject and text of a raw message (encoded words, quoted-printable or base64 bodies). */
function decodeMail(raw: string): { subject: string; body: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const subjectRaw = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const subject = subjectRaw.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')));
  const bodyRaw = rest.join('\n\n');
  const cte = /^Content-Transfer-Encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  const body = cte === 'quoted-printable' ? qp(bodyRaw.replace(/=\r?\n/g, '')) : cte === 'base64' ? Buffer.from(bodyRaw, 'base64').toString('utf8') : bodyRaw;
  return { subject, body: body.replace(/\r\n/g, '\n') };
}
function qp(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) { bytes.push(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; }
    else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

let db: TempAlarmDb;
let store: SqliteAlarmStore;
let hook: WebhookReceiver;
let smtp: SMTPServer | undefined;
let smtpPort = 0;
let mails: Mail[];
const services: NotificationService[] = [];

async function startSmtp(port = 0): Promise<void> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alarms' && auth.password === PASSWORD) cb(null, { user: 'alarms' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void store.listJobs('acme', 100).then((jobs) => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), ...decodeMail(Buffer.concat(chunks).toString('utf8')), pendingInStore: jobs.some((j) => j.state === 'pending' && j.targetId === 'mail') });
          cb();
        });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  smtpPort = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  smtp = server;
}
async function stopSmtp(): Promise<void> {
  const s = smtp;
  smtp = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

interface Setup { svc: NotificationService; clock: SimClock; journal: Array<{ alarmId: string; kind: string; text: string }> }

async function service(o: { maxAttempts?: number; timeoutMs?: number; password?: string; smtp?: boolean; clock?: SimClock } = {}): Promise<Setup> {
  const clock = o.clock ?? new SimClock(T0);
  const journal: Setup['journal'] = [];
  const smtpUrl = o.smtp === false ? undefined : `smtp://alarms:${encodeURIComponent(o.password ?? PASSWORD)}@127.0.0.1:${smtpPort}`;
  const svc = new NotificationService({
    store, clock, settings: { smtpUrl, smtpFrom: 'lightsout@plant.example', maxAttempts: o.maxAttempts ?? 10, timeoutMs: o.timeoutMs ?? 5_000 },
    siteTimeZone: () => 'Asia/Shanghai',
    journal: (_t, alarmId, kind, text) => journal.push({ alarmId, kind, text }),
    random: () => 0.5,
  });
  services.push(svc);
  await svc.start();
  return { svc, clock, journal };
}

async function targets(svc: NotificationService): Promise<void> {
  await svc.saveTarget(engineer, { id: 'mail', kind: 'email', name: 'Ops mail', to: 'ops@plant.example' });
  await svc.saveTarget(engineer, { id: 'hook', kind: 'webhook', name: 'Ops hook', url: `${hook.url}/alarms`, headers: { authorization: 'Bearer t0ken' } });
}

const jobs = async (): Promise<NotificationJob[]> => store.listJobs('acme', 100);
const job = async (targetId: string): Promise<NotificationJob> => (await jobs()).find((j) => j.targetId === targetId)!;
const attempts = async (n: number): Promise<boolean> => {
  const all = await jobs();
  return all.length > 0 && all.every((j) => j.attempts === n);
};

beforeEach(async () => {
  db = new TempAlarmDb('lightsout-delivery-');
  store = await db.open();
  hook = await startReceiver();
  mails = [];
  await startSmtp();
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  await stopSmtp();
  await hook.close();
  await db.remove();
});

describe('delivery to real servers', () => {
  it('the e-mail carries the alarm\'s message, area and priority; the webhook gets JSON; jobs are saved first', async () => {
    const { svc, journal } = await service();
    await targets(svc);
    const alarm = alarmRecord();
    expect(svc.raised(alarm, ['mail', 'hook'])).toBeUndefined(); // no roster: direct targets only
    await until(() => mails.length === 1 && hook.calls.length === 1, 10_000, 'mail and webhook');
    const mail = mails[0]!;
    expect(mail.to).toBe('ops@plant.example');
    expect(mail.subject).toBe('[HIGH] Spindle over temperature — sh/machining/line-1/cnc-01');
    expect(mail.body).toContain('Spindle at 85.2 °C (limit 80 °C)');
    expect(mail.body).toContain('Area: sh/machining/line-1/cnc-01');
    expect(mail.body).toContain('Priority: high');
    expect(mail.body).toContain('Raised: 2026-11-27 10:00:00 (Asia/Shanghai)');
    expect(mail.pendingInStore).toBe(true); // the job was in the outbox while it was being sent
    const call = hook.calls[0]!;
    expect(call.path).toBe('/alarms');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers.authorization).toBe('Bearer t0ken');
    expect(call.body).toEqual({ tenant: 'acme', event: 'raise', alarm: {
      id: alarm.id, ruleName: alarm.ruleName, area: alarm.area, priority: 'high', state: 'unacknowledged', message: alarm.message, value: 85.2, activeTs: alarm.activeTs, raiseCount: 1,
    } });
    await until(() => journal.length === 2);
    expect(journal.map((j) => j.text).sort()).toEqual([
      'delivered to e-mail target "Ops mail" (ops@plant.example)',
      `delivered to webhook target "Ops hook" (${hook.url})`,
    ]);
    expect((await jobs()).map((j) => [j.state, j.attempts])).toEqual([['delivered', 1], ['delivered', 1]]);
  });

  it('SMTP down and webhook answering 500: retried with backoff, delivered once they are back; no notify-failed', async () => {
    const { svc, clock, journal } = await service({ maxAttempts: 5 });
    await targets(svc);
    await stopSmtp();
    hook.status = 500;
    hook.status = 500;
    const began = performance.now();
    svc.raised(alarmRecord(), ['mail', 'hook']);
    expect(performance.now() - began).toBeLessThan(50); // the alarm never waits for delivery
    await until(async () => (await attempts(1)) && clock.nextAt() === T0 + 5_000, 10_000, 'first attempts');
    expect(hook.calls).toHaveLength(1);
    const mailError = (await job('mail')).lastError!;
    expect(mailError).toMatch(/^e-mail target "Ops mail" \(ops@plant\.example\): SMTP server 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)$/);
    expect(mailError).not.toContain('w0rd');
    expect((await job('hook')).lastError).toBe(`webhook target "Ops hook" (${hook.url}): answered HTTP 500 Internal Server Error`);

    clock.advance(4_999);
    expect(hook.calls).toHaveLength(1); // not before the backoff
    clock.advance(1); // 5 s
    await until(async () => (await attempts(2)) && clock.nextAt() === T0 + 15_000, 10_000, 'second attempts');
    expect(hook.calls).toHaveLength(2);
    clock.advance(10_000); // 10 s more
    await until(async () => (await attempts(3)) && clock.nextAt() === T0 + 35_000, 10_000, 'third attempts');
    expect(journal).toEqual([]);

    await startSmtp(smtpPort);
    hook.status = 200;
    clock.advance(20_000);
    await until(() => journal.length === 2, 10_000, 'deliveries');
    expect(journal.map((j) => j.kind)).toEqual(['notify', 'notify']);
    expect(mails).toHaveLength(1);
    expect(hook.calls).toHaveLength(4);
    expect((await jobs()).map((j) => [j.state, j.attempts])).toEqual([['delivered', 4], ['delivered', 4]]);
    expect(clock.pending).toBe(0);
  });

  it('an alarm chattering while the SMTP server is down pages once when it is back', async () => {
    const { svc, clock, journal } = await service();
    await targets(svc);
    await stopSmtp();
    for (let i = 1; i <= 5; i++) svc.raised(alarmRecord({ raiseCount: i }), ['mail']);
    await until(async () => (await attempts(1)) && clock.nextAt() !== undefined);
    svc.raised(alarmRecord({ raiseCount: 6 }), ['mail']);
    svc.raised(alarmRecord({ id: 'other' }), ['mail']);
    await until(async () => (await jobs()).length === 2);
    await startSmtp(smtpPort);
    clock.advance(5_000);
    await until(() => journal.length === 2, 10_000);
    expect(mails.map((m) => m.subject)).toHaveLength(2);
    expect((await jobs()).map((j) => j.alarmId).sort()).toEqual(['cnc-01-spindle-hot', 'other']);
    svc.raised(alarmRecord({ raiseCount: 7 }), ['mail']); // delivered before: a new raise pages again
    await until(() => mails.length === 3, 10_000);
  });

  it('gives up after maxAttempts: failed, and only then notify-failed', async () => {
    const { svc, clock, journal } = await service({ maxAttempts: 3 });
    await targets(svc);
    hook.status = 500;
    svc.raised(alarmRecord(), ['hook']);
    await until(async () => (await attempts(1)) && clock.nextAt() !== undefined);
    clock.advance(5_000);
    await until(async () => (await attempts(2)) && clock.nextAt() !== undefined);
    expect(journal).toEqual([]);
    expect((await job('hook')).state).toBe('pending');
    clock.advance(10_000);
    await until(() => journal.length === 1);
    expect(journal[0]).toEqual({ alarmId: 'cnc-01-spindle-hot', kind: 'notify-failed', text: `gave up after 3 attempts: webhook target "Ops hook" (${hook.url}): answered HTTP 500 Internal Server Error` });
    expect(await job('hook')).toMatchObject({ state: 'failed', attempts: 3 });
    expect(hook.calls).toHaveLength(3);
    expect(clock.pending).toBe(0);
    clock.advance(3_600_000);
    expect(hook.calls).toHaveLength(3);
  });

  it('pending jobs survive a restart', async () => {
    const first = await service();
    await targets(first.svc);
    hook.status = 500;
    first.svc.raised(alarmRecord(), ['hook']);
    await until(async () => (await attempts(1)) && first.clock.nextAt() !== undefined);
    await first.svc.stop();
    hook.status = 200;
    const clock = new SimClock(T0 + 60_000);
    const second = await service({ clock });
    await until(() => second.journal.length === 1, 10_000, 'delivery after the restart');
    expect(second.journal[0]!.kind).toBe('notify');
    expect(hook.calls).toHaveLength(2);
    expect(await job('hook')).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('one slow target never holds up the others', async () => {
    const slow = await startReceiver();
    try {
      const { svc, journal } = await service({ timeoutMs: 60_000 });
      await svc.saveTarget(engineer, { id: 'slow', kind: 'webhook', name: 'Slow', url: `${slow.url}/x` });
      await targets(svc);
      slow.status = 'hang';
      const began = performance.now();
      for (let i = 0; i < 6; i++) svc.raised(alarmRecord({ id: `a${i}` }), ['slow', 'hook', 'mail']);
      expect(performance.now() - began).toBeLessThan(100);
      await until(() => hook.calls.length === 6 && mails.length === 6, 10_000, 'the fast targets');
      await until(() => journal.filter((j) => j.kind === 'notify').length === 12, 10_000, 'their journal entries');
      expect(slow.waiting()).toBe(2); // at most two attempts at once per target
      expect(slow.calls).toHaveLength(0);
      slow.status = 200;
      slow.release();
      await until(() => slow.calls.length === 6, 10_000, 'the slow target after all');
    } finally {
      await slow.close();
    }
  });

  it('a webhook URL with user info is called with HTTP Basic auth; errors show neither password nor query', async () => {
    const { svc } = await service();
    const url = `${hook.url.replace('http://', 'http://bot:hunter%232@')}/in?token=abc123`;
    await svc.saveTarget(engineer, { id: 'basic', kind: 'webhook', name: 'Basic', url });
    await svc.testTarget(engineer, 'basic');
    expect(hook.calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from('bot:hunter#2').toString('base64')}`);
    expect(hook.calls[0]!.path).toBe('/in?token=abc123');
    hook.status = 500;
    const err = await svc.testTarget(engineer, 'basic').catch((e: Error) => e);
    expect((err as Error).message).toBe(`webhook target "Basic" (${hook.url}): answered HTTP 500 Internal Server Error`);
  });

  it('a webhook that does not answer in time fails with the timeout', async () => {
    const { svc } = await service({ timeoutMs: 300 });
    await targets(svc);
    hook.status = 'hang';
    svc.raised(alarmRecord(), ['hook']);
    await until(async () => (await attempts(1)), 10_000);
    expect((await job('hook')).lastError).toBe(`webhook target "Ops hook" (${hook.url}): no answer within 300 ms`);
  });

  it('an SMTP server that never greets: the attempt times out and is retried', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((s) => { sockets.push(s); });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    smtpPort = (mute.address() as AddressInfo).port;
    try {
      const { svc, clock } = await service({ timeoutMs: 300 });
      await targets(svc);
      svc.raised(alarmRecord(), ['mail']);
      await until(async () => (await attempts(1)) && clock.nextAt() === T0 + 5_000, 10_000);
      expect((await job('mail')).lastError).toMatch(/^e-mail target "Ops mail" \(ops@plant\.example\): SMTP server 127\.0\.0\.1:\d+: timed out/);
      expect(await job('mail')).toMatchObject({ state: 'pending', nextTs: T0 + 5_000 });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });

  it('a target removed while its job waits: given up at the next attempt, not retried', async () => {
    const { svc, clock, journal } = await service();
    await targets(svc);
    hook.status = 500;
    svc.raised(alarmRecord(), ['hook']);
    await until(async () => (await attempts(1)) && clock.nextAt() !== undefined);
    await svc.deleteTarget(engineer, 'hook');
    clock.advance(5_000);
    await until(() => journal.length === 1);
    expect(journal[0]).toMatchObject({ kind: 'notify-failed', text: 'gave up after 2 attempts: notification target "hook" no longer exists' });
    expect(clock.pending).toBe(0);
  });

  it('test messages: sent at once, or a clear error without the password', async () => {
    const { svc } = await service();
    await targets(svc);
    await svc.testTarget(engineer, 'mail');
    await until(() => mails.length === 1);
    expect(mails[0]!.subject).toBe('Test: [LOW] Test notification');
    expect(mails[0]!.body).toContain('This is a test message from Lightsout');
    await svc.testTarget(engineer, 'hook');
    expect(hook.calls[0]!.body).toMatchObject({ event: 'test' });
    await expect(svc.testTarget(principal('operator'), 'mail')).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });

    const wrong = await service({ password: 'not-the-pa$$word' });
    const err = await wrong.svc.testTarget(engineer, 'mail').catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'LIGHTSOUT_NOTIFICATION_FAILED' });
    expect((err as Error).message).toMatch(/^e-mail target "Ops mail" \(ops@plant\.example\): the SMTP server refused the login/);
    expect((err as Error).message).not.toContain('not-the-pa');

    await stopSmtp();
    await expect(svc.testTarget(engineer, 'mail')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOTIFICATION_FAILED', message: expect.stringContaining('connection refused') });
    const none = await service({ smtp: false });
    await expect(none.svc.testTarget(engineer, 'mail')).rejects.toThrow('e-mail target "Ops mail" (ops@plant.example): no SMTP server is configured (set smtpUrl)');
  });
});
