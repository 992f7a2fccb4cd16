/**
 * The OPC UA connector against a real node-opcua server (the virtual factory's OpcUaMachineServer)
 * started in the test: certificates, logins, subscriptions, quality, deadband, browse, writes and
 * calls, unknown nodes, and a server restart in the middle of a stream of counter values.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, StatusCodes, setLogLevel } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcUaConnector } from '../src/connectors/opcua/opcua-connector.js';
import type { ConnectorContext } from '../src/core/connector-port.js';
import type { OpcUaSettings } from '../src/core/connector-settings.js';
import type { CandidatePoint } from '../src/core/ingest-port.js';
import type { Value } from '../src/core/point.js';
import { OpcUaMachineServer, simNodeId, type OpcUaSimMachine } from '../src/sim/opcua-server.js';
import type { TagSpec } from '../src/sim/machine-types.js';
import { waitFor } from './helpers.js';

// node-opcua reports every refused certificate and closed channel on the console; the test asserts on statuses instead.
setLogLevel(LogLevel.Emergency);

const say = (o: object, m?: string) => console.log(new Date().toISOString().slice(17, 23), m, JSON.stringify(o));
const silent = process.env.DEBUG_OPCUA ? { debug() {}, info: say, warn: say, error: say } : { debug() {}, info() {}, warn() {}, error() {} };
const ASSET = 'plant/press/line-1/press-1';
const tag = (name: string) => `${ASSET}/${name}`;

type Recorder = ConnectorContext & { points: CandidatePoint[]; of(tag: string): CandidatePoint[] };
function recorder(dataDir: string): Recorder {
  const points: CandidatePoint[] = [];
  return { points, emit: (p) => void points.push(...p), log: silent, dataDir, of: (t) => points.filter((p) => p.tag === t) };
}

const TAGS: TagSpec[] = [
  { name: 'count', kind: 'uint32', description: 'parts' },
  { name: 'temp', kind: 'double', unit: '°C', min: 0, max: 200, description: 'temperature' },
  { name: 'speed_sp', kind: 'double', description: 'setpoint', writable: true },
  { name: 'running', kind: 'boolean', description: 'running' },
  { name: 'program', kind: 'string', description: 'program' },
];

function machine(): OpcUaSimMachine & { values: Value[]; commands: Array<{ name: string; value: Value; method?: string }>; refuse: boolean } {
  const m = {
    assetPath: ASSET, id: 'press-1', tags: TAGS, values: [0, 20.5, 10, true, 'P-100'] as Value[], methods: ['start', 'stop', 'reset'],
    commands: [] as Array<{ name: string; value: Value; method?: string }>, refuse: false,
    onCommand(cmd: { name: string; value: Value; method?: string }) {
      if (m.refuse) return false;
      m.commands.push(cmd);
      return true;
    },
  };
  return m;
}

describe('OPC UA connector against a node-opcua server', () => {
  const serverPki = join(mkdtempSync(join(tmpdir(), 'opcua-e2e-srv-')), 'pki');
  const users = [{ username: 'operator', password: 'secret-1' }];
  const m = machine();
  const server = new OpcUaMachineServer({ port: 0, machines: [m], users, pkiDir: serverPki });
  // One client PKI for the tests after the trust test, so each connector need not trust again.
  const trustedDir = mkdtempSync(join(tmpdir(), 'opcua-e2e-cli-'));
  const running: OpcUaConnector[] = [];
  function connector(settings: OpcUaSettings, dataDir = trustedDir) {
    const ctx = recorder(dataDir);
    const c = new OpcUaConnector({ id: `ua-${running.length}`, settings }, ctx);
    running.push(c);
    return { c, ctx };
  }
  const base = (): OpcUaSettings => ({ ...server.connectorSettings(), publishingIntervalMs: 100, samplingIntervalMs: 0, timeoutMs: 3000 });
  const up = (c: OpcUaConnector) => waitFor(() => ['connected', 'degraded'].includes(c.status().state), 15_000, 'connected');

  beforeAll(async () => {
    await server.start();
    // Trust the server in the shared client PKI the way an engineer would: after a refusal.
    const first = new OpcUaConnector({ id: 'trust', settings: base() }, recorder(trustedDir));
    await first.start();
    await waitFor(() => first.status().state === 'reconnecting', 10_000, 'the certificate refused');
    await first.trustServerCertificate();
    await first.stop();
  });
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await server.stop();
  });

  it('refuses securityMode None unless allowInsecure is set', () => {
    const ctx = recorder(trustedDir);
    expect(() => new OpcUaConnector({ id: 'x', settings: { ...base(), securityMode: 'None' } }, ctx)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_CONFIG_INVALID' }));
    expect(() => new OpcUaConnector({ id: 'x', settings: { ...base(), securityMode: 'None', allowInsecure: true } }, ctx)).not.toThrow();
  });

  it('an untrusted server certificate says where it went; once trusted, the connector connects (SignAndEncrypt, then Sign)', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'opcua-e2e-fresh-'));
    const { c } = connector(base(), fresh);
    await c.start();
    const st = await waitFor(() => { const s = c.status(); return s.state === 'reconnecting' ? s : undefined; }, 10_000, 'reconnecting');
    expect(st.lastError).toContain('LIGHTSOUT_CERT_UNTRUSTED');
    expect(st.lastError).toContain(join(fresh, 'pki', 'rejected'));
    expect(st.lastError).toContain(join(fresh, 'pki', 'trusted', 'certs'));
    expect(await c.trustServerCertificate()).toHaveLength(1);
    await up(c);
    expect(c.status().state).toBe('connected');
    const { c: signed, ctx } = connector({ ...base(), securityMode: 'Sign', securityPolicy: 'Aes128_Sha256_RsaOaep' }, fresh);
    await signed.start();
    await up(signed);
    await waitFor(() => ctx.of(tag('count')).length > 0, 5000, 'a value over Sign');
  });

  it('subscribes through the browse rule and keeps source timestamps and types', async () => {
    const { c, ctx } = connector(base());
    await c.start();
    await up(c);
    const ts = Date.now() - 60_000;
    m.values[0] = 7; m.values[1] = 21.25; m.values[3] = false; m.values[4] = 'P-200';
    server.update(0, ts);
    await waitFor(() => ctx.of(tag('program')).some((p) => p.value === 'P-200'), 5000, 'updated values');
    const at = (name: string) => ctx.of(tag(name)).find((p) => p.ts === ts);
    expect(at('count')).toMatchObject({ value: 7, quality: 'good' });
    expect(at('temp')).toMatchObject({ value: 21.25, quality: 'good' });
    expect(at('running')).toMatchObject({ value: false, quality: 'good' });
    expect(at('program')).toMatchObject({ value: 'P-200', quality: 'good' });
    // Variables only: the EURange property of the analog temp is metadata, not a tag.
    expect(c.tags().map((t) => t.path).sort()).toEqual(TAGS.map((t) => tag(t.name)).sort());
    const types = Object.fromEntries(c.tags().map((t) => [t.path, [t.type, t.writable]]));
    expect(types).toMatchObject({ [tag('count')]: ['number', false], [tag('running')]: ['boolean', false], [tag('program')]: ['string', false], [tag('speed_sp')]: ['number', true] });
    expect(c.counters().points).toBeGreaterThan(0);
  });

  it('maps OPC UA status codes to quality', async () => {
    const { c, ctx } = connector(base());
    await c.start();
    await up(c);
    server.setStatus(0, 'temp', StatusCodes.UncertainLastUsableValue);
    await waitFor(() => ctx.of(tag('temp')).some((p) => p.quality === 'uncertain'), 5000, 'uncertain');
    server.setStatus(0, 'temp', StatusCodes.BadSensorFailure);
    await waitFor(() => ctx.of(tag('temp')).some((p) => p.quality === 'bad'), 5000, 'bad');
    server.update(0);
    await waitFor(() => ctx.of(tag('temp')).at(-1)?.quality === 'good', 5000, 'good again');
  });

  /** Feed `values` to the sim's temperature through a connector with `deadband`; the values the connector passed on. */
  async function throughDeadband(tag: string, deadband: { kind: 'absolute' | 'percent'; value: number }, values: number[]): Promise<unknown[]> {
    const { c, ctx } = connector({ ...base(), browseRules: [], nodes: [{ nodeId: simNodeId(ASSET, 'temp'), tag, deadband, samplingIntervalMs: 0 }] });
    await c.start();
    await up(c);
    for (const v of values) {
      m.values[1] = v;
      server.update(0);
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor(() => ctx.of(tag).some((p) => p.value === values[values.length - 1]), 5000, 'last value');
    return ctx.of(tag).map((p) => p.value);
  }

  it('applies an absolute deadband', async () => {
    const seen = await throughDeadband('dead/band/x/temp', { kind: 'absolute', value: 5 }, [100, 101, 103, 110, 112, 120]);
    expect(seen.filter((v) => typeof v === 'number' && v >= 100)).toEqual([100, 110, 120]);
  });

  it('applies a percent deadband against the variable EURange (0..200: 10% is 20)', async () => {
    m.values[1] = 0;
    server.update(0);
    expect(await throughDeadband('dead/band/p/temp', { kind: 'percent', value: 10 }, [10, 19, 25, 30, 44, 46])).toEqual([0, 25, 46]);
  });

  it('browses the address space from the Objects folder down to typed variables', async () => {
    const { c } = connector(base());
    await c.start();
    await up(c);
    const root = await c.browse();
    const plant = root.find((n) => n.browseName === 'plant');
    expect(plant).toMatchObject({ hasChildren: true });
    let node = plant!;
    for (const level of ['press', 'line-1', 'press-1']) node = (await c.browse(node.nodeId)).find((n) => n.browseName === level)!;
    const leaves = await c.browse(node.nodeId);
    expect(leaves.find((n) => n.browseName === 'temp')).toMatchObject({ nodeClass: 'Variable', dataType: 'Double', nodeId: simNodeId(ASSET, 'temp') });
    expect(leaves.find((n) => n.browseName === 'start')).toMatchObject({ nodeClass: 'Method' });
    await expect(c.browse('not a node id')).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_REQUEST' });
  });

  it('writes setpoints and calls methods, with clear refusals', async () => {
    const { c } = connector(base());
    await c.start();
    await up(c);
    await c.write(tag('speed_sp'), 42.5);
    expect(m.commands.at(-1)).toEqual({ name: 'speed_sp', value: 42.5 });
    await c.call(ASSET, 'start', {});
    expect(m.commands.at(-1)).toMatchObject({ name: 'start', method: 'start' });
    await expect(c.write(tag('speed_sp'), 'fast')).rejects.toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    await expect(c.write(tag('temp'), 1)).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_WRITABLE' });
    await expect(c.call(ASSET, 'explode', {})).rejects.toMatchObject({ code: 'LIGHTSOUT_NOT_WRITABLE' });
    m.refuse = true;
    try {
      await expect(c.write(tag('speed_sp'), 1)).rejects.toMatchObject({ code: 'LIGHTSOUT_DEVICE_ERROR', message: expect.stringContaining('BadOutOfRange') });
      await expect(c.call(ASSET, 'stop', {})).rejects.toMatchObject({ code: 'LIGHTSOUT_DEVICE_ERROR', message: expect.stringContaining('BadInvalidState') });
    } finally {
      m.refuse = false;
    }
    expect(c.counters().writes).toBe(2);
  });

  it('an unknown node id is a tag issue and one bad point; the other tags keep working', async () => {
    const { c, ctx } = connector({ ...base(), browseRules: [], nodes: [
      { nodeId: simNodeId(ASSET, 'count'), tag: 'u/k/n/count', samplingIntervalMs: 0 },
      { nodeId: 'ns=1;s=no/such/node', tag: 'u/k/n/ghost' },
    ] });
    await c.start();
    await up(c);
    expect(c.status()).toMatchObject({ state: 'degraded', reason: expect.stringContaining('u/k/n/ghost') });
    expect(c.tagIssues()).toEqual([expect.objectContaining({ tag: 'u/k/n/ghost', code: 'LIGHTSOUT_NOT_FOUND', message: expect.stringContaining('BadNodeIdUnknown') })]);
    m.values[0] = 99;
    server.update(0);
    await waitFor(() => ctx.of('u/k/n/count').some((p) => p.value === 99 && p.quality === 'good'), 5000, 'good values of the other tag');
    expect(ctx.of('u/k/n/ghost')).toEqual([expect.objectContaining({ quality: 'bad' })]);
  });

  it('a wrong password is a status with the server reason, retried with backoff, not a crash', async () => {
    const { c, ctx } = connector({ ...base(), login: { kind: 'username', username: 'operator', password: 'wrong' } });
    await c.start();
    const st = await waitFor(() => { const s = c.status(); return s.state === 'reconnecting' && s.attempts >= 2 ? s : undefined; }, 10_000, 'two refused attempts');
    expect(st.lastError).toMatch(/username.*BadUserAccessDenied/);
    expect(ctx.points).toHaveLength(0);
  });

  it('logs in with an X509 user certificate', async () => {
    const own = join(trustedDir, 'pki', 'own');
    const { c, ctx } = connector({ ...base(), login: { kind: 'certificate', certificateFile: join(own, 'certs', 'client_certificate.pem'), privateKeyFile: join(own, 'private', 'private_key.pem') } });
    await c.start();
    await up(c);
    await waitFor(() => ctx.of(tag('count')).length > 0, 5000, 'a value');
    const { c: broken } = connector({ ...base(), login: { kind: 'certificate', certificateFile: join(own, 'nope.pem'), privateKeyFile: join(own, 'nope.pem') } });
    await broken.start();
    await waitFor(() => broken.status().state === 'stopped', 5000, 'stopped on unreadable login files');
    expect(broken.status()).toMatchObject({ lastError: expect.stringContaining('LIGHTSOUT_CONFIG_INVALID') });
  });

  it('server restart: resubscribes, marks stale, and every value the server produced arrives', async () => {
    const counter: TagSpec[] = [{ name: 'n', kind: 'uint32', description: 'counter' }];
    const cm = { assetPath: 'plant/restart/line-1/counter-1', id: 'counter-1', tags: counter, values: [0] as Value[], methods: [], onCommand: () => true };
    const srv = new OpcUaMachineServer({ port: 0, machines: [cm], pkiDir: serverPki });
    await srv.start();
    // Values the server took while the connector was subscribed (from its first connection on).
    const produced: number[] = [];
    let tick: NodeJS.Timeout | undefined;
    try {
      const { c, ctx } = connector({ ...srv.connectorSettings(), publishingIntervalMs: 500, samplingIntervalMs: 0, timeoutMs: 2000, browseRules: [], nodes: [{ nodeId: simNodeId(cm.assetPath, 'n'), tag: 'plant/restart/line-1/counter-1/n', queueSize: 100 }] }, mkdtempSync(join(tmpdir(), 'opcua-e2e-restart-')));
      const t = 'plant/restart/line-1/counter-1/n';
      await c.start();
      await waitFor(() => c.status().state === 'reconnecting', 10_000, 'the certificate refused');
      await c.trustServerCertificate();
      await up(c);
      tick = setInterval(() => {
        cm.values[0] = (cm.values[0] as number) + 1;
        if (srv.update(0)) produced.push(cm.values[0] as number);
      }, 100);
      await new Promise((r) => setTimeout(r, 1500));
      await srv.stop();
      await waitFor(() => c.status().state === 'reconnecting', 5000, 'reconnecting after the stop');
      await waitFor(() => ctx.of(t).some((p) => p.quality === 'bad'), 2000, 'stale mark');
      await new Promise((r) => setTimeout(r, 1500));
      await srv.start();
      await up(c);
      await new Promise((r) => setTimeout(r, 1000));
      clearInterval(tick);
      const lastProduced = produced.at(-1)!;
      await waitFor(() => ctx.of(t).some((p) => p.value === lastProduced), 5000, `the last value ${lastProduced}`);
      const got = new Set(ctx.of(t).filter((p) => p.quality === 'good').map((p) => p.value));
      const lost = produced.filter((v) => !got.has(v));
      if (process.env.DEBUG_OPCUA) console.log(JSON.stringify({ produced, got: ctx.of(t).map((p) => [p.value, p.quality, (p.ts as number) % 100000]) }));
      expect(lost).toEqual([]);
      // The gap is real: values produced while the server was down are not in `produced`.
      expect(produced.length).toBeLessThan(lastProduced);
      expect(produced.length).toBeGreaterThan(25);
      expect(c.status().state).toBe('connected');
      expect(c.counters().reconnects).toBeGreaterThanOrEqual(1);
      // Source times stay in order per tag among good values.
      const ts = ctx.of(t).filter((p) => p.quality === 'good').map((p) => p.ts as number);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    } finally {
      clearInterval(tick);
      await srv.stop();
    }
  });

  it('network drop (server stays up): reconnects through a cut link and fills the gap from server history', async () => {
    // A TCP relay between connector and server that can cut every connection and refuse new ones.
    const sockets = new Set<Socket>();
    let refusing = false;
    const relay = createServer((inbound) => {
      if (refusing) return void inbound.destroy();
      const outbound = connect(Number(new URL(server.endpointUrl).port), '127.0.0.1');
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const end = () => { inbound.destroy(); outbound.destroy(); };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayUrl = `opc.tcp://127.0.0.1:${(relay.address() as { port: number }).port}`;
    const t = 'n/e/t/count';
    const { c, ctx } = connector({ ...base(), endpointUrl: relayUrl, publishingIntervalMs: 200, browseRules: [], nodes: [{ nodeId: simNodeId(ASSET, 'count'), tag: t, samplingIntervalMs: 0, queueSize: 100 }] });
    const produced: number[] = [];
    let tick: NodeJS.Timeout | undefined;
    try {
      await c.start();
      await up(c);
      tick = setInterval(() => {
        m.values[0] = (m.values[0] as number) + 1;
        if (server.update(0)) produced.push(m.values[0] as number);
      }, 100);
      await new Promise((r) => setTimeout(r, 800));
      refusing = true;
      for (const s of sockets) s.destroy();
      await waitFor(() => c.status().state === 'reconnecting', 5000, 'reconnecting after the cut');
      await new Promise((r) => setTimeout(r, 1500));
      refusing = false;
      await up(c);
      await new Promise((r) => setTimeout(r, 500));
      clearInterval(tick);
      const lastProduced = produced.at(-1)!;
      await waitFor(() => ctx.of(t).some((p) => p.value === lastProduced), 5000, 'the last value');
      const got = new Set(ctx.of(t).filter((p) => p.quality === 'good').map((p) => p.value));
      expect(produced.filter((v) => !got.has(v))).toEqual([]);
      expect(ctx.of(t).some((p) => p.quality === 'bad')).toBe(true);
    } finally {
      clearInterval(tick);
      await c.stop();
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });
});
