import { LogLevel, OPCUAClient, AttributeIds, MessageSecurityMode, SecurityPolicy, setLogLevel } from 'node-opcua';
import { afterAll, describe, expect, it } from 'vitest';
import type { Value } from '../core/point.js';
import { OpcUaMachineServer, simNodeId } from './opcua-server.js';

setLogLevel(LogLevel.Emergency);

describe('OpcUaMachineServer', () => {
  const values: Value[] = [1, 'idle'];
  const m = {
    assetPath: 'site/area/line-1/robot-01', id: 'robot-01', methods: ['start', 'stop', 'reset'], values,
    tags: [{ name: 'speed_sp', kind: 'float' as const, writable: true, description: 'sp' }, { name: 'state', kind: 'string' as const, description: 'state' }],
    onCommand: () => true,
  };
  const server = new OpcUaMachineServer({ port: 0, machines: [m], users: [{ username: 'op', password: 'pw' }], historyValues: 0 });
  afterAll(() => server.stop());

  it('starts, serves the machine under its asset path, restarts on the same port, and describes the connector settings', async () => {
    const t0 = Date.now();
    const port = await server.start();
    const startMs = Date.now() - t0;
    expect(startMs).toBeLessThan(15_000);
    values[1] = 'running';
    expect(server.update(0, 1_700_000_000_000)).toBe(true);
    const client = OPCUAClient.create({ endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None, connectionStrategy: { maxRetry: 0 } });
    await client.connect(server.endpointUrl);
    const session = await client.createSession();
    const dv = await session.read({ nodeId: simNodeId(m.assetPath, 'state'), attributeId: AttributeIds.Value });
    expect(dv.value.value).toBe('running');
    expect(dv.sourceTimestamp?.getTime()).toBe(1_700_000_000_000);
    await session.close();
    await client.disconnect();
    await server.stop();
    expect(server.update(0)).toBe(false);
    expect(await server.start()).toBe(port);
    expect(server.connectorSettings()).toEqual({
      endpointUrl: `opc.tcp://127.0.0.1:${port}`, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256',
      login: { kind: 'username', username: 'op', password: 'pw' },
      browseRules: [{ root: 'ns=1;s=site/area/line-1/robot-01', tagPrefix: 'site/area/line-1/robot-01', maxDepth: 1 }],
      writableTags: ['site/area/line-1/robot-01/speed_sp'],
      methods: ['start', 'stop', 'reset'].map((method) => ({ machine: m.assetPath, method, objectId: 'ns=1;s=site/area/line-1/robot-01', methodId: `ns=1;s=site/area/line-1/robot-01.${method}` })),
    });
  });
});
