/**
 * The one way the DuckDB historian turns a driver error into a LightsoutError: code
 * LIGHTSOUT_STORAGE_FAILED, a message naming the operation, the driver's error kept as `cause`.
 * @module
 */
import { LightsoutError } from '../../../core/errors.js';

/** Wrap `err` (a LightsoutError passes through unchanged). */
export function storageError(what: string, err: unknown): LightsoutError {
  if (err instanceof LightsoutError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `historian ${what} failed: ${detail}`, { cause: err });
}
