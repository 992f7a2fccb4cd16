import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../core/audit-port.js';
import type { Principal } from '../core/auth.js';
import type { ShowcaseRecord } from '../core/auth-port.js';
import { ShowcaseLinks } from './showcase-links.js';

const engineer: Principal = { kind: 'user', id: 'u1', name: 'erin', tenant: 'acme', grants: [{ role: 'engineer', scope: 'site/area/line-1' }], platformOperator: false };

function service(perMinute = 100) {
  const rows = new Map<string, ShowcaseRecord>();
  const audit: AuditEntry[] = [];
  let now = 1_000_000;
  const links = new ShowcaseLinks({
    store: { getShowcase: async (id) => rows.get(id), listShowcases: async (t) => [...rows.values()].filter((r) => r.tenant === t), saveShowcase: async (r) => void rows.set(r.id, { ...r }) },
    audit: { record: async (e) => void audit.push(e) },
    perMinute,
    now: () => now,
  });
  return { links, audit, rows, advance: (ms: number) => (now += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('showcase links', () => {
  it('stores only the digest of the secret and opens with the full token', async () => {
    const { links, rows, audit } = service();
    const { record, token } = await links.create(engineer, { scope: 'site/area/line-1/', title: ' Expo ' });
    expect(record).toMatchObject({ scope: 'site/area/line-1', title: 'Expo', expiresTs: 1_000_000 + 7 * 24 * 3_600_000 });
    expect(JSON.stringify([...rows.values()])).not.toContain(token.split('.')[1]);
    expect((await links.open(token, '10.0.0.1')).id).toBe(record.id);
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([['showcase.create', 'ok']]);
  });

  it('refuses a scope outside the engineer\'s grants (audited), the whole tenant, and over 90 days', async () => {
    const { links, audit } = service();
    await expect(links.create(engineer, { scope: 'site/area/line-2', title: 'x' })).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    expect(audit.at(-1)).toMatchObject({ action: 'showcase.create', outcome: 'denied' });
    await expect(links.create(engineer, { scope: '', title: 'x' })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    await expect(links.create(engineer, { scope: 'site/area/line-1', title: 'x', expiresHours: 90 * 24 + 1 })).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
  });

  it('answers the same NOT_FOUND for expired, revoked, wrong-secret and malformed tokens', async () => {
    const { links, advance } = service();
    const a = await links.create(engineer, { scope: 'site/area/line-1', title: 'a', expiresHours: 1 });
    const b = await links.create(engineer, { scope: 'site/area/line-1', title: 'b' });
    await links.revoke(engineer, b.record.id);
    const wrong = `${a.record.id}.${'x'.repeat(43)}`;
    advance(3_600_000);
    for (const t of [a.token, b.token, wrong, 'garbage']) {
      await expect(links.open(t, '10.0.0.1')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND', message: 'no such showcase link (it may have expired or been revoked)' });
    }
  });

  it('limits per link and per address', async () => {
    const { links } = service(3);
    const { token } = await links.create(engineer, { scope: 'site/area/line-1', title: 'a' });
    for (let i = 0; i < 3; i++) await links.open(token, `10.0.0.${i}`);
    await expect(links.open(token, '10.0.0.9')).rejects.toMatchObject({ code: 'LIGHTSOUT_RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    for (let i = 0; i < 3; i++) await links.open('guess', '10.9.9.9').catch(() => undefined);
    await expect(links.open('guess', '10.9.9.9')).rejects.toMatchObject({ code: 'LIGHTSOUT_RATE_LIMITED' });
  });

  it('ends watchers on revoke and at expiry', async () => {
    vi.useFakeTimers();
    const { links, advance } = service();
    const a = await links.create(engineer, { scope: 'site/area/line-1', title: 'a', expiresHours: 1 });
    const ended: string[] = [];
    links.watch(a.record.id, a.record.expiresTs, () => ended.push('expired'));
    const b = await links.create(engineer, { scope: 'site/area/line-1', title: 'b' });
    links.watch(b.record.id, b.record.expiresTs, () => ended.push('revoked'));
    await links.revoke(engineer, b.record.id);
    expect(ended).toEqual(['revoked']);
    advance(3_600_000 - 1);
    vi.advanceTimersByTime(3_600_000 - 1);
    expect(ended).toEqual(['revoked']);
    advance(1);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(['revoked', 'expired']);
  });
});
