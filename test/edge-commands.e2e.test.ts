/**
 * The edge agent's Sparkplug session seen from the broker (a Mosquitto of our own): births with
 * the connector's tags and methods, DDATA by alias, a rebirth on NCMD, DCMD writes and method
 * calls forwarded to the connector, and a new tag making its device birth again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload, type SpPayload } from '../src/connectors/sparkplug/codec.js';
import type { ConnectorContext, SupervisedConnector } from '../src/core/connector-port.js';
import type { Value } from '../src/core/point.js';
import { EdgeAgent } from '../src/edge/edge-agent.js';
import { parseEdgeConfig } from '../src/edge/edge-config.js';
import { freePort, tempDir, waitFor } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

describe('edge agent Sparkplug session', () => {
  it('births, publishes by alias, rebirths on NCMD, forwards DCMD writes and calls', async () => {
    const dir = tempDir('edge-cmd-');
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
    const broker: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
    cleanup.push(async () => broker.kill('SIGTERM'));
    const url = `mqtt://127.0.0.1:${port}`;
    const seen: { topic: string; p: SpPayload }[] = [];
    const spy = await waitFor(() => mqtt.connectAsync(url).catch(() => undefined), 5000, 'mosquitto');
    cleanup.push(() => spy.endAsync());
    spy.on('message', (topic, payload) => {
      if (!topic.includes('CMD')) seen.push({ topic, p: decodePayload(payload) });
    });
    await spy.subscribeAsync('spBv1.0/#', { qos: 1 });

    const calls: string[] = [];
    let ctx!: ConnectorContext;
    const connector: SupervisedConnector = {
      id: 'plc', kind: 'opcua',
      status: () => ({ state: 'connected', since: 0 }) as never, counters: () => ({ points: 0, errors: 0, reconnects: 0, writes: 0 }),
      tagIssues: () => [], tags: () => [{ path: 'm1/speed_sp', type: 'number', writable: true }],
      start: async () => undefined, stop: async () => undefined,
      write: async (tag: string, value: Value) => void calls.push(`write ${tag}=${value}`),
      call: async (machine: string, method: string) => void calls.push(`call ${machine}.${method}`),
    };
    const config = parseEdgeConfig({
      central: { mqttUrl: url, groupId: 'g1', edgeNodeId: 'n1' },
      buffer: { dir: join(dir, 'buffer') },
      connectors: [{ id: 'plc', kind: 'opcua', settings: { endpointUrl: 'opc.tcp://x:4840', securityMode: 'None', allowInsecure: true, login: { kind: 'anonymous' }, methods: [{ machine: 'm1', method: 'stop', objectId: 'o', methodId: 'm' }] } }],
    });
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const agent = new EdgeAgent({ config, log: silent, createConnector: (_def, c) => ((ctx = c), connector) });
    cleanup.push(() => agent.stop());
    await agent.start();

    const dbirth = await waitFor(() => seen.find((m) => m.topic === 'spBv1.0/g1/DBIRTH/n1/plc'), 5000, 'DBIRTH');
    expect(seen[0]!.topic).toBe('spBv1.0/g1/NBIRTH/n1');
    expect(dbirth.p.metrics.map((m) => [m.name, m.datatype])).toEqual([['m1/speed_sp', DataType.Double], ['m1/Commands/stop', DataType.Boolean]]);
    const alias = dbirth.p.metrics[0]!.alias;

    await ctx.emit([{ tag: 'm1/speed_sp', ts: 1000, value: 12.5 }]);
    const ddata = await waitFor(() => seen.find((m) => m.topic === 'spBv1.0/g1/DDATA/n1/plc'), 5000, 'DDATA');
    expect(ddata.p.metrics).toEqual([expect.objectContaining({ alias, timestamp: 1000, value: 12.5 })]);
    expect(ddata.p.metrics[0]!.name).toBeUndefined();
    expect(ddata.p.seq).toBe(2);

    // A tag never seen: its device births again (with it) before the DDATA that carries it.
    await ctx.emit([{ tag: 'm1/mode', ts: 1001, value: 'auto' }]);
    await waitFor(() => seen.filter((m) => m.topic.includes('/DDATA/')).length === 2, 5000, 'second DDATA');
    const births = seen.filter((m) => m.topic.includes('/DBIRTH/'));
    expect(births).toHaveLength(2);
    expect(births[1]!.p.metrics.map((m) => m.name)).toContain('m1/mode');
    // The birth restates the acknowledged value, flagged historical (the platform drops it as known).
    expect(births[1]!.p.metrics[0]).toMatchObject({ name: 'm1/speed_sp', value: 12.5, timestamp: 1000, isHistorical: true });

    const cmd = (metrics: SpPayload['metrics']) => Buffer.from(encodePayload({ timestamp: Date.now(), metrics }));
    await spy.publishAsync('spBv1.0/g1/DCMD/n1/plc', cmd([{ name: 'm1/speed_sp', datatype: DataType.Double, value: 30 }, { name: 'm1/Commands/stop', datatype: DataType.Boolean, value: true }]));
    await waitFor(() => calls.length === 2, 5000, 'commands');
    expect(calls).toEqual(['write m1/speed_sp=30', 'call m1.stop']);

    const nbirths = () => seen.filter((m) => m.topic === 'spBv1.0/g1/NBIRTH/n1').length;
    await spy.publishAsync('spBv1.0/g1/NCMD/n1', cmd([{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }]));
    await waitFor(() => nbirths() === 2, 5000, 'rebirth');
    expect(agent.counters.livePoints).toBe(2);
  }, 30_000);
});
