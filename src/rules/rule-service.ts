/**
 * The rules engine: keeps every rule and template instance of every tenant compiled and indexed
 * by the tags it watches, feeds each durable batch of points to the rules that name those tags
 * only, and tells the alarms (AlarmConditionSink) when a condition or suppression changes. Saving
 * checks a rule first (rule-validation.ts); `test` replays history through the same evaluator.
 * Roles: a viewer on the asset reads, an engineer on the asset changes a rule, an engineer on the
 * whole tenant changes templates. See docs/alarms.md.
 * @module
 */
import type { AlarmConditionSink } from '../core/alarm-port.js';
import { can, canSomewhere, inScope, requireRole, type Principal } from '../core/auth.js';
import { LightsoutError } from '../core/errors.js';
import type { AssetRecord, TagRecord } from '../core/metadata-port.js';
import type { Point } from '../core/point.js';
import { systemClock, templateInstanceId, type Clock, type RuleDefinition, type RuleStore, type RuleTemplate } from '../core/rule-port.js';
import type { ApiRule, ApiRuleInput, ApiRuleTemplate, ApiRuleTemplateInput, ApiRuleTestRequest, ApiRuleTestResponse } from '../protocol/alarm-types.js';
import { backtest } from './rule-backtest.js';
import { compileRule, VariableResolver, type CompiledRule } from './rule-compiler.js';
import { RuleRunner, type EvaluatorHost } from './rule-evaluator.js';
import { RuleIndex } from './rule-index.js';
import { instancesOf, wantedInstances } from './rule-templates.js';
import { validateRuleBody } from './rule-validation.js';
import { bodyOf, idFromName, problemOf, toApiRule, toApiTemplate } from './rule-views.js';

/** What the rules engine is built from (see the issue 6 plan). */
export interface RuleServiceOptions {
  store: RuleStore;
  tags: {
    get(tenant: string, path: string): TagRecord | undefined;
    list(tenant: string, prefix?: string): TagRecord[];
    assetsOfType(tenant: string, machineType?: string): AssetRecord[];
    onAssetsChanged(l: (tenant: string, assets: readonly AssetRecord[]) => void): void;
  };
  /** The last-value cache by absolute path. */
  latest(tenant: string, path: string): Point | undefined;
  alarms: AlarmConditionSink;
  /** Stored points of a tag (for `test`). */
  history?: (tenant: string, path: string, from: number, to: number, limit: number) => Promise<Point[]>;
  clock?: Clock;
  log?: { warn(obj: object, msg?: string): void; info?(obj: object, msg?: string): void };
}

interface Entry {
  def: RuleDefinition;
  compiled: CompiledRule;
  /** Absent while disabled or broken. */
  runner?: RuleRunner;
}

interface TenantRules {
  rules: Map<string, Entry>;
  templates: Map<string, RuleTemplate>;
}

/** The rules engine (one per platform). */
export class RuleService {
  private readonly clock: Clock;
  private readonly tenants = new Map<string, TenantRules>();
  private readonly index = new RuleIndex();
  private readonly host: EvaluatorHost;
  private readonly failed = new Set<string>();
  /** Rule ids being created (saved, not yet installed): a second create of the same id conflicts. */
  private readonly creating = new Set<string>();
  private running = false;
  private listening = false;

  constructor(private readonly o: RuleServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.host = {
      clock: this.clock, sink: o.alarms, latest: o.latest,
      unit: (tenant, path) => o.tags.get(tenant, path)?.unit,
      resolve: (tenant, asset, v) => new VariableResolver(o.tags, tenant, asset).rel(v),
      stats: { evaluations: 0 },
      warn: (id, field, message) => o.log?.warn({ rule: id, field, err: message }, 'rule expression failed; its condition stays as it was'),
    };
  }

  /** Load rules and templates, expand instances, define every alarm, evaluate once from the live values, arm timers. */
  async start(): Promise<void> {
    const [rules, templates] = await Promise.all([this.o.store.listRules(), this.o.store.listTemplates()]);
    for (const t of templates) this.tenant(t.tenant).templates.set(t.id, t);
    for (const r of rules) this.install(r);
    for (const t of templates) for (const r of instancesOf(t, this.o.tags.assetsOfType(t.tenant, t.machineType))) this.install(r);
    this.running = true;
    const now = this.clock.now();
    for (const [tenant, tr] of this.tenants) for (const e of tr.rules.values()) this.startRunner(tenant, e, now);
    if (!this.listening) {
      this.listening = true;
      this.o.tags.onAssetsChanged((tenant, assets) => this.assetsChanged(tenant, assets));
    }
    this.o.log?.info?.({ rules: rules.length, templates: templates.length }, 'rules started');
  }

