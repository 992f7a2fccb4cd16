/**
 * TLS: with tlsCert and tlsKey the API answers over HTTPS and the embedded broker speaks MQTT over
 * TLS (the demo's own simulator included); unreadable or mismatched files stop start-up with one
 * line naming the setting.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { ADMIN_AUTH, startTestPlatform, tempDir, waitFor } from './helpers.js';

const dir = tempDir('lightsout-tls-');
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let ca: Buffer;
let platform: Platform;

/** GET over HTTPS trusting the test certificate. */
function httpsJson(url: string, headers: Record<string, string> = ADMIN_AUTH): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  ca = readFileSync(certFile);
  platform = await startTestPlatform({ tlsCert: certFile, tlsKey: keyFile, demo: true, sim: true, simLines: 1, simMachines: 1, mqttAllowAnonymous: false });
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

describe('TLS', () => {
  it('serves the API over HTTPS and MQTT over TLS; the demo simulator connects with its own device credentials', async () => {
    expect(platform.httpUrl).toMatch(/^https:\/\//);
    expect(platform.mqttUrl).toMatch(/^mqtts:\/\//);
    expect((await httpsJson(`${platform.httpUrl}/api/v1/health`)).status).toBe(200);
    expect((await httpsJson(`${platform.httpUrl}/api/v1/tags`, {})).status).toBe(401);
    // The simulator's data arrives: it connected over TLS as device sim-demo.
    await waitFor(async () => (await httpsJson(`${platform.httpUrl}/api/v1/tags`)).body.tags?.length > 0, 20_000, 'simulator tags over TLS');
    const devices = (await httpsJson(`${platform.httpUrl}/api/v1/devices`)).body.devices.map((d: any) => d.id);
    expect(devices).toContain('sim-demo');
    // Plain MQTT on the TLS port fails; an MQTT client over TLS without credentials is refused.
    const plain = mqtt.connect(platform.mqttUrl.replace('mqtts:', 'mqtt:'), { reconnectPeriod: 0, connectTimeout: 2000 });
    await new Promise<void>((resolve) => {
      plain.once('connect', () => resolve());
      plain.once('error', () => resolve());
      plain.once('close', () => resolve());
    });
    expect(plain.connected).toBe(false);
    plain.end(true);
    const anon = mqtt.connect(platform.mqttUrl, { ca, reconnectPeriod: 0, connectTimeout: 5000 });
    const err = await new Promise<Error>((resolve) => anon.once('error', resolve));
    expect(err.message).toMatch(/Bad username or password|Not authorized/);
    anon.end(true);
  }, 30_000);

  it('stops start-up with one clear error naming the setting when a file cannot be read or is not a key pair', async () => {
    const start = (flags: Record<string, unknown>) => startPlatform(loadConfig({ env: {}, flags: { httpPort: 0, mqttPort: 0, dataDir: tempDir(), logLevel: 'silent', ...flags } }), pino({ level: 'silent' }));
    await expect(start({ tlsCert: join(dir, 'missing.pem'), tlsKey: keyFile })).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFIG_INVALID', message: expect.stringMatching(/^setting tlsCert \(LIGHTSOUT_TLS_CERT\) = ".*missing\.pem" cannot be read/) });
    await expect(start({ tlsKey: keyFile })).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFIG_INVALID', message: expect.stringMatching(/tlsCert .* is missing/) });
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    await expect(start({ tlsCert: certFile, tlsKey: garbage })).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFIG_INVALID', message: expect.stringMatching(/tlsCert and tlsKey/) });
  });
});
