import { describe, expect, it } from 'vitest';
import { decodeUns } from './uns-codec.js';

const enc = (s: string): Buffer => Buffer.from(s);

describe('decodeUns', () => {
  it('decodes a bare scalar', () => {
    expect(decodeUns('uns/demo/site/line/m1/temp', enc('21.5'))).toEqual({
      tenant: 'demo', source: 'uns', rejections: [], points: [{ tag: 'site/line/m1/temp', value: 21.5 }],
    });
    const s = decodeUns('uns/demo/s/m/state', enc('"running"'));
    expect('points' in s && s.points[0]!.value).toBe('running');
  });

  it('decodes the single-point object form', () => {
    const r = decodeUns('uns/acme/s/m/t', enc('{"value": true, "ts": 1700000000000, "quality": "uncertain"}'));
    expect(r).toMatchObject({ tenant: 'acme', points: [{ tag: 's/m/t', value: true, ts: 1700000000000, quality: 'uncertain' }] });
  });

  it('decodes the batch form on the asset topic, with per-value overrides', () => {
    const r = decodeUns('uns/demo/s/a/l/m', enc('{"ts": 5, "values": {"a": 1, "b": false, "c": {"value": 3, "quality": "bad"}}}'));
    expect(r).toMatchObject({
      points: [
        { tag: 's/a/l/m/a', value: 1, ts: 5 },
        { tag: 's/a/l/m/b', value: false, ts: 5 },
        { tag: 's/a/l/m/c', value: 3, ts: 5, quality: 'bad' },
      ],
    });
  });

  it('rejects malformed JSON, bad tenants, short topics and odd objects with clear reasons', () => {
    expect(decodeUns('uns/demo/s/m/t', enc('{"value": '))).toMatchObject({ code: 'LIGHTSOUT_BAD_PAYLOAD' });
    expect(decodeUns('uns/Bad Tenant/s/t', enc('1'))).toMatchObject({ code: 'LIGHTSOUT_BAD_TAG_PATH' });
    expect(decodeUns('uns/demo', enc('1'))).toMatchObject({ code: 'LIGHTSOUT_BAD_TAG_PATH' });
    expect(decodeUns('uns/demo/s/m', enc('{"v": 1}'))).toMatchObject({ code: 'LIGHTSOUT_BAD_PAYLOAD' });
    expect(decodeUns('uns/demo/s/m', enc('{"values": [1,2]}'))).toMatchObject({ code: 'LIGHTSOUT_BAD_PAYLOAD' });
  });

  it('leaves value checks to ingest so good values in a batch survive bad ones', () => {
    const r = decodeUns('uns/demo/s/m', enc('{"values": {"ok": 1, "nested": {"x": 1}, "nul": null}}'));
    expect('points' in r && r.points.length).toBe(3);
  });
});
