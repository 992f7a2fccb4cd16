/**
 * The audit trail port. Services record what people, tokens, devices and the platform itself did;
 * the trail is append-only and hash-chained (see src/auth/audit-log.ts).
 * @module
 */

/** How an audited action ended. */
export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** What a service hands to the audit trail. */
export interface AuditEntry {
  /** Tenant the action concerns (`''` for platform-level actions such as creating a tenant). */
  tenant: string;
  /** Who: user name, `token:<name>`, `device:<id>`, `showcase:<id>`, `system`. */
  actor: string;
  /** Stable id of the actor. */
  actorId: string;
  /** Dotted verb, e.g. `auth.login`, `user.create`, `token.revoke`, `command.sent`, `tag.meta`. */
  action: string;
  /** What it acted on: a user name, tag path, command id… */
  target: string;
  outcome: AuditOutcome;
  /** Extra facts (never secrets): old and new values, a reason, a client address. */
  detail?: Record<string, unknown>;
  /** When; defaults to now. */
  ts?: number;
}

/** Where services send audit entries. Resolves once the record is durable. */
export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

/**
 * One stored audit record. `hash` is SHA-256 over `prevHash` and the canonical serialisation of
 * the other fields (see src/auth/audit-chain.ts), so editing, removing or moving a record breaks
 * the chain from that record on.
 */
export interface AuditRecord extends Omit<AuditEntry, 'detail' | 'ts'> {
  /** Position in the trail: 1, 2, 3… with no gaps. One trail serves all tenants. */
  seq: number;
  ts: number;
  /** The detail object as canonical JSON (keys sorted), `''` when there is none. */
  detail: string;
  /** Hash of the record before (64 zeros for the first). */
  prevHash: string;
  hash: string;
}

/** The fields of a record that its hash covers, besides the previous hash. */
export type AuditFields = Omit<AuditRecord, 'prevHash' | 'hash'>;

/**
 * The last sealed record: its seq and hash with a MAC keyed by the install secret. Kept apart
 * from the records, so removing records from the end of the trail is detected too.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
  mac: string;
}

/** How a store seals a record; the audit service provides it (hashing needs node:crypto). */
export interface AuditSeal {
  /** Hash of a record from the previous record's hash and its fields. */
  hash(prevHash: string, fields: AuditFields): string;
  /** MAC of the anchor (seq, hash). */
  mac(seq: number, hash: string): string;
}

/** A search of the trail; newest first. */
export interface AuditQuery {
  /** Always set: a search never crosses tenants. */
  tenant: string;
  /** From this ts (inclusive). */
  from?: number;
  /** Up to this ts (exclusive). */
  to?: number;
  /** Exact actor name. */
  actor?: string;
  /** Action prefix: `user.` finds `user.create`, `user.delete`… */
  action?: string;
  /** Substring of the target. */
  target?: string;
  outcome?: AuditOutcome;
  /** Only records with seq below this (paging: pass the last seq of the previous page). */
  before?: number;
  limit: number;
}

/** Append-only storage of the audit trail. */
export interface AuditStore {
  /**
   * Append one record after the anchored head, atomically across processes sharing the store:
   * the head is read, the record sealed and inserted, and the anchor moved in one transaction.
   */
  append(fields: Omit<AuditFields, 'seq'>, seal: AuditSeal): Promise<AuditRecord>;
  /** Records matching a query, newest first. */
  search(q: AuditQuery): Promise<AuditRecord[]>;
  /** Up to `limit` records with seq above `afterSeq`, oldest first (verification walks the trail with it). */
  scan(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The anchor, or undefined before the first record. */
  head(): Promise<AuditAnchor | undefined>;
}
