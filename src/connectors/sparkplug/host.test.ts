import { describe, expect, it } from 'vitest';
import type { Point } from '../../core/point.js';
import { DataType, decodePayload, encodePayload } from './codec.js';
import type { SpPayload } from './codec.js';
import { SparkplugHost } from './host.js';
import type { HostClock } from './host.js';
import { pathMapping } from './mapping.js';
import { PayloadType } from './schema.js';

/** A clock the test moves by hand: timers fire only inside advance(). */
class FakeClock implements HostClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

const T = 1_700_000_000_000;
const G = 'plant:area';
const N = 'line-1';
const topic = (type: string, device?: string) => `spBv1.0/${G}/${type}/${N}${device ? `/${device}` : ''}`;

function harness(reorderTimeoutMs = 2000) {
  const clock = new FakeClock(T + 60_000);
  const emitted: Point[][] = [];
  const published: { topic: string; payload: Uint8Array; opts: { qos: 0 | 1; retain: boolean } }[] = [];
  const rejects: { reason: string; topic: string }[] = [];
  const host = new SparkplugHost({
    hostId: 'lightsout',
    mapping: pathMapping(),
    publish: (t, payload, opts) => void published.push({ topic: t, payload, opts }),
    emit: (points) => emitted.push(points),
    onReject: (reason, t) => rejects.push({ reason, topic: t }),
    clock,
    reorderTimeoutMs,
  });
  const send = (type: string, p: SpPayload, device?: string) => host.handle(topic(type, device), encodePayload(p));
  const points = () => emitted.flat();
  const take = () => emitted.splice(0).flat();
  return { clock, host, emitted, published, rejects, send, points, take };
}

const nbirth = (seq = 0, bdSeq = 0n): SpPayload => ({ timestamp: T, seq, metrics: [
  { name: 'bdSeq', timestamp: T, datatype: DataType.Int64, value: bdSeq },
  { name: 'Node Control/Rebirth', alias: 1, timestamp: T, datatype: DataType.Boolean, value: false },
  { name: 'Temp', alias: 2, timestamp: T - 5, datatype: DataType.Double, value: 20.5 },
  { name: 'Count', alias: 3, timestamp: T, datatype: DataType.Int32, value: -4 },
] });
const dbirth = (seq: number): SpPayload => ({ timestamp: T + 1, seq, metrics: [
  { name: 'Speed', alias: 10, timestamp: T + 1, datatype: DataType.Float, value: 1.5 },
  { name: 'Mode', alias: 11, timestamp: T + 1, datatype: DataType.String, value: 'auto' },
] });
const ndata = (seq: number, temp: number): SpPayload => ({ timestamp: T + 100 + seq, seq, metrics: [{ alias: 2, timestamp: T + 100 + seq, value: temp }] });
const tag = (metric: string, device?: string) => `plant/area/line-1/${device ? `${device}/` : ''}${metric}`;
const rebirths = <P extends { topic: string }>(published: P[]) => published.filter((p) => p.topic === `spBv1.0/${G}/NCMD/${N}`);

