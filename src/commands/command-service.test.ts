import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../core/audit-port.js';
import type { Principal } from '../core/auth.js';
import type { CommandDispatcher, DispatchRequest } from '../core/command-port.js';
import type { TagRecord } from '../core/metadata-port.js';
import type { Point } from '../core/point.js';
import { SqliteCommandStore } from '../store/sqlite/sqlite-command-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { CommandService, type CommandServiceOptions } from './command-service.js';

const M = 'site/area/line-1/cnc-01';
const SP = `${M}/spindle_speed_sp`;
const SEAL = `${M}/seal_temp_sp`;

const person = (id: string, role: 'viewer' | 'operator' | 'engineer' = 'operator', scope = ''): Principal => ({
  kind: 'user', id, name: id, tenant: 'acme', grants: [{ role, scope }], platformOperator: false,
});
const alice = person('alice');
const bob = person('bob');

class FakeDevice implements CommandDispatcher {
  online_ = true;
  sent: DispatchRequest[] = [];
  fail = false;
  owns(_t: string, path: string): boolean {
    return path.startsWith(`${M}/`);
  }
  online(): boolean {
    return this.online_;
  }
  async send(req: DispatchRequest): Promise<void> {
    if (this.fail) throw new Error('broker down');
    this.sent.push(req);
  }
}

let dir: string;
let sqlite: SqliteStore;
let clock: number;
let device: FakeDevice;
let audit: AuditEntry[];
let values: Map<string, Point>;
let tags: Map<string, TagRecord>;
let svc: CommandService;

function tag(path: string, extra: Partial<TagRecord> = {}): void {
  tags.set(path, { id: tags.size + 1, tenant: 'acme', path, type: 'number', source: 'sparkplug', createdTs: 0, ...extra });
}
function value(path: string, v: Point['value'], quality: Point['quality'] = 'good'): void {
  values.set(path, { tag: path, ts: clock, value: v, quality });
}
function service(extra: Partial<CommandServiceOptions> = {}): CommandService {
  return new CommandService({
    store: new SqliteCommandStore(sqlite.connection()), dispatcher: device, audit: { record: async (e) => void audit.push(e) },
    tags: { get: (_t, p) => tags.get(p), list: (_t, prefix = '') => [...tags.values()].filter((t) => t.path.startsWith(prefix)) },
    latest: (_t, p) => values.get(p),
    settings: { ttlSeconds: 60, maxTtlSeconds: 600, readbackMs: 10_000, userPerMinute: 20, machinePerMinute: 10 },
    now: () => clock, ...extra,
  });
}
const write = (v: number, key = `k-${v}-${Math.random()}`, extra = {}) => ({ kind: 'write' as const, tag: SP, value: v, idempotencyKey: key, ...extra });
const states = (c: { history: Array<{ state: string }> }) => c.history.map((h) => h.state);
/** The device applies the write: a good point after the send, fed to the service as ingest would. */
function readback(path: string, v: Point['value']): void {
  clock += 5;
  value(path, v);
  svc.observe('acme', [values.get(path)!]);
}
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lightsout-cmd-'));
  sqlite = new SqliteStore(join(dir, 'metadata.sqlite'));
  await sqlite.open();
  clock = 1_000_000;
  device = new FakeDevice();
  audit = [];
  values = new Map();
  tags = new Map();
  tag(SP, { writable: true, min: 0, max: 15000, interlock: 'state != "fault"' });
  tag(`${M}/state`, { type: 'string' });
  tag(`${M}/spindle/speed`);
  tag(SEAL, { writable: true, critical: true });
  tag(`${M}/Commands/stop`, { type: 'boolean' });
  value(`${M}/state`, 'running');
  value(`${M}/spindle/speed`, 8000);
  value(SP, 8000);
  svc = service();
  await svc.start();
});
afterEach(async () => sqlite.close());

