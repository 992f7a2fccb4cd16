/**
 * Polling of one poll group on its own interval. A poll reads the group's batches one after the
 * other through the shared link, hands the points on and waits for `emit` (backpressure) before
 * the next; polls of one group never overlap, and ticks missed while a poll ran long are skipped
 * rather than queued, so a slow device gets fewer requests, not a backlog.
 *
 * A batch the device refuses with "illegal data address" (or "illegal data value", which some
 * devices answer for a span they do not fully have) is split in halves and retried at once,
 * down to single registers, so the good registers keep reading and only the bad ones go `bad`.
 * The split plan is kept until the next reconnect.
 * @module
 */
import type { ConnectorLog } from '../../core/connector-port.js';
import type { LightsoutError } from '../../core/errors.js';
import type { CandidatePoint } from '../../core/ingest-port.js';
import { exceptionCode, type ModbusClient, type ModbusLink } from './modbus-link.js';
import { planReads, splitBatch, type PlanLimits, type ReadBatch } from './read-plan.js';
import { decodeRegisters, type ResolvedMapping } from './register-codec.js';
import type { TagBook } from './tag-book.js';

/** The raw answer to a read: bits for coils and discrete inputs, wire bytes for registers. */
export type RawRead = { bits: boolean[] } | { bytes: Uint8Array };

/** Send the read request of one batch. */
export async function readRaw(c: ModbusClient, b: ReadBatch): Promise<RawRead> {
  switch (b.area) {
    case 'coil':
      return { bits: (await c.readCoils(b.start, b.count)).data };
    case 'discrete-input':
      return { bits: (await c.readDiscreteInputs(b.start, b.count)).data };
    case 'holding-register':
      return { bytes: (await c.readHoldingRegisters(b.start, b.count)).buffer };
    case 'input-register':
      return { bytes: (await c.readInputRegisters(b.start, b.count)).buffer };
  }
}

/** Decode a batch's answer into points (good, or bad for a non-finite number). */
export function decodeBatch(b: ReadBatch, raw: RawRead, ts: number, book: TagBook, out: CandidatePoint[]): void {
  for (const m of b.mappings) {
    const off = m.address - b.start;
    const v = 'bits' in raw ? raw.bits[off] === true : decodeRegisters(m, raw.bytes, off * 2);
    const p = book.good(m, v, ts);
    if (p) out.push(p);
  }
}

/** What a poller needs from its connector. */
export interface PollerDeps {
  link: ModbusLink;
  book: TagBook;
  limits: PlanLimits;
  /** Hand points on; resolves when the consumer took them. */
  emit(points: CandidatePoint[]): Promise<void>;
  /** A request failed (counted as an error). */
  onError(): void;
  /** Something the status depends on changed. */
  onChange(): void;
  log: ConnectorLog;
}

/** Polls one group. */
export class GroupPoller {
  private batches: ReadBatch[];
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  /** Polls completed (for tests and the benchmark). */
  polls = 0;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    private readonly mappings: readonly ResolvedMapping[],
    private readonly d: PollerDeps,
  ) {
    this.batches = planReads(mappings, d.limits);
  }

  /** The requests one poll sends now (after any splits). */
  plan(): readonly ReadBatch[] {
    return this.batches;
  }

  /** Begin polling. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop polling; resolves when the poll in progress (if any) ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Connected again: plan afresh (the device may have changed) and poll at once. */
  reconnected(): void {
    this.batches = planReads(this.mappings, this.d.limits);
    this.kicked = true;
    this.wake?.();
  }

  private sleepUntil(t: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, t - Date.now()));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let next = Date.now();
    while (this.running) {
      if (this.d.link.isOpen) {
        try {
          await this.pollOnce();
        } catch (err) {
          this.d.log.warn({ group: this.name, err: (err as Error).message }, 'modbus poll failed');
        }
      }
      const now = Date.now();
      next += this.intervalMs;
      if (next <= now) next += Math.ceil((now - next + 1) / this.intervalMs) * this.intervalMs;
      if (!this.running) break;
      if (this.kicked) {
        this.kicked = false;
        next = Date.now();
        continue;
      }
      await this.sleepUntil(next);
      if (this.kicked) {
        this.kicked = false;
        next = Date.now();
      }
    }
  }

  private async pollOnce(): Promise<void> {
    const points: CandidatePoint[] = [];
    for (const b of [...this.batches]) {
      if (!this.running || !this.d.link.isOpen) break;
      await this.readInto(b, points);
    }
    this.polls++;
    this.d.onChange();
    if (points.length > 0) await this.d.emit(points);
  }

  private async readInto(b: ReadBatch, points: CandidatePoint[]): Promise<void> {
    let raw: RawRead;
    try {
      raw = await this.d.link.request((c) => readRaw(c, b));
    } catch (err) {
      const e = err as LightsoutError;
      // Connection trouble: the connector marks every tag bad once, on the link's word.
      if (e.code === 'LIGHTSOUT_CONNECTOR_FAILED') return;
      this.d.onError();
      const ex = exceptionCode(e);
      const halves = ex === 2 || ex === 3 ? splitBatch(b) : undefined;
      if (halves) {
        const i = this.batches.indexOf(b);
        if (i >= 0) this.batches.splice(i, 1, ...halves);
        this.d.log.info({ group: this.name, area: b.area, start: b.start, count: b.count, exception: ex }, 'modbus read refused; splitting it to find the bad register');
        for (const h of halves) await this.readInto(h, points);
        return;
      }
      const where = b.count === 1 ? `${b.area} ${b.start}` : `${b.area} ${b.start}..${b.start + b.count - 1}`;
      points.push(...this.d.book.bad(b.mappings, Date.now(), { code: e.code, message: `${where}: ${e.message}` }));
      return;
    }
    decodeBatch(b, raw, Date.now(), this.d.book, points);
  }
}
