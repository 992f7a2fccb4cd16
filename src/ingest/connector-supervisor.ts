/**
 * The connector supervisor: runs the OPC UA and Modbus TCP connectors of every tenant, from the
 * config file and from the API, and changes them while the platform runs. Each connector is
 * isolated: its failures (even a thrown exception) change only its own status. Rates are derived
 * from the connectors' counters every second; status is data for the API and the health page.
 * @module
 */
import { can, canSomewhere, requireRole, type Principal } from '../core/auth.js';
import type { AuditSink } from '../core/audit-port.js';
import type { CommandDispatcher, DispatchRequest } from '../core/command-port.js';
import type { ConnectorContext, ConnectorLog, ConnectorStore, ConnectorTag, SupervisedConnector, TagIssue } from '../core/connector-port.js';
import type { ConnectorDefinition } from '../core/connector-settings.js';
import type { ConnectorStatus } from '../core/connector-status.js';
import { LightsoutError } from '../core/errors.js';
import type { CandidatePoint } from '../core/ingest-port.js';
import { isValidTagPath } from '../core/tag-path.js';
import { RateWindow } from './rate-window.js';
import { redactDefinition, restoreSecrets } from './connector-secrets.js';

/** Where a connector's definition lives: the config file (read-only here) or the API's store. */
export type ConnectorOrigin = 'config' | 'api';

/** What the supervisor needs from the platform. */
export interface ConnectorSupervisorOptions {
  /** Builds a connector of any kind (src/connectors/connector-factory.ts). */
  create(def: ConnectorDefinition, ctx: ConnectorContext): SupervisedConnector;
  store: ConnectorStore;
  audit: AuditSink;
  /** Hands a tenant's points to ingest; the promise is backpressure. */
  submit(tenant: string, source: string, points: CandidatePoint[]): Promise<unknown>;
  /** Marks tags `bad` with their last value (a connector stopped or was removed). */
  stale(tenant: string, paths: readonly string[]): void;
  /** Told about a connector's tags when they become known (units, writable setpoints). */
  onTags?(tenant: string, tags: readonly ConnectorTag[]): void;
  /** Directory connectors keep files in (`<dataDir>/connectors/<tenant>/<id>`). */
  dataDir(tenant: string, id: string): string;
  log: ConnectorLog & { child?(bindings: object): ConnectorLog };
  now?: () => number;
}

/** A connector's status as the API shows it. */
export interface ConnectorView {
  id: string;
  tenant: string;
  kind: ConnectorDefinition['kind'];
  enabled: boolean;
  description?: string;
  origin: ConnectorOrigin;
  state: ConnectorStatus['state'];
  since: number;
  lastError?: string;
  attempts?: number;
  pointsPerSecond: number;
  errorsPerSecond: number;
  counters: { points: number; errors: number; reconnects: number; writes: number };
  tags: number;
  tagIssues: number;
}

interface Entry {
  def: ConnectorDefinition;
  origin: ConnectorOrigin;
  connector: SupervisedConnector | undefined;
  /** Set when the connector could not be built or started (bad settings, a throw). */
  failure: { since: number; message: string } | undefined;
  stoppedSince: number;
  points: RateWindow;
  errors: RateWindow;
  /** Writable tags and method paths, for command dispatch. */
  writes: Set<string>;
  tagCount: number;
}

const key = (tenant: string, id: string): string => `${tenant}\u0000${id}`;

