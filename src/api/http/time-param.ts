/**
 * Parsing of time query parameters: epoch ms or ISO 8601.
 * @module
 */
import { LightsoutError } from '../../core/errors.js';

/** Parse `from`/`to`: integer epoch ms, or an ISO 8601 date-time. */
export function parseTime(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (/^-?\d+$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n) && n >= 0) return n;
  } else if (/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    const t = Date.parse(raw);
    if (Number.isFinite(t)) return t;
  }
  throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `${name} must be epoch milliseconds or ISO 8601 (e.g. 2026-11-26T08:00:00Z), got "${raw}"`);
}