describe('SparkplugHost births and data', () => {
  it('emits birth metrics as points, Node Control and bdSeq included', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0, 3n));
    expect(h.take()).toEqual([
      { tag: tag('bdSeq'), ts: T, value: 3, quality: 'good' },
      { tag: tag('Node Control/Rebirth'), ts: T, value: false, quality: 'good' },
      { tag: tag('Temp'), ts: T - 5, value: 20.5, quality: 'good' },
      { tag: tag('Count'), ts: T, value: -4, quality: 'good' },
    ]);
    expect(h.rejects).toEqual([]);
  });

  it('resolves aliases of node and device data, with timestamp fallbacks', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.send('DBIRTH', dbirth(1), 'cnc-01');
    expect(h.take().map((p) => p.tag)).toContain(tag('Speed', 'cnc-01'));
    h.send('NDATA', ndata(2, 21.25));
    h.send('DDATA', { timestamp: T + 500, seq: 3, metrics: [{ alias: 10, value: 2.5 }, { alias: 11, timestamp: T + 7, value: 'manual' }] }, 'cnc-01');
    h.send('DDATA', { seq: 4, metrics: [{ alias: 10, value: 3 }] }, 'cnc-01');
    expect(h.take()).toEqual([
      { tag: tag('Temp'), ts: T + 102, value: 21.25, quality: 'good' },
      { tag: tag('Speed', 'cnc-01'), ts: T + 500, value: 2.5, quality: 'good' },
      { tag: tag('Mode', 'cnc-01'), ts: T + 7, value: 'manual', quality: 'good' },
      { tag: tag('Speed', 'cnc-01'), ts: h.clock.now(), value: 3, quality: 'good' },
    ]);
    expect(h.rejects).toEqual([]);
  });

  it('applies the birth datatype when a data metric omits it', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.take();
    // A DDATA-style metric: alias only, Int32 -7 as the wire carries it (two's complement, no datatype).
    const raw = PayloadType.encode({ timestamp: T, seq: 1, metrics: [{ alias: 3, intValue: 0xfffffff9 }] }).finish();
    h.host.handle(topic('NDATA'), raw);
    expect(h.take()).toEqual([{ tag: tag('Count'), ts: T, value: -7, quality: 'good' }]);
  });

  it('rejects an unknown alias and keeps the good metrics of the same payload', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.take();
    h.send('NDATA', { timestamp: T, seq: 1, metrics: [{ alias: 99, value: 1 }, { alias: 2, value: 22 }] });
    expect(h.take()).toEqual([{ tag: tag('Temp'), ts: T, value: 22, quality: 'good' }]);
    expect(h.rejects).toEqual([{ reason: 'unknown metric alias 99', topic: topic('NDATA') }]);
  });

  it('records a null metric as bad, holding the last value', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.take();
    h.send('NDATA', { timestamp: T, seq: 1, metrics: [{ alias: 2, value: null }] });
    expect(h.take()).toEqual([{ tag: tag('Temp'), ts: T, value: 20.5, quality: 'bad' }]);
  });

  it('rejects a birth metric whose path is invalid and keeps the rest', () => {
    const h = harness();
    const p = nbirth(0);
    p.metrics.push({ name: 'bad//name', alias: 7, datatype: DataType.Double, value: 1 });
    h.send('NBIRTH', p);
    expect(h.take()).toHaveLength(4);
    expect(h.rejects).toHaveLength(1);
    expect(h.rejects[0]!.reason).toMatch(/metric "bad\/\/name".*empty level/);
  });
});

describe('SparkplugHost sequence numbers', () => {
  it('accepts seq wrapping 255 → 0 across NBIRTH, DBIRTH and data', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(254));
    h.send('DBIRTH', dbirth(255), 'cnc-01');
    h.send('NDATA', ndata(0, 1));
    h.send('DDATA', { seq: 1, metrics: [{ alias: 10, value: 9 }] }, 'cnc-01');
    expect(h.rejects).toEqual([]);
    expect(h.published).toEqual([]);
    expect(h.points().slice(-2).map((p) => p.value)).toEqual([1, 9]);
  });

  it('holds an early message and runs it in order when the gap fills in time', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.take();
    h.send('NDATA', ndata(2, 22));
    h.send('NDATA', ndata(3, 23));
    expect(h.take()).toEqual([]);
    h.clock.advance(1999);
    h.send('NDATA', ndata(1, 21));
    expect(h.take().map((p) => p.value)).toEqual([21, 22, 23]);
    h.clock.advance(10_000);
    expect(h.published).toEqual([]);
    expect(h.rejects).toEqual([]);
    h.send('NDATA', ndata(4, 24));
    expect(h.take().map((p) => p.value)).toEqual([24]);
  });

  it('reports each message done: at once normally, after its points when held, and when dropped', () => {
    const h = harness();
    const done: string[] = [];
    const sendDone = (name: string, type: string, p: SpPayload) => h.host.handle(topic(type), encodePayload(p), () => done.push(`${name}:${h.emitted.flat().length}`));
    sendDone('birth', 'NBIRTH', nbirth(0));
    expect(done).toEqual(['birth:4']);
    h.take();
    sendDone('early', 'NDATA', ndata(2, 22));
    expect(done).toEqual(['birth:4']); // held: not done yet
    sendDone('filler', 'NDATA', ndata(1, 21));
    // the held message is done right after its own points were emitted, inside the filler's call
    expect(done).toEqual(['birth:4', 'early:2', 'filler:2']);
    sendDone('late', 'NDATA', ndata(4, 24));
    expect(done).toHaveLength(3);
    h.clock.advance(2000); // the gap (seq 3) never fills: dropped, and done all the same
    expect(done).toEqual(['birth:4', 'early:2', 'filler:2', 'late:2']);
  });

  it('requests a rebirth when the gap outlives the reorder timeout, then ignores data until NBIRTH', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.take();
    h.send('NDATA', ndata(2, 22));
    h.clock.advance(1999);
    expect(h.published).toEqual([]);
    h.clock.advance(1);
    const [ncmd] = rebirths(h.published);
    expect(ncmd).toBeDefined();
    expect(ncmd!.opts).toEqual({ qos: 0, retain: false });
    const cmd = decodePayload(ncmd!.payload);
    expect(cmd.metrics).toEqual([expect.objectContaining({ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true })]);
    expect(cmd.timestamp).toBe(h.clock.now());
    expect(h.rejects.map((r) => r.reason)).toEqual(['NDATA seq 2 dropped: seq 1 did not arrive within 2000 ms']);
    h.send('NDATA', ndata(1, 21)); // too late now
    h.send('NDATA', ndata(3, 23));
    expect(h.take()).toEqual([]);
    expect(h.rejects.at(-1)!.reason).toMatch(/waiting for NBIRTH after a rebirth request/);
    h.send('NBIRTH', nbirth(0));
    h.send('NDATA', ndata(1, 31));
    expect(h.take().at(-1)).toMatchObject({ tag: tag('Temp'), value: 31, quality: 'good' });
  });

  it('rejects a duplicate seq without asking for a rebirth', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.send('NDATA', ndata(1, 21));
    h.send('NDATA', ndata(1, 21));
    expect(h.rejects.map((r) => r.reason)).toEqual(['NDATA seq 1 is a duplicate or arrived too late (expected 2)']);
    expect(h.published).toEqual([]);
  });

  it('with a zero reorder timeout, asks for a rebirth at the first gap', () => {
    const h = harness(0);
    h.send('NBIRTH', nbirth(0));
    h.send('NDATA', ndata(2, 22));
    expect(rebirths(h.published)).toHaveLength(1);
  });
});

