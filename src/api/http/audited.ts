/**
 * Audit records for changes made through the rule, alarm and notification routes: `ok` when the
 * change went through, `denied` when the caller lacked the role. Other failures (bad input, not
 * found, wrong state) change nothing and are not recorded. A refusal is only ever about a record
 * of the caller's own tenant (others' are "not found"), so the trail never names another tenant's ids.
 * @module
 */
import type { AuditSink } from '../../core/audit-port.js';
import type { Principal } from '../../core/auth.js';
import { LightsoutError } from '../../core/errors.js';

/**
 * Run `fn` and record its outcome as `action` on `target`.
 *
 * @example
 * const rule = await audited(s.audit, p, 'rule.create', input.asset, { name: input.name }, () => rules.create(p, input));
 */
export async function audited<T>(audit: AuditSink, p: Principal, action: string, target: string, detail: Record<string, unknown> | undefined, fn: () => Promise<T> | T): Promise<T> {
  const entry = { tenant: p.tenant, actor: p.name, actorId: p.id, action, target };
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    if (err instanceof LightsoutError && err.code === 'LIGHTSOUT_FORBIDDEN') {
      await audit.record({ ...entry, outcome: 'denied', detail: { ...detail, reason: err.message } });
    }
    throw err;
  }
  await audit.record({ ...entry, outcome: 'ok', ...(detail ? { detail } : {}) });
  return result;
}
