/**
 * Authentication: the first-start bootstrap, logins with brute-force limits, browser sessions,
 * API tokens and one-time login links. Every request re-reads the user or token it acts for, so
 * a disabled user, a revoked token or a removed grant takes effect at once.
 * User, token and tenant management live in auth-admin.ts.
 * @module
 */
import type { Principal } from '../core/auth.js';
import { can } from '../core/auth.js';
import type { AuthStore, TenantRecord, TokenRecord, UserRecord } from '../core/auth-port.js';
import type { AuditSink } from '../core/audit-port.js';
import { LightsoutError } from '../core/errors.js';
import { AttemptLimiter } from './attempt-limiter.js';
import { digest, dummyHash, generatePassword, hashPassword, newId, randomSecret, sameDigest, verifyPassword } from './secrets.js';

/** Settings of the auth service. */
export interface AuthOptions {
  store: AuthStore;
  audit: AuditSink;
  /** The default tenant (config `tenant`). */
  defaultTenant: string;
  sessionHours: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  now?: () => number;
}

/** What the first start did. */
export interface BootstrapResult {
  /** The generated admin password, to print once; undefined when one existed or was given. */
  generatedPassword?: string;
  adminCreated: boolean;
  tokenSeeded: boolean;
}

/** A successful login. */
export interface LoginResult {
  /** The cookie value; only its digest is stored. */
  sessionId: string;
  expiresTs: number;
  principal: Principal;
}

/** The user name of the first admin. */
export const FIRST_ADMIN = 'admin';
/** API tokens look like `lo_<id>_<secret>`. */
const TOKEN_RE = /^lo_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{32,})$/;
/** The expiry of what never expires: the last time a Date can hold. */
export const NEVER = 8_640_000_000_000_000;
/** One-time login links live this long. */
const LINK_TTL_MS = 15 * 60_000;
/** Seeded admin tokens (LIGHTSOUT_ADMIN_TOKEN) get this fixed id, so a restart replaces rather than adds. */
const SEEDED_TOKEN_ID = 'seeded-admin';

/** The principal a user acts as. */
export function userPrincipal(u: UserRecord): Principal {
  return { kind: 'user', id: u.id, name: u.username, tenant: u.tenant, grants: u.grants, platformOperator: u.platformOperator };
}

/** Authentication for the API and the CLI. */
export class AuthService {
  readonly store: AuthStore;
  readonly audit: AuditSink;
  readonly now: () => number;
  private readonly byName: AttemptLimiter;
  private readonly byAddress: AttemptLimiter;
  private readonly links = new Map<string, number>();

  constructor(private readonly o: AuthOptions) {
    this.store = o.store;
    this.audit = o.audit;
    this.now = o.now ?? Date.now;
    const windowMs = o.loginWindowSeconds * 1000;
    this.byName = new AttemptLimiter(o.loginMaxFailures, windowMs, this.now);
    this.byAddress = new AttemptLimiter(o.loginMaxFailures * 4, windowMs, this.now);
  }

  /** The default tenant's id. */
  get defaultTenant(): string {
    return this.o.defaultTenant;
  }

