/**
 * Who may do what: roles granted on ISA-95 subtrees of one tenant, and the principal a request or
 * an MQTT connection acts as. Pure functions only, shared by the API, the broker ACL and commands.
 * @module
 */
import { LightsoutError } from './errors.js';

/** Roles of a tenant, weakest first: each includes what the ones before it may do. */
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
/** A tenant role. viewer reads; operator also commands and acknowledges; engineer also configures; admin also manages people. */
export type Role = (typeof ROLES)[number];

/** A role granted on an asset subtree: scope `''` is the whole tenant, `site/area/line-2` one line and below. */
export interface Grant {
  role: Role;
  scope: string;
}

/** Who acts: a logged-in user, an API token, a public showcase link, a device, or the platform itself. */
export interface Principal {
  kind: 'user' | 'token' | 'showcase' | 'device' | 'system';
  /** Stable id of the actor (user id, token id, link id, device id), recorded in the audit trail. */
  id: string;
  /** Human name for the audit trail and the UI: the user name, `token:<name>`, `device:<id>`. */
  name: string;
  tenant: string;
  grants: readonly Grant[];
  /** Manages tenants (the platform operator role); says nothing about a tenant's data. */
  platformOperator: boolean;
  /** For tokens and links: when they stop working (epoch ms). */
  expiresTs?: number;
}

/** Tenant ids: lower case, digits, `_` and `-`, as in UNS topics. */
export const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Rank of a role (viewer 0 … admin 3). */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True for one of the four role names. */
export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

/** True when `path` is `scope` itself or lies below it (`''` covers everything). */
export function inScope(scope: string, path: string): boolean {
  if (scope === '') return true;
  return path === scope || path.startsWith(`${scope}/`);
}

/** True when the principal holds at least `role` on the asset or tag at `path`. */
export function can(p: Principal, role: Role, path = ''): boolean {
  const need = roleRank(role);
  for (const g of p.grants) if (roleRank(g.role) >= need && inScope(g.scope, path)) return true;
  return false;
}

/**
 * True when the principal holds `role` somewhere in the tenant, or anywhere under `path`
 * (a line operator may list the site to reach the line).
 */
export function canSomewhere(p: Principal, role: Role, path = ''): boolean {
  const need = roleRank(role);
  for (const g of p.grants) {
    if (roleRank(g.role) < need) continue;
    if (inScope(g.scope, path) || inScope(path, g.scope)) return true;
  }
  return false;
}

/** Throw LIGHTSOUT_FORBIDDEN unless the principal holds `role` on `path`. */
export function requireRole(p: Principal, role: Role, path = '', what = 'this'): void {
  if (!can(p, role, path)) {
    const where = path === '' ? `tenant ${p.tenant}` : `"${path}" in tenant ${p.tenant}`;
    throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${p.name} needs the ${role} role on ${where} to do ${what}`);
  }
}

/** The highest role held anywhere, or undefined. */
export function highestRole(p: Principal): Role | undefined {
  let best = -1;
  for (const g of p.grants) best = Math.max(best, roleRank(g.role));
  return best < 0 ? undefined : ROLES[best];
}

/**
 * Parse `role` or `role@scope` (e.g. `operator@shanghai-lingang/machining/line-2`), as the CLI
 * and the API take grants.
 */
export function parseGrant(text: string): Grant {
  const at = text.indexOf('@');
  const role = at < 0 ? text : text.slice(0, at);
  const scope = at < 0 ? '' : text.slice(at + 1).replace(/\/+$/, '');
  if (!isRole(role)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `unknown role "${role}": use one of ${ROLES.join(', ')}, optionally @<asset path>`);
  if (/[+#]/.test(scope) || scope.split('/').some((l, i, a) => l === '' && a.length > 1)) {
    throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `grant scope "${scope}" must be an asset path such as site/area/line`);
  }
  return { role, scope };
}

/** `role` or `role@scope`. */
export function formatGrant(g: Grant): string {
  return g.scope === '' ? g.role : `${g.role}@${g.scope}`;
}

/** A grant set may never exceed its issuer's: each grant must be covered by one of the issuer's. */
export function grantsWithin(issuer: Principal, grants: readonly Grant[]): boolean {
  return grants.every((g) => can(issuer, g.role, g.scope));
}
