/**
 * Device credentials and the embedded broker's access decisions. A device (edge node, gateway,
 * PLC, AGV) has an id — its MQTT user name — and an argon2id-hashed password, and belongs to one
 * tenant; it may publish and subscribe only inside that tenant's namespace (mqtt-acl.ts).
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import { requireRole, type Principal } from '../core/auth.js';
import type { DeviceRecord } from '../core/auth-port.js';
import type { BrokerAccess, BrokerAuthResult, BrokerConnect, BrokerSession } from '../core/broker-access.js';
import { AttemptLimiter } from './attempt-limiter.js';
import type { AuthService } from './auth-service.js';
import { badClientId, GroupOwnership, TopicAcl } from './mqtt-acl.js';
import { digest, dummyHash, generatePassword, hashPassword, verifyPassword } from './secrets.js';

/** Device ids: what MQTT user names and Sparkplug ids commonly use. */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A verified id + password is trusted this long without argon2 (reconnect storms after a network blip). */
const CACHE_MS = 60_000;

/** A device as the API shows it (never the hash). */
export interface DeviceView {
  id: string;
  tenant: string;
  description?: string;
  disabled: boolean;
  createdTs: number;
}

function view(d: DeviceRecord): DeviceView {
  return { id: d.id, tenant: d.tenant, ...(d.description !== undefined ? { description: d.description } : {}), disabled: d.disabled, createdTs: d.createdTs };
}

/** Settings of the device credentials. */
export interface DeviceCredentialOptions {
  /** Sparkplug host id (devices may read spBv1.0/STATE/<hostId>). */
  hostId: string;
  /** Let clients without credentials in, as devices of the default tenant. */
  allowAnonymous: boolean;
  /** Bad passwords allowed per device id (4× per client address) within loginWindowSeconds. Default 5. */
  loginMaxFailures?: number;
  /** Default 900. */
  loginWindowSeconds?: number;
}

/** Device management, and the BrokerAccess the embedded broker asks. */
export class DeviceCredentials implements BrokerAccess {
  readonly groups = new GroupOwnership();
  private readonly acl: TopicAcl;
  /** digest(id, password) → the record's hash it was verified against, until when. */
  private readonly verified = new Map<string, { hash: string; until: number }>();
  private readonly revokedListeners: Array<(device: string) => void> = [];
  /** Devices that authenticated since start → the password hash they used (to notice changes made elsewhere). */
  private readonly known = new Map<string, string>();

  /** Device guessing is limited apart from people's logins: a gateway stuck on an old password must not lock its site's browsers out. */
  private readonly byDevice: AttemptLimiter;
  private readonly byAddress: AttemptLimiter;

  constructor(private readonly auth: AuthService, private readonly o: DeviceCredentialOptions) {
    this.acl = new TopicAcl(this.groups, o.hostId);
    const max = o.loginMaxFailures ?? 5;
    const windowMs = (o.loginWindowSeconds ?? 900) * 1000;
    this.byDevice = new AttemptLimiter(max, windowMs, auth.now);
    this.byAddress = new AttemptLimiter(max * 4, windowMs, auth.now);
  }

  /** Load the tenants' Sparkplug group claims (at start, and whenever tenants change). */
  async reloadTenants(): Promise<void> {
    this.groups.set(await this.auth.store.listTenants());
  }

  /**
   * Re-read tenants, and the records of devices that connected: one removed, disabled or re-keyed
   * elsewhere (the CLI on the same data directory) is revoked, closing its connections. Run every
   * few seconds.
   */
  async refresh(): Promise<void> {
    await this.reloadTenants();
    for (const [id, hash] of [...this.known]) {
      const d = await this.auth.store.getDevice(id);
      if (d && !d.disabled && d.secretHash === hash) continue;
      this.revoked(id);
    }
  }

  /** The tenant owning a Sparkplug group (Sparkplug points land there). */
  tenantOfGroup(group: string): string | undefined {
    return this.groups.ownerOf(group);
  }

  /** Told when a device is removed, disabled or gets a new password: its connections should close. */
  onRevoked(listener: (device: string) => void): void {
    this.revokedListeners.push(listener);
  }

  // ---- management

  /** Devices of the actor's tenant (admin). */
  async list(actor: Principal): Promise<DeviceView[]> {
    requireRole(actor, 'admin', '', 'list devices');
    return (await this.auth.store.listDevices(actor.tenant)).map(view);
  }