describe('SparkplugHost deaths', () => {
  it('NDEATH marks every node and device metric bad at receipt time, keeping last values', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0, 5n));
    h.send('DBIRTH', dbirth(1), 'cnc-01');
    h.send('NDATA', ndata(2, 25));
    h.take();
    h.clock.advance(1000);
    h.send('NDEATH', { timestamp: 1, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 5n }] });
    const now = h.clock.now();
    expect(h.take()).toEqual([
      { tag: tag('bdSeq'), ts: now, value: 5, quality: 'bad' },
      { tag: tag('Node Control/Rebirth'), ts: now, value: false, quality: 'bad' },
      { tag: tag('Temp'), ts: now, value: 25, quality: 'bad' },
      { tag: tag('Count'), ts: now, value: -4, quality: 'bad' },
      { tag: tag('Speed', 'cnc-01'), ts: now, value: 1.5, quality: 'bad' },
      { tag: tag('Mode', 'cnc-01'), ts: now, value: 'auto', quality: 'bad' },
    ]);
    h.send('NDATA', ndata(3, 26)); // a dead node's data is not accepted
    expect(h.take()).toEqual([]);
    expect(h.rejects.at(-1)!.reason).toMatch(/no NBIRTH session/);
  });

  it('ignores a stale NDEATH whose bdSeq belongs to an earlier session', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0, 5n));
    h.take();
    h.send('NDEATH', { metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 4n }] });
    expect(h.take()).toEqual([]);
    h.send('NDATA', ndata(1, 21));
    expect(h.take()).toEqual([expect.objectContaining({ value: 21, quality: 'good' })]);
    h.send('NDEATH', { metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 5n }] });
    expect(h.take().every((p) => p.quality === 'bad')).toBe(true);
  });

  it('DDEATH marks the device bad at its own timestamp; later DDATA asks for a rebirth', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.send('DBIRTH', dbirth(1), 'cnc-01');
    h.take();
    h.send('DDEATH', { timestamp: T + 900, seq: 2, metrics: [] }, 'cnc-01');
    expect(h.take()).toEqual([
      { tag: tag('Speed', 'cnc-01'), ts: T + 900, value: 1.5, quality: 'bad' },
      { tag: tag('Mode', 'cnc-01'), ts: T + 900, value: 'auto', quality: 'bad' },
    ]);
    h.send('DDATA', { seq: 3, metrics: [{ alias: 10, value: 4 }] }, 'cnc-01');
    expect(h.take()).toEqual([]);
    expect(rebirths(h.published)).toHaveLength(1);
  });
});

