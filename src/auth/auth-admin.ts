/**
 * Managing people and access: users and their grants, API tokens, tenants. Every call names the
 * principal acting; nobody can hand out more than they hold, and another tenant's records answer
 * "not found". Every change is audited.
 * @module
 */
import { can, formatGrant, grantsWithin, requireRole, TENANT_ID, type Grant, type Principal } from '../core/auth.js';
import type { TenantRecord, TokenRecord, UserRecord } from '../core/auth-port.js';
import { LightsoutError } from '../core/errors.js';
import type { AuthService } from './auth-service.js';
import { digest, generatePassword, hashPassword, newId, randomSecret, verifyPassword } from './secrets.js';

/** A user as the API shows it (never the hash). */
export interface UserView {
  id: string;
  tenant: string;
  username: string;
  grants: Grant[];
  platformOperator: boolean;
  disabled: boolean;
  createdTs: number;
}

/** A token as the API shows it (never the secret). */
export interface TokenView {
  id: string;
  tenant: string;
  name: string;
  owner: string;
  grants: Grant[];
  createdTs: number;
  expiresTs: number;
  revokedTs?: number;
  lastUsedTs?: number;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const GROUP_CLAIM = /^[^/+#]{1,128}$/;

function userView(u: UserRecord): UserView {
  return { id: u.id, tenant: u.tenant, username: u.username, grants: u.grants, platformOperator: u.platformOperator, disabled: u.disabled, createdTs: u.createdTs };
}

/** User, token and tenant management on top of the auth service. */
export class AuthAdmin {
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly auth: AuthService) {}

  /** Be told when tenants (and their Sparkplug groups) change, e.g. to reload the MQTT ACL. */
  onTenantsChanged(listener: () => void): void {
    this.listeners.push(listener);
  }

  // ---- users

  /** Users of the actor's tenant (a platform operator may name another). */
  async listUsers(actor: Principal, tenant?: string): Promise<UserView[]> {
    const t = this.tenantFor(actor, tenant);
    if (!actor.platformOperator) requireRole(actor, 'admin', '', 'list users');
    return (await this.auth.store.listUsers(t)).map(userView);
  }

  /** Create a user; without a password one is generated and returned once. */
  async createUser(actor: Principal, req: { username: string; password?: string; grants: Grant[]; platformOperator?: boolean; tenant?: string }): Promise<{ user: UserView; password?: string }> {
    const tenant = this.tenantFor(actor, req.tenant);
    if (!USERNAME.test(req.username)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `user name "${req.username}" must be 1–64 letters, digits, . _ @ or -, starting with a letter or digit`);
    if (tenant !== actor.tenant) {
      if (!(await this.auth.store.getTenant(tenant))) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tenant "${tenant}" does not exist`);
    } else {
      this.checkGrantable(actor, req.grants);
    }
    if (req.platformOperator && !actor.platformOperator) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', 'only a platform operator can make another platform operator');
    if (await this.auth.store.findUser(req.username)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `user name "${req.username}" is taken`);
    const password = req.password ?? generatePassword();
    const t = this.auth.now();
    const u: UserRecord = {
      id: newId(), tenant, username: req.username, passwordHash: await hashPassword(password), grants: req.grants,
      platformOperator: req.platformOperator ?? false, disabled: false, createdTs: t, passwordChangedTs: t,
    };
    await this.auth.store.saveUser(u);
    await this.record(actor, tenant, 'user.create', u.username, { grants: u.grants.map(formatGrant), platformOperator: u.platformOperator });
    return { user: userView(u), ...(req.password === undefined ? { password } : {}) };
  }

  /** Change a user's grants, disable or enable them, or reset their password (ends their sessions). */
  async updateUser(actor: Principal, id: string, req: { grants?: Grant[]; disabled?: boolean; password?: string }): Promise<UserView> {
    const u = await this.manageableUser(actor, id);
    const before = { grants: u.grants.map(formatGrant), disabled: u.disabled };
    if (req.grants !== undefined) {
      if (u.tenant === actor.tenant) this.checkGrantable(actor, req.grants);
      u.grants = req.grants;
    }
    if (req.disabled !== undefined) {
      if (req.disabled && u.id === actor.id) throw new LightsoutError('LIGHTSOUT_CONFLICT', 'you cannot disable yourself');
      u.disabled = req.disabled;
    }
    if (req.password !== undefined) {
      u.passwordHash = await hashPassword(req.password);
      u.passwordChangedTs = this.auth.now();
    }
    await this.auth.store.saveUser(u);
    if (req.password !== undefined || req.disabled) await this.auth.store.deleteUserSessions(u.id);
    await this.record(actor, u.tenant, 'user.update', u.username, { before, after: { grants: u.grants.map(formatGrant), disabled: u.disabled }, passwordReset: req.password !== undefined });
    return userView(u);
  }

  /** Delete a user (their sessions end; their tokens stop working). */
  async deleteUser(actor: Principal, id: string): Promise<void> {
    const u = await this.manageableUser(actor, id);
    if (u.id === actor.id) throw new LightsoutError('LIGHTSOUT_CONFLICT', 'you cannot delete yourself');
    await this.auth.store.deleteUserSessions(u.id);
    await this.auth.store.deleteUser(u.id);
    await this.record(actor, u.tenant, 'user.delete', u.username, { grants: u.grants.map(formatGrant) });
  }

  /** Change one's own password; other sessions of the user end. */
  async changeOwnPassword(actor: Principal, current: string, next: string): Promise<void> {
    if (actor.kind !== 'user') throw new LightsoutError('LIGHTSOUT_FORBIDDEN', 'only a logged-in user can change their password');
    const u = await this.auth.store.getUser(actor.id);
    if (!u || !(await verifyPassword(u.passwordHash, current))) {
      await this.record(actor, actor.tenant, 'user.password', actor.name, {}, 'denied');
      throw new LightsoutError('LIGHTSOUT_FORBIDDEN', 'the current password is wrong');
    }
    u.passwordHash = await hashPassword(next);
    u.passwordChangedTs = this.auth.now();
    await this.auth.store.saveUser(u);
    await this.auth.store.deleteUserSessions(u.id);
    await this.record(actor, u.tenant, 'user.password', u.username, {});
  }

  // ---- tokens

  /** Tokens of the tenant (admins) or one's own. */
  async listTokens(actor: Principal): Promise<TokenView[]> {
    const owner = actor.kind === 'system' ? undefined : await this.ownerId(actor);
    const all = await this.auth.store.listTokens(actor.tenant);
    const mine = can(actor, 'admin') ? all : all.filter((t) => t.userId === owner);
    const names = new Map((await this.auth.store.listUsers(actor.tenant)).map((u) => [u.id, u.username]));
    return mine.map((t) => ({
      id: t.id, tenant: t.tenant, name: t.name, owner: names.get(t.userId) ?? '(deleted user)', grants: t.grants, createdTs: t.createdTs, expiresTs: t.expiresTs,
      ...(t.revokedTs !== undefined ? { revokedTs: t.revokedTs } : {}), ...(t.lastUsedTs !== undefined ? { lastUsedTs: t.lastUsedTs } : {}),
    }));
  }

  /** Create a token; the secret comes back once, as `lo_<id>_<secret>`. */
  async createToken(actor: Principal, req: { name: string; grants?: Grant[]; expiresDays?: number }, forUser?: UserRecord): Promise<{ token: TokenView; secret: string }> {
    if (!/^[\w .:@-]{1,64}$/.test(req.name)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'token name must be 1–64 letters, digits, spaces or . _ : @ -');
    // The console creates tokens for a user: the user's grants are the limit, the console is the actor.
    const holder: Principal = forUser ? { kind: 'user', id: forUser.id, name: forUser.username, tenant: forUser.tenant, grants: forUser.grants, platformOperator: forUser.platformOperator } : actor;
    if (forUser && actor.kind !== 'system') throw new LightsoutError('LIGHTSOUT_FORBIDDEN', 'only the console creates tokens for another user');
    const grants = req.grants ?? [...holder.grants];
    if (grants.length === 0) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'a token needs at least one grant');
    this.checkGrantable(holder, grants, false);
    const days = req.expiresDays ?? 90;
    if (!(days > 0 && days <= 3650)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'expiresDays must be between 0 and 3650');
    const owner = forUser ? forUser.id : await this.ownerId(actor);
    const t = this.auth.now();
    const id = newId();
    const secret = randomSecret();
    const record: TokenRecord = { id, tenant: holder.tenant, userId: owner, name: req.name, secretHash: digest(secret), grants, platformOperator: false, createdTs: t, expiresTs: t + Math.round(days * 86_400_000) };
    await this.auth.store.saveToken(record);
    await this.record(actor, holder.tenant, 'token.create', req.name, { id, owner: holder.name, grants: grants.map(formatGrant), expiresTs: record.expiresTs });
    const u = await this.auth.store.getUser(owner);
    return { token: { id, tenant: record.tenant, name: record.name, owner: u?.username ?? '', grants, createdTs: t, expiresTs: record.expiresTs }, secret: `lo_${id}_${secret}` };
  }

  /** Revoke a token: one's own, or any of the tenant as an admin. */
  async revokeToken(actor: Principal, id: string): Promise<void> {
    const t = await this.auth.store.getToken(id);
    const owner = actor.kind === 'system' ? undefined : await this.ownerId(actor);
    if (!t || t.tenant !== actor.tenant || (t.userId !== owner && !can(actor, 'admin'))) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no token ${id}`);
    if (t.revokedTs === undefined) {
      await this.auth.store.saveToken({ ...t, revokedTs: this.auth.now() });
      await this.record(actor, t.tenant, 'token.revoke', t.name, { id });
    }
  }

  // ---- tenants

  /** Every tenant (platform operators). */
  async listTenants(actor: Principal): Promise<TenantRecord[]> {
    this.requireOperator(actor, 'list tenants');
    return this.auth.store.listTenants();
  }

  /** Create a tenant; its first admin is then created with createUser({tenant}). */
  async createTenant(actor: Principal, req: { id: string; name?: string; sparkplugGroups?: string[] }): Promise<TenantRecord> {
    this.requireOperator(actor, 'create tenants');
    if (!TENANT_ID.test(req.id)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `tenant id "${req.id}" must be lower-case letters, digits, _ or -, starting with a letter or digit (it is the UNS topic level)`);
    if (await this.auth.store.getTenant(req.id)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `tenant "${req.id}" exists`);
    const groups = await this.checkClaims(req.id, req.sparkplugGroups ?? []);
    const t: TenantRecord = { id: req.id, name: req.name ?? req.id, sparkplugGroups: groups, disabled: false, createdTs: this.auth.now() };
    await this.auth.store.saveTenant(t);
    await this.record(actor, '', 'tenant.create', t.id, { name: t.name, sparkplugGroups: groups });
    this.changed();
    return t;
  }

  /** Rename, re-claim Sparkplug groups, disable or enable a tenant. */
  async updateTenant(actor: Principal, id: string, req: { name?: string; sparkplugGroups?: string[]; disabled?: boolean }): Promise<TenantRecord> {
    this.requireOperator(actor, 'change tenants');
    const t = await this.auth.store.getTenant(id);
    if (!t) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tenant "${id}" does not exist`);
    const before = { ...t };
    if (req.disabled && id === actor.tenant) throw new LightsoutError('LIGHTSOUT_CONFLICT', 'you cannot disable your own tenant');
    if (req.sparkplugGroups !== undefined) t.sparkplugGroups = await this.checkClaims(id, req.sparkplugGroups);
    if (req.name !== undefined) t.name = req.name;
    if (req.disabled !== undefined) t.disabled = req.disabled;
    await this.auth.store.saveTenant(t);
    await this.record(actor, '', 'tenant.update', id, { before: { name: before.name, sparkplugGroups: before.sparkplugGroups, disabled: before.disabled }, after: { name: t.name, sparkplugGroups: t.sparkplugGroups, disabled: t.disabled } });
    this.changed();
    return t;
  }

  // ---- helpers

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private requireOperator(actor: Principal, what: string): void {
    if (!actor.platformOperator) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${actor.name} is not a platform operator and cannot ${what}`);
  }

