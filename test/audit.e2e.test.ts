/**
 * The audit trail through the real platform and the real CLI: actions are recorded, searchable
 * by the tenant's admins only, exported as formula-safe CSV; tampering with the SQLite file is
 * named by /api/v1/audit/verify and by `lightsout audit verify` (exit 1).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../src/app.js';
import type { Principal } from '../src/core/auth.js';
import { auditCsv } from '../src/auth/audit-csv.js';
import { getJson, sendJson, startTestPlatform } from './helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const LINE = 'expo/hall/line-1';

let platform: Platform & { dataDir: string };
const operator: Principal = { kind: 'system', id: 'test', name: 'test', tenant: 'demo', grants: [{ role: 'admin', scope: '' }], platformOperator: true };

/** The real CLI from source, on a data directory. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Minimal RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += '"', i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), cell = '';
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), row = [], cell = '', i++;
    else cell += c;
  }
  return rows;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  const r = await sendJson('POST', `${platform.httpUrl}/api/v1/ingest`, { points: [{ tag: `${LINE}/press/speed`, value: 1, ts: Date.now() }] });
  expect(r.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

describe('audit trail API', () => {
  it('records configuration changes with old and new values', async () => {
    await sendJson('PATCH', `${platform.httpUrl}/api/v1/tags`, { tags: [{ path: `${LINE}/press/speed`, unit: 'rpm', description: 'Spindle, "main"\nspeed' }] });
    await sendJson('PATCH', `${platform.httpUrl}/api/v1/tags`, { tags: [{ path: `${LINE}/press/speed`, unit: 'rpm' }] }); // no change: no record
    await sendJson('PATCH', `${platform.httpUrl}/api/v1/assets`, { assets: [{ path: 'expo', timeZone: 'Europe/Paris' }] });
    const tags = await getJson(`${platform.httpUrl}/api/v1/audit?action=tag.meta`);
    expect(tags.status).toBe(200);
    expect(tags.body.records).toHaveLength(1);
    expect(tags.body.records[0]).toMatchObject({
      tenant: 'demo', action: 'tag.meta', target: `${LINE}/press/speed`, outcome: 'ok', actor: expect.stringMatching(/admin/i),
      detail: { old: { unit: null, description: null }, new: { unit: 'rpm', description: 'Spindle, "main"\nspeed' } },
    });
    const assets = await getJson(`${platform.httpUrl}/api/v1/audit?action=asset.&target=expo`);
    expect(assets.body.records[0]).toMatchObject({ action: 'asset.meta', detail: { old: { timeZone: null }, new: { timeZone: 'Europe/Paris' } } });
  });

  it('records failed logins, and filters by outcome and actor', async () => {
    const bad = await sendJson('POST', `${platform.httpUrl}/api/v1/auth/login`, { username: 'admin', password: 'not-the-password' }, {});
    expect(bad.status).toBe(401);
    const r = await getJson(`${platform.httpUrl}/api/v1/audit?action=auth.login&outcome=denied&actor=admin`);
    expect(r.body.records.length).toBeGreaterThanOrEqual(1);
    expect(r.body.records.every((x: any) => x.outcome === 'denied' && x.actor === 'admin')).toBe(true);
  });

  it('pages newest first with before/next', async () => {
    const all = await getJson(`${platform.httpUrl}/api/v1/audit?limit=1000`);
    const seqs = all.body.records.map((r: any) => r.seq);
    expect(seqs.length).toBeGreaterThan(3);
    expect([...seqs].sort((a: number, b: number) => b - a)).toEqual(seqs);
    const p1 = await getJson(`${platform.httpUrl}/api/v1/audit?limit=2`);
    const p2 = await getJson(`${platform.httpUrl}/api/v1/audit?limit=2&before=${p1.body.next}`);
    expect([...p1.body.records, ...p2.body.records].map((r: any) => r.seq)).toEqual(seqs.slice(0, 4));
  });

  it('shows a tenant\'s admins only that tenant\'s records; viewers get 403', async () => {
    await platform.authAdmin.createTenant(operator, { id: 'other' });
    const otherAdmin = { ...operator, tenant: 'other', platformOperator: false };
    const oa = await platform.authAdmin.createUser(operator, { username: 'other-admin', tenant: 'other', grants: [{ role: 'admin', scope: '' }] });
    const t = await platform.authAdmin.createToken({ ...otherAdmin, kind: 'user', id: oa.user.id, name: 'other-admin' }, { name: 'other-admin-token' });
    const other = await getJson(`${platform.httpUrl}/api/v1/audit?limit=1000`, { authorization: `Bearer ${t.secret}` });
    expect(other.status).toBe(200);
    expect(other.body.records.length).toBeGreaterThan(0);
    expect(other.body.records.every((r: any) => r.tenant === 'other')).toBe(true);
    const csv = await fetch(`${platform.httpUrl}/api/v1/audit.csv`, { headers: { authorization: `Bearer ${t.secret}` } });
    expect(await csv.text()).not.toMatch(/tag\.meta|,demo,/);

    const av = await platform.authAdmin.createUser(operator, { username: 'audit-viewer', grants: [{ role: 'engineer', scope: '' }] });
    const v = await platform.authAdmin.createToken({ ...operator, kind: 'user', id: av.user.id, name: 'audit-viewer', grants: [{ role: 'engineer', scope: '' }], platformOperator: false }, { name: 'engineer-token' });
    for (const path of ['/api/v1/audit', '/api/v1/audit.csv', '/api/v1/audit/verify']) {
      expect((await getJson(`${platform.httpUrl}${path}`, { authorization: `Bearer ${v.secret}` })).status, path).toBe(403);
    }
  });

  it('exports CSV with a header, RFC 4180 quoting and formula-prefixed cells defused', async () => {
    // Token names may start with - or @: a spreadsheet would run them as formulas.
    const admin = (await platform.auth.store.findUser('admin'))!;
    const me: Principal = { kind: 'user', id: admin.id, name: admin.username, tenant: admin.tenant, grants: admin.grants, platformOperator: admin.platformOperator };
    for (const name of ['-2-3', '@sum 1']) await platform.authAdmin.createToken(me, { name });
    const res = await fetch(`${platform.httpUrl}/api/v1/audit.csv`, { headers: { authorization: (await import('./helpers.js')).ADMIN_AUTH.authorization } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="lightsout-audit-demo-/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(['seq', 'time', 'ts', 'tenant', 'actor', 'actorId', 'action', 'target', 'outcome', 'detail', 'prevHash', 'hash']);
    expect(rows.slice(1).every((r) => r.length === 12)).toBe(true);
    const targets = rows.map((r) => r[7]);
    expect(targets).toContain("'-2-3");
    expect(targets).toContain("'@sum 1");
    expect(rows.slice(1).every((r) => !/^[=+\-@]/.test(r[7]!) && !/^[=+\-@]/.test(r[4]!))).toBe(true);
    const meta = rows.find((r) => r[6] === 'tag.meta')!;
    expect(JSON.parse(meta[9]!).new.description).toBe('Spindle, "main"\nspeed');
  });

  it('escapes quotes, commas, line breaks and every formula prefix (unit)', () => {
    const rec = { seq: 1, ts: 0, tenant: 't', actor: '=cmd|"/c calc"!A1', actorId: '+1', action: 'a,b', target: 'line\nbreak', outcome: 'ok' as const, detail: '\t=x', prevHash: '@', hash: '-' };
    const rows = parseCsv(auditCsv([rec]));
    expect(rows[1]).toEqual(['1', '1970-01-01T00:00:00.000Z', '0', 't', `'=cmd|"/c calc"!A1`, "'+1", 'a,b', 'line\nbreak', 'ok', "'\t=x", "'@", "'-"]);
  });
});

describe('audit verification, API and CLI, on the live data directory', () => {
  it('passes an untouched trail', async () => {
    const r = await getJson(`${platform.httpUrl}/api/v1/audit/verify`);
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(r.body.records).toBeGreaterThan(5);
    const c = await cli('audit', 'verify', '--data-dir', platform.dataDir);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/audit trail OK: \d+ records checked/);
  }, 60_000);

  it('names an edited record (API and CLI exit 1), then a deleted one', async () => {
    const target = (await getJson(`${platform.httpUrl}/api/v1/audit?action=tag.meta`)).body.records[0].seq as number;
    const db = new Database(join(platform.dataDir, 'metadata.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    db.prepare(`UPDATE audit_log SET detail = replace(detail, 'rpm', 'rps') WHERE seq = ?`).run(target);
    db.close();
    const r = await getJson(`${platform.httpUrl}/api/v1/audit/verify`);
    expect(r.body).toMatchObject({ ok: false, firstBad: { seq: target, problem: 'edited' } });
    const c = await cli('audit', 'verify', '--data-dir', platform.dataDir);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(`record ${target} edited`);

    const db2 = new Database(join(platform.dataDir, 'metadata.sqlite'));
    db2.prepare('DELETE FROM audit_log WHERE seq = ?').run(target - 1);
    db2.close();
    const c2 = await cli('audit', 'verify', '--data-dir', platform.dataDir);
    expect(c2.code).toBe(1);
    expect(c2.stderr).toContain(`record ${target - 1} deleted`);
  }, 60_000);

  it('exports the trail from the CLI as CSV', async () => {
    const c = await cli('audit', 'export', '--csv', '--tenant', 'other', '--data-dir', platform.dataDir);
    expect(c.code).toBe(0);
    const rows = parseCsv(c.stdout);
    expect(rows[0]![0]).toBe('seq');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((r) => r[3] === 'other')).toBe(true);
  }, 60_000);
});
