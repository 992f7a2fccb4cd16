/**
 * Schema migrations of the SQLite metadata store, applied in order at open. Never edit a
 * released migration: add the next one.
 * @module
 */

/** One schema step. */
export interface Migration {
  version: number;
  sql: string;
}

/** All migrations, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        path TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('number', 'boolean', 'string')),
        source TEXT NOT NULL,
        created_ts INTEGER NOT NULL,
        UNIQUE (tenant, path)
      );
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE tags ADD COLUMN unit TEXT;
      ALTER TABLE tags ADD COLUMN description TEXT;
      ALTER TABLE tags ADD COLUMN range_min REAL;
      ALTER TABLE tags ADD COLUMN range_max REAL;
      CREATE TABLE assets (
        tenant TEXT NOT NULL,
        path TEXT NOT NULL,
        time_zone TEXT,
        description TEXT,
        PRIMARY KEY (tenant, path)
      );
    `,
  },
  {
    version: 3,
    sql: `
      ALTER TABLE tags ADD COLUMN writable INTEGER;
      ALTER TABLE tags ADD COLUMN critical INTEGER;
      ALTER TABLE tags ADD COLUMN interlock TEXT;
      CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        sparkplug_groups TEXT NOT NULL,
        disabled INTEGER NOT NULL,
        created_ts INTEGER NOT NULL
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        grants TEXT NOT NULL,
        platform_operator INTEGER NOT NULL,
        disabled INTEGER NOT NULL,
        created_ts INTEGER NOT NULL,
        password_changed_ts INTEGER NOT NULL
      );
      CREATE INDEX users_tenant ON users (tenant);
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        grants TEXT NOT NULL,
        platform_operator INTEGER NOT NULL,
        created_ts INTEGER NOT NULL,
        expires_ts INTEGER NOT NULL,
        revoked_ts INTEGER,
        last_used_ts INTEGER
      );
      CREATE INDEX tokens_tenant ON tokens (tenant);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        created_ts INTEGER NOT NULL,
        expires_ts INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        description TEXT,
        disabled INTEGER NOT NULL,
        created_ts INTEGER NOT NULL
      );
      CREATE INDEX devices_tenant ON devices (tenant);
      CREATE TABLE showcase_links (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        scope TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_ts INTEGER NOT NULL,
        expires_ts INTEGER NOT NULL,
        revoked_ts INTEGER
      );
      CREATE INDEX showcase_tenant ON showcase_links (tenant);
    `,
  },
  {
    // The audit trail: append-only (the triggers refuse UPDATE and DELETE through SQL; anything
    // that goes around them is caught by the hash chain and the sealed anchor of the head).
    version: 4,
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        tenant TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_tenant_seq ON audit_log (tenant, seq);
      CREATE INDEX audit_tenant_ts ON audit_log (tenant, ts);
      CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        mac TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    `,
  },
  {
    version: 5,
    sql: `
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        principal_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL,
        created_ts INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX commands_idempotency ON commands (tenant, principal_id, idempotency_key, created_ts);
      CREATE INDEX commands_tenant_created ON commands (tenant, created_ts);
      CREATE INDEX commands_state ON commands (state);
    `,
  },
  {
    // Connectors added through the API (OPC UA, Modbus TCP); the definition as JSON. Connector ids
    // are unique per tenant.
    version: 6,
    sql: `
      CREATE TABLE connectors (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        definition TEXT NOT NULL,
        updated_ts INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
    `,
  },
  {
    // Rules, rule templates, alarms (one per rule) with their journal, notification targets,
    // on-call rosters and the notification outbox. Definitions are JSON; what is searched has columns.
    version: 7,
    sql: `
      ALTER TABLE assets ADD COLUMN machine_type TEXT;
      CREATE TABLE rules (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        definition TEXT NOT NULL,
        updated_ts INTEGER NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE rule_templates (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        machine_type TEXT NOT NULL,
        definition TEXT NOT NULL,
        updated_ts INTEGER NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE alarms (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        state TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE alarm_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        alarm_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        area TEXT NOT NULL,
        priority TEXT NOT NULL,
        event TEXT NOT NULL
      );
      CREATE INDEX alarm_events_tenant_ts ON alarm_events (tenant, ts);
      CREATE INDEX alarm_events_alarm ON alarm_events (tenant, alarm_id, ts);
      CREATE TABLE notification_targets (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        definition TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE rosters (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        definition TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE notification_jobs (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        state TEXT NOT NULL,
        next_ts INTEGER NOT NULL,
        created_ts INTEGER NOT NULL,
        job TEXT NOT NULL
      );
      CREATE INDEX notification_jobs_due ON notification_jobs (state, next_ts);
      CREATE INDEX notification_jobs_tenant ON notification_jobs (tenant, created_ts);
    `,
  },
];
