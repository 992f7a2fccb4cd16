import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { MachineSim } from './machine-sim.js';
import { MACHINE_TYPES } from './machine-types.js';
import { SparkplugEdgeNode } from './sparkplug-edge-node.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { sparkplugMessages, startTestSubscriber, type TestSubscriber } from './test-subscriber.js';

const GROUP = 'shanghai-lingang:assembly';

function press(): MachineSim {
  return new MachineSim({ type: MACHINE_TYPES.press, seed: 'edge-test', startMs: Date.now() });
}

const bdSeqOf = (p: { metrics: { name?: string; value?: unknown }[] }) => Number(p.metrics.find((m) => m.name === 'bdSeq')?.value);

describe('SparkplugEdgeNode', () => {
  let broker: TestBroker;
  let sub: TestSubscriber;
  let node: SparkplugEdgeNode | undefined;

  beforeEach(async () => {
    broker = await startTestBroker();
    sub = await startTestSubscriber(broker.url, ['spBv1.0/#']);
  });

  afterEach(async () => {
    await node?.stop(500);
    node = undefined;
    await sub.close();
    await broker.close();
  });

  it('lets its Will (NDEATH, same bdSeq) fire on an unclean loss, then births again with the next bdSeq', async () => {
    const sim = press();
    node = new SparkplugEdgeNode({ mqttUrl: broker.url, groupId: GROUP, edgeNodeId: 'line-1', devices: [{ id: 'press-01', tags: sim.tags, values: sim.values }], reconnectPeriodMs: 100 });
    await node.start();
    await sub.waitFor((m) => sparkplugMessages(m).some((x) => x.type === 'DBIRTH'), 3000, 'DBIRTH');
    // Cut the TCP connection without an MQTT DISCONNECT, as a power loss would.
    const client = (node as unknown as { client: MqttClient }).client;
    client.stream.destroy();
    await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'NBIRTH').length >= 2, 5000, 'second NBIRTH');
    const sp = sparkplugMessages(sub.messages);
    const types = sp.map((x) => x.type);
    expect(types.slice(0, 3)).toEqual(['NBIRTH', 'DBIRTH', 'NDEATH']);
    expect(bdSeqOf(sp[0]!.payload)).toBe(0);
    expect(bdSeqOf(sp[2]!.payload)).toBe(0);
    const reborn = sp.filter((x) => x.type === 'NBIRTH')[1]!;
    expect(reborn.payload.seq).toBe(0);
    expect(bdSeqOf(reborn.payload)).toBe(1);
    // A clean stop now names the new session.
    await node.stop();
    await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'NDEATH').length >= 2, 3000, 'clean NDEATH');
    expect(bdSeqOf(sparkplugMessages(sub.messages).filter((x) => x.type === 'NDEATH')[1]!.payload)).toBe(1);
  });

  it('waits for the primary host STATE online before birth when given a host id', async () => {
    const sim = press();
    node = new SparkplugEdgeNode({ mqttUrl: broker.url, groupId: GROUP, edgeNodeId: 'line-2', devices: [{ id: 'press-01', tags: sim.tags, values: sim.values }], hostId: 'lightsout' });
    await node.start();
    expect(node.publishDevice(0, Date.now())).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(sparkplugMessages(sub.messages)).toEqual([]);
    await sub.client.publishAsync('spBv1.0/STATE/lightsout', JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });
    await sub.waitFor((m) => sparkplugMessages(m).some((x) => x.type === 'DBIRTH'), 3000, 'birth after STATE');
    expect(node.online).toBe(true);
    expect(node.publishDevice(0, Date.now())).toBe(true);
  });

  it('with QoS 1 keeps at most maxInFlight messages unacknowledged and loses none', async () => {
    const sim = press();
    node = new SparkplugEdgeNode({ mqttUrl: broker.url, groupId: GROUP, edgeNodeId: 'line-3', devices: [{ id: 'press-01', tags: sim.tags, values: sim.values }], qos: 1, maxInFlight: 8 });
    await node.start();
    const gate = (node as unknown as { gate: { inFlight: number } }).gate;
    let sent = 0;
    let maxSeen = 0;
    const deadline = Date.now() + 500;
    while (Date.now() < deadline) {
      // Bursts of 20 outrun the PUBACKs, so the window has to close.
      for (let i = 0; i < 20; i++) {
        if (node.publishDevice(0, Date.now())) sent++;
        maxSeen = Math.max(maxSeen, gate.inFlight);
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(maxSeen).toBeLessThanOrEqual(8);
    expect(sent).toBeGreaterThan(50);
    expect(node.counters.dropped).toBeGreaterThan(0); // the window did close
    await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'DDATA').length === sent, 3000, 'every DDATA');
  });
});
