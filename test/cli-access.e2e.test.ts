/**
 * The access commands of the real CLI (`lightsout user|token|tenant|device`), run against the data
 * directory of a running platform: what they create works at once over HTTP and MQTT, and they
 * are audited.
 */
import { spawnSync } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../src/app.js';
import { getJson, sendJson, startTestPlatform } from './helpers.js';

let platform: Platform & { dataDir: string };
const url = (p: string) => platform.httpUrl + p;

function cli(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/lightsout.js', ...args, '--data-dir', platform.dataDir], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function loginStatus(username: string, password: string): Promise<number> {
  return (await sendJson('POST', url('/api/v1/auth/login'), { username, password }, {})).status;
}

beforeAll(async () => {
  platform = await startTestPlatform({ mqttAllowAnonymous: false });
});
afterAll(async () => platform?.stop());

describe('lightsout user | token | tenant | device', () => {
  it('adds a user whose generated password works at once, and resets it', async () => {
    const add = cli('user', 'add', 'carol', '--role', 'operator@plant/area/line-1', '--role', 'viewer');
    expect(add.status, add.err).toBe(0);
    const password = /password: (\S+)/.exec(add.out)![1]!;
    expect(await loginStatus('carol', password)).toBe(200);
    const list = cli('user', 'list');
    expect(list.out).toMatch(/demo\s+carol\s+operator@plant\/area\/line-1,viewer/);
    const passwd = cli('user', 'passwd', 'carol');
    expect(passwd.status, passwd.err).toBe(0);
    const next = /password: (\S+)/.exec(passwd.out)![1]!;
    expect(await loginStatus('carol', password)).toBe(401);
    expect(await loginStatus('carol', next)).toBe(200);
    const dup = cli('user', 'add', 'carol');
    expect(dup.status).not.toBe(0);
    expect(dup.err).toMatch(/taken/);
    const bad = cli('user', 'add', 'dave', '--role', 'superuser');
    expect(bad.err).toMatch(/unknown role "superuser"/);
  });

  it('creates a token that works as a bearer, and revokes it', async () => {
    const made = cli('token', 'create', '--user', 'admin', '--name', 'ci-export', '--role', 'viewer', '--days', '1');
    expect(made.status, made.err).toBe(0);
    const token = made.out.trim().split('\n').at(-1)!;
    const id = /^token (\S+)/.exec(made.out)![1]!;
    expect((await getJson(url('/api/v1/auth/me'), { authorization: `Bearer ${token}` })).body).toMatchObject({ kind: 'token', grants: [{ role: 'viewer', scope: '' }] });
    const listed = cli('token', 'list');
    expect(listed.out, listed.err).toContain('ci-export');
    expect(cli('token', 'revoke', id).status).toBe(0);
    expect((await getJson(url('/api/v1/auth/me'), { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('adds a tenant and a device that connects over MQTT inside it', async () => {
    expect(cli('tenant', 'add', 'acme', '--sparkplug-group', 'acme:*').status).toBe(0);
    const tenants = (await getJson(url('/api/v1/tenants'))).body.tenants;
    expect(tenants.find((t: any) => t.id === 'acme')).toMatchObject({ sparkplugGroups: ['acme:*'] });
    const dev = cli('device', 'add', 'acme-edge', '--tenant', 'acme', '--description', 'line 1 gateway');
    expect(dev.status, dev.err).toBe(0);
    const password = /password: (\S+)/.exec(dev.out)![1]!;
    const c = await mqtt.connectAsync(platform.mqttUrl, { username: 'acme-edge', password, clientId: 'acme-edge-1', reconnectPeriod: 0 });
    await c.publishAsync('uns/acme/site/area/line/m1/temp', '20', { qos: 1 });
    await c.endAsync();
    expect(cli('device', 'list', '--tenant', 'acme').out).toMatch(/acme-edge\s+acme\s+line 1 gateway/);
  });

  it('records what it did in the audit trail, as the console user', async () => {
    const audit = (await getJson(url('/api/v1/audit?limit=200'))).body;
    const records = (audit.records ?? audit.items ?? []) as Array<{ actor: string; action: string; target: string }>;
    const byCli = records.filter((r) => r.actor.startsWith('cli:')).map((r) => `${r.action} ${r.target}`);
    expect(byCli).toEqual(expect.arrayContaining(['user.create carol', 'user.update carol', 'token.create ci-export', 'token.revoke ci-export']));
  });

  it('refuses a directory without platform data, naming it', () => {
    const r = spawnSync(process.execPath, ['bin/lightsout.js', 'user', 'list', '--data-dir', '/nonexistent-lightsout'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no Lightsout data in \/nonexistent-lightsout/);
  });
});
