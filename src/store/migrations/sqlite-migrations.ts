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
];
