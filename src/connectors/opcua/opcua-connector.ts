/**
 * The OPC UA client connector: one session to one server, one subscription, values handed on as
 * candidate points with their source timestamps and OPC UA status mapped to quality.
 *
 * Reconnection is ours, not node-opcua's: on any loss (channel closed, keep-alive failed,
 * subscription terminated) the client is torn down, the tags are marked `bad` once, and after a
 * backoff a new client discovers, logs in, re-plans the items and resubscribes. Variables the
 * server historizes are then back-filled with HistoryRead from the last value received, so a
 * server restart or network outage loses nothing the server kept.
 *
 * @example
 * const c = new OpcUaConnector({ id: 'press-hall', settings }, { emit, log, dataDir });
 * await c.start();            // returns at once; status() tells how the connection goes
 * await c.write('plant/press/line-1/press-1/speed_sp', 12);
 * @module
 */
import type { OPCUACertificateManager } from 'node-opcua';
import { backoffMs, type BrowseNode, type ConnectorContext, type ConnectorCounters, type ConnectorTag, type SupervisedConnector, type TagIssue } from '../../core/connector-port.js';
import type { OpcUaSettings } from '../../core/connector-settings.js';
import type { ConnectorStatus } from '../../core/connector-status.js';
import { LightsoutError } from '../../core/errors.js';
import type { CandidatePoint } from '../../core/ingest-port.js';
import type { Value } from '../../core/point.js';
import { fillGap } from './backfill.js';
import { browseLevel } from './browse.js';
import { planItems, type MonitoredTag } from './item-plan.js';
import { Monitor } from './monitor.js';
import { checkSettings } from './settings-check.js';
import { openSession, withTimeout, type OpenSession } from './opcua-session.js';
import { clientCertificateManager, trustRejectedCertificates } from './pki.js';
import { PointBook } from './point-book.js';
import { callMethod, writeTag } from './write.js';
import { valueTypeOfDataType } from './value-convert.js';
import { LogLevel, setLogLevel, type DataValue } from 'node-opcua';

// node-opcua prints its own warnings to stdout (one at load about RSA PKCS#1 v1.5 on Node 20, which
// the policies offered here do not use for encryption); connectors report problems as status
// instead. NODEOPCUA_LOG_LEVEL still overrides.
if (process.env.NODEOPCUA_LOG_LEVEL === undefined) setLogLevel(LogLevel.Error);

/** A supervised OPC UA connection. */
export class OpcUaConnector implements SupervisedConnector {
  readonly id: string;
  readonly kind = 'opcua';
  private readonly s: OpcUaSettings;
  private st: ConnectorStatus = { state: 'stopped', since: Date.now() };
  private readonly c: ConnectorCounters = { points: 0, errors: 0, reconnects: 0, writes: 0 };
  private readonly book = new PointBook();
  private readonly known = new Map<string, ConnectorTag>();
  private items = new Map<string, MonitoredTag>();
  private cm: OPCUACertificateManager | undefined;
  private open: OpenSession | undefined;
  private monitor: Monitor | undefined;
  private gen = 0;
  private attempts = 0;
  private everConnected = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Live changes held while a backfill runs, so each tag's values stay in time order. */
  private held: Array<[MonitoredTag, DataValue]> | undefined;
  private pending: CandidatePoint[] = [];
  private flushQueued = false;

  /** @throws LIGHTSOUT_CONFIG_INVALID for settings that cannot work (e.g. security None not allowed). */
  constructor(def: { id: string; settings: OpcUaSettings }, private readonly ctx: ConnectorContext) {
    checkSettings(def.settings);
    this.id = def.id;
    this.s = def.settings;
    const writable = new Set(this.s.writableTags ?? []);
    for (const n of this.s.nodes ?? []) this.known.set(n.tag, { path: n.tag, writable: writable.has(n.tag) });
  }

  status(): ConnectorStatus {
    return { ...this.st };
  }

  counters(): ConnectorCounters {
    return { ...this.c };
  }

  tagIssues(): TagIssue[] {
    return [...this.book.issues.values()];
  }

