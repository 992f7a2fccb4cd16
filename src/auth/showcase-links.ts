/**
 * Public showcase links: an expiring, revocable, read-only link to the live view of one line,
 * for online exhibitions and customer visits. The link is `/showcase/<id>.<secret>`; only the
 * secret's SHA-256 is stored. Whoever holds it sees that line's tags and live values, nothing
 * else: an unknown, expired or revoked link all answer the same LIGHTSOUT_NOT_FOUND, and every
 * use is rate-limited per link and per client address.
 * @module
 */
import { can, type Principal } from '../core/auth.js';
import type { AuditSink } from '../core/audit-port.js';
import type { AuthStore, ShowcaseRecord } from '../core/auth-port.js';
import { LightsoutError } from '../core/errors.js';
import { RateLimiter } from './attempt-limiter.js';
import { digest, newId, randomSecret, sameDigest } from './secrets.js';

/** A link lives 7 days unless asked otherwise… */
export const SHOWCASE_DEFAULT_HOURS = 7 * 24;
/** …and at most 90 days. */
export const SHOWCASE_MAX_HOURS = 90 * 24;

/** Settings of the showcase service. */
export interface ShowcaseOptions {
  store: Pick<AuthStore, 'getShowcase' | 'listShowcases' | 'saveShowcase'>;
  audit: AuditSink;
  /** Requests (page loads, live connections) per minute per link, and per client address. */
  perMinute: number;
  now?: () => number;
}

/** A new link; `token` is shown once and never stored. */
export interface ShowcaseCreated {
  record: ShowcaseRecord;
  /** `<id>.<secret>`, the last part of the link's URL. */
  token: string;
}

