/**
 * The audit trail: who did what, when, and how it ended. Append-only and hash-chained (each
 * record holds the previous record's hash; see audit-chain.ts), with the head sealed by an HMAC
 * under a key derived from the install secret, so `verify()` finds an edited, deleted or moved
 * record, and records cut off the end of the trail.
 *
 * @example
 * const audit = new AuditLog(new SqliteAuditStore(store.connection()), installSecret(dataDir));
 * await audit.record({ tenant: 'acme', actor: 'alice', actorId: 'u1', action: 'user.create', target: 'bob', outcome: 'ok' });
 * @module
 */
import type { AuditAnchor, AuditEntry, AuditOutcome, AuditQuery, AuditRecord, AuditSeal, AuditSink, AuditStore } from '../core/audit-port.js';
import { LightsoutError } from '../core/errors.js';
import { anchorMacValid, auditSeal, detailText, recordHash } from './audit-chain.js';
import { deriveKey } from './install-secret.js';

/** Hash the first record chains onto. */
const GENESIS = '0'.repeat(64);
/** Records read per page while verifying. */
const PAGE = 2000;
/** Most records one search returns. */
export const MAX_AUDIT_LIMIT = 1000;
const OUTCOMES: readonly AuditOutcome[] = ['ok', 'denied', 'failed'];

/** What went wrong at the first bad record. */
export type AuditProblem = 'edited' | 'deleted' | 'reordered' | 'tail deleted';

/** The result of walking the whole trail. */
export interface AuditVerifyResult {
  ok: boolean;
  /** Records checked. */
  records: number;
  /** The first record that does not verify, and how. */
  firstBad?: { seq: number; problem: AuditProblem; message: string };
}

/** A search; the tenant is always the caller's. */
export type AuditSearch = Omit<AuditQuery, 'limit'> & { limit?: number };

/** The audit service: an AuditSink for every other service, plus search and verification. */
export class AuditLog implements AuditSink {
  private readonly seal: AuditSeal;
  private readonly anchorKey: Buffer;

  /**
   * @param store where records live
   * @param installSecret the install secret (src/auth/install-secret.ts); the anchor key is derived from it
   * @param now the clock (tests pass a fake one)
   */
  constructor(private readonly store: AuditStore, installSecret: Buffer, private readonly now: () => number = Date.now) {
    this.anchorKey = deriveKey(installSecret, 'audit-anchor');
    this.seal = auditSeal(this.anchorKey);
  }

  /** Append a record; resolves once it is durable. */
  async record(entry: AuditEntry): Promise<void> {
    await this.append(entry);
  }