describe('command lifecycle', () => {
  it('walks requested → authorised → awaiting-confirmation → sent → acknowledged → succeeded, auditing each step', async () => {
    const r = await svc.request(alice, write(9000));
    expect(r.created).toBe(true);
    expect(r.currentValue).toBe(8000);
    expect(r.interlock).toMatchObject({ holds: true, values: { state: 'running' } });
    expect(r.command.state).toBe('awaiting-confirmation');
    const c = await svc.confirm(alice, r.command.id);
    expect(c.state).toBe('acknowledged');
    expect(device.sent).toEqual([{ tenant: 'acme', commandId: c.id, action: { kind: 'write', tag: SP, value: 9000 } }]);
    readback(SP, 9000);
    await settle();
    const done = await svc.get(alice, c.id);
    expect(done.state).toBe('succeeded');
    expect(states(done)).toEqual(['requested', 'authorised', 'awaiting-confirmation', 'sent', 'acknowledged', 'succeeded']);
    expect(done).toMatchObject({ previousValue: 8000, readbackValue: 9000, reason: 'read back 9000' });
    expect(audit.map((a) => a.action)).toEqual(['command.requested', 'command.confirmed', 'command.sent', 'command.succeeded']);
    expect(audit.every((a) => a.tenant === 'acme' && a.target === SP)).toBe(true);
  });

  it('does not count a readback older than the send or of another value', async () => {
    const r = await svc.request(alice, write(9100));
    await svc.confirm(alice, r.command.id);
    svc.observe('acme', [{ tag: SP, ts: clock - 1, value: 9100, quality: 'good' }]);
    readback(SP, 8000);
    await settle();
    expect((await svc.get(alice, r.command.id)).state).toBe('acknowledged');
    clock += 10_001;
    await svc.sweep();
    const failed = await svc.get(alice, r.command.id);
    expect(failed.state).toBe('failed');
    expect(failed.reason).toMatch(/no readback of the requested value within 10000 ms \(last read 8000\)/);
  });

  it('a call succeeds when the machine echoes Commands/<method>', async () => {
    const r = await svc.request(alice, { kind: 'call', machine: M, method: 'stop', idempotencyKey: 'stop-1' });
    await svc.confirm(alice, r.command.id);
    readback(`${M}/Commands/stop`, true);
    await settle();
    expect((await svc.get(alice, r.command.id))).toMatchObject({ state: 'succeeded', readbackValue: true });
    await expect(svc.request(alice, { kind: 'call', machine: M, method: 'launch', idempotencyKey: 'x' })).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_WRITABLE' });
  });

  it('fails when the connector cannot send', async () => {
    device.fail = true;
    const r = await svc.request(alice, write(1));
    const c = await svc.confirm(alice, r.command.id);
    expect(c).toMatchObject({ state: 'failed', reason: 'the connector could not send it: broker down' });
  });

  it('cancels before sending, not after', async () => {
    const r = await svc.request(alice, write(2));
    expect((await svc.cancel(alice, r.command.id)).state).toBe('cancelled');
    await expect(svc.confirm(alice, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    const s = await svc.request(alice, write(3));
    await svc.confirm(alice, s.command.id);
    await expect(svc.cancel(alice, s.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    expect(audit.filter((a) => a.action === 'command.cancelled')).toHaveLength(1);
  });
});

describe('authorisation', () => {
  it('needs the operator role on the tag, a writable tag, the right type and range', async () => {
    await expect(svc.request(person('vic', 'viewer'), write(1))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.request(person('olga', 'operator', 'site/area/line-2'), write(1))).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    await expect(svc.request(person('ola', 'operator', 'site/area/line-1'), write(1))).resolves.toMatchObject({ created: true });
    await expect(svc.request(alice, { kind: 'write', tag: `${M}/spindle/speed`, value: 1, idempotencyKey: 'a' })).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_WRITABLE' });
    await expect(svc.request(alice, { kind: 'write', tag: SP, value: 'fast', idempotencyKey: 'b' })).rejects.toMatchObject({ code: 'LIGHTSOUT_TYPE_MISMATCH' });
    await expect(svc.request(alice, write(15001))).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    await expect(svc.request(alice, write(-1))).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    await expect(svc.request(alice, write(1, 'k', { ttlSeconds: 601 }))).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
    expect(audit.filter((a) => a.action === 'command.rejected' && a.outcome === 'denied').length).toBeGreaterThanOrEqual(6);
  });

  it('only the requester confirms; commands of another tenant are not found', async () => {
    const r = await svc.request(alice, write(4));
    await expect(svc.confirm(bob, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.get({ ...bob, tenant: 'other' }, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    await expect(svc.confirm({ ...alice, tenant: 'other' }, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
  });
});

describe('idempotency', () => {
  it('the same key from the same principal returns the existing command; other content conflicts', async () => {
    const a = await svc.request(alice, write(5, 'same'));
    const b = await svc.request(alice, write(5, 'same'));
    expect(b.created).toBe(false);
    expect(b.command.id).toBe(a.command.id);
    await expect(svc.request(alice, write(6, 'same'))).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    const other = await svc.request(bob, write(5, 'same'));
    expect(other.command.id).not.toBe(a.command.id);
    clock += 24 * 3600_000 + 1;
    expect((await svc.request(alice, write(6, 'same'))).created).toBe(true);
  });
});

describe('time to live', () => {
  it('a command past its TTL is never sent: at confirm, and by the sweeper', async () => {
    const r = await svc.request(alice, write(7, 'ttl', { ttlSeconds: 5 }));
    clock += 5001;
    await expect(svc.confirm(alice, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_EXPIRED' });
    expect((await svc.get(alice, r.command.id)).state).toBe('expired');
    const s = await svc.request(alice, write(8, 'ttl2', { ttlSeconds: 5 }));
    clock += 5001;
    await svc.sweep();
    expect(await svc.get(alice, s.command.id)).toMatchObject({ state: 'expired', reason: 'time to live ran out before it was sent' });
    expect(device.sent).toHaveLength(0);
    expect(audit.filter((a) => a.action === 'command.expired')).toHaveLength(2);
  });

  it('waits while the device is offline and sends on return within TTL', async () => {
    device.online_ = false;
    const r = await svc.request(alice, write(9, 'off1', { ttlSeconds: 30 }));
    expect((await svc.confirm(alice, r.command.id)).state).toBe('queued');
    clock += 10_000;
    await svc.sweep();
    expect(device.sent).toHaveLength(0);
    device.online_ = true;
    await svc.sweep();
    expect(device.sent.map((s) => s.commandId)).toEqual([r.command.id]);
    expect((await svc.get(alice, r.command.id)).state).toBe('acknowledged');
  });

  it('expires while the device is offline and is never sent, even after the device reconnects', async () => {
    device.online_ = false;
    const r = await svc.request(alice, write(10, 'off2', { ttlSeconds: 30 }));
    await svc.confirm(alice, r.command.id);
    clock += 30_001;
    await svc.sweep();
    device.online_ = true;
    await svc.sweep();
    clock += 60_000;
    await svc.sweep();
    expect(device.sent).toHaveLength(0);
    expect(await svc.get(alice, r.command.id)).toMatchObject({ state: 'expired', reason: 'time to live ran out while the device was offline; never sent' });
    expect(states(await svc.get(alice, r.command.id))).toEqual(['requested', 'authorised', 'awaiting-confirmation', 'queued', 'expired']);
  });

  it('after a restart: unsent commands within TTL carry on, sent ones fail, stale ones expire', async () => {
    device.online_ = false;
    const queued = await svc.request(alice, write(11, 'r1', { ttlSeconds: 100 }));
    await svc.confirm(alice, queued.command.id);
    const stale = await svc.request(alice, write(12, 'r2', { ttlSeconds: 5 }));
    device.online_ = true;
    const sent = await svc.request(alice, write(13, 'r3'));
    await svc.confirm(alice, sent.command.id);
    clock += 6000;
    const again = service();
    await again.start();
    expect(await again.get(alice, sent.command.id)).toMatchObject({ state: 'failed', reason: 'platform restarted' });
    expect((await again.get(alice, stale.command.id)).state).toBe('expired');
    expect((await again.get(alice, queued.command.id)).state).toBe('queued');
    await again.sweep();
    expect((await again.get(alice, queued.command.id)).state).toBe('acknowledged');
  });
});

describe('interlocks', () => {
  it('false at request: rejected with the expression and the values seen', async () => {
    value(`${M}/state`, 'fault');
    const err = (await svc.request(alice, write(14, 'il1')).catch((e: unknown) => e)) as { code: string; message: string; details: Record<string, unknown> };
    expect(err).toMatchObject({ code: 'LIGHTSOUT_INTERLOCK', details: { expression: 'state != "fault"', values: { state: 'fault' } } });
    expect(err.message).toContain('state="fault"');
    const stored = await svc.get(alice, err.details.command as string);
    expect(stored.state).toBe('rejected');
    expect(audit.map((a) => a.action)).toEqual(['command.requested', 'command.rejected']);
  });

  it('turning false before send: rejected at confirm, nothing sent', async () => {
    const r = await svc.request(alice, write(15, 'il2'));
    value(`${M}/state`, 'fault');
    await expect(svc.confirm(alice, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_INTERLOCK' });
    expect((await svc.get(alice, r.command.id)).state).toBe('rejected');
    expect(device.sent).toHaveLength(0);
  });

  it('turning false while queued for an offline device: rejected when it returns', async () => {
    device.online_ = false;
    const r = await svc.request(alice, write(16, 'il3'));
    await svc.confirm(alice, r.command.id);
    value(`${M}/state`, 'fault');
    device.online_ = true;
    await svc.sweep();
    expect((await svc.get(alice, r.command.id)).state).toBe('rejected');
    expect(device.sent).toHaveLength(0);
  });

  it('fails safe on a missing or bad-quality variable; uses relative names and the tags map', async () => {
    tags.get(SP)!.interlock = 'spindle_speed < 9000.0 && tags["spindle/speed"] > 0';
    expect((await svc.request(alice, write(17, 'il4'))).interlock?.holds).toBe(true);
    value(`${M}/spindle/speed`, 8000, 'bad');
    await expect(svc.request(alice, write(18, 'il5'))).rejects.toMatchObject({ code: 'LIGHTSOUT_INTERLOCK', message: expect.stringContaining('spindle_speed is of bad quality') });
    values.delete(`${M}/spindle/speed`);
    await expect(svc.request(alice, write(19, 'il6'))).rejects.toMatchObject({ code: 'LIGHTSOUT_INTERLOCK', message: expect.stringContaining('spindle_speed is missing') });
  });

  it('validates an interlock when an engineer saves it', () => {
    expect(() => svc.validateInterlock('acme', SP, 'state != "fault" && spindle_speed < 100.0')).not.toThrow();
    expect(() => svc.validateInterlock('acme', SP, 'state !=')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_EXPRESSION', message: expect.stringContaining('at position 8') }));
    expect(() => svc.validateInterlock('acme', SP, 'guard_closed')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_EXPRESSION', message: expect.stringContaining('Unknown variable: guard_closed') }));
    expect(() => svc.validateInterlock('acme', SP, '"yes"')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_EXPRESSION' }));
    // A method's interlock names the machine's tags, not tags under Commands/.
    expect(() => svc.validateInterlock('acme', `${M}/Commands/stop`, 'spindle_speed < 100.0')).not.toThrow();
  });
});

describe('critical tags', () => {
  it('need a second, different person with the operator role to approve', async () => {
    const r = await svc.request(alice, { kind: 'write', tag: SEAL, value: 170, idempotencyKey: 'c1' });
    expect(r.command.critical).toBe(true);
    expect((await svc.confirm(alice, r.command.id)).state).toBe('awaiting-approval');
    expect(device.sent).toHaveLength(0);
    await expect(svc.approve(alice, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.approve({ ...alice, id: 'alice-token', kind: 'token' }, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(svc.approve(person('vera', 'viewer'), r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    const c = await svc.approve(bob, r.command.id);
    expect(c).toMatchObject({ state: 'acknowledged', approvedBy: { id: 'bob', name: 'bob' } });
    expect(states(c)).toEqual(['requested', 'authorised', 'awaiting-confirmation', 'awaiting-approval', 'sent', 'acknowledged']);
    expect(audit.map((a) => a.action)).toContain('command.approved');
  });

  it('an approval after the TTL expires the command', async () => {
    const r = await svc.request(alice, { kind: 'write', tag: SEAL, value: 171, idempotencyKey: 'c2', ttlSeconds: 10 });
    await svc.confirm(alice, r.command.id);
    clock += 10_001;
    await expect(svc.approve(bob, r.command.id)).rejects.toMatchObject({ code: 'LIGHTSOUT_EXPIRED' });
    expect(device.sent).toHaveLength(0);
  });
});

describe('rate limits', () => {
  it('per principal and per machine, per minute', async () => {
    const svc2 = service({ settings: { ttlSeconds: 60, maxTtlSeconds: 600, readbackMs: 10_000, userPerMinute: 3, machinePerMinute: 5 } });
    for (let i = 0; i < 3; i++) await svc2.request(alice, write(100 + i));
    await expect(svc2.request(alice, write(200))).rejects.toMatchObject({ code: 'LIGHTSOUT_RATE_LIMITED' });
    await svc2.request(bob, write(201));
    await svc2.request(bob, write(202));
    await expect(svc2.request(bob, write(203))).rejects.toMatchObject({ code: 'LIGHTSOUT_RATE_LIMITED', message: expect.stringContaining(M) });
    clock += 60_000;
    expect((await svc2.request(alice, write(204))).created).toBe(true);
  });
});
