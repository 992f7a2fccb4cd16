import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../core/audit-port.js';
import type { CommandDispatcher, DispatchRequest } from '../core/command-port.js';
import type { TagRecord } from '../core/metadata-port.js';
import type { Point } from '../core/point.js';
import type { RuleDefinition } from '../core/rule-port.js';
import { CommandService } from '../commands/command-service.js';
import { SqliteCommandStore } from '../store/sqlite/sqlite-command-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { RuleActionRunner, rulePrincipal } from './rule-action-runner.js';

const M = 'site/area/line-1/cnc-01';
const OTHER = 'site/area/line-1/cnc-02';

/** A device that owns every tag of both machines and records what it was sent. */
class Device implements CommandDispatcher {
  sent: DispatchRequest[] = [];
  owns(_t: string, path: string): boolean {
    return path.startsWith(`${M}/`) || path.startsWith(`${OTHER}/`);
  }
  online(): boolean {
    return true;
  }
  async send(req: DispatchRequest): Promise<void> {
    this.sent.push(req);
  }
}

let sqlite: SqliteStore;
let device: Device;
let audit: AuditEntry[];
let tags: Map<string, TagRecord>;
let values: Map<string, Point>;
let commands: CommandService;
let runner: RuleActionRunner;

const rule = (id: string, asset = M): RuleDefinition => ({
  id, tenant: 'acme', asset, name: id, enabled: true,
  condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80 }, alarm: { priority: 'high', message: 'hot' },
});

function tag(path: string, extra: Partial<TagRecord> = {}): void {
  tags.set(path, { id: tags.size + 1, tenant: 'acme', path, type: 'number', source: 'sparkplug', createdTs: 0, ...extra });
}

beforeEach(async () => {
  sqlite = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'lightsout-rule-action-')), 'metadata.sqlite'));
  await sqlite.open();
  device = new Device();
  audit = [];
  tags = new Map();
  values = new Map();
  tag(`${M}/Commands/stop`, { type: 'boolean' });
  tag(`${M}/coolant_sp`, { writable: true });
  tag(`${M}/feed_sp`, { writable: true, critical: true });
  tag(`${M}/guarded_sp`, { writable: true, interlock: 'state != "fault"' });
  tag(`${M}/state`, { type: 'string' });
  tag(`${OTHER}/coolant_sp`, { writable: true });
  values.set(`${M}/state`, { tag: `${M}/state`, ts: 1, value: 'fault', quality: 'good' });
  commands = new CommandService({
    store: new SqliteCommandStore(sqlite.connection()), dispatcher: device, audit: { record: async (e) => void audit.push(e) },
    tags: { get: (_t, p) => tags.get(p), list: (_t, prefix = '') => [...tags.values()].filter((t) => t.path.startsWith(prefix)) },
    latest: (_t, p) => values.get(p),
    settings: { ttlSeconds: 60, maxTtlSeconds: 600, readbackMs: 10_000, userPerMinute: 100, machinePerMinute: 100 },
  });
  await commands.start();
  runner = new RuleActionRunner({ commands });
});
afterEach(async () => sqlite.close());

describe('rule actions through the command path', () => {
  it('a call goes to the rule\'s machine, requested and confirmed by rule:<id>, and is sent', async () => {
    const id = await runner.run(rule('spindle-hot'), { on: 'raise', command: { kind: 'call', method: 'stop' } });
    expect(device.sent).toHaveLength(1);
    expect(device.sent[0]!.action).toEqual({ kind: 'call', machine: M, method: 'stop' });
    const cmd = await commands.get(rulePrincipal(rule('spindle-hot')), id);
    expect(cmd.requestedBy).toEqual({ id: 'rule:spindle-hot', name: 'rule:spindle-hot' });
    expect(cmd.history.map((h) => h.state)).toContain('sent');
    expect(audit.filter((a) => a.actor === 'rule:spindle-hot').map((a) => a.action)).toEqual(expect.arrayContaining(['command.requested', 'command.confirmed']));
  });

  it('a write names a tag relative to the rule\'s asset; each run is a new command', async () => {
    const a = await runner.run(rule('coolant'), { on: 'raise', command: { kind: 'write', tag: 'coolant_sp', value: 12 } });
    const b = await runner.run(rule('coolant'), { on: 'clear', command: { kind: 'write', tag: 'coolant_sp', value: 20 } });
    expect(a).not.toBe(b);
    expect(device.sent.map((s) => s.action)).toEqual([{ kind: 'write', tag: `${M}/coolant_sp`, value: 12 }, { kind: 'write', tag: `${M}/coolant_sp`, value: 20 }]);
  });

  it('a critical tag waits for a person\'s approval: nothing is sent until then', async () => {
    const id = await runner.run(rule('feed'), { on: 'raise', command: { kind: 'write', tag: 'feed_sp', value: 1 } });
    expect(device.sent).toEqual([]);
    const p = rulePrincipal(rule('feed'));
    expect((await commands.get(p, id)).state).toBe('awaiting-approval');
    const person = { kind: 'user' as const, id: 'u1', name: 'olga', tenant: 'acme', grants: [{ role: 'operator' as const, scope: '' }], platformOperator: false };
    await commands.approve(person, id);
    expect(device.sent).toHaveLength(1);
  });

  it('an interlock that does not hold rejects the action with LIGHTSOUT_INTERLOCK', async () => {
    await expect(runner.run(rule('guarded'), { on: 'raise', command: { kind: 'write', tag: 'guarded_sp', value: 3 } })).rejects.toMatchObject({ code: 'LIGHTSOUT_INTERLOCK' });
    expect(device.sent).toEqual([]);
  });

  it('a rule holds the operator role on its own asset only', async () => {
    const p = rulePrincipal(rule('coolant'));
    expect(p).toMatchObject({ kind: 'system', tenant: 'acme', grants: [{ role: 'operator', scope: M }], platformOperator: false });
    await expect(commands.request(p, { kind: 'write', tag: `${OTHER}/coolant_sp`, value: 1, idempotencyKey: 'x' })).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
  });
});
