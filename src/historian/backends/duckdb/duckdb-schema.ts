/**
 * The DuckDB historian's tables and the SQL it runs. Kept apart from the backend class so the
 * layout can be read in one place (the design itself is described in duckdb-backend.ts).
 * @module
 */

/** Bumped when the on-disk layout changes; open() refuses a file written with another one. */
export const SCHEMA_VERSION = 1;

/** The two hot tables: appends go to one while the other is being compacted. */
export const HOT_TABLES = ['hot_0', 'hot_1'] as const;

// Column order is fixed: the appender writes data chunks positionally in this order.
const COLUMNS = 'tag_id INTEGER, ts BIGINT, c UTINYINT, v DOUBLE, s VARCHAR';

/**
 * Creates what is missing. The view is the only thing queries name; it never changes after this,
 * so compaction and retention are plain DML and prepared statements never need rebinding.
 */
export const CREATE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS lightsout_schema (version INTEGER)`,
  `CREATE TABLE IF NOT EXISTS cold (${COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS hot_0 (${COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS hot_1 (${COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS latest (${COLUMNS})`,
  `CREATE OR REPLACE VIEW points AS
     SELECT * FROM cold UNION ALL SELECT * FROM hot_0 UNION ALL SELECT * FROM hot_1`,
];

/** Reads the stored layout version (no row: a fresh file). */
export const SELECT_VERSION = `SELECT version FROM lightsout_schema`;
/** Stamps a fresh file. */
export const INSERT_VERSION = `INSERT INTO lightsout_schema VALUES (${SCHEMA_VERSION})`;

/**
 * Raw points: $1 tag, $2 from, $3 to, $4 limit. ts comes back as DOUBLE (exact below 2^53) so
 * the JS side gets a number without a BigInt round trip.
 */
export const SELECT_RAW = `SELECT ts::DOUBLE AS ts, c, v, s FROM points
  WHERE tag_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`;

/**
 * Buckets: $1 tag, $2 from, $3 to, $4 count. Bucket i holds ts with
 * i*w <= ts-from < (i+1)*w, w = (to-from)/count, which in exact integer arithmetic is
 * i = floor((ts-from)*count / (to-from)). Its reported ts is the smallest integer ms it can hold,
 * from + ceil(i*(to-from)/count). first/last take the whole (code, v, s) of one row so the type
 * survives and the three fields can never come from different rows.
 */
export const SELECT_BUCKETS = `SELECT ($2 + (i * ($3 - $2) + $4 - 1) // $4)::DOUBLE AS ts, mn, mx, av,
    f.c AS fc, f.v AS fv, f.s AS fs, l.c AS lc, l.v AS lv, l.s AS ls, n
  FROM (
    SELECT (ts - $2) * $4 // ($3 - $2) AS i, min(v) AS mn, max(v) AS mx, avg(v) AS av,
      arg_min({c: c, v: v, s: s}, ts) AS f, arg_max({c: c, v: v, s: s}, ts) AS l, count(*)::INTEGER AS n
    FROM points WHERE tag_id = $1 AND ts >= $2 AND ts < $3 GROUP BY i
  ) ORDER BY i`;

/** The newest point of every tag: the small `latest` table plus whatever is still hot. */
export const SELECT_LATEST_ALL = `SELECT tag_id, l.ts::DOUBLE AS ts, l.c AS c, l.v AS v, l.s AS s FROM (
    SELECT tag_id, arg_max({ts: ts, c: c, v: v, s: s}, ts) AS l FROM (
      SELECT * FROM latest UNION ALL SELECT * FROM hot_0 UNION ALL SELECT * FROM hot_1
    ) GROUP BY tag_id)`;

/** Rows in one hot table (to resume the rotation counters after open). */
export function countHot(table: string): string {
  return `SELECT count(*)::DOUBLE AS n FROM ${table}`;
}

/**
 * One compaction, run inside a single transaction so a crash leaves either the hot rows or the
 * sorted copy, never both and never neither. The insert is sorted by (tag_id, ts): that is what
 * lets zone maps skip every row group but a tag's own.
 */
export function compactStatements(table: string): string[] {
  return [
    `INSERT INTO cold SELECT * FROM ${table} ORDER BY tag_id, ts`,
    `INSERT INTO latest SELECT tag_id, l.ts, l.c, l.v, l.s FROM (
       SELECT tag_id, arg_max({ts: ts, c: c, v: v, s: s}, ts) AS l FROM ${table} GROUP BY tag_id)`,
    `DELETE FROM latest WHERE rowid NOT IN (SELECT arg_max(rowid, ts) FROM latest GROUP BY tag_id)`,
    `DELETE FROM ${table}`,
  ];
}

/** Retention: every table loses the rows older than $1. */
export const RETENTION_TABLES = ['cold', ...HOT_TABLES, 'latest'] as const;

/** Point count for stats. */
export const COUNT_POINTS = `SELECT count(*)::DOUBLE AS n FROM points`;