  private tenantFor(actor: Principal, tenant: string | undefined): string {
    if (tenant === undefined || tenant === actor.tenant) return actor.tenant;
    this.requireOperator(actor, 'manage another tenant');
    return tenant;
  }

  private checkGrantable(actor: Principal, grants: readonly Grant[], needAdmin = true): void {
    if (needAdmin) requireRole(actor, 'admin', grants.length === 1 ? grants[0]!.scope : '', 'manage access');
    if (!grantsWithin(actor, grants)) {
      throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${actor.name} cannot grant ${grants.map(formatGrant).join(', ')}: nobody can hand out more than they hold`);
    }
  }

  /** A user the actor may change: same tenant and every grant within the actor's (or a platform operator). */
  private async manageableUser(actor: Principal, id: string): Promise<UserRecord> {
    const u = await this.auth.store.getUser(id);
    if (!u || (u.tenant !== actor.tenant && !actor.platformOperator)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no user ${id}`);
    if (u.tenant === actor.tenant) {
      requireRole(actor, 'admin', '', 'manage users');
      if (!grantsWithin(actor, u.grants) || (u.platformOperator && !actor.platformOperator)) {
        throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${actor.name} cannot change ${u.username}, who holds more than they do`);
      }
    }
    return u;
  }

  /** The user behind the actor: the user itself, or a token's owner. */
  private async ownerId(actor: Principal): Promise<string> {
    if (actor.kind === 'user') return actor.id;
    if (actor.kind === 'token') {
      const t = await this.auth.store.getToken(actor.id);
      if (t) return t.userId;
    }
    throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${actor.name} cannot own tokens`);
  }

  private async checkClaims(tenant: string, groups: string[]): Promise<string[]> {
    const clean = [...new Set(groups.map((g) => g.trim()))];
    for (const g of clean) {
      if (!GROUP_CLAIM.test(g) || (g.includes('*') && !/^[^*]*\*$/.test(g))) {
        throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `Sparkplug group claim "${g}" must be a group id, or a prefix ending in * (e.g. acme:*)`);
      }
    }
    for (const other of await this.auth.store.listTenants()) {
      if (other.id === tenant) continue;
      const clash = clean.find((g) => other.sparkplugGroups.includes(g));
      if (clash) throw new LightsoutError('LIGHTSOUT_CONFLICT', `Sparkplug group claim "${clash}" is already held by tenant "${other.id}"`);
    }
    return clean;
  }

  private async record(actor: Principal, tenant: string, action: string, target: string, detail: Record<string, unknown>, outcome: 'ok' | 'denied' = 'ok'): Promise<void> {
    await this.auth.audit.record({ tenant, actor: actor.name, actorId: actor.id, action, target, outcome, detail });
  }
}
