import { execFile } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteAuditStore } from '../store/sqlite/sqlite-audit-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { canonicalJson, recordHash } from './audit-chain.js';
import { AuditLog } from './audit-log.js';
import { installSecret } from './install-secret.js';

const run = promisify(execFile);
const opened: SqliteStore[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function openLog(dir = mkdtempSync(join(tmpdir(), 'lightsout-audit-'))): Promise<{ dir: string; log: AuditLog; store: SqliteStore }> {
  const store = new SqliteStore(join(dir, 'metadata.sqlite'));
  await store.open();
  opened.push(store);
  return { dir, store, log: new AuditLog(new SqliteAuditStore(store.connection()), installSecret(dir)) };
}

async function fill(log: AuditLog, n: number, tenant = 'acme'): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await log.record({ tenant, actor: 'alice', actorId: 'u1', action: i % 2 ? 'user.create' : 'token.revoke', target: `thing-${i}`, outcome: 'ok', detail: { i, note: 'x' } });
  }
}

/** Tamper with the file the way someone with file access could: around the append-only triggers. */
function tamper(dir: string, sql: string): void {
  const db = new Database(join(dir, 'metadata.sqlite'));
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

describe('audit chain', () => {
  it('serialises with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('chains each record onto the one before and changes the hash with any field', async () => {
    const { log } = await openLog();
    const a = await log.append({ tenant: 'acme', actor: 'alice', actorId: 'u1', action: 'user.create', target: 'bob', outcome: 'ok', ts: 1000 });
    const b = await log.append({ tenant: 'acme', actor: 'alice', actorId: 'u1', action: 'user.delete', target: 'bob', outcome: 'ok', ts: 1001, detail: { reason: 'left' } });
    expect(a.seq).toBe(1);
    expect(a.prevHash).toBe('0'.repeat(64));
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    expect(b.detail).toBe('{"reason":"left"}');
    expect(recordHash(a.hash, b)).toBe(b.hash);
    expect(recordHash(a.hash, { ...b, target: 'carol' })).not.toBe(b.hash);
    expect(recordHash(a.hash, { ...b, seq: 3 })).not.toBe(b.hash);
    expect(recordHash(b.hash, b)).not.toBe(b.hash);
  });

  it('creates the install secret once, 32 bytes, mode 0600', async () => {
    const { dir } = await openLog();
    const s1 = installSecret(dir);
    expect(s1.length).toBe(32);
    expect(installSecret(dir).equals(s1)).toBe(true);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});

describe('audit search', () => {
  it('filters by tenant always, and by time, actor, action prefix, target, outcome; pages by seq', async () => {
    const { log } = await openLog();
    await fill(log, 6);
    await log.record({ tenant: 'other', actor: 'mallory', actorId: 'u9', action: 'user.create', target: 'thing-1', outcome: 'ok' });
    await log.record({ tenant: 'acme', actor: 'bob', actorId: 'u2', action: 'auth.login', target: 'bob', outcome: 'failed', detail: { address: '10.0.0.1' } });
    const all = await log.search({ tenant: 'acme' });
    expect(all.map((r) => r.seq)).toEqual([8, 6, 5, 4, 3, 2, 1]);
    expect(all.every((r) => r.tenant === 'acme')).toBe(true);
    expect((await log.search({ tenant: 'acme', action: 'user.' })).map((r) => r.target)).toEqual(['thing-5', 'thing-3', 'thing-1']);
    expect((await log.search({ tenant: 'acme', actor: 'bob' })).map((r) => r.action)).toEqual(['auth.login']);
    expect((await log.search({ tenant: 'acme', outcome: 'failed' })).length).toBe(1);
    expect((await log.search({ tenant: 'acme', target: 'ing-4' })).map((r) => r.seq)).toEqual([4]);
    expect((await log.search({ tenant: 'acme', target: '%' })).length).toBe(0);
    expect((await log.search({ tenant: 'acme', limit: 2, before: 5 })).map((r) => r.seq)).toEqual([4, 3]);
    const t = all.find((r) => r.seq === 3)!.ts;
    expect((await log.search({ tenant: 'acme', from: t, to: t + 1 })).every((r) => r.ts === t)).toBe(true);
    expect((await log.search({ tenant: 'other' })).map((r) => r.actor)).toEqual(['mallory']);
  });
});

describe('audit verify on a real SQLite file', () => {
  it('passes an untouched trail, and an empty one', async () => {
    const { log } = await openLog();
    expect(await log.verify()).toEqual({ ok: true, records: 0 });
    await fill(log, 5);
    expect(await log.verify()).toEqual({ ok: true, records: 5 });
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const { log, store } = await openLog();
    await fill(log, 2);
    expect(() => store.connection().exec("UPDATE audit_log SET target = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => store.connection().exec('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
  });

  it('names an edited record', async () => {
    const { dir, log } = await openLog();
    await fill(log, 5);
    tamper(dir, `UPDATE audit_log SET detail = '{"i":3,"note":"changed"}' WHERE seq = 3`);
    const r = await log.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 3, problem: 'edited' });
  });

  it('names an edited record even when its hash was recomputed', async () => {
    const { dir, log, store } = await openLog();
    await fill(log, 5);
    const rec = (await new SqliteAuditStore(store.connection()).scan(2, 1))[0]!;
    const forged = { ...rec, target: 'someone-else' };
    tamper(dir, `UPDATE audit_log SET target = 'someone-else', hash = '${recordHash(rec.prevHash, forged)}' WHERE seq = 3`);
    expect((await log.verify()).firstBad).toMatchObject({ seq: 3, problem: 'edited' });
  });

  it('detects a deleted middle record', async () => {
    const { dir, log } = await openLog();
    await fill(log, 5);
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 2');
    expect((await log.verify()).firstBad).toMatchObject({ seq: 2, problem: 'deleted' });
  });

  it('detects a deleted first record', async () => {
    const { dir, log } = await openLog();
    await fill(log, 3);
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 1');
    expect((await log.verify()).firstBad).toMatchObject({ seq: 1, problem: 'deleted' });
  });

  it('detects a deleted last record through the sealed anchor, also after later appends', async () => {
    const { dir, log } = await openLog();
    await fill(log, 5);
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 5');
    const r = await log.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 5, problem: 'tail deleted' });
    // New records chain onto the anchored head: the hole stays visible.
    await fill(log, 1);
    expect((await log.verify()).firstBad).toMatchObject({ seq: 5, problem: 'deleted' });
  });

  it('detects a tail deletion that also rolled the anchor back, by its seal', async () => {
    const { dir, log } = await openLog();
    await fill(log, 5);
    const db = new Database(join(dir, 'metadata.sqlite'));
    const h = db.prepare('SELECT hash FROM audit_log WHERE seq = 4').get() as { hash: string };
    db.close();
    tamper(dir, `DELETE FROM audit_log WHERE seq = 5; UPDATE audit_anchor SET seq = 4, hash = '${h.hash}'`);
    expect((await log.verify()).firstBad).toMatchObject({ seq: 4, problem: 'tail deleted' });
  });

  it('detects a removed anchor', async () => {
    const { dir, log } = await openLog();
    await fill(log, 3);
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 3; DELETE FROM audit_anchor');
    expect((await log.verify()).firstBad).toMatchObject({ problem: 'tail deleted' });
  });

  it('detects reordered records', async () => {
    const { dir, log } = await openLog();
    await fill(log, 5);
    // Swap positions 2 and 3 (each keeps its own contents and hashes).
    tamper(dir, 'UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -2;');
    expect((await log.verify()).firstBad).toMatchObject({ seq: 2, problem: 'reordered' });
  });

  it('keeps the chain valid when two processes append at once', async () => {
    const { dir, log } = await openLog();
    await fill(log, 1);
    const script = join(import.meta.dirname, '../../test/fixtures/audit-append.ts');
    const child = (name: string) => run(process.execPath, ['--import', 'tsx', script, dir, '40', name], { timeout: 60_000 });
    await Promise.all([child('p1'), child('p2'), fill(log, 20)]);
    const r = await log.verify();
    expect(r).toEqual({ ok: true, records: 101 });
  }, 90_000);
});
