import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, encodePayload } from '../connectors/sparkplug/codec.js';
import { decodeUns } from '../connectors/uns/uns-codec.js';
import type { IngestBatch } from '../core/ingest-port.js';
import { VirtualFactory } from './factory.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { sparkplugMessages, startTestSubscriber, type SpMessage, type TestSubscriber } from './test-subscriber.js';

const MACHINING = 'shanghai-lingang:machining';
const nodeMsgs = (all: SpMessage[], group: string) => all.filter((m) => m.group === group && m.node === 'line-1');

describe('VirtualFactory against a real broker', () => {
  let broker: TestBroker;
  let sub: TestSubscriber;
  let factory: VirtualFactory;

  beforeAll(async () => {
    broker = await startTestBroker();
    sub = await startTestSubscriber(broker.url, ['spBv1.0/#', 'uns/#']);
    // 40 Hz so a node's seq wraps past 255 within about a second.
    factory = new VirtualFactory({ mqttUrl: broker.url, rateHz: 40, seed: 'factory-test' });
    await factory.start();
  });

  afterAll(async () => {
    await factory?.stop();
    await sub?.close();
    await broker?.close();
  });

  it('births each Sparkplug line: NBIRTH with bdSeq and seq 0, then a DBIRTH per machine with aliases', async () => {
    await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'DBIRTH').length >= 10, 5000, 'ten DBIRTHs');
    const sp = sparkplugMessages(sub.messages);
    for (const group of [MACHINING, 'shanghai-lingang:assembly']) {
      const msgs = nodeMsgs(sp, group);
      const nbirth = msgs[0]!;
      expect(nbirth.type).toBe('NBIRTH');
      expect(nbirth.payload.seq).toBe(0);
      const bdSeq = nbirth.payload.metrics.find((m) => m.name === 'bdSeq');
      expect(bdSeq).toMatchObject({ datatype: DataType.Int64 });
      expect(Number(bdSeq!.value)).toBe(0);
      expect(nbirth.payload.metrics.find((m) => m.name === 'Node Control/Rebirth')).toMatchObject({ datatype: DataType.Boolean, value: false });
      const dbirths = msgs.slice(1, 6);
      expect(dbirths.map((d) => [d.type, d.payload.seq])).toEqual([1, 2, 3, 4, 5].map((s) => ['DBIRTH', s]));
      const aliases = dbirths.flatMap((d) => d.payload.metrics.map((m) => m.alias));
      expect(new Set(aliases).size).toBe(aliases.length);
      for (const d of dbirths) {
        for (const m of d.payload.metrics) {
          expect(typeof m.name).toBe('string');
          expect(typeof m.alias).toBe('number');
          expect(m.datatype).toBeGreaterThan(0);
          expect(typeof m.timestamp).toBe('number');
        }
      }
    }
    expect(nodeMsgs(sp, MACHINING)[1]!.device).toBe('cnc-01');
    expect(nodeMsgs(sp, MACHINING)[1]!.payload.metrics.map((m) => m.name)).toContain('spindle_speed');
  });

  it('sends DDATA by alias only, with values of the birth types and seq rising mod 256', async () => {
    await sub.waitFor((m) => nodeMsgs(sparkplugMessages(m), MACHINING).length > 300, 10_000, '300 messages from one node');
    const msgs = nodeMsgs(sparkplugMessages(sub.messages), MACHINING);
    const byAlias = new Map<number, { name: string; datatype: number }>();
    for (const d of msgs.filter((x) => x.type === 'DBIRTH')) for (const m of d.payload.metrics) byAlias.set(m.alias!, { name: m.name!, datatype: m.datatype! });
    const seqs = msgs.map((m) => m.payload.seq!);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i], `message ${i}`).toBe((seqs[i - 1]! + 1) % 256);
    expect(seqs).toContain(255);
    const ddata = msgs.filter((x) => x.type === 'DDATA');
    expect(ddata.length).toBeGreaterThan(250);
    for (const d of ddata) {
      for (const m of d.payload.metrics) {
        expect(m.name).toBeUndefined();
        const birth = byAlias.get(m.alias!);
        expect(birth, `alias ${m.alias}`).toBeDefined();
        const want = birth!.datatype === DataType.Boolean ? 'boolean' : birth!.datatype === DataType.String ? 'string' : 'number';
        expect(typeof m.value, birth!.name).toBe(want);
        if (birth!.name === 'state') expect(['running', 'idle', 'fault']).toContain(m.value);
      }
    }
  });

  it('publishes UNS JSON batches and single-tag messages the UNS codec accepts', async () => {
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('/conveyor-02/state')), 5000, 'a single-form UNS message');
    const uns = sub.messages.filter((m) => m.topic.startsWith('uns/'));
    const batches = uns.filter((m) => m.topic === 'uns/demo/shanghai-lingang/packaging/line-1/packer-01');
    // The first message of a session announces each tag's metadata (UNS has no birth); later ones carry bare values.
    const first = JSON.parse(batches[0]!.payload.toString()) as { ts: number; values: Record<string, unknown> };
    expect(Number.isInteger(first.ts)).toBe(true);
    expect(first.values.seal_temp).toMatchObject({ value: expect.any(Number), unit: '°C', description: expect.any(String) });
    await sub.waitFor((m) => m.filter((x) => x.topic === batches[0]!.topic).length >= 2, 5000, 'a second packer-01 batch');
    const later = sub.messages.filter((m) => m.topic === batches[0]!.topic);
    const body = JSON.parse(later[later.length - 1]!.payload.toString()) as { ts: number; values: Record<string, unknown> };
    expect(body.values).toMatchObject({ state: expect.any(String), good_count: expect.any(Number), seal_temp: expect.any(Number) });
    for (const m of uns) {
      const decoded = decodeUns(m.topic, m.payload);
      expect('points' in decoded, m.topic).toBe(true);
      const b = decoded as IngestBatch;
      expect(b.tenant).toBe('demo');
      expect(b.rejections ?? []).toEqual([]);
    }
    const single = uns.filter((m) => m.topic.includes('/conveyor-02/'));
    expect(JSON.parse(single.find((m) => m.topic.endsWith('/state'))!.payload.toString())).toMatchObject({ value: expect.any(String), quality: 'good' });
    const belt = single.filter((m) => m.topic.endsWith('/belt_speed')).map((m) => JSON.parse(m.payload.toString()) as unknown);
    expect(belt[0]).toMatchObject({ value: expect.any(Number), unit: expect.any(String) });
    if (belt.length > 1) expect(typeof belt[belt.length - 1]).toBe('number');
  });

  it('honours an NCMD rebirth: NBIRTH (seq 0, same bdSeq) and every DBIRTH again', async () => {
    const before = sub.messages.length;
    const ncmd = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }] });
    await sub.client.publishAsync(`spBv1.0/${MACHINING}/NCMD/line-1`, Buffer.from(ncmd));
    await sub.waitFor((m) => nodeMsgs(sparkplugMessages(m.slice(before)), MACHINING).filter((x) => x.type === 'DBIRTH').length >= 5, 5000, 'rebirth');
    const after = nodeMsgs(sparkplugMessages(sub.messages.slice(before)), MACHINING);
    const i = after.findIndex((x) => x.type === 'NBIRTH');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(after[i]!.payload.seq).toBe(0);
    expect(Number(after[i]!.payload.metrics.find((m) => m.name === 'bdSeq')!.value)).toBe(0);
    expect(after.slice(i + 1, i + 6).map((x) => [x.type, x.payload.seq])).toEqual([1, 2, 3, 4, 5].map((s) => ['DBIRTH', s]));
    expect(factory.stats().rebirths).toBe(1);
  });

  it('stop() sends DDEATH per machine and NDEATH with the session bdSeq, and reports what it published', async () => {
    const before = sub.messages.length;
    await factory.stop();
    await sub.waitFor((m) => sparkplugMessages(m.slice(before)).filter((x) => x.type === 'NDEATH').length >= 2, 5000, 'two NDEATHs');
    const end = sparkplugMessages(sub.messages.slice(before));
    const ndeath = end.find((x) => x.type === 'NDEATH' && x.group === MACHINING)!;
    expect(ndeath.payload.seq).toBeUndefined();
    expect(Number(ndeath.payload.metrics.find((m) => m.name === 'bdSeq')!.value)).toBe(0);
    expect(end.filter((x) => x.type === 'DDEATH' && x.group === MACHINING).map((x) => x.device)).toEqual(['cnc-01', 'cnc-02', 'robot-01', 'cnc-03', 'conveyor-01']);
    const stats = factory.stats();
    expect(stats.edgeNodes).toBe(2);
    expect(stats.unsMachines).toBe(5);
    expect(stats.points).toBeGreaterThan(1000);
    expect(stats.askedPointsPerSec).toBeGreaterThan(0);
  });
});