  /** Add a device; without a password one is generated and returned once. */
  async add(actor: Principal, req: { id: string; password?: string; description?: string; tenant?: string }): Promise<{ device: DeviceView; password?: string }> {
    const tenant = req.tenant ?? actor.tenant;
    if (tenant !== actor.tenant && !actor.platformOperator) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${actor.name} cannot add devices to another tenant`);
    if (tenant === actor.tenant) requireRole(actor, 'admin', '', 'add devices');
    if (!DEVICE_ID.test(req.id)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `device id "${req.id}" must be 1–128 letters, digits, . _ : or -, starting with a letter or digit`);
    if (!(await this.auth.store.getTenant(tenant))) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tenant "${tenant}" does not exist`);
    if (await this.auth.store.getDevice(req.id)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `device id "${req.id}" is taken`);
    const password = req.password ?? generatePassword();
    const d: DeviceRecord = { id: req.id, tenant, secretHash: await hashPassword(password, 'device password'), disabled: false, createdTs: this.auth.now(), ...(req.description ? { description: req.description } : {}) };
    await this.auth.store.saveDevice(d);
    this.verified.clear();
    await this.record(actor, tenant, 'device.create', d.id, { description: d.description ?? null });
    return { device: view(d), ...(req.password === undefined ? { password } : {}) };
  }

  /** Set a new password (generated unless given); connected sessions keep running until they reconnect. */
  async resetPassword(actor: Principal, id: string, password = generatePassword()): Promise<string> {
    const d = await this.owned(actor, id);
    d.secretHash = await hashPassword(password, 'device password');
    await this.auth.store.saveDevice(d);
    this.revoked(id);
    await this.record(actor, d.tenant, 'device.password', d.id, {});
    return password;
  }

  /** Disable a device (its connections close, it cannot connect) or enable it again. */
  async setDisabled(actor: Principal, id: string, disabled: boolean): Promise<DeviceView> {
    const d = await this.owned(actor, id);
    if (d.disabled !== disabled) {
      d.disabled = disabled;
      await this.auth.store.saveDevice(d);
      if (disabled) this.revoked(id);
      await this.record(actor, d.tenant, disabled ? 'device.disable' : 'device.enable', id, {});
    }
    return view(d);
  }

  /** Remove a device's credentials. */
  async remove(actor: Principal, id: string): Promise<void> {
    const d = await this.owned(actor, id);
    await this.auth.store.deleteDevice(id);
    this.revoked(id);
    await this.record(actor, d.tenant, 'device.delete', id, {});
  }

  // ---- BrokerAccess

  /**
   * Check a device's id and password: the device's principal, or why not. Failures count against
   * the device id and the client address (loginMaxFailures per loginWindowSeconds; an address gets
   * four times as many); a verified pair is remembered for a minute so reconnect storms skip argon2,
   * yet a removed, disabled or re-keyed device is refused at once (the record is read every time).
   */
  async verify(id: string, password: string, address: string): Promise<{ ok: true; principal: Principal } | { ok: false; reason: 'bad-credentials' | 'rate-limited'; message: string }> {
    const wait = Math.max(this.byDevice.retryAfter(id), this.byAddress.retryAfter(address));
    if (wait > 0) return { ok: false, reason: 'rate-limited', message: `device "${id}": too many failed attempts; try again in ${wait} s` };
    const d = DEVICE_ID.test(id) ? await this.auth.store.getDevice(id) : undefined;
    const cacheKey = digest(`${id}\u0000${password}`);
    const hit = this.verified.get(cacheKey);
    let ok: boolean;
    if (d && hit && hit.hash === d.secretHash && hit.until > this.auth.now()) {
      ok = !d.disabled;
    } else {
      // Unknown ids cost the same argon2 time as known ones.
      ok = (await verifyPassword(d?.secretHash ?? (await dummyHash()), password)) && d !== undefined && !d.disabled;
      if (ok && d) {
        if (this.verified.size > 10_000) this.verified.clear();
        this.verified.set(cacheKey, { hash: d.secretHash, until: this.auth.now() + CACHE_MS });
      }
    }
    if (!ok || !d) {
      this.byDevice.fail(id);
      this.byAddress.fail(address);
      return { ok: false, reason: 'bad-credentials', message: `device "${id}": unknown, disabled or wrong password` };
    }
    this.byDevice.clear(id);
    this.known.set(d.id, d.secretHash);
    return { ok: true, principal: { kind: 'device', id: d.id, name: `device:${d.id}`, tenant: d.tenant, grants: [], platformOperator: false } };
  }

  async authenticate(c: BrokerConnect): Promise<BrokerAuthResult> {
    if (badClientId(c.clientId)) return { ok: false, reason: 'client-id', message: `client id "${c.clientId}" contains #, +, / or a control character` };
    let session: BrokerSession;
    if (c.username === undefined || c.username === '') {
      if (!this.o.allowAnonymous) return { ok: false, reason: 'bad-credentials', message: 'anonymous clients are not allowed: connect with a device id and password' };
      session = { device: 'anonymous', tenant: this.auth.defaultTenant };
    } else {
      const password = c.password === undefined ? '' : Buffer.from(c.password).toString('utf8');
      const r = await this.verify(c.username, password, c.address);
      if (!r.ok) return r;
      session = { device: r.principal.id, tenant: r.principal.tenant };
    }
    if (c.will) {
      const why = this.checkPublish(session, c.will.topic, c.will.retain);
      if (why) return { ok: false, reason: 'will', message: `Last Will refused: ${why}` };
    }
    return { ok: true, session };
  }

  checkPublish(s: BrokerSession, topic: string, _retain: boolean): string | undefined {
    // A retained message is a publish that stays: the same namespace rule covers it.
    return this.acl.checkPublish(s.tenant, topic);
  }

  checkSubscribe(s: BrokerSession, filter: string): string | undefined {
    return this.acl.checkSubscribe(s.tenant, filter);
  }

  private async owned(actor: Principal, id: string): Promise<DeviceRecord> {
    const d = await this.auth.store.getDevice(id);
    if (!d || (d.tenant !== actor.tenant && !actor.platformOperator)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no device ${id}`);
    if (d.tenant === actor.tenant) requireRole(actor, 'admin', '', 'manage devices');
    return d;
  }

  private revoked(id: string): void {
    this.verified.clear();
    this.known.delete(id);
    for (const l of this.revokedListeners) l(id);
  }

  private async record(actor: Principal, tenant: string, action: string, target: string, detail: Record<string, unknown>): Promise<void> {
    await this.auth.audit.record({ tenant, actor: actor.name, actorId: actor.id, action, target, outcome: 'ok', detail });
  }
}
