/**
 * The edge agent's store-and-forward buffer: an append-only log on disk, split in segment files,
 * with a durable read cursor.
 *
 * - Layout: `seg-<start>.log` files, `<start>` the global byte position of the segment's first
 *   record (16 digits), and a `cursor` file holding the position up to which every record was
 *   acknowledged by the central broker. Positions grow forever; a segment is deleted once the
 *   cursor passed its end.
 * - Record: 12-byte header `[payload length u32][point count u32][crc32 u32]` then the payload.
 *   The CRC covers length, count and payload, so a torn last record (crash mid-write) is found at
 *   open and cut off; everything before it is kept.
 * - Durability: writes go straight to the file (the OS page cache makes them readable at once);
 *   fsync of the segment and the cursor write (tmp + rename) are batched every `syncMs`. A crash
 *   loses at most the last `syncMs` of appends and may replay up to `syncMs` of acknowledged
 *   records (the platform's historical guard drops those, see docs/edge.md).
 * - Bounded: appends that would take the unacknowledged bytes past `maxBytes` either drop the
 *   oldest whole segment (`drop-oldest`) or are refused (`drop-newest`); dropped points are counted.
 * @module
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, ftruncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** What to do when the buffer is full. */
export type WhenFull = 'drop-oldest' | 'drop-newest';

/** Options of {@link DiskBuffer.open}. */
export interface DiskBufferOptions {
  dir: string;
  maxBytes: number;
  whenFull?: WhenFull;
  /** Segment size before rolling to a new file. Default min(64 MiB, maxBytes / 4). */
  segmentBytes?: number;
  /** fsync and cursor persistence period, ms. Default 50. */
  syncMs?: number;
  /** Told when points are dropped because the buffer is full. */
  onDrop?: (points: number, why: WhenFull) => void;
}

/** One record read back. `end` is what to acknowledge. */
export interface BufferRecord {
  payload: Buffer;
  count: number;
  start: number;
  end: number;
}

interface Segment {
  start: number;
  end: number;
  file: string;
}

const HEADER = 12;
const READ_CHUNK = 1 << 20;

/** The append-only, crash-safe store-and-forward buffer (design in the module comment). */
export class DiskBuffer {
  private readonly segments: Segment[] = [];
  private fd = -1;
  private acked: number;
  private readPos: number;
  private pendingPoints = 0;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly segmentBytes: number;
  /** Points and records dropped because the buffer was full; records cut as torn at open. */
  readonly stats = { droppedPoints: 0, tornBytes: 0 };

  private constructor(private readonly o: Required<Omit<DiskBufferOptions, 'onDrop'>> & Pick<DiskBufferOptions, 'onDrop'>) {
    this.segmentBytes = o.segmentBytes;
    mkdirSync(o.dir, { recursive: true });
    const cursorFile = join(o.dir, 'cursor');
    this.acked = existsSync(cursorFile) ? Number(readFileSync(cursorFile, 'utf8').trim()) || 0 : 0;
    for (const name of readdirSync(o.dir).filter((n) => /^seg-\d{16}\.log$/.test(n)).sort()) {
      const file = join(o.dir, name);
      const start = Number(name.slice(4, 20));
      this.segments.push({ start, end: start + statSync(file).size, file });
    }
    this.recover();
    this.readPos = this.acked;
  }

  /** Opens (or creates) the buffer in `dir`, cutting a torn last record. */
  static open(opts: DiskBufferOptions): DiskBuffer {
    const segmentBytes = opts.segmentBytes ?? Math.max(1 << 16, Math.min(64 << 20, Math.floor(opts.maxBytes / 4)));
    return new DiskBuffer({ whenFull: 'drop-oldest', syncMs: 50, ...opts, segmentBytes });
  }