const NOT_FOUND = 'no such showcase link (it may have expired or been revoked)';
const TOKEN_RE = /^([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{32,64})$/;

/** Creates, lists, revokes and opens showcase links. */
export class ShowcaseLinks {
  private readonly now: () => number;
  private readonly perLink: RateLimiter;
  private readonly perAddress: RateLimiter;
  /** Link id → what to call when the link ends (its open live connections). */
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(private readonly o: ShowcaseOptions) {
    this.now = o.now ?? Date.now;
    this.perLink = new RateLimiter(o.perMinute, 60_000, this.now);
    this.perAddress = new RateLimiter(o.perMinute, 60_000, this.now);
  }

  /** Create a link to the line at `scope`; the caller needs the engineer role there. */
  async create(p: Principal, req: { scope: string; title: string; expiresHours?: number }): Promise<ShowcaseCreated> {
    const scope = req.scope.replace(/^\/+|\/+$/g, '');
    if (scope === '' || /[+#]/.test(scope) || scope.split('/').some((l) => l === '')) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `showcase scope "${req.scope}" must be the asset path of one line, e.g. site/area/line-1`);
    }
    if (!can(p, 'engineer', scope)) {
      await denied(this.o.audit, p, 'showcase.create', scope);
      throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${p.name} needs the engineer role on "${scope}" to share it`);
    }
    const title = req.title.trim();
    if (title === '') throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'a showcase link needs a title');
    const hours = req.expiresHours ?? SHOWCASE_DEFAULT_HOURS;
    if (!(hours > 0 && hours <= SHOWCASE_MAX_HOURS)) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `expiresHours must be above 0 and at most ${SHOWCASE_MAX_HOURS} (90 days)`);
    }
    const now = this.now();
    const secret = randomSecret();
    const record: ShowcaseRecord = {
      id: newId(), tenant: p.tenant, scope, secretHash: digest(secret), title,
      createdBy: p.name, createdTs: now, expiresTs: now + Math.round(hours * 3_600_000),
    };
    await this.o.store.saveShowcase(record);
    await this.o.audit.record({ tenant: p.tenant, actor: p.name, actorId: p.id, action: 'showcase.create', target: record.id, outcome: 'ok', detail: { scope, title, expiresTs: record.expiresTs } });
    return { record, token: `${record.id}.${secret}` };
  }

  /** The tenant's links the caller may manage (engineer on their line), newest first. */
  async list(p: Principal): Promise<ShowcaseRecord[]> {
    const all = await this.o.store.listShowcases(p.tenant);
    return all.filter((s) => can(p, 'engineer', s.scope)).reverse();
  }

  /** Revoke a link at once; another tenant's or an unknown id is LIGHTSOUT_NOT_FOUND. */
  async revoke(p: Principal, id: string): Promise<ShowcaseRecord> {
    const s = await this.o.store.getShowcase(id);
    if (!s || s.tenant !== p.tenant || !can(p, 'viewer', s.scope)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `showcase link ${id} does not exist in tenant ${p.tenant}`);
    if (!can(p, 'engineer', s.scope)) {
      await denied(this.o.audit, p, 'showcase.revoke', id);
      throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${p.name} needs the engineer role on "${s.scope}" to revoke this link`);
    }
    if (s.revokedTs === undefined) {
      s.revokedTs = this.now();
      await this.o.store.saveShowcase(s);
      await this.o.audit.record({ tenant: p.tenant, actor: p.name, actorId: p.id, action: 'showcase.revoke', target: id, outcome: 'ok', detail: { scope: s.scope, title: s.title } });
      for (const end of [...(this.watchers.get(id) ?? [])]) end();
    }
    return s;
  }

  /**
   * Open a link for one public request (a page load or a live connection) from `address`.
   * Throws LIGHTSOUT_RATE_LIMITED past either limit, and LIGHTSOUT_NOT_FOUND — the same answer
   * for an unknown, mistyped, expired or revoked link — otherwise returns the link.
   */
  async open(token: string, address: string): Promise<ShowcaseRecord> {
    // Count the address first: guessing links costs the guesser's own budget.
    limited(this.perAddress.take(address));
    const m = TOKEN_RE.exec(token);
    if (!m) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', NOT_FOUND);
    const s = await this.o.store.getShowcase(m[1]!);
    if (!s || !sameDigest(s.secretHash, digest(m[2]!)) || s.revokedTs !== undefined || s.expiresTs <= this.now()) {
      throw new LightsoutError('LIGHTSOUT_NOT_FOUND', NOT_FOUND);
    }
    limited(this.perLink.take(s.id));
    return s;
  }

  /**
   * Call `onEnd` once when the link is revoked (through this service) or expires, so open live
   * connections close then rather than outlive it. Returns the function that stops watching.
   */
  watch(id: string, expiresTs: number, onEnd: () => void): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const set = this.watchers.get(id) ?? new Set<() => void>();
    this.watchers.set(id, set);
    const stop = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      set.delete(end);
      if (set.size === 0) this.watchers.delete(id);
    };
    const end = (): void => {
      stop();
      onEnd();
    };
    // setTimeout holds at most ~24.8 days; a 90-day link re-arms until it is due.
    const arm = (): void => {
      const left = expiresTs - this.now();
      if (left <= 0) return end();
      timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
      (timer as { unref?: () => void }).unref?.();
    };
    set.add(end);
    arm();
    return stop;
  }

  /** The principal a link acts as: a viewer of its line only. */
  static principal(s: ShowcaseRecord): Principal {
    return { kind: 'showcase', id: s.id, name: `showcase:${s.id}`, tenant: s.tenant, grants: [{ role: 'viewer', scope: s.scope }], platformOperator: false, expiresTs: s.expiresTs };
  }
}

function limited(wait: number): void {
  if (wait > 0) throw new LightsoutError('LIGHTSOUT_RATE_LIMITED', `this showcase link is busy; try again in ${wait} s`, { details: { retryAfterSeconds: wait } });
}

/** Record a refusal. */
function denied(sink: AuditSink, p: Principal, action: string, target: string): Promise<void> {
  return sink.record({ tenant: p.tenant, actor: p.name, actorId: p.id, action, target, outcome: 'denied' });
}