  /**
   * First start: the default tenant (owning every Sparkplug group no other tenant claims) and,
   * when no user exists, the first admin with the given or a generated password. A seeded admin
   * token (LIGHTSOUT_ADMIN_TOKEN) is (re)installed on every start.
   */
  async bootstrap(opts: { adminPassword?: string; adminToken?: string }): Promise<BootstrapResult> {
    const t = this.now();
    const result: BootstrapResult = { adminCreated: false, tokenSeeded: false };
    if (!(await this.store.getTenant(this.o.defaultTenant))) {
      const tenant: TenantRecord = { id: this.o.defaultTenant, name: this.o.defaultTenant, sparkplugGroups: ['*'], disabled: false, createdTs: t };
      await this.store.saveTenant(tenant);
      await this.audit.record({ tenant: '', actor: 'system', actorId: 'system', action: 'tenant.create', target: tenant.id, outcome: 'ok', detail: { sparkplugGroups: tenant.sparkplugGroups } });
    }
    let admin = await this.store.findUser(FIRST_ADMIN);
    if ((await this.store.listUsers()).length === 0) {
      const password = opts.adminPassword ?? generatePassword();
      if (opts.adminPassword === undefined) result.generatedPassword = password;
      admin = {
        id: newId(), tenant: this.o.defaultTenant, username: FIRST_ADMIN, passwordHash: await hashPassword(password, 'adminPassword'),
        grants: [{ role: 'admin', scope: '' }], platformOperator: true, disabled: false, createdTs: t, passwordChangedTs: t,
      };
      await this.store.saveUser(admin);
      result.adminCreated = true;
      await this.audit.record({ tenant: admin.tenant, actor: 'system', actorId: 'system', action: 'user.create', target: admin.username, outcome: 'ok', detail: { grants: admin.grants, platformOperator: true, passwordGenerated: opts.adminPassword === undefined } });
    }
    if (opts.adminToken !== undefined) {
      const owner = admin ?? (await this.store.listUsers(this.o.defaultTenant)).find((u) => u.grants.some((g) => g.role === 'admin' && g.scope === ''));
      if (!owner) throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', 'adminToken: no admin user exists in the default tenant to own the token');
      const existing = await this.store.getToken(SEEDED_TOKEN_ID);
      const record: TokenRecord = {
        id: SEEDED_TOKEN_ID, tenant: owner.tenant, userId: owner.id, name: 'LIGHTSOUT_ADMIN_TOKEN', secretHash: digest(opts.adminToken),
        grants: [{ role: 'admin', scope: '' }], platformOperator: owner.platformOperator, createdTs: existing?.createdTs ?? t, expiresTs: NEVER,
      };
      if (existing?.secretHash !== record.secretHash || existing.revokedTs !== undefined) {
        if (existing) await this.store.saveToken({ ...existing, revokedTs: t });
        await this.store.saveToken(record);
        await this.audit.record({ tenant: owner.tenant, actor: 'system', actorId: 'system', action: 'token.seed', target: record.name, outcome: 'ok' });
      }
      result.tokenSeeded = true;
    }
    return result;
  }

