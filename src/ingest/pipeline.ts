/**
 * The ingest pipeline: validate → registry → last-value cache → durable write → fan-out.
 *
 * Guarantee: `submit` resolves only after every accepted point of the batch (and any tag it
 * created) is durable in the historian and metadata store; connectors send their acknowledgement
 * (MQTT PUBACK, HTTP 2xx) only then. Memory is bounded: when `maxQueuedPoints` wait for the
 * historian, further submits wait for room, which holds publishers back (TCP backpressure for
 * MQTT, slower responses for HTTP) instead of growing memory or dropping acknowledged points.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import type { HistorianBackend } from '../core/historian-port.js';
import type { IngestBatch, IngestResult, IngestSink, PointsHook, Rejection } from '../core/ingest-port.js';
import type { TagRecord } from '../core/metadata-port.js';
import type { Point, StoredPoint } from '../core/point.js';
import { valueTypeOf } from '../core/point.js';
import type { LastValueCache } from './last-value-cache.js';
import type { RejectionCounter } from './rejection-counter.js';
import { fitsType, type TagRegistry } from './tag-registry.js';
import { checkMeta, checkPoint, type ValidationLimits } from './validate.js';

/** Pipeline settings. */
export interface PipelineOptions extends ValidationLimits {
  registry: TagRegistry;
  historian: Pick<HistorianBackend, 'append'>;
  cache: LastValueCache;
  rejections: RejectionCounter;
  /** Points that may wait for the historian before submitters are held back. */
  maxQueuedPoints: number;
  /** Most points per historian write. */
  maxBatchPoints: number;
  now?: () => number;
}

interface Ticket {
  tenant: string;
  points: StoredPoint[];
  paths: string[];
  newTags: TagRecord[];
  result: IngestResult;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/** Ingest counters for health and benchmarks. */
export interface PipelineStats {
  accepted: number;
  queuedPoints: number;
  writes: number;
  lastWriteMs: number;
  storageErrors: number;
}

/** The one way points enter Lightsout. */
export class IngestPipeline implements IngestSink {
  private readonly queue: Ticket[] = [];
  private queued = 0;
  private flushing = false;
  private closed = false;
  private readonly roomWaiters: Array<() => void> = [];
  private readonly hooks: PointsHook[] = [];
  private readonly unpersistedTags: TagRecord[] = [];
  private idleWaiters: Array<() => void> = [];
  private readonly counters: PipelineStats = { accepted: 0, queuedPoints: 0, writes: 0, lastWriteMs: 0, storageErrors: 0 };
  private readonly now: () => number;