  tags(): ConnectorTag[] {
    return [...this.known.values()].map((t) => ({ ...t }));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.attempts = 0;
    this.st = { state: 'starting', since: Date.now() };
    this.cm ??= await clientCertificateManager(this.ctx.dataDir);
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.gen++;
    clearTimeout(this.timer);
    await this.teardown();
    this.flush();
    this.st = { state: 'stopped', since: Date.now() };
  }

  /** Trust the certificates the server presented and was refused for; reconnects at once. Returns the files moved. */
  async trustServerCertificate(): Promise<string[]> {
    const moved = await trustRejectedCertificates(this.ctx.dataDir, this.cm);
    if (moved.length > 0 && this.running && this.st.state === 'reconnecting') {
      clearTimeout(this.timer);
      void this.attempt();
    }
    return moved;
  }

  async browse(nodeId?: string): Promise<BrowseNode[]> {
    return browseLevel(this.session(), nodeId);
  }

  async write(tag: string, value: Value): Promise<void> {
    if (!(this.s.writableTags ?? []).includes(tag)) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `tag ${tag} is not in the writable tags of connector ${this.id}`);
    const item = this.items.get(tag);
    const session = this.session();
    if (!item) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tag ${tag} is not monitored by connector ${this.id} (its node was not found)`);
    await writeTag(session, item, value, this.s.timeoutMs ?? 5000);
    this.c.writes++;
  }

  async call(machine: string, method: string, args: Record<string, Value>): Promise<void> {
    const m = (this.s.methods ?? []).find((x) => x.machine === machine && x.method === method);
    if (!m) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `connector ${this.id} has no method ${method} for ${machine}`);
    await callMethod(this.session(), m, args, this.s.timeoutMs ?? 5000);
    this.c.writes++;
  }

  private session() {
    if (!this.open || (this.st.state !== 'connected' && this.st.state !== 'degraded')) {
      throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `connector ${this.id} is not connected (${this.st.state})`);
    }
    return this.open.session;
  }

  /** One connection attempt; on failure the next is scheduled with backoff. */
  private async attempt(): Promise<void> {
    const gen = ++this.gen;
    if (this.everConnected || this.attempts > 0) this.c.reconnects++;
    const now = Date.now();
    try {
      if (this.attempts > 0) await this.cm!.reloadCertificates();
      const open = await openSession(this.s, this.cm!, this.ctx.dataDir);
      if (gen !== this.gen) {
        await open.client.disconnect().catch(() => undefined);
        return;
      }
      this.open = open;
      open.client.on('connection_lost', () => this.lost(gen, 'connection to the server lost'));
      open.client.on('close', () => this.lost(gen, 'connection closed'));
      open.session.on('session_closed', () => this.lost(gen, 'session closed by the server'));
      open.session.on('keepalive_failure', () => this.lost(gen, 'keep-alive failed'));
      const plan = await planItems(open.session, this.s, now);
      this.items = new Map(plan.items.map((it) => [it.tag, it]));
      this.book.found(this.items.keys());
      const writable = new Set(this.s.writableTags ?? []);
      for (const it of plan.items) {
        const type = it.dataType === undefined ? undefined : valueTypeOfDataType(it.dataType);
        this.known.set(it.tag, { path: it.tag, writable: writable.has(it.tag), ...(type ? { type } : {}) });
      }
      for (const m of plan.missing) this.missing(m);
      this.held = [];
      const monitor = new Monitor(open.session, this.s, (it, dv) => this.onChange(gen, it, dv), (why) => this.lost(gen, why));
      this.monitor = monitor;
      const refused = await monitor.start(plan.items);
      for (const r of refused) {
        this.items.delete(r.item.tag);
        this.missing({ tag: r.item.tag, code: r.status === 'BadNodeIdUnknown' ? 'LIGHTSOUT_NOT_FOUND' : 'LIGHTSOUT_DEVICE_ERROR', message: `monitoring ${r.item.nodeId}: ${r.status}`, since: now });
      }
      await this.backfill(plan.items);
      if (gen !== this.gen) return;
      const held = this.held;
      this.held = undefined;
      for (const [it, dv] of held) this.take(it, dv, true);
      this.flush();
      this.attempts = 0;
      this.everConnected = true;
      this.setUp();
      this.ctx.log.info({ connector: this.id, items: this.items.size }, 'OPC UA connector subscribed');
    } catch (err) {
      if (gen !== this.gen) return;
      this.held = undefined;
      await this.teardown();
      this.failed(err);
    }
  }

  private async backfill(items: readonly MonitoredTag[]): Promise<void> {
    if (!this.open) return;
    const n = await fillGap(this.open.session, items, this.book, (p) => this.queue(p));
    if (n > 0) this.ctx.log.info({ connector: this.id, values: n }, 'OPC UA gap filled from server history');
  }

  private setUp(): void {
    const issues = this.book.issues.size;
    const first = this.book.issues.values().next().value;
    this.st = issues > 0
      ? { state: 'degraded', since: Date.now(), reason: `${issues} tag(s) with problems; ${first?.tag}: ${first?.message}` }
      : { state: 'connected', since: Date.now(), detail: `${this.s.endpointUrl} ${this.s.securityMode}, ${this.items.size} items` };
  }

  private missing(issue: TagIssue): void {
    const p = this.book.missing(issue);
    if (!p) return;
    this.c.errors++;
    this.queue(p);
  }

  private onChange(gen: number, it: MonitoredTag, dv: DataValue): void {
    if (gen !== this.gen) return;
    if (this.held) this.held.push([it, dv]);
    else this.take(it, dv, true);
  }

  private take(it: MonitoredTag, dv: DataValue, live: boolean): void {
    const hadIssue = this.book.issues.has(it.tag);
    const p = this.book.point(it.tag, dv, live, Date.now());
    if (!p) return;
    if (this.book.issues.has(it.tag) !== hadIssue && !this.held) {
      if (!hadIssue) this.c.errors++;
      if (this.st.state === 'connected' || this.st.state === 'degraded') this.setUp();
    }
    this.queue(p);
  }

  private queue(p: CandidatePoint): void {
    this.pending.push(p);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.c.points += batch.length;
    try {
      const r = this.ctx.emit(batch);
      if (r && typeof (r as Promise<unknown>).catch === 'function') (r as Promise<unknown>).catch((err: Error) => this.ctx.log.warn({ connector: this.id, err: err.message }, 'points not taken'));
    } catch (err) {
      this.ctx.log.warn({ connector: this.id, err: (err as Error).message }, 'points not taken');
    }
  }

  /** The connection of generation `gen` is gone: mark stale, tear down, reconnect later. */
  private lost(gen: number, why: string): void {
    if (gen !== this.gen || !this.running) return;
    this.gen++;
    this.c.errors++;
    this.ctx.log.warn({ connector: this.id, why }, 'OPC UA connection lost');
    for (const p of this.book.staleMarks(Date.now())) this.queue(p);
    this.flush();
    void this.teardown();
    this.schedule(new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', why));
  }

  private failed(err: unknown): void {
    this.c.errors++;
    if (err instanceof LightsoutError && err.code === 'LIGHTSOUT_CONFIG_INVALID') {
      this.running = false;
      this.st = { state: 'stopped', since: Date.now(), lastError: `${err.code}: ${err.message}` };
      return;
    }
    const stale = this.book.staleMarks(Date.now());
    for (const p of stale) this.queue(p);
    this.flush();
    this.schedule(err);
  }

  private schedule(err: unknown): void {
    if (!this.running) return;
    this.attempts++;
    const e = err instanceof LightsoutError ? err : new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', (err as Error)?.message ?? String(err), { cause: err });
    this.st = { state: 'reconnecting', since: this.st.state === 'reconnecting' ? this.st.since : Date.now(), lastError: `${e.code}: ${e.message}`, attempts: this.attempts };
    this.ctx.log.warn({ connector: this.id, code: e.code, attempts: this.attempts }, e.message);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), backoffMs(this.attempts));
  }

  private async teardown(): Promise<void> {
    const open = this.open;
    const monitor = this.monitor;
    this.open = undefined;
    this.monitor = undefined;
    if (monitor) await withTimeout(monitor.close(), 2000, 'delete subscription').catch(() => undefined);
    if (open) {
      open.client.removeAllListeners('connection_lost');
      open.client.removeAllListeners('close');
      open.session.removeAllListeners('session_closed');
      open.session.removeAllListeners('keepalive_failure');
      await withTimeout(open.session.close(), 2000, 'close session').catch(() => undefined);
      await withTimeout(open.client.disconnect(), 2000, 'disconnect').catch(() => undefined);
    }
  }
}