/** Runs and manages the supervised connectors. */
export class ConnectorSupervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: ConnectorSupervisorOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Start the config file's connectors and the stored ones; a config connector hides a stored one of the same id. */
  async start(fromConfig: readonly ConnectorDefinition[]): Promise<void> {
    for (const def of fromConfig) {
      if (this.entries.has(key(def.tenant, def.id))) throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `setting connectors: connector "${def.id}" of tenant ${def.tenant} is defined twice`);
      this.entries.set(key(def.tenant, def.id), this.entry(def, 'config'));
    }
    for (const s of await this.o.store.list()) {
      const k = key(s.definition.tenant, s.definition.id);
      if (this.entries.has(k)) {
        this.o.log.warn({ connector: s.definition.id, tenant: s.definition.tenant }, 'connector defined in the config file and through the API: the config file wins');
        continue;
      }
      this.entries.set(k, this.entry(s.definition, 'api'));
    }
    await Promise.all([...this.entries.values()].map((e) => this.run(e)));
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** Run more read-only connectors after start (the demo's, once its simulated servers listen). */
  async attach(defs: readonly ConnectorDefinition[]): Promise<void> {
    const fresh = defs.filter((d) => !this.entries.has(key(d.tenant, d.id))).map((d) => this.entry(d, 'config'));
    for (const e of fresh) this.entries.set(key(e.def.tenant, e.def.id), e);
    await Promise.all(fresh.map((e) => this.run(e)));
  }

  /** Stop every connector (platform shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.entries.values()].map((e) => this.halt(e, false)));
  }

  /** Connectors of the principal's tenant (viewers anywhere in the tenant may look). */
  list(p: Principal): ConnectorView[] {
    if (!canSomewhere(p, 'viewer')) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${p.name} has no role in tenant ${p.tenant}`);
    return [...this.entries.values()].filter((e) => e.def.tenant === p.tenant).map((e) => this.view(e));
  }

  /** Every connector of every tenant, for the health report. */
  all(): ConnectorView[] {
    return [...this.entries.values()].map((e) => this.view(e));
  }

  /** One connector in full; its settings need the engineer role on the whole tenant. */
  detail(p: Principal, id: string): { connector: ConnectorView; definition: ConnectorDefinition; tags: ConnectorTag[]; issues: TagIssue[] } {
    requireRole(p, 'engineer', '', 'read connector settings');
    const e = this.find(p, id);
    return { connector: this.view(e), definition: redactDefinition(e.def), tags: e.connector?.tags() ?? [], issues: e.connector?.tagIssues() ?? [] };
  }

  /** Add a connector and start it. */
  async add(p: Principal, def: ConnectorDefinition): Promise<ConnectorView> {
    requireRole(p, 'engineer', '', 'add connectors');
    const d = { ...def, tenant: p.tenant } as ConnectorDefinition;
    if (this.entries.has(key(d.tenant, d.id))) throw new LightsoutError('LIGHTSOUT_CONFLICT', `connector "${d.id}" already exists`);
    this.validate(d);
    const e = this.entry(d, 'api');
    await this.o.store.save({ definition: d, updatedTs: this.now(), updatedBy: p.name });
    this.entries.set(key(d.tenant, d.id), e);
    await this.audit(p, 'connector.create', d.id, { new: redactDefinition(d) });
    await this.run(e);
    return this.view(e);
  }

  /** Replace a connector's definition; it restarts with the new one. A redacted password keeps the stored one. */
  async replace(p: Principal, id: string, def: ConnectorDefinition): Promise<ConnectorView> {
    requireRole(p, 'engineer', '', 'change connectors');
    const e = this.find(p, id);
    if (e.origin === 'config') throw new LightsoutError('LIGHTSOUT_CONFLICT', `connector "${id}" is defined in the config file; change it there`);
    if (def.id !== id) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `the body's id "${def.id}" differs from the URL's "${id}"`);
    const d = restoreSecrets({ ...def, tenant: p.tenant } as ConnectorDefinition, e.def);
    this.validate(d);
    const old = e.def;
    await this.halt(e, true);
    e.def = d;
    await this.o.store.save({ definition: d, updatedTs: this.now(), updatedBy: p.name });
    await this.audit(p, 'connector.update', id, { old: redactDefinition(old), new: redactDefinition(d) });
    await this.run(e);
    return this.view(e);
  }

  /** Stop and remove a connector; its tags go `bad`. */
  async remove(p: Principal, id: string): Promise<void> {
    requireRole(p, 'engineer', '', 'remove connectors');
    const e = this.find(p, id);
    if (e.origin === 'config') throw new LightsoutError('LIGHTSOUT_CONFLICT', `connector "${id}" is defined in the config file; remove it there`);
    this.entries.delete(key(e.def.tenant, id));
    await this.halt(e, true);
    await this.o.store.remove(e.def.tenant, id);
    await this.audit(p, 'connector.delete', id, { old: redactDefinition(e.def) });
  }

  /** Browse a connector's address space (OPC UA), for the node picker. */
  async browse(p: Principal, id: string, nodeId?: string): Promise<Awaited<ReturnType<NonNullable<SupervisedConnector['browse']>>>> {
    requireRole(p, 'engineer', '', 'browse connectors');
    const e = this.find(p, id);
    if (!e.connector?.browse) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `connector "${id}" (${e.def.kind}) cannot be browsed`);
    return e.connector.browse(nodeId);
  }

  /** Command dispatch through the connector that serves a tag (writes) or a machine method (calls). */
  dispatcher(): CommandDispatcher {
    const owner = (tenant: string, path: string): Entry | undefined => {
      for (const e of this.entries.values()) if (e.def.tenant === tenant && e.writes.has(path)) return e;
      return undefined;
    };
    return {
      owns: (tenant, path) => owner(tenant, path) !== undefined,
      online: (tenant, path) => {
        const s = owner(tenant, path)?.connector?.status().state;
        return s === 'connected' || s === 'degraded';
      },
      send: async (req: DispatchRequest) => {
        const a = req.action;
        const path = a.kind === 'write' ? a.tag : `${a.machine}/Commands/${a.method}`;
        const c = owner(req.tenant, path)?.connector;
        if (!c) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `no connector serves "${path}"`);
        if (a.kind === 'write') await c.write(a.tag, a.value);
        else await c.call(a.machine, a.method, a.args ?? {});
      },
    };
  }

  private find(p: Principal, id: string): Entry {
    const e = this.entries.get(key(p.tenant, id));
    if (!e) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no connector "${id}"`);
    return e;
  }

  private validate(d: ConnectorDefinition): void {
    const paths = d.kind === 'opcua'
      ? [...(d.settings.nodes ?? []).map((n) => n.tag), ...(d.settings.writableTags ?? []), ...(d.settings.methods ?? []).map((m) => `${m.machine}/Commands/${m.method}`)]
      : d.settings.groups.flatMap((g) => g.registers.map((r) => r.tag));
    for (const t of paths) if (!isValidTagPath(t)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `"${t}" is not a valid tag path (levels separated by /, no wildcards or empty levels)`);
    if (d.kind === 'opcua') for (const r of d.settings.browseRules ?? []) if (!isValidTagPath(`${r.tagPrefix}/x`)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `browse rule tagPrefix "${r.tagPrefix}" is not a valid asset path`);
    try {
      // Building one checks what the schema cannot (overlapping registers, None without allowInsecure).
      this.o.create(d, { emit: () => undefined, log: this.o.log, dataDir: this.o.dataDir(d.tenant, d.id) });
    } catch (err) {
      const e = err as LightsoutError;
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', e.message, { cause: err, ...(e.details ? { details: e.details } : {}) });
    }
  }

  private entry(def: ConnectorDefinition, origin: ConnectorOrigin): Entry {
    return { def, origin, connector: undefined, failure: undefined, stoppedSince: this.now(), points: new RateWindow(10), errors: new RateWindow(10), writes: new Set(), tagCount: 0 };
  }

  private async run(e: Entry): Promise<void> {
    if (this.stopped || !e.def.enabled) {
      e.stoppedSince = this.now();
      return;
    }
    const { tenant, id, kind } = e.def;
    const log = this.o.log.child?.({ connector: id, tenant }) ?? this.o.log;
    try {
      e.failure = undefined;
      const c = this.o.create(e.def, {
        emit: (points) => this.o.submit(tenant, kind, points).catch((err: Error) => log.warn({ err: err.message }, 'connector points not stored')),
        log,
        dataDir: this.o.dataDir(tenant, id),
      });
      e.connector = c;
      e.points = new RateWindow(10);
      e.errors = new RateWindow(10);
      await c.start();
      log.info({ kind, state: c.status().state }, 'connector started');
    } catch (err) {
      e.failure = { since: this.now(), message: (err as Error).message };
      log.error({ err: (err as Error).message }, 'connector failed to start');
      if (e.connector) await this.halt(e, false);
    }
    this.refreshTags(e);
  }

  private async halt(e: Entry, markStale: boolean): Promise<void> {
    const c = e.connector;
    e.connector = undefined;
    e.stoppedSince = this.now();
    if (!c) return;
    const paths = safe(() => c.tags().map((t) => t.path), []);
    try {
      await c.stop();
    } catch (err) {
      this.o.log.warn({ connector: e.def.id, err: (err as Error).message }, 'connector did not stop cleanly');
    }
    e.writes.clear();
    e.tagCount = 0;
    if (markStale && paths.length > 0) this.o.stale(e.def.tenant, paths);
  }

  /** Every second: rates from counters, and tags that became known. */
  private sample(): void {
    const now = this.now();
    for (const e of this.entries.values()) {
      const c = e.connector;
      if (!c) continue;
      const n = safe(() => c.counters(), undefined);
      if (!n) continue;
      e.points.add(now, n.points);
      e.errors.add(now, n.errors);
      this.refreshTags(e);
    }
  }

  private refreshTags(e: Entry): void {
    const c = e.connector;
    if (!c) return;
    const tags = safe(() => c.tags(), []);
    const writes = new Set(tags.filter((t) => t.writable).map((t) => t.path));
    if (e.def.kind === 'opcua') for (const m of e.def.settings.methods ?? []) writes.add(`${m.machine}/Commands/${m.method}`);
    e.writes = writes;
    if (tags.length !== e.tagCount) {
      e.tagCount = tags.length;
      if (tags.length > 0) this.o.onTags?.(e.def.tenant, tags);
    }
  }

  private view(e: Entry): ConnectorView {
    const d = e.def;
    const base = { id: d.id, tenant: d.tenant, kind: d.kind, enabled: d.enabled, ...(d.description !== undefined ? { description: d.description } : {}), origin: e.origin };
    const c = e.connector;
    const counters = (c && safe(() => c.counters(), undefined)) ?? { points: 0, errors: 0, reconnects: 0, writes: 0 };
    const rates = { pointsPerSecond: c ? e.points.rate() : 0, errorsPerSecond: c ? e.errors.rate() : 0, counters, tags: c ? safe(() => c.tags().length, 0) : 0, tagIssues: c ? safe(() => c.tagIssues().length, 0) : 0 };
    if (!c) {
      const lastError = e.failure?.message ?? (d.enabled ? undefined : 'disabled');
      return { ...base, state: 'stopped', since: e.failure?.since ?? e.stoppedSince, ...(lastError ? { lastError } : {}), ...rates };
    }
    const s = safe<ConnectorStatus>(() => c.status(), { state: 'degraded', since: this.now(), reason: 'status unavailable' });
    const extra = s.state === 'degraded' ? { lastError: s.reason } : s.state === 'reconnecting' ? { lastError: s.lastError, attempts: s.attempts } : s.state === 'stopped' && s.lastError ? { lastError: s.lastError } : {};
    return { ...base, state: s.state, since: s.since, ...extra, ...rates };
  }

  private async audit(p: Principal, action: string, target: string, detail: Record<string, unknown>): Promise<void> {
    await this.o.audit.record({ tenant: p.tenant, actor: p.name, actorId: p.id, action, target, outcome: 'ok', detail });
  }
}

/** Call into a connector without letting its exception escape (one connector never affects another). */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** True when the principal may read a connector's settings. */
export function canConfigureConnectors(p: Principal): boolean {
  return can(p, 'engineer');
}
