import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../core/audit-port.js';
import type { Principal } from '../core/auth.js';
import type { ConnectorContext, ConnectorCounters, ConnectorTag, SupervisedConnector, TagIssue } from '../core/connector-port.js';
import type { ConnectorDefinition, ModbusSettings, OpcUaSettings } from '../core/connector-settings.js';
import type { ConnectorStatus } from '../core/connector-status.js';
import { LightsoutError } from '../core/errors.js';
import type { CandidatePoint } from '../core/ingest-port.js';
import type { Value } from '../core/point.js';
import { SqliteConnectorStore } from '../store/sqlite/sqlite-connector-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ConnectorSupervisor } from './connector-supervisor.js';

const person = (id: string, role: 'viewer' | 'operator' | 'engineer', scope = '', tenant = 'acme'): Principal => ({
  kind: 'user', id, name: id, tenant, grants: [{ role, scope }], platformOperator: false,
});
const eng = person('erin', 'engineer');
const viewer = person('vic', 'viewer', 'site/area');
const lineEng = person('lee', 'engineer', 'site/area/line-1');
const other = person('olga', 'engineer', '', 'globex');

/**
 * A connector whose behaviour the test sets: the supervisor's logic is what is under test here;
 * the real OPC UA and Modbus connectors run against real servers in their own tests.
 */
class ScriptedConnector implements SupervisedConnector {
  readonly kind: string;
  state: ConnectorStatus = { state: 'starting', since: 0 };
  n: ConnectorCounters = { points: 0, errors: 0, reconnects: 0, writes: 0 };
  written: Array<[string, Value]> = [];
  throwOnStatus = false;
  stopped = false;
  constructor(readonly id: string, readonly def: ConnectorDefinition, readonly ctx: ConnectorContext) {
    this.kind = def.kind;
    if (def.kind === 'modbus' && def.settings.host === 'bad') throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', 'register "x" overlaps register "y"');
  }
  status(): ConnectorStatus {
    if (this.throwOnStatus) throw new Error('boom');
    return this.state;
  }
  counters(): ConnectorCounters { return this.n; }
  tagIssues(): TagIssue[] { return [{ tag: 'site/area/line-1/m/bad', code: 'LIGHTSOUT_DEVICE_ERROR', message: 'illegal data address', since: 1 }]; }
  tags(): ConnectorTag[] {
    return this.def.kind === 'modbus' ? this.def.settings.groups.flatMap((g) => g.registers.map((r) => ({ path: r.tag, writable: r.writable === true }))) : [];
  }
  async start(): Promise<void> {
    if (this.def.kind === 'modbus' && this.def.settings.host === 'throws') throw new Error('driver exploded');
    this.state = { state: 'connected', since: 5 };
  }
  async stop(): Promise<void> { this.stopped = true; }
  async write(tag: string, value: Value): Promise<void> { this.written.push([tag, value]); }
  async call(): Promise<void> { throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', 'no methods'); }
}

const modbus = (id: string, host = '10.0.0.1'): ConnectorDefinition => ({
  id, tenant: 'acme', kind: 'modbus', enabled: true,
  settings: { host, groups: [{ name: 'g', intervalMs: 1000, registers: [{ tag: 'site/area/line-1/m/sp', area: 'holding-register', address: 0, type: 'float32', writable: true }, { tag: 'site/area/line-1/m/pv', area: 'input-register', address: 0, type: 'float32' }] }] } satisfies ModbusSettings,
});
const opcua = (id: string, password: string): ConnectorDefinition => ({
  id, tenant: 'acme', kind: 'opcua', enabled: true,
  settings: { endpointUrl: 'opc.tcp://x:4840', securityMode: 'SignAndEncrypt', login: { kind: 'username', username: 'op', password } } satisfies OpcUaSettings,
});

let sqlite: SqliteStore;
let sup: ConnectorSupervisor;
let made: ScriptedConnector[];
let audit: AuditEntry[];
let stale: Array<[string, readonly string[]]>;
let submitted: Array<[string, string, CandidatePoint[]]>;

async function boot(config: ConnectorDefinition[] = []): Promise<void> {
  sup = new ConnectorSupervisor({
    create: (def, ctx) => {
      const c = new ScriptedConnector(def.id, def, ctx);
      made.push(c);
      return c;
    },
    store: new SqliteConnectorStore(sqlite.connection()),
    audit: { record: async (e) => { audit.push(e); } },
    submit: async (tenant, source, points) => { submitted.push([tenant, source, points]); },
    stale: (tenant, paths) => stale.push([tenant, paths]),
    dataDir: (tenant, id) => join(tmpdir(), tenant, id),
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await sup.start(config);
}

beforeEach(async () => {
  sqlite = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'lo-sup-')), 'm.sqlite'));
  await sqlite.open();
  made = [];
  audit = [];
  stale = [];
  submitted = [];
});
afterEach(async () => {
  await sup?.stop();
  await sqlite.close();
});

