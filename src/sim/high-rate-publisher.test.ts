import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHighRatePublisher } from './high-rate-publisher.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { sparkplugMessages, startTestSubscriber, type TestSubscriber } from './test-subscriber.js';

describe('runHighRatePublisher', () => {
  let broker: TestBroker;
  let sub: TestSubscriber;

  beforeEach(async () => {
    broker = await startTestBroker();
    sub = await startTestSubscriber(broker.url, ['spBv1.0/#']);
  });

  afterEach(async () => {
    await sub.close();
    await broker.close();
  });

  it('flat out under QoS 1: births, then only acknowledged DDATA counted, each with every metric', async () => {
    const r = await runHighRatePublisher({ mqttUrl: broker.url, nodes: 2, devices: 3, metrics: 5, rate: 0, durationS: 0.5, qos: 1, window: 8 });
    expect(r.messages).toBeGreaterThan(100);
    expect(r.points).toBe(r.messages * 5);
    expect(r.pointsPerSec).toBeGreaterThan(0);
    await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'NDEATH').length === 2, 3000, 'NDEATHs');
    const sp = sparkplugMessages(sub.messages);
    expect(sp.filter((x) => x.type === 'NBIRTH')).toHaveLength(2);
    expect(sp.filter((x) => x.type === 'DBIRTH').map((x) => `${x.node}/${x.device}`).sort()).toEqual(
      ['node-001/dev-001', 'node-001/dev-002', 'node-001/dev-003', 'node-002/dev-001', 'node-002/dev-002', 'node-002/dev-003'],
    );
    const ddata = sp.filter((x) => x.type === 'DDATA');
    // The broker acknowledged every counted message, so the subscriber has seen them all.
    expect(ddata).toHaveLength(r.messages);
    expect(ddata.every((x) => x.payload.metrics.length === 5 && x.payload.metrics.every((m) => typeof m.value === 'number'))).toBe(true);
  });

  it('holds an asked rate', async () => {
    const r = await runHighRatePublisher({ mqttUrl: broker.url, nodes: 2, devices: 3, metrics: 4, rate: 20, durationS: 1, qos: 1 });
    expect(r.askedPointsPerSec).toBe(2 * 3 * 4 * 20);
    // 2 nodes × 3 devices × 20 Hz × 1 s = 120 DDATA, give or take the first and last tick.
    expect(r.messages).toBeGreaterThanOrEqual(110);
    expect(r.messages).toBeLessThanOrEqual(126);
  });
});
