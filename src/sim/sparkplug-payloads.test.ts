import { describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload } from '../connectors/sparkplug/codec.js';
import { MACHINE_TYPES } from './machine-types.js';
import { dbirthPayload, ddataMetrics, hostStateOnline, isRebirthRequest, nbirthPayload, ndeathPayload } from './sparkplug-payloads.js';

describe('Sparkplug payload builders', () => {
  it('NBIRTH has seq 0, bdSeq as Int64 and the rebirth control; NDEATH has bdSeq and no seq', () => {
    const nbirth = decodePayload(encodePayload(nbirthPayload(7, 1000)));
    expect(nbirth.seq).toBe(0);
    expect(nbirth.metrics.map((m) => [m.name, m.datatype, typeof m.value === 'bigint' ? Number(m.value) : m.value])).toEqual([
      ['bdSeq', DataType.Int64, 7],
      ['Node Control/Rebirth', DataType.Boolean, false],
    ]);
    const ndeath = decodePayload(encodePayload(ndeathPayload(7, 1000)));
    expect(ndeath.seq).toBeUndefined();
    expect(Number(ndeath.metrics[0]!.value)).toBe(7);
  });

  it('DDATA keeps the datatype only where the wire field would otherwise be wrong, and round-trips values', () => {
    const tags = MACHINE_TYPES['cnc-mill'].tags;
    const values = ['running', 1, 120, 3, 17.25, 1.5, 8000.5, 8000, 55.5, 41.25, 30.5, 3200, 12];
    const birth = decodePayload(encodePayload(dbirthPayload(tags, values, 10, 1, 1000)));
    expect(birth.metrics.map((m) => m.alias)).toEqual(tags.map((_, i) => 10 + i));
    const data = ddataMetrics(tags, 10);
    data.forEach((m, i) => {
      m.value = values[i]!;
      m.timestamp = 1000;
    });
    expect(data.filter((m) => m.datatype !== undefined).map((m) => tags[m.alias! - 10]!.kind).sort()).toEqual(
      ['float', 'float', 'float', 'float', 'int32', 'int32', 'uint32', 'uint32'],
    );
    const back = decodePayload(encodePayload({ timestamp: 1000, seq: 9, metrics: data }));
    expect(back.metrics.every((m) => m.name === undefined)).toBe(true);
    expect(back.metrics.map((m) => m.value)).toEqual(values);
  });

  it('reads host STATE in the 3.0 JSON form and the 2.x string form, and spots rebirth requests', () => {
    expect(hostStateOnline(Buffer.from('{"online":true,"timestamp":1}'))).toBe(true);
    expect(hostStateOnline(Buffer.from('{"online":false,"timestamp":2}'))).toBe(false);
    expect(hostStateOnline(Buffer.from('ONLINE'))).toBe(true);
    expect(hostStateOnline(Buffer.from('OFFLINE'))).toBe(false);
    expect(isRebirthRequest({ metrics: [{ name: 'Node Control/Rebirth', value: true }] })).toBe(true);
    expect(isRebirthRequest({ metrics: [{ name: 'Node Control/Rebirth', value: false }] })).toBe(false);
  });
});