describe('ConnectorSupervisor', () => {
  it('adds, lists, changes and removes connectors, audited, and they survive a restart', async () => {
    await boot();
    const v = await sup.add(eng, modbus('press-plc'));
    expect(v).toMatchObject({ id: 'press-plc', kind: 'modbus', state: 'connected', origin: 'api', tags: 2, tagIssues: 1 });
    expect(sup.list(viewer).map((c) => c.id)).toEqual(['press-plc']);
    expect(sup.list(other)).toEqual([]);
    await sup.replace(eng, 'press-plc', { ...modbus('press-plc', '10.0.0.2'), description: 'press line 1' });
    expect(made).toHaveLength(4); // add: validation + running; replace: validation + running
    expect(made[1]!.stopped).toBe(true);
    expect(stale).toEqual([['acme', ['site/area/line-1/m/sp', 'site/area/line-1/m/pv']]]);
    await sup.stop();
    made = [];
    await boot();
    expect(sup.list(eng)).toMatchObject([{ id: 'press-plc', description: 'press line 1' }]);
    await sup.remove(eng, 'press-plc');
    expect(sup.list(eng)).toEqual([]);
    expect(audit.map((a) => a.action)).toEqual(['connector.create', 'connector.update', 'connector.delete']);
  });

  it('refuses what is not allowed or not valid, saving nothing', async () => {
    await boot();
    await expect(sup.add(lineEng, modbus('a'))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(sup.add(viewer, modbus('a'))).rejects.toMatchObject({ code: 'LIGHTSOUT_FORBIDDEN' });
    await expect(sup.add(eng, modbus('a', 'bad'))).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST', message: expect.stringContaining('overlaps') });
    const badPath = modbus('b');
    if (badPath.kind === 'modbus') badPath.settings.groups[0]!.registers[0]!.tag = 'site//x';
    await expect(sup.add(eng, badPath)).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST', message: expect.stringContaining('site//x') });
    await sup.add(eng, modbus('c'));
    await expect(sup.add(eng, modbus('c'))).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    expect(() => sup.detail(other, 'c')).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_NOT_FOUND' }));
    await expect(sup.remove(other, 'c')).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_FOUND' });
    expect(sup.list(eng).map((c) => c.id)).toEqual(['c']);
  });

  it('keeps config-file connectors read-only', async () => {
    await boot([modbus('from-file')]);
    expect(sup.list(eng)).toMatchObject([{ id: 'from-file', origin: 'config', state: 'connected' }]);
    await expect(sup.remove(eng, 'from-file')).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
    await expect(sup.replace(eng, 'from-file', modbus('from-file'))).rejects.toMatchObject({ code: 'LIGHTSOUT_CONFLICT' });
  });

  it('isolates a connector that throws: only its own status shows it', async () => {
    await boot();
    await sup.add(eng, modbus('good'));
    await sup.add(eng, modbus('broken', 'throws'));
    const byId = Object.fromEntries(sup.list(eng).map((c) => [c.id, c]));
    expect(byId.good).toMatchObject({ state: 'connected' });
    expect(byId.broken).toMatchObject({ state: 'stopped', lastError: 'driver exploded' });
    made.filter((c) => c.id === 'good').pop()!.throwOnStatus = true;
    expect(sup.list(eng).find((c) => c.id === 'good')).toMatchObject({ state: 'degraded', lastError: 'status unavailable' });
  });

  it('hides passwords and keeps them when the placeholder comes back', async () => {
    await boot();
    await sup.add(eng, opcua('ua', 's3cret-pass'));
    const d = sup.detail(eng, 'ua').definition;
    expect(JSON.stringify(d)).not.toContain('s3cret-pass');
    expect(JSON.stringify(audit)).not.toContain('s3cret-pass');
    await sup.replace(eng, 'ua', { ...opcua('ua', '********'), description: 'x' });
    const running = made[made.length - 1]!;
    expect(running.def.kind === 'opcua' && running.def.settings.login.kind === 'username' && running.def.settings.login.password).toBe('s3cret-pass');
  });

  it('dispatches writes to the connector that serves the tag', async () => {
    await boot();
    await sup.add(eng, modbus('m'));
    const d = sup.dispatcher();
    expect(d.owns('acme', 'site/area/line-1/m/sp')).toBe(true);
    expect(d.owns('acme', 'site/area/line-1/m/pv')).toBe(false);
    expect(d.owns('globex', 'site/area/line-1/m/sp')).toBe(false);
    expect(d.online('acme', 'site/area/line-1/m/sp')).toBe(true);
    await d.send({ tenant: 'acme', commandId: 'c1', action: { kind: 'write', tag: 'site/area/line-1/m/sp', value: 42 } });
    expect(made[made.length - 1]!.written).toEqual([['site/area/line-1/m/sp', 42]]);
  });

  it('hands points to ingest under the connector tenant and kind', async () => {
    await boot();
    await sup.add(eng, modbus('m'));
    await made[made.length - 1]!.ctx.emit([{ tag: 'site/area/line-1/m/pv', value: 1.5, ts: 10 }]);
    expect(submitted).toEqual([['acme', 'modbus', [{ tag: 'site/area/line-1/m/pv', value: 1.5, ts: 10 }]]]);
  });
});
