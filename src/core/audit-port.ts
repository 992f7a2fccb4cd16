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
