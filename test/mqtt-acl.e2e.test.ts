/**
 * Device credentials and the MQTT ACL of the embedded broker, with real MQTT clients: anonymous and
 * wrong passwords refused (and guessing limited), each device confined to its tenant's namespace
 * (UNS and Sparkplug groups), wildcard and $SYS subscriptions refused, Last Wills, retained
 * messages and client ids checked.
 */
import { Command } from 'commander';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAccessCommands } from '../src/cli/access-commands.js';
import type { Platform } from '../src/app.js';
import { DataType, encodePayload } from '../src/connectors/sparkplug/codec.js';
import { getJson, sendJson, startTestPlatform, waitFor } from './helpers.js';

let platform: Platform & { dataDir: string };
const url = (p: string) => platform.httpUrl + p;
const creds: Record<string, { username: string; password: string }> = {};
const viewers: Record<string, Record<string, string>> = {};
const admins: Record<string, Record<string, string>> = {};
const clients: MqttClient[] = [];

/** Run `lightsout <args>` in this process; resolves with what it printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerAccessCommands(program);
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    await program.parseAsync(['node', 'lightsout', ...args, '--data-dir', platform.dataDir]);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return out.join('\n');
}

/** Resolves when the client's connection closes. */
const closed = (c: MqttClient) => new Promise<void>((r) => (c.connected ? c.once('close', () => r()) : r()));

