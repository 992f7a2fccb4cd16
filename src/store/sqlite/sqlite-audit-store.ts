/**
 * The audit trail in the SQLite metadata file (tables of migration 4). The platform and the CLI
 * append to the same file, so an append reads the anchored head, seals the record and moves the
 * anchor inside one `BEGIN IMMEDIATE` transaction: the write lock is taken before the head is
 * read, and no two processes can chain onto the same record.
 * @module
 */
import type Database from 'better-sqlite3';
import type { AuditAnchor, AuditFields, AuditOutcome, AuditQuery, AuditRecord, AuditSeal, AuditStore } from '../../core/audit-port.js';
import { LightsoutError } from '../../core/errors.js';

type Row = {
  seq: number; ts: number; tenant: string; actor: string; actor_id: string; action: string; target: string;
  outcome: string; detail: string; prev_hash: string; hash: string;
};

/** Hash that the first record chains onto. */
export const GENESIS_HASH = '0'.repeat(64);

function record(r: Row): AuditRecord {
  return {
    seq: r.seq, ts: r.ts, tenant: r.tenant, actor: r.actor, actorId: r.actor_id, action: r.action, target: r.target,
    outcome: r.outcome as AuditOutcome, detail: r.detail, prevHash: r.prev_hash, hash: r.hash,
  };
}

/** Escape LIKE wildcards, so a search for `50%` finds that text. */
function likeText(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** AuditStore over an open better-sqlite3 database (from SqliteStore.connection()). */
export class SqliteAuditStore implements AuditStore {
  private readonly appendTx: (fields: Omit<AuditFields, 'seq'>, seal: AuditSeal) => AuditRecord;

  constructor(private readonly db: Database.Database) {
    const headStmt = db.prepare('SELECT seq, hash, mac FROM audit_anchor WHERE id = 1');
    const insert = db.prepare(`INSERT INTO audit_log (seq, ts, tenant, actor, actor_id, action, target, outcome, detail, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const anchor = db.prepare(`INSERT INTO audit_anchor (id, seq, hash, mac) VALUES (1, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`);
    const tx = db.transaction((fields: Omit<AuditFields, 'seq'>, seal: AuditSeal): AuditRecord => {
      // Chain onto the anchored head, not the last row: after a tail was cut off, new records
      // still leave the gap visible instead of quietly reusing the removed positions.
      const head = headStmt.get() as AuditAnchor | undefined;
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      const full: AuditFields = { ...fields, seq };
      const hash = seal.hash(prevHash, full);
      insert.run(seq, full.ts, full.tenant, full.actor, full.actorId, full.action, full.target, full.outcome, full.detail, prevHash, hash);
      anchor.run(seq, hash, seal.mac(seq, hash));
      return { ...full, prevHash, hash };
    });
    this.appendTx = (fields, seal) => tx.immediate(fields, seal);
  }

  async append(fields: Omit<AuditFields, 'seq'>, seal: AuditSeal): Promise<AuditRecord> {
    try {
      return this.appendTx(fields, seal);
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `appending to the audit trail failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async search(q: AuditQuery): Promise<AuditRecord[]> {
    const where = ['tenant = ?'];
    const args: unknown[] = [q.tenant];
    if (q.from !== undefined) where.push('ts >= ?'), args.push(q.from);
    if (q.to !== undefined) where.push('ts < ?'), args.push(q.to);
    if (q.actor !== undefined) where.push('actor = ?'), args.push(q.actor);
    if (q.action !== undefined) where.push("action LIKE ? ESCAPE '\\'"), args.push(`${likeText(q.action)}%`);
    if (q.target !== undefined) where.push("target LIKE ? ESCAPE '\\'"), args.push(`%${likeText(q.target)}%`);
    if (q.outcome !== undefined) where.push('outcome = ?'), args.push(q.outcome);
    if (q.before !== undefined) where.push('seq < ?'), args.push(q.before);
    args.push(q.limit);
    const rows = this.db.prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...args) as Row[];
    return rows.map(record);
  }

  async scan(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = this.db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[];
    return rows.map(record);
  }

  async head(): Promise<AuditAnchor | undefined> {
    return this.db.prepare('SELECT seq, hash, mac FROM audit_anchor WHERE id = 1').get() as AuditAnchor | undefined;
  }
}
