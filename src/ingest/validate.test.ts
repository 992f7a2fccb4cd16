import { describe, expect, it } from 'vitest';
import { checkPoint } from './validate.js';

const now = 1_800_000_000_000;
const limits = { maxFutureMs: 60_000, maxStringLength: 10 };

describe('checkPoint', () => {
  it('accepts numbers, booleans and strings with defaults for ts and quality', () => {
    expect(checkPoint({ tag: 'a/b/t', value: 1.5 }, now, limits)).toEqual({ ok: true, point: { tag: 'a/b/t', ts: now, value: 1.5, quality: 'good' } });
    expect(checkPoint({ tag: 'a/t', value: true, ts: now - 5, quality: 'uncertain' }, now, limits)).toEqual({ ok: true, point: { tag: 'a/t', ts: now - 5, value: true, quality: 'uncertain' } });
    const iso = checkPoint({ tag: 'a/t', value: 'run', ts: '2026-11-26T08:00:00Z' }, now, limits);
    expect(iso.ok && iso.point.ts).toBe(Date.parse('2026-11-26T08:00:00Z'));
  });

  it.each([
    [{ tag: 'a/t', value: Number.NaN }, 'LIGHTSOUT_BAD_VALUE'],
    [{ tag: 'a/t', value: Number.POSITIVE_INFINITY }, 'LIGHTSOUT_BAD_VALUE'],
    [{ tag: 'a/t', value: null }, 'LIGHTSOUT_BAD_VALUE'],
    [{ tag: 'a/t', value: { x: 1 } }, 'LIGHTSOUT_BAD_VALUE'],
    [{ tag: 'a/t', value: [1] }, 'LIGHTSOUT_BAD_VALUE'],
    [{ tag: 'a/t', value: 'x'.repeat(11) }, 'LIGHTSOUT_BAD_VALUE'],
    [{ tag: 'a/t', value: 1, ts: now + 61_000 }, 'LIGHTSOUT_BAD_TIMESTAMP'],
    [{ tag: 'a/t', value: 1, ts: 1.5 }, 'LIGHTSOUT_BAD_TIMESTAMP'],
    [{ tag: 'a/t', value: 1, ts: -1 }, 'LIGHTSOUT_BAD_TIMESTAMP'],
    [{ tag: 'a/t', value: 1, ts: 'yesterday' }, 'LIGHTSOUT_BAD_TIMESTAMP'],
    [{ tag: 'a/t', value: 1, quality: 'fine' }, 'LIGHTSOUT_BAD_QUALITY'],
    [{ tag: 'a//t', value: 1 }, 'LIGHTSOUT_BAD_TAG_PATH'],
    [{ tag: 'a/+/t', value: 1 }, 'LIGHTSOUT_BAD_TAG_PATH'],
    [{ tag: 'a/#', value: 1 }, 'LIGHTSOUT_BAD_TAG_PATH'],
    [{ tag: 'lonely', value: 1 }, 'LIGHTSOUT_BAD_TAG_PATH'],
    [{ tag: '$SYS/t', value: 1 }, 'LIGHTSOUT_BAD_TAG_PATH'],
    [{ tag: 'a/\u0000/t', value: 1 }, 'LIGHTSOUT_BAD_TAG_PATH'],
  ])('rejects %j with %s', (candidate, code) => {
    const r = checkPoint(candidate, now, limits);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });

  it('accepts real-world metric names with spaces and units', () => {
    expect(checkPoint({ tag: 'site/line/Temp (°C)', value: 1 }, now, limits).ok).toBe(true);
    expect(checkPoint({ tag: '上海/产线1/温度', value: 1 }, now, limits).ok).toBe(true);
  });
});