  constructor(private readonly opts: PipelineOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Register a hook called with each tenant's points once they are durable. */
  onPoints(hook: PointsHook): void {
    this.hooks.push(hook);
  }

  reject(r: Rejection): void {
    this.opts.rejections.add(r);
  }

  async submit(batch: IngestBatch): Promise<IngestResult> {
    if (this.closed) throw new LightsoutError('LIGHTSOUT_SHUTTING_DOWN', 'ingest is stopping');
    const n = batch.points.length;
    while (this.queued > 0 && this.queued + n > this.opts.maxQueuedPoints) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      if (this.closed) throw new LightsoutError('LIGHTSOUT_SHUTTING_DOWN', 'ingest is stopping');
    }
    const rejected: Rejection[] = [];
    for (const r of batch.rejections ?? []) {
      rejected.push(r);
      this.opts.rejections.add(r);
    }
    const now = this.now();
    const { registry, cache } = this.opts;
    const points: StoredPoint[] = [];
    const paths: string[] = [];
    const newTags: TagRecord[] = [];
    for (const c of batch.points) {
      const checked = checkPoint(c, now, this.opts);
      if (!checked.ok) {
        const r: Rejection = { code: checked.code, message: checked.message, source: batch.source, subject: c.tag };
        rejected.push(r);
        this.opts.rejections.add(r);
        continue;
      }
      const p = checked.point;
      let tag = registry.get(batch.tenant, p.tag);
      if (!tag) {
        tag = registry.create(batch.tenant, p.tag, valueTypeOf(p.value), batch.source, now);
        newTags.push(tag);
      } else if (!fitsType(tag.type, p.value)) {
        const r: Rejection = { code: 'LIGHTSOUT_TYPE_MISMATCH', message: `${p.tag} is a ${tag.type} tag; got ${valueTypeOf(p.value)} ${JSON.stringify(p.value)}`, source: batch.source, subject: p.tag };
        rejected.push(r);
        this.opts.rejections.add(r);
        continue;
      }
      if (c.meta !== undefined) {
        const m = checkMeta(c.meta, p.tag);
        if (!m.ok) {
          // Bad metadata loses only itself, never the value it came with.
          const r: Rejection = { code: 'LIGHTSOUT_BAD_VALUE', message: m.message, source: batch.source, subject: p.tag };
          rejected.push(r);
          this.opts.rejections.add(r);
        } else if (registry.applyMeta(tag, m.meta) && !newTags.includes(tag)) {
          newTags.push(tag); // persisted (upserted) with this batch, before its acknowledgement
        }
      }
      const sp: StoredPoint = { tagId: tag.id, ts: p.ts, value: p.value, quality: p.quality };
      cache.offer(sp);
      points.push(sp);
      paths.push(p.tag);
    }
    const result: IngestResult = { accepted: points.length, rejected };
    if (points.length === 0 && newTags.length === 0) return result;
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ tenant: batch.tenant, points, paths, newTags, result, resolve, reject });
      this.queued += points.length;
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flushLoop());
      }
    });
  }

  /** Counters for health. */
  stats(): PipelineStats {
    return { ...this.counters, queuedPoints: this.queued };
  }

  /** Stop taking points and wait until everything queued is written. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.roomWaiters.splice(0)) w();
    if (this.flushing || this.queue.length > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const take: Ticket[] = [];
      let count = 0;
      while (this.queue.length > 0 && (take.length === 0 || count + this.queue[0]!.points.length <= this.opts.maxBatchPoints)) {
        const t = this.queue.shift()!;
        take.push(t);
        count += t.points.length;
      }
      await this.write(take, count);
      this.queued -= count;
      for (const w of this.roomWaiters.splice(0)) w();
    }
    this.flushing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async write(take: Ticket[], count: number): Promise<void> {
    const started = performance.now();
    const tags = this.unpersistedTags.splice(0);
    const rows: StoredPoint[] = take.length === 1 ? take[0]!.points : new Array<StoredPoint>(count);
    let i = 0;
    for (const t of take) {
      for (const tag of t.newTags) tags.push(tag);
      if (take.length > 1) for (const p of t.points) rows[i++] = p;
    }
    try {
      // Tags first: a point is never durable without the tag that names it.
      if (tags.length > 0) await this.opts.registry.persist(tags);
      if (rows.length > 0) await this.opts.historian.append(rows);
    } catch (err) {
      this.counters.storageErrors++;
      this.unpersistedTags.push(...tags);
      const wrapped = err instanceof LightsoutError ? err : new LightsoutError('LIGHTSOUT_STORAGE_FAILED', `historian write failed: ${(err as Error).message}`, { cause: err });
      for (const t of take) t.reject(wrapped);
      return;
    }
    this.counters.writes++;
    this.counters.accepted += count;
    this.counters.lastWriteMs = performance.now() - started;
    for (const t of take) t.resolve(t.result);
    if (this.hooks.length > 0) this.fanOut(take);
  }

  private fanOut(take: Ticket[]): void {
    for (const t of take) {
      const pts: Point[] = t.points.map((p, i) => ({ tag: t.paths[i]!, ts: p.ts, value: p.value, quality: p.quality }));
      for (const hook of this.hooks) {
        try {
          hook(t.tenant, pts);
        } catch {
          // A failing subscriber must not break ingest or other subscribers.
        }
      }
    }
  }
}