  /** Validates every record after the cursor (counting points) and truncates at the first bad one. */
  private recover(): void {
    while (this.segments.length > 0 && this.segments[0]!.end <= this.acked && this.segments.length > 1) this.removeFirst();
    if (this.segments.length === 0) {
      this.acked = Math.max(0, this.acked);
      this.newSegment(this.acked);
      return;
    }
    if (this.acked < this.segments[0]!.start) this.acked = this.segments[0]!.start;
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      let pos = Math.max(seg.start, this.acked);
      const fd = openSync(seg.file, 'r+');
      try {
        for (;;) {
          const rec = this.readAt(fd, seg, pos);
          if (rec === 'end') break;
          if (rec === 'torn') {
            this.stats.tornBytes += seg.end - pos;
            ftruncateSync(fd, pos - seg.start);
            seg.end = pos;
            for (const later of this.segments.splice(i + 1)) unlinkSync(later.file);
            break;
          }
          this.pendingPoints += rec.count;
          pos = rec.end;
        }
      } finally {
        closeSync(fd);
      }
    }
    const last = this.segments[this.segments.length - 1]!;
    if (this.acked > last.end) this.acked = last.end;
    this.fd = openSync(last.file, 'a');
  }

  private readAt(fd: number, seg: Segment, pos: number): BufferRecord | 'end' | 'torn' {
    if (pos >= seg.end) return 'end';
    const head = Buffer.allocUnsafe(HEADER);
    if (seg.end - pos < HEADER || readSync(fd, head, 0, HEADER, pos - seg.start) < HEADER) return 'torn';
    const len = head.readUInt32LE(0);
    if (seg.end - pos - HEADER < len) return 'torn';
    const payload = Buffer.allocUnsafe(len);
    readSync(fd, payload, 0, len, pos - seg.start + HEADER);
    if (crc32(payload, crc32(head.subarray(0, 8))) !== head.readUInt32LE(8)) return 'torn';
    return { payload, count: head.readUInt32LE(4), start: pos, end: pos + HEADER + len };
  }

  private newSegment(start: number): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
    }
    const file = join(this.o.dir, `seg-${String(start).padStart(16, '0')}.log`);
    this.fd = openSync(file, 'a');
    this.segments.push({ start, end: start, file });
  }

  private removeFirst(): void {
    const seg = this.segments.shift()!;
    try {
      unlinkSync(seg.file);
    } catch {
      /* already gone */
    }
  }

  /** Bytes appended and not yet acknowledged. */
  get backlogBytes(): number {
    return this.writePos - this.acked;
  }

  /** Points appended and not yet acknowledged. */
  get backlogPoints(): number {
    return this.pendingPoints;
  }

  /** Position after the last record. */
  get writePos(): number {
    return this.segments[this.segments.length - 1]!.end;
  }

  /** Position up to which everything is acknowledged. */
  get ackedPos(): number {
    return this.acked;
  }

  /** True when every appended record has been read (maybe not yet acknowledged). */
  get readCaughtUp(): boolean {
    return this.readPos >= this.writePos;
  }

  /** Appends one record of `count` points. Returns false when it was dropped (full, drop-newest). */
  append(payload: Buffer, count: number): boolean {
    const size = HEADER + payload.length;
    while (this.backlogBytes + size > this.o.maxBytes) {
      if (this.o.whenFull === 'drop-newest' || this.segments.length < 2) {
        this.stats.droppedPoints += count;
        this.o.onDrop?.(count, 'drop-newest');
        return false;
      }
      this.dropOldestSegment();
    }
    let last = this.segments[this.segments.length - 1]!;
    if (last.end - last.start + size > this.segmentBytes && last.end > last.start) {
      this.newSegment(last.end);
      last = this.segments[this.segments.length - 1]!;
    }
    const head = Buffer.allocUnsafe(HEADER);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt32LE(count, 4);
    head.writeUInt32LE(crc32(payload, crc32(head.subarray(0, 8))), 8);
    writeSync(this.fd, Buffer.concat([head, payload], size));
    last.end += size;
    this.pendingPoints += count;
    this.scheduleSync();
    return true;
  }

  private dropOldestSegment(): void {
    const seg = this.segments[0]!;
    const fd = openSync(seg.file, 'r');
    let lost = 0;
    try {
      for (let pos = Math.max(seg.start, this.acked); ; ) {
        const rec = this.readAt(fd, seg, pos);
        if (typeof rec === 'string') break;
        lost += rec.count;
        pos = rec.end;
      }
    } finally {
      closeSync(fd);
    }
    this.removeFirst();
    this.acked = this.segments[0]!.start;
    if (this.readPos < this.acked) this.readPos = this.acked;
    this.pendingPoints -= lost;
    this.stats.droppedPoints += lost;
    this.dirty = true;
    this.o.onDrop?.(lost, 'drop-oldest');
  }

  /** Reads the next records after the read position (up to about `maxBytes`) and moves past them. */
  readBatch(maxBytes = READ_CHUNK): BufferRecord[] {
    const out: BufferRecord[] = [];
    const seg = this.segments.find((s) => this.readPos >= s.start && this.readPos < s.end);
    if (!seg) return out;
    const want = Math.min(Math.max(maxBytes, HEADER), seg.end - this.readPos);
    const fd = openSync(seg.file, 'r');
    try {
      let chunk = Buffer.allocUnsafe(want);
      let got = readSync(fd, chunk, 0, want, this.readPos - seg.start);
      let off = 0;
      while (off + HEADER <= got) {
        const len = chunk.readUInt32LE(off);
        if (off + HEADER + len > got) {
          if (out.length > 0) break;
          // A record larger than the chunk: read it whole.
          chunk = Buffer.allocUnsafe(HEADER + len);
          got = readSync(fd, chunk, 0, HEADER + len, this.readPos - seg.start);
          off = 0;
          continue;
        }
        const start = this.readPos;
        out.push({ payload: chunk.subarray(off + HEADER, off + HEADER + len), count: chunk.readUInt32LE(off + 4), start, end: start + HEADER + len });
        this.readPos = start + HEADER + len;
        off += HEADER + len;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** Moves the read position back to the acknowledged position (after a disconnect). */
  rewind(): void {
    this.readPos = this.acked;
  }

  /** Acknowledges every record up to `end` (`count` points); ignored when already past. */
  ack(end: number, count: number): void {
    if (end <= this.acked) return;
    this.acked = end;
    this.pendingPoints = Math.max(0, this.pendingPoints - count);
    while (this.segments.length > 1 && this.segments[0]!.end <= this.acked) this.removeFirst();
    this.dirty = true;
    this.scheduleSync();
  }

  private scheduleSync(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sync();
    }, this.o.syncMs);
    this.timer.unref();
  }

  /** fsyncs the segment and persists the cursor now. */
  sync(): void {
    if (this.fd >= 0) fsyncSync(this.fd);
    if (!this.dirty) return;
    this.dirty = false;
    const tmp = join(this.o.dir, 'cursor.tmp');
    writeFileSync(tmp, String(this.acked));
    renameSync(tmp, join(this.o.dir, 'cursor'));
  }

  /** Syncs and closes the files. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd < 0) return;
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
  }
}
