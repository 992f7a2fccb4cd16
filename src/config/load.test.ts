import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('loadConfig', () => {
  it('gives documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({ httpPort: 8080, mqttPort: 1883, dataDir: './data', tenant: 'demo', demo: false, sim: true, httpHost: '127.0.0.1' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('layers env < file < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lo-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ httpPort: 1000, mqttPort: 1001, tenant: 'filed' }));
    const c = loadConfig({ file, env: { LIGHTSOUT_MQTT_PORT: '2001', LIGHTSOUT_TENANT: 'envd', LIGHTSOUT_DEMO: 'true', LIGHTSOUT_DATA_DIR: '/env' }, flags: { tenant: 'flagged' } });
    expect(c).toMatchObject({ httpPort: 1000, mqttPort: 1001, tenant: 'flagged', demo: true, dataDir: '/env' });
  });

  it('stops with one line naming a bad setting', () => {
    expect(() => loadConfig({ env: { LIGHTSOUT_HTTP_PORT: 'eighty' } })).toThrow(/httpPort \(LIGHTSOUT_HTTP_PORT\) = "eighty" is invalid/);
    expect(() => loadConfig({ env: {}, flags: { mqttPort: '70000' } })).toThrow(/mqttPort/);
    expect(() => loadConfig({ env: { LIGHTSOUT_TENANT: 'Has Spaces' } })).toThrow(/tenant/);
  });

  it('refuses unknown settings and unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lo-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ htpPort: 1 }));
    expect(() => loadConfig({ file, env: {} })).toThrow(/unknown setting "htpPort"/);
    writeFileSync(file, '{ nope');
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })).toThrow(/cannot be read/);
  });
});
