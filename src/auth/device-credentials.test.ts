import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../core/audit-port.js';
import type { Principal } from '../core/auth.js';
import type { AuthStore, DeviceRecord, TenantRecord } from '../core/auth-port.js';
import { AuthService } from './auth-service.js';
import { DeviceCredentials } from './device-credentials.js';

const admin = (tenant: string): Principal => ({ kind: 'user', id: `${tenant}-admin`, name: `${tenant}-admin`, tenant, grants: [{ role: 'admin', scope: '' }], platformOperator: false });

function setup(allowAnonymous = false) {
  const devices = new Map<string, DeviceRecord>();
  const tenants = new Map<string, TenantRecord>([
    ['demo', { id: 'demo', name: 'demo', sparkplugGroups: ['*'], disabled: false, createdTs: 0 }],
    ['acme', { id: 'acme', name: 'acme', sparkplugGroups: ['acme:*'], disabled: false, createdTs: 0 }],
  ]);
  let getDeviceCalls = 0;
  const store = {
    getTenant: async (id: string) => tenants.get(id),
    listTenants: async () => [...tenants.values()],
    getDevice: async (id: string) => (getDeviceCalls++, devices.get(id) && { ...devices.get(id)! }),
    listDevices: async (t: string) => [...devices.values()].filter((d) => d.tenant === t),
    saveDevice: async (d: DeviceRecord) => void devices.set(d.id, { ...d }),
    deleteDevice: async (id: string) => void devices.delete(id),
  } as unknown as AuthStore;
  const audit: AuditEntry[] = [];
  const auth = new AuthService({ store, audit: { record: async (e) => void audit.push(e) }, defaultTenant: 'demo', sessionHours: 12, loginMaxFailures: 3, loginWindowSeconds: 60 });
  const creds = new DeviceCredentials(auth, { hostId: 'lightsout', allowAnonymous, loginMaxFailures: 3, loginWindowSeconds: 60 });
  return { creds, devices, audit, tenants, calls: () => getDeviceCalls };
}