/** Connect; resolves with the client, or rejects with the CONNACK refusal. */
function connect(opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(platform.mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    clients.push(c);
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

const as = (device: string, extra: IClientOptions = {}) => connect({ ...creds[device], clientId: `${device}-${Math.random().toString(36).slice(2, 8)}`, ...extra });

/** Publish at QoS 1 and report whether the broker kept the connection (a refused publish closes it). */
async function publishKept(c: MqttClient, topic: string, payload: string | Buffer, retain = false): Promise<boolean> {
  const closed = new Promise<false>((r) => c.once('close', () => r(false)));
  const acked = c.publishAsync(topic, payload, { qos: 1, retain }).then(() => true, () => false);
  return Promise.race([acked, closed]);
}

/** The granted QoS of a subscription: 0, or 128 when the broker refused it (mqtt.js reports that as an error). */
async function granted(c: MqttClient, filter: string): Promise<number> {
  try {
    const g = await c.subscribeAsync(filter, { qos: 0 });
    return g[0]!.qos;
  } catch (err) {
    if (/Subscribe error/.test((err as Error).message)) return 128;
    throw err;
  }
}

async function latestAs(tenant: string, tag: string): Promise<any[]> {
  return (await getJson(url(`/api/v1/latest?tag=${encodeURIComponent(tag)}`), viewers[tenant])).body.points;
}

beforeAll(async () => {
  platform = await startTestPlatform({ mqttAllowAnonymous: false, loginMaxFailures: 3 });
  for (const t of ['acme', 'beta']) {
    expect((await sendJson('POST', url('/api/v1/tenants'), { id: t, sparkplugGroups: [`${t}:*`] })).status).toBe(201);
    const u = await sendJson('POST', url('/api/v1/users'), { username: `${t}-viewer`, tenant: t, grants: [{ role: 'viewer', scope: '' }] });
    const login = await sendJson('POST', url('/api/v1/auth/login'), { username: `${t}-viewer`, password: u.body.password }, {});
    viewers[t] = { cookie: login.headers.get('set-cookie')!.split(';')[0]! };
    const a = await sendJson('POST', url('/api/v1/users'), { username: `${t}-admin`, tenant: t, grants: [{ role: 'admin', scope: '' }] });
    const adminLogin = await sendJson('POST', url('/api/v1/auth/login'), { username: `${t}-admin`, password: a.body.password }, {});
    const token = await sendJson('POST', url('/api/v1/tokens'), { name: 'devices' }, { cookie: adminLogin.headers.get('set-cookie')!.split(';')[0]! });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    admins[t] = { authorization: `Bearer ${token.body.secret}` };
  }
  for (const [id, tenant] of [['acme-gw', 'acme'], ['beta-gw', 'beta'], ['acme-guessed', 'acme']] as const) {
    const r = await sendJson('POST', url('/api/v1/devices'), { id, tenant });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    creds[id] = { username: id, password: r.body.password };
  }
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await platform?.stop();
});

describe('MQTT device credentials and ACL', () => {
  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connect({ clientId: 'nobody' })).rejects.toThrow(/Bad username or password|Not authorized/);
    await expect(connect({ clientId: 'wrong', username: 'acme-gw', password: 'not-the-password' })).rejects.toThrow(/Bad username or password/);
    await expect(connect({ clientId: 'ghost', username: 'no-such-device', password: 'whatever-password' })).rejects.toThrow(/Bad username or password/);
    const ok = await as('acme-gw');
    expect(ok.connected).toBe(true);
  });

  it('limits password guessing: after too many failures even the right password waits', async () => {
    for (let i = 0; i < 3; i++) await expect(connect({ clientId: `g${i}`, username: 'acme-guessed', password: `guess-${i}-password` })).rejects.toThrow();
    await expect(as('acme-guessed')).rejects.toThrow(/Bad username or password/);
    const health = (await getJson(url('/api/v1/health'))).body;
    const broker = health.connectors.find((c: any) => c.name === 'mqtt-broker');
    expect(broker.counters['refused.rate-limited']).toBeGreaterThanOrEqual(1);
  });

  it('lets a device write its own tenant\'s UNS topics, and no other tenant\'s', async () => {
    const acme = await as('acme-gw');
    expect(await publishKept(acme, 'uns/acme/site/area/line/m1/temp', '21.5')).toBe(true);
    await waitFor(async () => (await latestAs('acme', 'site/area/line/m1/temp'))[0]?.value === 21.5, 5000, 'own value');
    const intruder = await as('acme-gw');
    expect(await publishKept(intruder, 'uns/beta/site/area/line/m1/temp', '99')).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(await latestAs('beta', 'site/area/line/m1/temp')).toEqual([]);
  });

  it('lets a device use only the Sparkplug groups its tenant owns; the data lands in that tenant', async () => {
    const birth = Buffer.from(encodePayload({ timestamp: Date.now(), seq: 0, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }, { name: 'speed', datatype: DataType.Double, value: 12.5 }] }));
    const acme = await as('acme-gw');
    expect(await publishKept(acme, 'spBv1.0/acme:plant/NBIRTH/edge-1', birth)).toBe(true);
    await waitFor(async () => (await latestAs('acme', 'acme/plant/edge-1/speed'))[0]?.value === 12.5, 5000, 'Sparkplug value in acme');
    const other = await as('acme-gw');
    expect(await publishKept(other, 'spBv1.0/beta:plant/NBIRTH/edge-9', birth)).toBe(false);
    const state = await as('acme-gw');
    expect(await publishKept(state, 'spBv1.0/STATE/lightsout', '{"online":false}')).toBe(false);
    expect(await latestAs('beta', 'beta/plant/edge-9/speed')).toEqual([]);
  });

  it('lets no device send commands to another: NCMD, DCMD and UNS …/set are the platform\'s', async () => {
    const watcher = await as('acme-gw');
    const seen: string[] = [];
    watcher.on('message', (topic) => seen.push(topic));
    expect(await granted(watcher, 'spBv1.0/acme:plant/DCMD/edge-1/#')).toBe(0);
    expect(await granted(watcher, 'uns/acme/site/area/line/m1/+/set')).toBe(0);
    for (const topic of ['spBv1.0/acme:plant/DCMD/edge-1/press', 'spBv1.0/acme:plant/NCMD/edge-1', 'uns/acme/site/area/line/m1/speed_sp/set']) {
      const rogue = await as('acme-gw');
      expect(await publishKept(rogue, topic, Buffer.from('{"value": 1}')), topic).toBe(false);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
  });

  it('refuses subscriptions outside the namespace: #, other tenants, every group, $SYS', async () => {
    const c = await as('acme-gw');
    expect(await granted(c, '#')).toBe(128);
    expect(await granted(c, '+/acme/#')).toBe(128);
    expect(await granted(c, 'uns/+/site/#')).toBe(128);
    expect(await granted(c, 'uns/beta/#')).toBe(128);
    expect(await granted(c, 'spBv1.0/+/NDATA/#')).toBe(128);
    expect(await granted(c, 'spBv1.0/beta:plant/#')).toBe(128);
    expect(await granted(c, '$SYS/#')).toBe(128);
    expect(await granted(c, '$share/g/uns/acme/#')).toBe(128);
    expect(await granted(c, 'uns/acme/#')).toBe(0);
    expect(await granted(c, 'spBv1.0/acme:plant/NCMD/edge-1')).toBe(0);
    expect(await granted(c, 'spBv1.0/STATE/lightsout')).toBe(0);
  });

  it('never delivers another tenant\'s live or retained messages', async () => {
    const acme = await as('acme-gw');
    expect(await publishKept(acme, 'uns/acme/site/area/line/m2/state', '"running"', true)).toBe(true);
    const beta = await as('beta-gw');
    const seen: string[] = [];
    beta.on('message', (topic) => seen.push(topic));
    expect(await granted(beta, 'uns/beta/#')).toBe(0);
    expect(await granted(beta, 'uns/acme/#')).toBe(128);
    expect(await publishKept(acme, 'uns/acme/site/area/line/m2/temp', '22')).toBe(true);
    expect(await publishKept(beta, 'uns/beta/site/area/line/m1/temp', '23')).toBe(true);
    await waitFor(() => seen.includes('uns/beta/site/area/line/m1/temp'), 3000, 'own message');
    expect(seen.filter((t) => t.startsWith('uns/acme/'))).toEqual([]);
  });

  it('refuses a retained message into another tenant', async () => {
    const c = await as('beta-gw');
    expect(await publishKept(c, 'uns/acme/site/area/line/m2/state', '"hijacked"', true)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await latestAs('acme', 'site/area/line/m2/state'))[0]?.value).toBe('running');
  });

  it('refuses a Last Will into another tenant at connect', async () => {
    await expect(as('acme-gw', { will: { topic: 'uns/beta/site/area/line/m1/state', payload: Buffer.from('"down"'), qos: 1, retain: true } })).rejects.toThrow(/Not authorized/);
    const ok = await as('acme-gw', { will: { topic: 'uns/acme/site/area/line/m1/state', payload: Buffer.from('"down"'), qos: 1, retain: false } });
    expect(ok.connected).toBe(true);
  });

  it('refuses client ids with MQTT wildcards or slashes', async () => {
    await expect(connect({ ...creds['acme-gw'], clientId: 'gw/#' })).rejects.toThrow(/Identifier rejected/);
    await expect(connect({ ...creds['acme-gw'], clientId: 'gw+1' })).rejects.toThrow(/Identifier rejected/);
    await expect(connect({ ...creds['acme-gw'], clientId: 'gw/1' })).rejects.toThrow(/Identifier rejected/);
  });

  it('a Sparkplug group that changes owner stops reaching the old owner\'s devices at once, subscriptions included', async () => {
    const acme = await as('acme-gw');
    const seen: string[] = [];
    acme.on('message', (topic) => seen.push(topic));
    expect(await granted(acme, 'spBv1.0/acme:lab/#')).toBe(0);
    expect((await sendJson('PATCH', url('/api/v1/tenants/beta'), { sparkplugGroups: ['beta:*', 'acme:lab'] })).status).toBe(200);
    try {
      const beta = await as('beta-gw');
      expect(await publishKept(beta, 'spBv1.0/acme:lab/NDATA/edge-1', Buffer.from(encodePayload({ timestamp: Date.now(), seq: 1, metrics: [] })))).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(acme.connected).toBe(true);
      expect(seen).toEqual([]);
      expect(await publishKept(acme, 'spBv1.0/acme:lab/NDATA/edge-1', 'x')).toBe(false);
    } finally {
      await sendJson('PATCH', url('/api/v1/tenants/beta'), { sparkplugGroups: ['beta:*'] });
    }
  });

  it('counts refusals by reason in health', async () => {
    const broker = (await getJson(url('/api/v1/health'))).body.connectors.find((c: any) => c.name === 'mqtt-broker');
    for (const k of ['bad-credentials', 'publish', 'subscribe', 'retain', 'will', 'client-id', 'forward']) expect(broker.counters[`refused.${k}`], k).toBeGreaterThan(0);
  });

  it('device API: a tenant admin sees and removes only its own devices; the password is shown once; changes are audited', async () => {
    const created = await sendJson('POST', url('/api/v1/devices'), { id: 'acme-line2', description: 'line 2 gateway' }, admins.acme);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.device).toMatchObject({ id: 'acme-line2', tenant: 'acme', description: 'line 2 gateway', disabled: false });
    expect(created.body.password).toMatch(/^.{16,}$/);
    expect((await sendJson('POST', url('/api/v1/devices'), { id: 'acme-line3', password: 'chosen-by-the-admin' }, admins.acme)).body.password).toBeUndefined();
    expect((await sendJson('POST', url('/api/v1/devices'), { id: 'bad/id' }, admins.acme)).status).toBe(400);
    expect((await sendJson('POST', url('/api/v1/devices'), { id: 'beta-gw' }, admins.acme)).status).toBe(409);
    expect((await sendJson('POST', url('/api/v1/devices'), { id: 'acme-sneaky', tenant: 'beta' }, admins.acme)).status).toBe(403);
    expect((await getJson(url('/api/v1/devices'), viewers.acme)).status).toBe(403);

    const list = await getJson(url('/api/v1/devices'), admins.acme);
    expect(list.status).toBe(200);
    expect(list.body.devices.map((d: any) => d.id).sort()).toEqual(['acme-guessed', 'acme-gw', 'acme-line2', 'acme-line3']);
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password|secret/i);

    const c = await connect({ clientId: 'line2', username: 'acme-line2', password: created.body.password });
    expect((await sendJson('DELETE', url('/api/v1/devices/beta-gw'), undefined, admins.acme)).status).toBe(404);
    expect((await sendJson('DELETE', url('/api/v1/devices/acme-line2'), undefined, admins.beta)).status).toBe(404);
    const gone = closed(c);
    expect((await sendJson('DELETE', url('/api/v1/devices/acme-line2'), undefined, admins.acme)).status).toBe(204);
    await gone; // a removed device's connections close at once
    await expect(connect({ clientId: 'line2b', username: 'acme-line2', password: created.body.password })).rejects.toThrow(/Bad username or password/);

    const audit = (await getJson(url('/api/v1/audit?action=device.'), admins.acme)).body.records.map((r: any) => `${r.action} ${r.target} ${r.actor}`);
    expect(audit).toEqual(expect.arrayContaining(['device.create acme-line2 token:devices', 'device.delete acme-line2 token:devices']));
    expect(JSON.stringify(audit)).not.toContain(created.body.password);
    expect((await getJson(url('/api/v1/audit?action=device.'), admins.beta)).body.records.filter((r: any) => r.target.startsWith('acme-'))).toEqual([]);
  });

  it('CLI: device add prints the password once; list, disable (open connections close), enable, remove', async () => {
    const added = await cli('device', 'add', 'beta-press', '--tenant', 'beta', '--description', 'press 4');
    const password = /password: (\S+)/.exec(added)?.[1];
    expect(password, added).toBeDefined();
    expect(await cli('device', 'list', '--tenant', 'beta')).toMatch(/beta-press\s+beta\s+press 4/);
    const c = await connect({ clientId: 'press', username: 'beta-press', password });
    expect(await publishKept(c, 'uns/beta/site/area/line/press/force', '12')).toBe(true);
    const gone = closed(c);
    expect(await cli('device', 'disable', 'beta-press')).toContain('disabled');
    await gone; // the platform notices a change made by the CLI within seconds
    await expect(connect({ clientId: 'press2', username: 'beta-press', password })).rejects.toThrow(/Bad username or password/);
    await cli('device', 'enable', 'beta-press');
    (await connect({ clientId: 'press3', username: 'beta-press', password })).end(true);
    expect(await cli('device', 'remove', 'beta-press')).toContain('removed');
    expect(await cli('device', 'list', '--tenant', 'beta')).not.toContain('beta-press');
    expect(await cli('device', 'add', 'no/slash')).toMatch(/lightsout: device id/);
    process.exitCode = undefined;
  }, 20_000);
});