  /** Append a record and return it as stored. */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    if (!OUTCOMES.includes(entry.outcome)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `audit outcome must be one of ${OUTCOMES.join(', ')}`);
    return this.store.append({
      ts: Math.trunc(entry.ts ?? this.now()), tenant: entry.tenant, actor: entry.actor, actorId: entry.actorId,
      action: entry.action, target: entry.target, outcome: entry.outcome, detail: detailText(entry.detail),
    }, this.seal);
  }

  /** Records of one tenant matching the query, newest first (at most MAX_AUDIT_LIMIT). */
  async search(q: AuditSearch): Promise<AuditRecord[]> {
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), MAX_AUDIT_LIMIT);
    if (typeof q.tenant !== 'string') throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'an audit search needs a tenant');
    return this.store.search({ ...q, limit });
  }

  /** Up to `limit` records after `afterSeq`, oldest first, of all tenants (the console's export). */
  scan(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.store.scan(afterSeq, limit);
  }

  /** The sealed head, or undefined before the first record. */
  head(): Promise<AuditAnchor | undefined> {
    return this.store.head();
  }

  /**
   * Walk the whole trail: every record's hash must match its fields and the record before it,
   * positions must run 1, 2, 3… without gaps, and the last record must be the sealed anchor.
   * Records appended while the walk runs are left for the next one.
   */
  async verify(): Promise<AuditVerifyResult> {
    const anchor = await this.store.head();
    // Without an anchor every record is unanchored: walk them all to say so.
    const end = anchor?.seq ?? Number.MAX_SAFE_INTEGER;
    let records = 0;
    let prev: AuditRecord | undefined;
    // Hashes seen, to tell a moved record (its predecessor exists elsewhere) from a deleted one.
    const seen = new Map<string, number>();
    let suspect: Suspect | undefined;
    let after = 0;
    for (;;) {
      const page = await this.store.scan(after, PAGE);
      let stop = page.length === 0;
      for (const rec of page) {
        if (rec.seq > end) {
          stop = true;
          break;
        }
        after = rec.seq;
        seen.set(rec.hash, rec.seq);
        if (suspect) continue;
        records++;
        const expected = (prev?.seq ?? 0) + 1;
        const intact = recordHash(rec.prevHash, rec) === rec.hash;
        const linked = rec.prevHash === (prev?.hash ?? GENESIS);
        if (rec.seq !== expected || !intact || !linked) {
          suspect = { rec, intact, prev, expected };
          continue;
        }
        prev = rec;
      }
      if (stop || page.length < PAGE) break;
    }
    if (suspect) return { ok: false, records: records - 1, firstBad: classify(suspect, seen) };
    // The end of the trail must be the anchored head, sealed with this install's key.
    if (anchor === undefined) {
      if (prev === undefined) return { ok: true, records: 0 };
      return bad(records, prev.seq + 1, 'tail deleted', 'the anchor of the trail\'s head is missing');
    }
    if (!anchorMacValid(this.anchorKey, anchor.seq, anchor.hash, anchor.mac)) {
      return bad(records, anchor.seq, 'tail deleted', 'the anchor of the trail\'s head does not carry this install\'s seal (edited, or the install secret was replaced)');
    }
    const last = prev?.seq ?? 0;
    if (last < anchor.seq) return bad(records, last + 1, 'tail deleted', `the trail ends at record ${last} but was sealed at record ${anchor.seq}`);
    if (prev!.hash !== anchor.hash) return bad(records, last, 'edited', `record ${last} is not the record that was sealed as the head`);
    return { ok: true, records };
  }
}

/** The first record that does not fit, with what is needed to name the problem. */
interface Suspect {
  rec: AuditRecord;
  /** Its hash matches its own fields. */
  intact: boolean;
  /** The last good record before it. */
  prev: AuditRecord | undefined;
  /** The seq it should have. */
  expected: number;
}

function bad(records: number, seq: number, problem: AuditProblem, message: string): AuditVerifyResult {
  return { ok: false, records, firstBad: { seq, problem, message } };
}

/** Name what happened at the first record that does not fit. */
function classify(s: Suspect, seen: Map<string, number>): NonNullable<AuditVerifyResult['firstBad']> {
  const { rec, intact, prev, expected } = s;
  const before = prev?.hash ?? GENESIS;
  const predecessorAt = seen.get(rec.prevHash);
  if (rec.prevHash !== before && predecessorAt !== undefined && predecessorAt !== rec.seq) {
    return { seq: rec.seq, problem: 'reordered', message: `record ${rec.seq} follows record ${predecessorAt} in the chain, not the record before it` };
  }
  if (rec.seq !== expected) {
    const missing = rec.seq - expected;
    return { seq: expected, problem: 'deleted', message: missing === 1 ? `record ${expected} is missing` : `records ${expected}–${rec.seq - 1} are missing` };
  }
  if (rec.prevHash === before) {
    return { seq: rec.seq, problem: 'edited', message: `record ${rec.seq} does not match its hash: its fields were changed` };
  }
  if (intact && prev !== undefined) {
    // Intact itself, but chained onto a record that no longer exists: the one before it was replaced.
    return { seq: prev.seq, problem: 'edited', message: `record ${prev.seq} was replaced (the record after it chains onto a different one)` };
  }
  return { seq: rec.seq, problem: 'deleted', message: `a record before ${rec.seq} was removed and the rest renumbered` };
}
