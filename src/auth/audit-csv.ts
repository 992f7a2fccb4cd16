/**
 * Audit records as CSV (RFC 4180): a header row, every cell quoted when it holds a comma, quote
 * or line break, and text cells that a spreadsheet would run as a formula (starting with = + - @,
 * tab or carriage return) prefixed with a single quote, so an actor name or a target chosen by an
 * attacker cannot run in the auditor's spreadsheet.
 * @module
 */
import type { AuditRecord } from '../core/audit-port.js';

/** Columns of the export, in order. */
export const AUDIT_CSV_COLUMNS = ['seq', 'time', 'ts', 'tenant', 'actor', 'actorId', 'action', 'target', 'outcome', 'detail', 'prevHash', 'hash'] as const;

/** One CSV cell. Numbers are written as they are; text is defused and quoted as needed. */
export function csvCell(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record as a CSV line (without the line break). */
export function auditCsvRow(r: AuditRecord): string {
  return [r.seq, new Date(r.ts).toISOString(), r.ts, r.tenant, r.actor, r.actorId, r.action, r.target, r.outcome, r.detail, r.prevHash, r.hash].map(csvCell).join(',');
}

/** The header and the records, CRLF-separated as RFC 4180 asks. */
export function auditCsv(records: Iterable<AuditRecord>): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(auditCsvRow(r));
  return `${lines.join('\r\n')}\r\n`;
}