describe('SparkplugHost without a birth', () => {
  it('rejects data from a node never born and asks for a rebirth, rate-limited', () => {
    const h = harness();
    h.send('NDATA', ndata(5, 1));
    h.send('DDATA', { seq: 6, metrics: [{ alias: 10, value: 1 }] }, 'cnc-01');
    expect(h.emitted).toEqual([]);
    expect(h.rejects.map((r) => r.reason)).toEqual([
      'NDATA ignored: edge node has no NBIRTH session',
      'DDATA ignored: edge node has no NBIRTH session',
    ]);
    expect(rebirths(h.published)).toHaveLength(1);
    h.clock.advance(2000);
    h.send('NDATA', ndata(7, 1));
    expect(rebirths(h.published)).toHaveLength(2);
  });

  it('rejects invalid protobuf and bad topics without throwing', () => {
    const h = harness();
    expect(() => h.host.handle(topic('NBIRTH'), Uint8Array.from([0x12, 0x05, 0x0a]))).not.toThrow();
    expect(() => h.host.handle('spBv1.0/g/NOPE/n', new Uint8Array(0))).not.toThrow();
    expect(h.rejects.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^invalid Sparkplug B payload/),
      expect.stringMatching(/unknown message type "NOPE"/),
    ]);
  });

  it('keeps working when emit throws', () => {
    const h = harness();
    const host = new SparkplugHost({ hostId: 'x', mapping: pathMapping(), publish: () => undefined, emit: () => { throw new Error('disk full'); }, onReject: (r) => h.rejects.push({ reason: r, topic: '' }), clock: h.clock });
    expect(() => host.handle(topic('NBIRTH'), encodePayload(nbirth(0)))).not.toThrow();
    expect(h.rejects[0]!.reason).toBe('internal error: disk full');
  });
});

describe('SparkplugHost STATE', () => {
  it('builds the Sparkplug 3.0 STATE message with one timestamp for online and offline', () => {
    const h = harness();
    const on = h.host.stateMessage(true);
    h.clock.advance(5000);
    const off = h.host.stateMessage(false);
    expect(on).toMatchObject({ topic: 'spBv1.0/STATE/lightsout', retain: true, qos: 1 });
    expect(JSON.parse(Buffer.from(on.payload).toString())).toEqual({ online: true, timestamp: T + 60_000 });
    expect(JSON.parse(Buffer.from(off.payload).toString())).toEqual({ online: false, timestamp: T + 60_000 });
  });

  it('republishes online when it sees an offline STATE for itself', () => {
    const h = harness();
    h.host.handle('spBv1.0/STATE/lightsout', Buffer.from('{"online":false,"timestamp":1}'));
    h.host.handle('spBv1.0/STATE/other-host', Buffer.from('{"online":false,"timestamp":1}'));
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ topic: 'spBv1.0/STATE/lightsout', opts: { qos: 1, retain: true } });
    expect(JSON.parse(Buffer.from(h.published[0]!.payload).toString()).online).toBe(true);
  });

  it('stop() cancels pending reorder timers', () => {
    const h = harness();
    h.send('NBIRTH', nbirth(0));
    h.send('NDATA', ndata(2, 22));
    h.host.stop();
    h.clock.advance(10_000);
    expect(h.published).toEqual([]);
  });
});

describe('SparkplugHost historical replay guard', () => {
  const hist = (seq: number, ts: number, temp: number): SpPayload => ({ timestamp: ts, seq, metrics: [{ alias: 2, timestamp: ts, value: temp, isHistorical: true }] });

  it('drops a resent historical value (not newer than the last taken) and counts it', () => {
    const h = harness();
    h.send('NBIRTH', nbirth());
    h.take();
    h.send('NDATA', hist(1, T + 10, 1));
    h.send('NDATA', hist(2, T + 11, 2));
    h.send('NDATA', hist(3, T + 10, 1)); // QoS 1 redelivery of the first
    h.send('NDATA', hist(4, T + 12, 3));
    expect(h.take().map((p) => p.value)).toEqual([1, 2, 3]);
    expect(h.host.replayDuplicates).toBe(1);
  });

  it('live data moves the mark; an older historical value after it is dropped', () => {
    const h = harness();
    h.send('NBIRTH', nbirth());
    h.take();
    h.send('NDATA', ndata(1, 5)); // ts T+101
    h.send('NDATA', hist(2, T + 101, 5));
    h.send('NDATA', hist(3, T + 102, 6));
    expect(h.take().map((p) => p.value)).toEqual([5, 6]);
    expect(h.host.replayDuplicates).toBe(1);
  });

  it('birth values never move the mark; a historical birth metric without value only defines it', () => {
    const h = harness();
    h.send('NBIRTH', { timestamp: T, seq: 0, metrics: [
      { name: 'Temp', alias: 2, timestamp: T + 50, datatype: DataType.Double, value: null, isNull: true, isHistorical: true },
    ] });
    expect(h.take()).toEqual([]);
    h.send('NDATA', hist(1, T + 10, 1)); // older than the birth's timestamp, still taken
    expect(h.take().map((p) => p.value)).toEqual([1]);
    // A historical birth restating a value already taken is dropped as a duplicate.
    h.send('NBIRTH', { timestamp: T, seq: 0, metrics: [{ name: 'Temp', alias: 2, timestamp: T + 10, datatype: DataType.Double, value: 1, isHistorical: true }] });
    expect(h.take()).toEqual([]);
    expect(h.host.replayDuplicates).toBe(1);
  });
});
