import { DataType, DataValue, StatusCodes, Variant, VariantArrayType } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { PointBook } from './point-book.js';

const dv = (value: number, ts: number, statusCode = StatusCodes.Good) =>
  new DataValue({ value: new Variant({ dataType: DataType.Double, value }), sourceTimestamp: new Date(ts), serverTimestamp: new Date(ts + 5), statusCode });

describe('PointBook', () => {
  it('keeps the source timestamp, falls back to the server timestamp, then now', () => {
    const b = new PointBook();
    expect(b.point('a/b', dv(1, 1000), true, 9999)).toEqual({ tag: 'a/b', ts: 1000, value: 1, quality: 'good' });
    const noSource = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 2 }), serverTimestamp: new Date(2000) });
    expect(b.point('a/b', noSource, true, 9999)?.ts).toBe(2000);
    const none = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 3 }) });
    expect(b.point('a/b', none, true, 9999)?.ts).toBe(9999);
  });

  it('an undecodable value is a tag issue and a bad point; a bad status without value keeps the last value', () => {
    const b = new PointBook();
    b.point('a/b', dv(5, 1000), true, 0);
    const arr = new DataValue({ value: new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2] }), sourceTimestamp: new Date(2000) });
    expect(b.point('a/b', arr, true, 0)).toMatchObject({ value: 5, quality: 'bad' });
    expect(b.issues.get('a/b')).toMatchObject({ code: 'LIGHTSOUT_BAD_VALUE' });
    const failed = new DataValue({ statusCode: StatusCodes.BadSensorFailure, sourceTimestamp: new Date(3000) });
    expect(b.point('a/b', failed, true, 0)).toMatchObject({ value: 5, quality: 'bad', ts: 3000 });
    b.point('a/b', dv(6, 4000), true, 0);
    expect(b.issues.size).toBe(0);
  });

  it('marks stale once; an unchanged value is good again after the mark; back-filled duplicates are dropped', () => {
    const b = new PointBook();
    b.point('t/x', dv(1, 1000), true, 0);
    expect(b.staleMarks(5000)).toEqual([{ tag: 't/x', ts: 5000, value: 1, quality: 'bad' }]);
    expect(b.staleMarks(6000)).toEqual([]);
    expect(b.point('t/x', dv(1, 1000), true, 7000)).toMatchObject({ ts: 5001, quality: 'good' });
    // Next outage, then a backfill of values after the mark and the live initial value that repeats the last one.
    b.staleMarks(8000);
    expect(b.point('t/x', dv(2, 9000), false, 0)?.ts).toBe(9000);
    expect(b.point('t/x', dv(3, 9100), false, 0)?.ts).toBe(9100);
    b.backfilledUpTo('t/x', 9100);
    expect(b.point('t/x', dv(3, 9100), true, 0)).toBeUndefined();
    expect(b.point('t/x', dv(4, 9200), true, 0)).toMatchObject({ value: 4, ts: 9200 });
  });

  it('reports a missing tag once', () => {
    const b = new PointBook();
    const issue = { tag: 'g/h', code: 'LIGHTSOUT_NOT_FOUND' as const, message: 'BadNodeIdUnknown', since: 10 };
    expect(b.missing(issue)).toEqual({ tag: 'g/h', ts: 10, value: 0, quality: 'bad' });
    expect(b.missing({ ...issue, since: 20 })).toBeUndefined();
    b.found(['g/h']);
    expect(b.issues.size).toBe(0);
  });
});
