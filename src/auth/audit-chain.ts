/**
 * The audit trail's hash chain: canonical serialisation of records, their SHA-256 hashes, and the
 * HMAC that seals the head (the anchor) with a key derived from the install secret.
 *
 * A record's hash is `SHA-256(prevHash + "\n" + canonical(fields))`, where canonical is JSON with
 * keys in sorted order at every depth, so the same record always gives the same bytes.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditFields, AuditSeal } from '../core/audit-port.js';

/** JSON with object keys sorted at every depth; undefined members are left out, as in JSON. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortKeys(x)));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && typeof x !== 'function') out[k] = sortKeys(x);
    }
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** The detail object as stored: canonical JSON, or `''` for none or an empty object. */
export function detailText(detail: Record<string, unknown> | undefined): string {
  if (detail === undefined || Object.keys(detail).length === 0) return '';
  return canonicalJson(detail);
}

/** The bytes a record's hash covers, besides the previous hash. */
export function canonicalFields(f: AuditFields): string {
  return canonicalJson({
    action: f.action, actor: f.actor, actorId: f.actorId, detail: f.detail, outcome: f.outcome,
    seq: f.seq, target: f.target, tenant: f.tenant, ts: f.ts,
  });
}

/** SHA-256 (hex) of a record chained onto `prevHash`. */
export function recordHash(prevHash: string, f: AuditFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalFields(f)).digest('hex');
}

/** The seal a store uses: record hashes plus the anchor's HMAC under `anchorKey`. */
export function auditSeal(anchorKey: Buffer): AuditSeal {
  return {
    hash: recordHash,
    mac: (seq, hash) => anchorMac(anchorKey, seq, hash),
  };
}

/** HMAC-SHA256 (hex) of an anchor. */
export function anchorMac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`audit-anchor\n${seq}\n${hash}`).digest('hex');
}

/** Constant-time check of an anchor's MAC. */
export function anchorMacValid(key: Buffer, seq: number, hash: string, mac: string): boolean {
  const want = Buffer.from(anchorMac(key, seq, hash), 'hex');
  const got = Buffer.from(mac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