describe('device credentials', () => {
  it('generates a password once, stores only its hash, and verifies to a device principal of the device\'s tenant', async () => {
    const { creds, devices, audit } = setup();
    const { device, password } = await creds.add(admin('acme'), { id: 'gw-1', description: 'line 1' });
    expect(device).toEqual({ id: 'gw-1', tenant: 'acme', description: 'line 1', disabled: false, createdTs: expect.any(Number) });
    expect(password!.length).toBeGreaterThanOrEqual(16);
    expect(devices.get('gw-1')!.secretHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(audit)).not.toContain(password);
    const r = await creds.verify('gw-1', password!, '10.0.0.1');
    expect(r).toEqual({ ok: true, principal: { kind: 'device', id: 'gw-1', name: 'device:gw-1', tenant: 'acme', grants: [], platformOperator: false } });
    expect((await creds.verify('gw-1', 'wrong-password', '10.0.0.1')).ok).toBe(false);
    expect((await creds.add(admin('acme'), { id: 'gw-2', password: 'chosen-password-1' })).password).toBeUndefined();
  });

  it('refuses bad ids, taken ids and other tenants; another tenant\'s device is not found', async () => {
    const { creds } = setup();
    await creds.add(admin('acme'), { id: 'gw-1' });
    await expect(creds.add(admin('acme'), { id: '-x' })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(creds.add(admin('acme'), { id: 'a/b' })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(creds.add(admin('acme'), { id: 'x'.repeat(129) })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(creds.add(admin('demo'), { id: 'gw-1' })).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    await expect(creds.add(admin('demo'), { id: 'gw-9', tenant: 'acme' })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(creds.remove(admin('demo'), 'gw-1')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    await expect(creds.setDisabled(admin('demo'), 'gw-1', true)).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    expect(await creds.list(admin('demo'))).toEqual([]);
    const viewer: Principal = { ...admin('acme'), grants: [{ role: 'viewer', scope: '' }] };
    await expect(creds.list(viewer)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
  });

  it('limits guessing per device id and per client address', async () => {
    const { creds } = setup();
    const { password } = await creds.add(admin('acme'), { id: 'gw-1' });
    for (let i = 0; i < 3; i++) expect(await creds.verify('gw-1', `guess-${i}`, '10.0.0.1')).toMatchObject({ ok: false, reason: 'bad-credentials' });
    expect(await creds.verify('gw-1', password!, '10.0.0.2')).toMatchObject({ ok: false, reason: 'rate-limited' });
    // One address guessing across many ids: four times the per-id limit.
    const { password: p2 } = await creds.add(admin('acme'), { id: 'gw-2' });
    for (let i = 0; i < 12; i++) await creds.verify(`ghost-${i}`, 'whatever', '10.0.0.9');
    expect(await creds.verify('gw-2', p2!, '10.0.0.9')).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect((await creds.verify('gw-2', p2!, '10.0.0.3')).ok).toBe(true);
  });

  it('remembers a verified password briefly, but never past a removal, a disable or a new password', async () => {
    const { creds } = setup();
    const revoked: string[] = [];
    creds.onRevoked((d) => revoked.push(d));
    const { password } = await creds.add(admin('acme'), { id: 'gw-1' });
    await creds.verify('gw-1', password!, 'a');
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) expect((await creds.verify('gw-1', password!, 'a')).ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500); // 50 argon2 checks would take seconds
    await creds.setDisabled(admin('acme'), 'gw-1', true);
    expect((await creds.verify('gw-1', password!, 'b')).ok).toBe(false);
    await creds.setDisabled(admin('acme'), 'gw-1', false);
    expect((await creds.verify('gw-1', password!, 'b')).ok).toBe(true);
    const next = await creds.resetPassword(admin('acme'), 'gw-1');
    expect((await creds.verify('gw-1', password!, 'c')).ok).toBe(false);
    expect((await creds.verify('gw-1', next, 'c')).ok).toBe(true);
    await creds.remove(admin('acme'), 'gw-1');
    expect((await creds.verify('gw-1', next, 'd')).ok).toBe(false);
    expect(revoked).toEqual(['gw-1', 'gw-1', 'gw-1']);
  });

  it('notices changes made elsewhere (the console) on refresh', async () => {
    const { creds, devices } = setup();
    const revoked: string[] = [];
    creds.onRevoked((d) => revoked.push(d));
    const { password } = await creds.add(admin('acme'), { id: 'gw-1' });
    await creds.verify('gw-1', password!, 'a');
    await creds.refresh();
    expect(revoked).toEqual([]);
    devices.get('gw-1')!.disabled = true;
    await creds.refresh();
    expect(revoked).toEqual(['gw-1']);
  });

  it('checks the client id, anonymous clients and the Last Will at connect', async () => {
    const { creds } = setup();
    await creds.reloadTenants();
    const { password } = await creds.add(admin('acme'), { id: 'gw-1' });
    const pw = Buffer.from(password!);
    expect(await creds.authenticate({ clientId: 'a+b', username: 'gw-1', password: pw, address: 'x' })).toMatchObject({ ok: false, reason: 'client-id' });
    expect(await creds.authenticate({ clientId: 'c', address: 'x' })).toMatchObject({ ok: false, reason: 'bad-credentials' });
    expect(await creds.authenticate({ clientId: 'c', username: 'gw-1', password: pw, address: 'x', will: { topic: 'uns/demo/m/state', retain: true } })).toMatchObject({ ok: false, reason: 'will' });
    expect(await creds.authenticate({ clientId: 'c', username: 'gw-1', password: pw, address: 'x', will: { topic: 'spBv1.0/acme:p/NDEATH/n', retain: false } })).toEqual({ ok: true, session: { device: 'gw-1', tenant: 'acme' } });
    const open = setup(true).creds;
    expect(await open.authenticate({ clientId: 'c', address: 'x' })).toEqual({ ok: true, session: { device: 'anonymous', tenant: 'demo' } });
  });

  it('follows tenants\' Sparkplug claims when reloaded', async () => {
    const { creds, tenants } = setup();
    await creds.reloadTenants();
    expect(creds.tenantOfGroup('acme:plant')).toBe('acme');
    expect(creds.tenantOfGroup('other')).toBe('demo');
    tenants.get('acme')!.sparkplugGroups = ['acme:*', 'other'];
    expect(creds.tenantOfGroup('other')).toBe('demo');
    await creds.reloadTenants();
    expect(creds.tenantOfGroup('other')).toBe('acme');
    expect(creds.checkPublish({ device: 'gw', tenant: 'acme' }, 'spBv1.0/other/NDATA/n', false)).toBeUndefined();
  });
});
