/**
 * The Modbus TCP connector: polls one device's register map in poll groups, each on its own
 * interval, over one serialised connection, and writes coils and holding registers.
 *
 * - Points carry the time the response arrived (Modbus has no source timestamps) and `good`
 *   quality; a refused or unanswered request makes its tags `bad` once and gives each a TagIssue.
 * - Losing the connection marks every tag `bad` once; status `reconnecting` until it is back.
 * - A write is read back at once and handed on, so a command's readback does not wait for a poll.
 * @module
 */
import type { ConnectorContext, ConnectorCounters, ConnectorTag, SupervisedConnector, TagIssue } from '../../core/connector-port.js';
import type { ModbusSettings } from '../../core/connector-settings.js';
import type { ConnectorStatus } from '../../core/connector-status.js';
import { LightsoutError } from '../../core/errors.js';
import type { CandidatePoint } from '../../core/ingest-port.js';
import type { Value } from '../../core/point.js';
import { ModbusLink } from './modbus-link.js';
import { decodeBatch, GroupPoller, readRaw } from './poller.js';
import { encodeCoil, encodeRegisters, valueTypeOf } from './register-codec.js';
import { resolveSettings, type ResolvedSettings } from './settings-check.js';
import { TagBook } from './tag-book.js';

/** A Modbus TCP connector (one device: host, port, unit id). */
export class ModbusConnector implements SupervisedConnector {
  readonly id: string;
  readonly kind = 'modbus';
  private readonly s: ResolvedSettings;
  private readonly book: TagBook;
  private readonly link: ModbusLink;
  private readonly pollers: GroupPoller[];
  private readonly n = { points: 0, errors: 0, writes: 0 };
  private stopped = false;
  private started = false;
  private current: ConnectorStatus = { state: 'starting', since: Date.now() };

  /** Throws LIGHTSOUT_CONFIG_INVALID (naming the register's tag) for settings that cannot work. */
  constructor(def: { id: string; settings: ModbusSettings }, private readonly ctx: ConnectorContext) {
    this.id = def.id;
    this.s = resolveSettings(def.settings);
    this.book = new TagBook([...this.s.byTag.values()]);
    this.link = new ModbusLink(
      { host: this.s.host, port: this.s.port, unitId: this.s.unitId, timeoutMs: this.s.timeoutMs, log: ctx.log },
      {
        onOpen: () => {
          ctx.log.info({ connector: this.id, host: this.s.host, port: this.s.port, unitId: this.s.unitId }, 'modbus connected');
          for (const p of this.pollers) p.reconnected();
          this.refresh();
        },
        onLost: () => {
          void this.emit(this.book.allBad(Date.now()));
          this.refresh();
        },
        onState: () => this.refresh(),
      },
    );
    const limits = { maxRegisters: this.s.maxRegistersPerRequest, maxGap: this.s.maxGap };
    this.pollers = this.s.groups.map(
      (g) =>
        new GroupPoller(g.name, g.intervalMs, g.mappings, {
          link: this.link,
          book: this.book,
          limits,
          emit: (pts) => this.emit(pts),
          onError: () => this.n.errors++,
          onChange: () => this.refresh(),
          log: ctx.log,
        }),
    );
  }

  /** Hand points on, waiting for the consumer (backpressure); a failing consumer is logged, never thrown. */
  private async emit(points: CandidatePoint[]): Promise<void> {
    if (points.length === 0) return;
    this.n.points += points.length;
    try {
      await this.ctx.emit(points);
    } catch (err) {
      this.ctx.log.warn({ connector: this.id, err: (err as Error).message }, 'modbus points not taken');
    }
  }