  /** Stop every timer; points are ignored until started again. */
  stop(): void {
    this.running = false;
    for (const tr of this.tenants.values()) for (const e of tr.rules.values()) e.runner?.stop();
  }

  /** A PointsHook: feed a tenant's durable points to the rules that watch them. */
  onPoints(tenant: string, points: readonly Point[]): void {
    if (!this.running) return;
    this.index.feed(tenant, points, this.clock.now(), this.onRuleError);
  }

  /** Counters for tests and health: rules loaded, watched paths, evaluations so far. */
  stats(): { rules: number; evaluations: number } {
    let rules = 0;
    for (const tr of this.tenants.values()) rules += tr.rules.size;
    return { rules, evaluations: this.host.stats.evaluations };
  }

  /** A rule or template instance (the alarm action runner). */
  rule(tenant: string, id: string): RuleDefinition | undefined {
    return this.tenants.get(tenant)?.rules.get(id)?.def;
  }

  /** Rules and template instances the caller may see (viewer on the asset), optionally under an asset. */
  list(p: Principal, q: { asset?: string } = {}): ApiRule[] {
    const out: ApiRule[] = [];
    for (const e of this.tenants.get(p.tenant)?.rules.values() ?? []) {
      if (!can(p, 'viewer', e.def.asset)) continue;
      if (q.asset && !inScope(q.asset.replace(/\/+$/, ''), e.def.asset)) continue;
      out.push(toApiRule(e.def, problemOf(e.compiled, this.o.tags)));
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** One rule or instance. */
  get(p: Principal, id: string): ApiRule {
    const e = this.entry(p.tenant, id);
    requireRole(p, 'viewer', e.def.asset, 'see this rule');
    return toApiRule(e.def, problemOf(e.compiled, this.o.tags));
  }

  /** Check a rule without saving: the CEL variables its asset offers, or the error saving would give. */
  validate(p: Principal, input: ApiRuleInput): { ok: true; variables: string[] } {
    requireRole(p, 'viewer', input.asset, 'check rules here');
    return { ok: true, variables: validateRuleBody(p.tenant, input.asset, input, this.o.tags).variables };
  }

  /** Create a rule (engineer on its asset); the id is made from the name when absent. */
  async create(p: Principal, input: ApiRuleInput): Promise<ApiRule> {
    requireRole(p, 'engineer', input.asset, 'create rules here');
    validateRuleBody(p.tenant, input.asset, input, this.o.tags);
    const rules = this.tenant(p.tenant).rules;
    const taken = (x: string): boolean => rules.has(x) || this.creating.has(`${p.tenant}\u0000${x}`);
    let id = input.id;
    if (id === undefined) id = idFromName(input.name, taken);
    else if (taken(id)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `rule "${id}" already exists`);
    checkId(id);
    const key = `${p.tenant}\u0000${id}`;
    this.creating.add(key);
    try {
      return await this.save(p, { ...bodyOf(input), id, tenant: p.tenant, asset: input.asset });
    } finally {
      this.creating.delete(key);
    }
  }

  /** Replace a rule (engineer on its old and new asset). Template instances change through their template. */
  async update(p: Principal, id: string, input: ApiRuleInput): Promise<ApiRule> {
    const e = this.entry(p.tenant, id);
    if (e.def.templateId !== undefined) throw new LightsoutError('LIGHTSOUT_CONFLICT', `rule "${id}" is an instance of template "${e.def.templateId}": change the template`);
    requireRole(p, 'engineer', e.def.asset, 'change this rule');
    requireRole(p, 'engineer', input.asset, 'move a rule here');
    validateRuleBody(p.tenant, input.asset, input, this.o.tags);
    return this.save(p, { ...bodyOf(input), id, tenant: p.tenant, asset: input.asset });
  }

  /** Remove a rule (engineer on its asset): its alarm is journaled rule-removed and dropped. */
  async remove(p: Principal, id: string): Promise<void> {
    const e = this.entry(p.tenant, id);
    if (e.def.templateId !== undefined) throw new LightsoutError('LIGHTSOUT_CONFLICT', `rule "${id}" is an instance of template "${e.def.templateId}": remove the template or change the machine's type`);
    requireRole(p, 'engineer', e.def.asset, 'remove this rule');
    await this.o.store.deleteRule(p.tenant, id);
    this.uninstall(p.tenant, id);
  }

  /** Replay stored history through a rule that need not be saved (viewer on its asset). */
  async test(p: Principal, req: ApiRuleTestRequest): Promise<ApiRuleTestResponse> {
    const input = req.rule;
    requireRole(p, 'viewer', input.asset, 'test rules here');
    if (!(req.to > req.from)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', '"to" must be after "from"', { details: { field: 'to' } });
    validateRuleBody(p.tenant, input.asset, input, this.o.tags);
    const def: RuleDefinition = { ...bodyOf(input), enabled: true, id: input.id ?? 'test', tenant: p.tenant, asset: input.asset };
    const compiled = compileRule(def, this.o.tags);
    const history = this.o.history;
    if (!history) return { raises: 0, activeMs: 0, points: 0, episodes: [], truncated: false };
    const resolver = new VariableResolver(this.o.tags, p.tenant, input.asset);
    return backtest(compiled, req.from, req.to, {
      history: (path, from, to, limit) => history(p.tenant, path, from, to, limit),
      unit: (path) => this.o.tags.get(p.tenant, path)?.unit,
      resolve: (v) => resolver.rel(v),
    });
  }

  /** The tenant's templates with the assets (visible to the caller) each applies to now. */
  listTemplates(p: Principal): ApiRuleTemplate[] {
    if (!canSomewhere(p, 'viewer')) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `${p.name} may not see rule templates of tenant ${p.tenant}`);
    const out: ApiRuleTemplate[] = [];
    for (const t of this.tenants.get(p.tenant)?.templates.values() ?? []) out.push(this.apiTemplate(p, t));
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Create a template (engineer on the whole tenant): one instance on every asset of its type, now and later. */
  async createTemplate(p: Principal, input: ApiRuleTemplateInput): Promise<ApiRuleTemplate> {
    requireRole(p, 'engineer', '', 'create rule templates');
    const templates = this.tenant(p.tenant).templates;
    let id = input.id;
    if (id === undefined) id = idFromName(input.name, (x) => templates.has(x));
    else if (templates.has(id)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `rule template "${id}" already exists`);
    checkId(id);
    return this.saveTemplate(p, id, input);
  }

  /** Replace a template (engineer on the whole tenant); its instances follow. */
  async updateTemplate(p: Principal, id: string, input: ApiRuleTemplateInput): Promise<ApiRuleTemplate> {
    requireRole(p, 'engineer', '', 'change rule templates');
    if (!this.tenants.get(p.tenant)?.templates.has(id)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `rule template "${id}" does not exist`);
    return this.saveTemplate(p, id, input);
  }

  /** Remove a template and its instances (engineer on the whole tenant). */
  async removeTemplate(p: Principal, id: string): Promise<void> {
    requireRole(p, 'engineer', '', 'remove rule templates');
    const tr = this.tenants.get(p.tenant);
    if (!tr?.templates.has(id)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `rule template "${id}" does not exist`);
    await this.o.store.deleteTemplate(p.tenant, id);
    tr.templates.delete(id);
    for (const e of [...tr.rules.values()]) if (e.def.templateId === id) this.uninstall(p.tenant, e.def.id);
  }

  // ---- internals

  private readonly onRuleError = (runner: RuleRunner, err: unknown): void => {
    const id = runner.compiled.def.id;
    if (this.failed.has(id)) return;
    this.failed.add(id);
    this.o.log?.warn({ rule: id, err: (err as Error)?.message ?? String(err) }, 'rule evaluation failed');
  };

  private tenant(tenant: string): TenantRules {
    let tr = this.tenants.get(tenant);
    if (!tr) this.tenants.set(tenant, (tr = { rules: new Map(), templates: new Map() }));
    return tr;
  }

  private entry(tenant: string, id: string): Entry {
    const e = this.tenants.get(tenant)?.rules.get(id);
    if (!e) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `rule "${id}" does not exist`);
    return e;
  }

  private async save(p: Principal, def: RuleDefinition): Promise<ApiRule> {
    def.updatedTs = this.clock.now();
    def.updatedBy = p.name;
    await this.o.store.saveRule(def);
    const e = this.install(def);
    if (this.running) this.startRunner(def.tenant, e, this.clock.now());
    return toApiRule(def, problemOf(e.compiled, this.o.tags));
  }

  private async saveTemplate(p: Principal, id: string, input: ApiRuleTemplateInput): Promise<ApiRuleTemplate> {
    const assets = this.o.tags.assetsOfType(p.tenant, input.machineType);
    // Checked against a machine of the type that has tags (one given its type before its tags arrived proves nothing).
    const sample = assets.find((a) => this.o.tags.list(p.tenant, `${a.path}/`).length > 0);
    validateRuleBody(p.tenant, sample?.path, input, this.o.tags);
    const t: RuleTemplate = { ...bodyOf(input), id, tenant: p.tenant, machineType: input.machineType, updatedTs: this.clock.now(), updatedBy: p.name };
    await this.o.store.saveTemplate(t);
    const tr = this.tenant(p.tenant);
    tr.templates.set(id, t);
    const want = new Set<string>();
    for (const r of instancesOf(t, assets)) {
      want.add(r.id);
      const e = this.install(r);
      if (this.running) this.startRunner(p.tenant, e, this.clock.now());
    }
    for (const e of [...tr.rules.values()]) if (e.def.templateId === id && !want.has(e.def.id)) this.uninstall(p.tenant, e.def.id);
    return this.apiTemplate(p, t);
  }

  private apiTemplate(p: Principal, t: RuleTemplate): ApiRuleTemplate {
    const assets = this.o.tags.assetsOfType(t.tenant, t.machineType).map((a) => a.path).filter((a) => can(p, 'viewer', a)).sort();
    return toApiTemplate(t, assets);
  }

  /** Compile, (re)define the alarm and index a rule; the runner starts separately. */
  private install(def: RuleDefinition): Entry {
    const tr = this.tenant(def.tenant);
    const prev = tr.rules.get(def.id);
    const compiled = compileRule(def, this.o.tags);
    if (compiled.problem) this.o.log?.warn({ rule: def.id, tenant: def.tenant, problem: compiled.problem }, 'rule cannot be evaluated');
    const e: Entry = { def, compiled };
    if (def.enabled && !compiled.problem) e.runner = new RuleRunner(compiled, this.host);
    if (prev?.runner) {
      this.index.remove(def.tenant, prev.runner);
      prev.runner.stop();
      if (e.runner) e.runner.adopt(prev.runner);
      if (prev.runner.suppressed && !e.runner?.compiled.suppress) this.o.alarms.suppression(def.tenant, def.id, false, this.clock.now());
    }
    this.failed.delete(def.id);
    tr.rules.set(def.id, e);
    this.o.alarms.define(def);
    if (e.runner) this.index.add(def.tenant, e.runner);
    return e;
  }

  private startRunner(tenant: string, e: Entry, now: number): void {
    try {
      e.runner?.start(now, (path) => this.o.latest(tenant, path));
    } catch (err) {
      if (e.runner) this.onRuleError(e.runner, err);
    }
  }

  private uninstall(tenant: string, id: string): void {
    const tr = this.tenants.get(tenant);
    const e = tr?.rules.get(id);
    if (!tr || !e) return;
    if (e.runner) {
      this.index.remove(tenant, e.runner);
      e.runner.stop();
    }
    tr.rules.delete(id);
    this.o.alarms.remove(tenant, id);
  }

  /** Assets got (or changed) their machine type: instances appear and disappear with it. */
  private assetsChanged(tenant: string, assets: readonly AssetRecord[]): void {
    const tr = this.tenants.get(tenant);
    if (!tr || tr.templates.size === 0) return;
    const now = this.clock.now();
    for (const a of assets) {
      const want = wantedInstances(tr.templates.values(), a);
      for (const t of tr.templates.values()) {
        const id = templateInstanceId(t.id, a.path);
        if (tr.rules.has(id) && !want.has(id)) this.uninstall(tenant, id);
      }
      for (const [id, def] of want) {
        if (tr.rules.has(id)) continue;
        const e = this.install(def);
        if (this.running) this.startRunner(tenant, e, now);
      }
    }
  }
}

function checkId(id: string): void {
  if (!/^[a-z0-9][a-z0-9_.-]{0,99}$/.test(id)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `rule id "${id}" must be lower case letters, digits, "_", "." or "-" (at most 100)`, { details: { field: 'id' } });
}