  /** Check a password; on success a new session. Failures are limited per user name and per address. */
  async login(username: string, password: string, address: string): Promise<LoginResult> {
    this.checkLimits(`user:${username}`, address);
    const user = await this.store.findUser(username);
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await dummyHash(), password), false);
    const tenant = user ? await this.store.getTenant(user.tenant) : undefined;
    if (!user || !ok || user.disabled || !tenant || tenant.disabled) {
      this.byName.fail(`user:${username}`);
      this.byAddress.fail(address);
      const reason = !user ? 'unknown user' : !ok ? 'wrong password' : 'user or tenant disabled';
      await this.audit.record({ tenant: user?.tenant ?? '', actor: username.slice(0, 128), actorId: user?.id ?? '', action: 'auth.login', target: username.slice(0, 128), outcome: 'denied', detail: { reason, address } });
      throw new LightsoutError('LIGHTSOUT_UNAUTHENTICATED', 'wrong user name or password');
    }
    this.byName.clear(`user:${username}`);
    const session = await this.openSession(user);
    await this.audit.record({ tenant: user.tenant, actor: user.username, actorId: user.id, action: 'auth.login', target: user.username, outcome: 'ok', detail: { address } });
    return session;
  }

  /** A one-time login link's token for the first admin (printed at start); valid 15 minutes, once. */
  createLoginLink(): string {
    const secret = randomSecret();
    const t = this.now();
    for (const [k, exp] of this.links) if (exp <= t) this.links.delete(k);
    this.links.set(digest(secret), t + LINK_TTL_MS);
    return secret;
  }

  /** Redeem a one-time login link: a session as the first admin. */
  async redeemLoginLink(secret: string, address: string): Promise<LoginResult> {
    this.checkLimits('link', address);
    const key = digest(String(secret));
    const exp = this.links.get(key);
    this.links.delete(key);
    const user = await this.store.findUser(FIRST_ADMIN);
    if (exp === undefined || exp <= this.now() || !user || user.disabled) {
      this.byAddress.fail(address);
      await this.audit.record({ tenant: '', actor: 'login-link', actorId: '', action: 'auth.link', target: FIRST_ADMIN, outcome: 'denied', detail: { reason: exp === undefined ? 'unknown or used link' : 'expired link', address } });
      throw new LightsoutError('LIGHTSOUT_UNAUTHENTICATED', 'this login link is unknown, already used or expired; log in with the password, or restart to print a new link');
    }
    const session = await this.openSession(user);
    await this.audit.record({ tenant: user.tenant, actor: user.username, actorId: user.id, action: 'auth.link', target: user.username, outcome: 'ok', detail: { address } });
    return session;
  }

  /** End a session. */
  async logout(sessionId: string, who: Principal): Promise<void> {
    await this.store.deleteSession(digest(sessionId));
    await this.audit.record({ tenant: who.tenant, actor: who.name, actorId: who.id, action: 'auth.logout', target: who.name, outcome: 'ok' });
  }

  /** The principal of a session cookie, or undefined when unknown, expired or its user is gone. */
  async fromSession(sessionId: string): Promise<Principal | undefined> {
    if (sessionId.length < 32 || sessionId.length > 128) return undefined;
    const s = await this.store.getSession(digest(sessionId));
    if (!s) return undefined;
    if (s.expiresTs <= this.now()) {
      await this.store.deleteSession(s.idHash);
      return undefined;
    }
    const user = await this.store.getUser(s.userId);
    if (!user || user.disabled || !(await this.tenantActive(user.tenant))) return undefined;
    return { ...userPrincipal(user), expiresTs: s.expiresTs };
  }

  /**
   * The principal of a bearer token. Bad tokens count as failures per address, so tokens cannot
   * be guessed at speed; throws LIGHTSOUT_RATE_LIMITED past the limit.
   */
  async fromToken(text: string, address: string): Promise<Principal | undefined> {
    this.checkLimits(undefined, address);
    const m = TOKEN_RE.exec(text);
    const record = m ? await this.store.getToken(m[1]!) : await this.seededToken(text);
    const secret = m ? m[2]! : text;
    const t = this.now();
    if (!record || !sameDigest(record.secretHash, digest(secret)) || record.revokedTs !== undefined || record.expiresTs <= t) {
      this.byAddress.fail(address);
      return undefined;
    }
    const owner = await this.store.getUser(record.userId);
    if (!owner || owner.disabled || !(await this.tenantActive(record.tenant))) return undefined;
    // A token never holds more than its owner holds today.
    const ownerP = userPrincipal(owner);
    const grants = record.grants.filter((g) => can(ownerP, g.role, g.scope));
    if (record.lastUsedTs === undefined || t - record.lastUsedTs > 60_000) await this.store.touchToken(record.id, t);
    return { kind: 'token', id: record.id, name: `token:${record.name}`, tenant: record.tenant, grants, platformOperator: record.platformOperator && owner.platformOperator, expiresTs: record.expiresTs };
  }

  /** Seconds to wait before `key` (and `address`) may try again; throws LIGHTSOUT_RATE_LIMITED. */
  checkLimits(key: string | undefined, address: string): void {
    const wait = Math.max(key === undefined ? 0 : this.byName.retryAfter(key), this.byAddress.retryAfter(address));
    if (wait > 0) {
      throw new LightsoutError('LIGHTSOUT_RATE_LIMITED', `too many failed attempts; try again in ${wait} s`, { details: { retryAfterSeconds: wait } });
    }
  }

  /** Count a failure against an address (e.g. a bad MQTT password). */
  failAddress(address: string): void {
    this.byAddress.fail(address);
  }

  /** Drop expired sessions (run hourly). */
  async prune(): Promise<number> {
    return this.store.pruneSessions(this.now());
  }

  private async openSession(user: UserRecord): Promise<LoginResult> {
    const sessionId = randomSecret();
    const t = this.now();
    const expiresTs = t + this.o.sessionHours * 3_600_000;
    await this.store.saveSession({ idHash: digest(sessionId), userId: user.id, tenant: user.tenant, createdTs: t, expiresTs });
    return { sessionId, expiresTs, principal: { ...userPrincipal(user), expiresTs } };
  }

  private async seededToken(text: string): Promise<TokenRecord | undefined> {
    if (text.length < 32) return undefined;
    return this.store.getToken(SEEDED_TOKEN_ID);
  }

  private async tenantActive(id: string): Promise<boolean> {
    const t = await this.store.getTenant(id);
    return t !== undefined && !t.disabled;
  }
}
