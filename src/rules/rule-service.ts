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
import { systemClock, type Clock, type RuleDefinition, type RuleStore, type RuleTemplate } from '../core/rule-port.js';
import type { ApiRule, ApiRuleInput, ApiRuleTemplate, ApiRuleTemplateInput, ApiRuleTestRequest, ApiRuleTestResponse } from '../protocol/alarm-types.js';
import { backtest } from './rule-backtest.js';
import { compileRule, VariableResolver } from './rule-compiler.js';
import { RuleSet, type RuleEntry } from './rule-set.js';
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

/** The rules engine (one per platform). */
export class RuleService {
  private readonly clock: Clock;
  private readonly set: RuleSet;
  /** Rule ids being created (saved, not yet installed): a second create of the same id conflicts. */
  private readonly creating = new Set<string>();
  private listening = false;

  constructor(private readonly o: RuleServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.set = new RuleSet({ tags: o.tags, latest: o.latest, alarms: o.alarms, clock: this.clock, ...(o.log ? { log: o.log } : {}) });
  }

  /** Load rules and templates, expand instances, define every alarm, evaluate once from the live values, arm timers. */
  async start(): Promise<void> {
    const [rules, templates] = await Promise.all([this.o.store.listRules(), this.o.store.listTemplates()]);
    this.set.load(rules, templates);
    if (!this.listening) {
      this.listening = true;
      this.o.tags.onAssetsChanged((tenant, assets) => this.set.assetsChanged(tenant, assets));
    }
    this.o.log?.info?.({ rules: rules.length, templates: templates.length }, 'rules started');
  }

  /** Stop every timer; points are ignored until started again. */
  stop(): void {
    this.set.stop();
  }

  /** A PointsHook: feed a tenant's durable points to the rules that watch them (and only those). */
  onPoints(tenant: string, points: readonly Point[]): void {
    this.set.feed(tenant, points);
  }

  /** Counters for tests and health: rules (with instances) and evaluations so far. */
  stats(): { rules: number; evaluations: number } {
    return this.set.stats();
  }

  /** A rule or template instance (the alarm action runner). */
  rule(tenant: string, id: string): RuleDefinition | undefined {
    return this.set.entry(tenant, id)?.def;
  }

  /** Rules and template instances the caller may see (viewer on the asset), optionally under an asset. */
  list(p: Principal, q: { asset?: string } = {}): ApiRule[] {
    const out: ApiRule[] = [];
    for (const e of this.set.tenants.get(p.tenant)?.rules.values() ?? []) {
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
    const rules = this.set.tenant(p.tenant).rules;
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
    this.set.uninstall(p.tenant, id);
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
    for (const t of this.set.tenants.get(p.tenant)?.templates.values() ?? []) out.push(this.apiTemplate(p, t));
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Create a template (engineer on the whole tenant): one instance on every asset of its type, now and later. */
  async createTemplate(p: Principal, input: ApiRuleTemplateInput): Promise<ApiRuleTemplate> {
    requireRole(p, 'engineer', '', 'create rule templates');
    const templates = this.set.tenant(p.tenant).templates;
    let id = input.id;
    if (id === undefined) id = idFromName(input.name, (x) => templates.has(x));
    else if (templates.has(id)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `rule template "${id}" already exists`);
    checkId(id);
    return this.saveTemplate(p, id, input);
  }

  /** Replace a template (engineer on the whole tenant); its instances follow. */
  async updateTemplate(p: Principal, id: string, input: ApiRuleTemplateInput): Promise<ApiRuleTemplate> {
    requireRole(p, 'engineer', '', 'change rule templates');
    if (!this.set.tenants.get(p.tenant)?.templates.has(id)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `rule template "${id}" does not exist`);
    return this.saveTemplate(p, id, input);
  }

  /** Remove a template and its instances (engineer on the whole tenant). */
  async removeTemplate(p: Principal, id: string): Promise<void> {
    requireRole(p, 'engineer', '', 'remove rule templates');
    if (!this.set.tenants.get(p.tenant)?.templates.has(id)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `rule template "${id}" does not exist`);
    await this.o.store.deleteTemplate(p.tenant, id);
    this.set.removeTemplate(p.tenant, id);
  }

  // ---- internals

  private entry(tenant: string, id: string): RuleEntry {
    const e = this.set.entry(tenant, id);
    if (!e) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `rule "${id}" does not exist`);
    return e;
  }

  private async save(p: Principal, def: RuleDefinition): Promise<ApiRule> {
    def.updatedTs = this.clock.now();
    def.updatedBy = p.name;
    await this.o.store.saveRule(def);
    const e = this.set.install(def);
    return toApiRule(def, problemOf(e.compiled, this.o.tags));
  }

  private async saveTemplate(p: Principal, id: string, input: ApiRuleTemplateInput): Promise<ApiRuleTemplate> {
    const assets = this.o.tags.assetsOfType(p.tenant, input.machineType);
    // Checked against a machine of the type that has tags (one given its type before its tags arrived proves nothing).
    const sample = assets.find((a) => this.o.tags.list(p.tenant, `${a.path}/`).length > 0);
    validateRuleBody(p.tenant, sample?.path, input, this.o.tags);
    const t: RuleTemplate = { ...bodyOf(input), id, tenant: p.tenant, machineType: input.machineType, updatedTs: this.clock.now(), updatedBy: p.name };
    await this.o.store.saveTemplate(t);
    this.set.setTemplate(t, assets);
    return this.apiTemplate(p, t);
  }

  private apiTemplate(p: Principal, t: RuleTemplate): ApiRuleTemplate {
    const assets = this.o.tags.assetsOfType(t.tenant, t.machineType).map((a) => a.path).filter((a) => can(p, 'viewer', a)).sort();
    return toApiTemplate(t, assets);
  }
}

function checkId(id: string): void {
  if (!/^[a-z0-9][a-z0-9_.-]{0,99}$/.test(id)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `rule id "${id}" must be lower case letters, digits, "_", "." or "-" (at most 100)`, { details: { field: 'id' } });
}
