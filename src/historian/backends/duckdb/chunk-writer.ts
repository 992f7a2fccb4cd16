/**
 * Turns points into DuckDB data chunks for the appender. Filling a chunk column by column and
 * appending it whole runs about twice as fast as the appender's row-by-row calls (measured:
 * ~2.9 M against ~1.6 M rows/s from JS), and the commit path is synchronous, so this is the
 * part of append() that holds the event loop.
 * @module
 */
import { BIGINT, DOUBLE, DuckDBDataChunk, INTEGER, UTINYINT, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBVector } from '@duckdb/node-api';
import type { StoredPoint } from '../../../core/point.js';
import { encodeCode } from './point-codec.js';

// Same order as the table columns: tag_id, ts, c, v, s.
const CHUNK_TYPES = [INTEGER, BIGINT, UTINYINT, DOUBLE, VARCHAR];
const CHUNK_ROWS = 2048; // DuckDB's vector size: a data chunk holds at most this many rows

/**
 * Adds every point of `batches` to the appender's buffer (not yet committed: the caller
 * flushes). Points must have passed checkBatch.
 */
export function appendPoints(appender: DuckDBAppender, batches: readonly (readonly StoredPoint[])[]): void {
  let chunk = DuckDBDataChunk.create(CHUNK_TYPES, CHUNK_ROWS);
  let cols = columnsOf(chunk);
  let n = 0;
  for (const batch of batches) {
    for (const p of batch) {
      if (n === CHUNK_ROWS) {
        for (const col of cols) col.flush();
        appender.appendDataChunk(chunk);
        chunk = DuckDBDataChunk.create(CHUNK_TYPES, CHUNK_ROWS);
        cols = columnsOf(chunk);
        n = 0;
      }
      const [tag, ts, code, v, s] = cols;
      const value = p.value;
      tag.setItem(n, p.tagId);
      ts.setItem(n, BigInt(p.ts));
      code.setItem(n, encodeCode(value, p.quality));
      if (typeof value === 'string') {
        v.setItem(n, null);
        s.setItem(n, value);
      } else {
        v.setItem(n, typeof value === 'boolean' ? (value ? 1 : 0) : value);
        s.setItem(n, null);
      }
      n++;
    }
  }
  if (n > 0) {
    for (const col of cols) col.flush();
    chunk.rowCount = n; // after flush: setting the size drops the chunk's cached vectors
    appender.appendDataChunk(chunk);
  }
}

function columnsOf(chunk: DuckDBDataChunk): [DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector] {
  return [chunk.getColumnVector(0), chunk.getColumnVector(1), chunk.getColumnVector(2), chunk.getColumnVector(3), chunk.getColumnVector(4)];
}
