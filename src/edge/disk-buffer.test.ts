import { appendFileSync, mkdtempSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DiskBuffer } from './disk-buffer.js';

const dir = () => mkdtempSync(join(tmpdir(), 'edge-buffer-'));
const rec = (i: number) => Buffer.from(JSON.stringify({ i }));
const ids = (b: DiskBuffer) => b.readBatch(1 << 20).map((r) => (JSON.parse(r.payload.toString()) as { i: number }).i);
function readAll(b: DiskBuffer): number[] {
  const out: number[] = [];
  for (let got = ids(b); got.length > 0; got = ids(b)) out.push(...got);
  return out;
}

describe('DiskBuffer', () => {
  it('appends, reads in order, and acknowledged records are not read again after reopening', () => {
    const d = dir();
    const b = DiskBuffer.open({ dir: d, maxBytes: 1 << 20 });
    for (let i = 0; i < 100; i++) b.append(rec(i), 2);
    expect(b.backlogPoints).toBe(200);
    const recs = b.readBatch(1 << 20);
    expect(recs).toHaveLength(100);
    b.ack(recs[39]!.end, 80);
    expect(b.backlogPoints).toBe(120);
    b.close();
    const again = DiskBuffer.open({ dir: d, maxBytes: 1 << 20 });
    expect(again.backlogPoints).toBe(120);
    expect(readAll(again)).toEqual(Array.from({ length: 60 }, (_, i) => i + 40));
    again.rewind();
    expect(readAll(again)[0]).toBe(40);
    again.close();
  });

  it('rolls segments and deletes the acknowledged ones', () => {
    const d = dir();
    const b = DiskBuffer.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    const big = Buffer.alloc(10_000, 'x');
    for (let i = 0; i < 30; i++) b.append(big, 1);
    expect(readdirSync(d).filter((n) => n.startsWith('seg-')).length).toBeGreaterThan(3);
    let last = 0;
    for (let r = b.readBatch(); r.length > 0; r = b.readBatch()) last = r[r.length - 1]!.end;
    b.ack(last, 30);
    expect(readdirSync(d).filter((n) => n.startsWith('seg-'))).toHaveLength(1);
    b.close();
  });

  it('drop-oldest: a full buffer loses its oldest segment and counts the points', () => {
    const drops: number[] = [];
    const b = DiskBuffer.open({ dir: dir(), maxBytes: 200_000, segmentBytes: 50_000, onDrop: (n) => drops.push(n) });
    const big = Buffer.alloc(9_988, 'y');
    for (let i = 0; i < 40; i++) b.append(Buffer.concat([Buffer.from(String(i).padStart(4, '0')), big]), 10);
    expect(b.backlogBytes).toBeLessThanOrEqual(200_000);
    expect(b.stats.droppedPoints).toBeGreaterThan(0);
    expect(b.stats.droppedPoints + b.backlogPoints).toBe(400);
    const first = b.readBatch()[0]!.payload.subarray(0, 4).toString();
    expect(Number(first)).toBe(b.stats.droppedPoints / 10); // the oldest went, the rest is intact
    b.close();
  });

  it('drop-newest: a full buffer refuses new records and keeps the old ones', () => {
    const b = DiskBuffer.open({ dir: dir(), maxBytes: 100_000, whenFull: 'drop-newest' });
    const big = Buffer.alloc(9_000, 'z');
    let refused = 0;
    for (let i = 0; i < 20; i++) if (!b.append(big, 5)) refused++;
    expect(refused).toBeGreaterThan(0);
    expect(b.stats.droppedPoints).toBe(refused * 5);
    expect(b.backlogPoints).toBe((20 - refused) * 5);
    b.close();
  });

  it('cuts a torn last record at reopening and keeps everything before it', () => {
    const d = dir();
    const b = DiskBuffer.open({ dir: d, maxBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) b.append(rec(i), 1);
    b.close();
    const seg = join(d, readdirSync(d).find((n) => n.startsWith('seg-'))!);
    truncateSync(seg, statSync(seg).size - 3); // the crash cut the last record short
    appendFileSync(seg, Buffer.alloc(0));
    const again = DiskBuffer.open({ dir: d, maxBytes: 1 << 20 });
    expect(again.stats.tornBytes).toBeGreaterThan(0);
    expect(readAll(again)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    again.append(rec(99), 1); // appends continue after the cut
    expect(readAll(again)).toEqual([99]);
    again.close();
  });

  it('a corrupted (bad CRC) last record is cut too', () => {
    const d = dir();
    const b = DiskBuffer.open({ dir: d, maxBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) b.append(rec(i), 1);
    b.close();
    const seg = join(d, readdirSync(d).find((n) => n.startsWith('seg-'))!);
    appendFileSync(seg, Buffer.from([5, 0, 0, 0, 1, 0, 0, 0, 9, 9, 9, 9, 65, 66, 67, 68, 69]));
    const again = DiskBuffer.open({ dir: d, maxBytes: 1 << 20 });
    expect(readAll(again)).toEqual([0, 1, 2]);
    again.close();
  });

  it('survives a process killed (SIGKILL) mid-write: what was appended is there, in order', () => {
    const d = dir();
    const script = `
      import { DiskBuffer } from ${JSON.stringify(join(import.meta.dirname, 'disk-buffer.ts'))};
      const b = DiskBuffer.open({ dir: ${JSON.stringify(d)}, maxBytes: 1 << 30, syncMs: 5 });
      let i = 0;
      const tick = () => { for (let k = 0; k < 500; k++) b.append(Buffer.from(JSON.stringify({ i: i++, pad: 'x'.repeat(200) })), 1); if (i >= 20000) process.kill(process.pid, 'SIGKILL'); setImmediate(tick); };
      tick();`;
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 });
    const b = DiskBuffer.open({ dir: d, maxBytes: 1 << 30 });
    const got = readAll(b);
    expect(got.length).toBeGreaterThanOrEqual(20_000);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
    b.close();
  });
});
