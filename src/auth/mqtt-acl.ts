/**
 * The MQTT topic ACL: a device acts only inside its own tenant's namespace — its `uns/<tenant>/…`
 * topics and the Sparkplug groups its tenant owns — and may read the primary host's STATE.
 * Command topics (Sparkplug NCMD/DCMD, UNS `…/set`) are the platform's alone: a device receives
 * commands but never sends one, so no write bypasses authorisation, interlocks and the audit trail.
 * Wildcards may only narrow inside that namespace: `#`, `+` at the tenant or group level, `$SYS`
 * and shared subscriptions are refused. Pure logic; the broker asks it on every CONNECT (Last
 * Will), PUBLISH and SUBSCRIBE.
 * @module
 */
import type { TenantRecord } from '../core/auth-port.js';

const SPB = 'spBv1.0';

/** Which tenant owns a Sparkplug group: an exact claim wins, then the longest `prefix*` claim. */
export class GroupOwnership {
  private exact = new Map<string, string>();
  private prefixes: Array<{ prefix: string; tenant: string }> = [];

  constructor(tenants: readonly TenantRecord[] = []) {
    this.set(tenants);
  }

  /** Replace the claims (tenants created or changed). Disabled tenants own nothing. */
  set(tenants: readonly TenantRecord[]): void {
    const exact = new Map<string, string>();
    const prefixes: Array<{ prefix: string; tenant: string }> = [];
    for (const t of tenants) {
      if (t.disabled) continue;
      for (const claim of t.sparkplugGroups) {
        if (claim.endsWith('*')) prefixes.push({ prefix: claim.slice(0, -1), tenant: t.id });
        else exact.set(claim, t.id);
      }
    }
    prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    this.exact = exact;
    this.prefixes = prefixes;
  }

  /** The owner of a group id, or undefined when nobody claims it. */
  ownerOf(group: string): string | undefined {
    const e = this.exact.get(group);
    if (e !== undefined) return e;
    for (const p of this.prefixes) if (group.startsWith(p.prefix)) return p.tenant;
    return undefined;
  }
}

/** Topic rules over group ownership. */
export class TopicAcl {
  constructor(private readonly groups: GroupOwnership, private readonly hostId: string) {}

  /** undefined when `tenant`'s device may publish on `topic`, else why not. */
  checkPublish(tenant: string, topic: string): string | undefined {
    const levels = topic.split('/');
    if (topic.startsWith('$')) return `"${topic}" is reserved for the broker`;
    if (levels[0] === 'uns') {
      if (levels.length < 3) return `"${topic}" must be uns/${tenant}/<asset path>/<tag>`;
      if (levels[1] !== tenant) return `"${topic}" is outside tenant ${tenant}'s namespace uns/${tenant}/`;
      // Writes to machines go through the platform's command path (authorised, interlocked, audited), never device to device.
      return levels[levels.length - 1] === 'set' ? `"${topic}" is a command topic: only the platform sends commands` : undefined;
    }
    if (levels[0] === SPB) {
      const group = levels[1] ?? '';
      if (group === 'STATE') return 'only host applications publish Sparkplug STATE';
      if (levels.length < 4) return `"${topic}" is not a Sparkplug topic`;
      if (levels[2] === 'NCMD' || levels[2] === 'DCMD') return `"${topic}" is a command topic: only the platform sends commands`;
      const owner = this.groups.ownerOf(group);
      return owner === tenant ? undefined : `Sparkplug group "${group}" does not belong to tenant ${tenant}`;
    }
    return `"${topic}" is outside tenant ${tenant}'s namespace (uns/${tenant}/… or its Sparkplug groups)`;
  }

  /** undefined when `tenant`'s device may subscribe to `filter`, else why not. */
  checkSubscribe(tenant: string, filter: string): string | undefined {
    const levels = filter.split('/');
    if (filter.startsWith('$')) return `"${filter}" is reserved (no $SYS, no shared subscriptions)`;
    if (levels[0] === 'uns') {
      if (levels.length < 2 || levels[1] !== tenant) return `"${filter}" reaches beyond uns/${tenant}/`;
      return undefined;
    }
    if (levels[0] === SPB) {
      const group = levels[1] ?? '';
      if (group === 'STATE') {
        return levels.length === 3 && (levels[2] === this.hostId || levels[2] === '+') ? undefined : `"${filter}": subscribe to spBv1.0/STATE/${this.hostId}`;
      }
      if (group === '+' || group === '#' || group === '') return `"${filter}" spans every Sparkplug group`;
      return this.groups.ownerOf(group) === tenant ? undefined : `Sparkplug group "${group}" does not belong to tenant ${tenant}`;
    }
    return `"${filter}" is outside tenant ${tenant}'s namespace`;
  }
}

/** Client ids holding MQTT wildcards, topic separators or control characters are refused at CONNECT. */
export function badClientId(id: string): boolean {
  return /[#+/\u0000-\u001f]/.test(id);
}
