/**
 * The auth store port: tenants, users, API tokens, sessions, device credentials and showcase links.
 * Secrets never reach it in clear: passwords and device secrets arrive argon2-hashed, token and
 * session secrets as SHA-256 digests (they are long random strings, so a fast digest suffices).
 * @module
 */
import type { Grant } from './auth.js';

/** One company on the platform. */
export interface TenantRecord {
  id: string;
  name: string;
  /**
   * Sparkplug group ids this tenant owns: exact ids, or a prefix ending in `*` (`acme:*`). A group
   * belongs to the tenant with the longest matching claim; only that tenant's devices may use it.
   */
  sparkplugGroups: string[];
  disabled: boolean;
  createdTs: number;
}

/** A person who logs in. User names are unique across the platform. */
export interface UserRecord {
  id: string;
  tenant: string;
  username: string;
  /** argon2id PHC string. */
  passwordHash: string;
  grants: Grant[];
  platformOperator: boolean;
  disabled: boolean;
  createdTs: number;
  passwordChangedTs: number;
}

/** An API token: `lo_<id>_<secret>`; only the secret's SHA-256 is stored. */
export interface TokenRecord {
  id: string;
  tenant: string;
  /** The user who created it; the token never holds more than they did. */
  userId: string;
  name: string;
  secretHash: string;
  grants: Grant[];
  /** Also allowed to manage tenants (only a platform operator can issue this). */
  platformOperator: boolean;
  createdTs: number;
  expiresTs: number;
  revokedTs?: number;
  lastUsedTs?: number;
}

/** A browser session behind an HTTP-only cookie; keyed by the SHA-256 of the cookie value. */
export interface SessionRecord {
  idHash: string;
  userId: string;
  tenant: string;
  createdTs: number;
  expiresTs: number;
}

/** MQTT credentials of a device (an edge node, a gateway, a PLC). The id is its MQTT user name. */
export interface DeviceRecord {
  id: string;
  tenant: string;
  /** argon2id PHC string of the device's password. */
  secretHash: string;
  description?: string;
  disabled: boolean;
  createdTs: number;
}

/** A public, read-only, expiring link to the live view of one line. */
export interface ShowcaseRecord {
  id: string;
  tenant: string;
  /** Asset path of the line shown. */
  scope: string;
  /** SHA-256 of the link's secret. */
  secretHash: string;
  title: string;
  createdBy: string;
  createdTs: number;
  expiresTs: number;
  revokedTs?: number;
}

/** Durable storage of the auth records. Every write resolves once durable. */
export interface AuthStore {
  listTenants(): Promise<TenantRecord[]>;
  getTenant(id: string): Promise<TenantRecord | undefined>;
  saveTenant(t: TenantRecord): Promise<void>;

  getUser(id: string): Promise<UserRecord | undefined>;
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Users of one tenant, or of all tenants when omitted. */
  listUsers(tenant?: string): Promise<UserRecord[]>;
  saveUser(u: UserRecord): Promise<void>;
  deleteUser(id: string): Promise<void>;

  getToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(tenant: string): Promise<TokenRecord[]>;
  saveToken(t: TokenRecord): Promise<void>;
  touchToken(id: string, ts: number): Promise<void>;

  saveSession(s: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Drop every session of a user (password change, disable, delete). */
  deleteUserSessions(userId: string): Promise<void>;
  /** Drop expired sessions; returns how many. */
  pruneSessions(now: number): Promise<number>;

  getDevice(id: string): Promise<DeviceRecord | undefined>;
  listDevices(tenant: string): Promise<DeviceRecord[]>;
  saveDevice(d: DeviceRecord): Promise<void>;
  deleteDevice(id: string): Promise<void>;

  getShowcase(id: string): Promise<ShowcaseRecord | undefined>;
  listShowcases(tenant: string): Promise<ShowcaseRecord[]>;
  saveShowcase(s: ShowcaseRecord): Promise<void>;
}
