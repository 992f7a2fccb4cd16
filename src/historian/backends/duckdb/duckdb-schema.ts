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
  `CREATE TABLE IF NOT EXISTS warm (${COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS hot_0 (${COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS hot_1 (${COLUMNS})`,
  `CREATE TABLE IF NOT EXISTS latest (${COLUMNS})`,
  `CREATE OR REPLACE VIEW points AS
     SELECT * FROM cold UNION ALL SELECT * FROM warm
     UNION ALL SELECT * FROM hot_0 UNION ALL SELECT * FROM hot_1`,
];

/** Reads the stored layout version (no row: a fresh file). */
export const SELECT_VERSION = `SELECT version FROM lightsout_schema`;
/** Stamps a fresh file. */
export const INSERT_VERSION = `INSERT INTO lightsout_schema VALUES (${SCHEMA_VERSION})`;

/**
 * Reading the VARCHAR column costs as much as all the others together, even when it is all
 * NULL (measured: a 2 M-row hot table scan 5.4 ms without it, 9.5 ms with it). So every read
 * comes in two forms: one that leaves `s` out (a NULL literal in its place) and one that reads
 * it. The first is tried unless the tag is known to hold strings; if its rows show a string
 * code, the second one runs instead.
 */
export const STRING_CODE_MIN = 8; // codes of TYPE_STRING points are 8..10

/**
 * Raw points: $1 tag, $2 from, $3 to, $4 limit. ts comes back as DOUBLE (exact below 2^53) so
 * the JS side gets a number without a BigInt round trip.
 */
export function selectRaw(withStrings: boolean): string {
  return `SELECT ts::DOUBLE AS ts, c, v, ${withStrings ? 's' : 'NULL::VARCHAR AS s'} FROM points
    WHERE tag_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`;
}

/**
 * Buckets: $1 tag, $2 from, $3 to, $4 count. Bucket i holds ts with
 * i*w <= ts-from < (i+1)*w, w = (to-from)/count, which in exact integer arithmetic is
 * i = floor((ts-from)*count / (to-from)). Its reported ts is the smallest integer ms it can hold,
 * from + ceil(i*(to-from)/count). first/last take a whole struct of one row so the type and
 * quality can never come from a different row than the value. `mc` (highest code) tells the
 * caller whether strings were present.
 */
export function selectBuckets(withStrings: boolean): string {
  const row = withStrings ? '{c: c, v: v, s: s}' : '{c: c, v: v}';
  const str = (alias: string): string => (withStrings ? `${alias}.s` : 'NULL::VARCHAR');
  return `SELECT ($2 + (i * ($3 - $2) + $4 - 1) // $4)::DOUBLE AS ts, mn, mx, av,
      f.c AS fc, f.v AS fv, ${str('f')} AS fs, l.c AS lc, l.v AS lv, ${str('l')} AS ls, n, mc
    FROM (
      SELECT (ts - $2) * $4 // ($3 - $2) AS i, min(v) AS mn, max(v) AS mx, avg(v) AS av,
        arg_min(${row}, ts) AS f, arg_max(${row}, ts) AS l, count(*)::INTEGER AS n, max(c) AS mc
      FROM points WHERE tag_id = $1 AND ts >= $2 AND ts < $3 GROUP BY i
    ) ORDER BY i`;
}

/** The newest point of every tag: the small `latest` table plus whatever is still hot. */
export const SELECT_LATEST_ALL = `SELECT tag_id, l.ts::DOUBLE AS ts, l.c AS c, l.v AS v, l.s AS s FROM (
    SELECT tag_id, arg_max({ts: ts, c: c, v: v, s: s}, ts) AS l FROM (
      SELECT * FROM latest UNION ALL SELECT * FROM hot_0 UNION ALL SELECT * FROM hot_1
    ) GROUP BY tag_id)`;

/** Rows in one table (to resume the rotation counters after open). */
export function countRows(table: string): string {
  return `SELECT count(*)::DOUBLE AS n FROM ${table}`;
}

/**
 * One compaction of a hot table into `warm`, in a single transaction so a crash leaves either
 * the hot rows or the sorted copy, never both and never neither. Sorting by (tag_id, ts) is what
 * lets zone maps skip every row group but a tag's own. `latest` keeps the newest point per tag
 * so open() need not scan the history.
 */
export function compactStatements(table: string): string[] {
  return [
    `INSERT INTO warm SELECT * FROM ${table} ORDER BY tag_id, ts`,
    `INSERT INTO latest SELECT tag_id, l.ts, l.c, l.v, l.s FROM (
       SELECT tag_id, arg_max({ts: ts, c: c, v: v, s: s}, ts) AS l FROM ${table} GROUP BY tag_id)`,
    `DELETE FROM latest WHERE rowid NOT IN (SELECT arg_max(rowid, ts) FROM latest GROUP BY tag_id)`,
    `DELETE FROM ${table}`,
  ];
}

/**
 * Merges all the small sorted runs in `warm` into one big run in `cold`. A query touches one or
 * two row groups per run, so fewer, longer runs read faster; they also compress twice as well
 * (measured: 2.2 against 4.3 bytes per point for 8 M- against 2 M-row runs).
 */
export const MERGE_STATEMENTS = [`INSERT INTO cold SELECT * FROM warm ORDER BY tag_id, ts`, `DELETE FROM warm`];

/** Retention: every table loses the rows older than $1. */
export const RETENTION_TABLES = ['cold', 'warm', ...HOT_TABLES, 'latest'] as const;

/** Point count for stats. */
export const COUNT_POINTS = `SELECT count(*)::DOUBLE AS n FROM points`;