  /** Recompute the status; `since` moves only when the state changes (not its reason or attempts). */
  private refresh(): void {
    const now = Date.now();
    const ls = this.link.state;
    let next: ConnectorStatus;
    if (this.stopped) next = { state: 'stopped', since: now };
    else if (ls.kind === 'starting') next = { state: 'starting', since: now };
    else if (ls.kind === 'reconnecting') next = { state: 'reconnecting', since: now, lastError: ls.lastError, attempts: ls.attempts };
    else if (ls.kind === 'stopped') next = { state: 'stopped', since: now };
    else {
      const { count, first } = this.book.issueSummary();
      next = count === 0 || !first
        ? { state: 'connected', since: now, detail: `${this.s.host}:${this.s.port} unit ${this.s.unitId}` }
        : { state: 'degraded', since: now, reason: `${count} of ${this.s.byTag.size} tags unreadable; ${first.tag}: ${first.message} (${first.code})` };
    }
    this.current = this.current.state === next.state ? { ...next, since: this.current.since } : next;
  }

  status(): ConnectorStatus {
    return this.current;
  }

  counters(): ConnectorCounters {
    return { points: this.n.points, errors: this.n.errors + this.book.decodeErrors, reconnects: this.link.reconnects, writes: this.n.writes };
  }

  tagIssues(): TagIssue[] {
    return this.book.issues();
  }

  tags(): ConnectorTag[] {
    return [...this.s.byTag.values()].map((m) => ({ path: m.tag, type: valueTypeOf(m.type), ...(m.unit !== undefined ? { unit: m.unit } : {}), writable: m.writable }));
  }

  /** The read requests each group's poll sends now (diagnostics, tests). */
  plans(): Record<string, Array<{ area: string; start: number; count: number }>> {
    return Object.fromEntries(this.pollers.map((p) => [p.name, p.plan().map((b) => ({ area: b.area, start: b.start, count: b.count }))]));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.link.start();
    for (const p of this.pollers) p.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.pollers.map((p) => p.stop()));
    await this.link.stop();
    this.refresh();
  }

  /**
   * Write one tag (coil: FC5; one register: FC6; more: FC16), then read it back and hand the
   * readback on. Rejects with NOT_WRITABLE, BAD_VALUE, DEVICE_ERROR, DEVICE_TIMEOUT or
   * CONNECTOR_FAILED; resolves once the device confirmed the write.
   */
  async write(tag: string, value: Value): Promise<void> {
    const m = this.s.byTag.get(tag);
    if (!m) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `${tag} is not a tag of Modbus connector ${this.id}`, { details: { tag } });
    if (!m.writable) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `${tag} is not writable (Modbus connector ${this.id})`, { details: { tag } });
    if (this.stopped) throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `Modbus connector ${this.id} is stopped`);
    const address = m.address;
    let send: Parameters<ModbusLink['request']>[0];
    if (m.area === 'coil') {
      const state = encodeCoil(m, value);
      send = (c) => c.writeCoil(address, state);
    } else {
      const words = encodeRegisters(m, value);
      send = words.length === 1 ? (c) => c.writeRegister(address, words[0]!) : (c) => c.writeRegisters(address, words);
    }
    try {
      await this.link.request(send);
    } catch (err) {
      this.n.errors++;
      const e = err as LightsoutError;
      throw new LightsoutError(e.code, `write ${tag}: ${e.message}`, { cause: e, ...(e.details ? { details: e.details } : {}) });
    }
    this.n.writes++;
    const batch = { area: m.area, start: m.address, count: m.count, mappings: [m] };
    try {
      const raw = await this.link.request((c) => readRaw(c, batch));
      const pts: CandidatePoint[] = [];
      decodeBatch(batch, raw, Date.now(), this.book, pts);
      await this.emit(pts);
    } catch (err) {
      // The write is confirmed; the next poll brings the value if the readback failed.
      this.ctx.log.warn({ connector: this.id, tag, err: (err as Error).message }, 'modbus readback after write failed');
    }
  }

  /** Modbus has no methods. */
  async call(machine: string, method: string, _args?: Record<string, Value>): Promise<void> {
    throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `Modbus connector ${this.id} has no methods (asked ${machine}/${method})`);
  }
}
