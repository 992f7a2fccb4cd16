/**
 * The live side of the rules engine: every rule and template instance of every tenant, compiled,
 * indexed by the tags it watches, with its runner. Installing a rule (re)defines its alarm and,
 * once running, evaluates it from the last values; a changed rule takes over what its previous
 * version told the alarm, so a stricter limit clears an active alarm at once.
 * @module
 */
import type { AlarmConditionSink } from '../core/alarm-port.js';
import type { AssetRecord } from '../core/metadata-port.js';
import type { Point } from '../core/point.js';
import { templateInstanceId, type Clock, type RuleDefinition, type RuleTemplate } from '../core/rule-port.js';
import { compileRule, VariableResolver, type CompiledRule, type TagLookup } from './rule-compiler.js';
import { RuleRunner, type EvaluatorHost } from './rule-evaluator.js';
import { RuleIndex } from './rule-index.js';
import { instancesOf, wantedInstances } from './rule-templates.js';

/** One rule or instance as it runs. */
export interface RuleEntry {
  def: RuleDefinition;
  compiled: CompiledRule;
  /** Absent while disabled or broken. */
  runner?: RuleRunner;
}

/** A tenant's rules (with instances) and templates. */
export interface TenantRules {
  rules: Map<string, RuleEntry>;
  templates: Map<string, RuleTemplate>;
}

/** How often rules whose expressions name tags not found yet are resolved again. */
export const RESOLVE_MS = 60_000;

/** What the set runs on. */
export interface RuleSetOptions {
  tags: TagLookup & { assetsOfType(tenant: string, machineType?: string): AssetRecord[] };
  latest(tenant: string, path: string): Point | undefined;
  alarms: AlarmConditionSink;
  clock: Clock;
  log?: { warn(obj: object, msg?: string): void };
}

/** Every running rule. */
export class RuleSet {
  readonly tenants = new Map<string, TenantRules>();
  private readonly index = new RuleIndex();
  private readonly host: EvaluatorHost;
  private readonly failed = new Set<string>();
  /** Entries whose expressions watch guessed paths (tenant NUL id). */
  private readonly guessed = new Set<string>();
  private resolveTimer: unknown;
  private running = false;

  constructor(private readonly o: RuleSetOptions) {
    this.host = {
      clock: o.clock, sink: o.alarms, latest: o.latest,
      unit: (tenant, path) => o.tags.get(tenant, path)?.unit,
      resolve: (tenant, asset, v) => new VariableResolver(o.tags, tenant, asset).rel(v),
      stats: { evaluations: 0 },
      warn: (id, field, message) => o.log?.warn({ rule: id, field, err: message }, 'rule expression failed; its condition stays as it was'),
    };
  }

  /** Install stored rules and templates (with their instances), then evaluate everything once. */
  load(rules: readonly RuleDefinition[], templates: readonly RuleTemplate[]): void {
    for (const t of templates) this.tenant(t.tenant).templates.set(t.id, t);
    for (const r of rules) this.install(r);
    for (const t of templates) for (const r of instancesOf(t, this.o.tags.assetsOfType(t.tenant, t.machineType))) this.install(r);
    this.running = true;
    const now = this.o.clock.now();
    for (const [tenant, tr] of this.tenants) for (const e of tr.rules.values()) this.startRunner(tenant, e, now);
    this.armResolve();
  }

  /** Compile again the rules that watch guessed paths; re-install those whose paths changed. */
  resolveAgain(): void {
    for (const key of [...this.guessed]) {
      const [tenant, id] = key.split('\u0000') as [string, string];
      const e = this.entry(tenant, id);
      if (!e) {
        this.guessed.delete(key);
        continue;
      }
      const again = compileRule(e.def, this.o.tags);
      const same = again.paths.length === e.compiled.paths.length && again.paths.every((w, i) => w.path === e.compiled.paths[i]!.path);
      if (!same) this.install(e.def);
    }
  }

  /** A timer only while some rule watches guessed paths. */
  private armResolve(): void {
    if (this.resolveTimer !== undefined || !this.running || this.guessed.size === 0) return;
    this.resolveTimer = this.o.clock.setTimer(() => {
      this.resolveTimer = undefined;
      if (!this.running) return;
      this.resolveAgain();
      this.armResolve();
    }, RESOLVE_MS);
  }

  /** Stop every timer; points are ignored until loaded again. */
  stop(): void {
    this.running = false;
    if (this.resolveTimer !== undefined) this.o.clock.clearTimer(this.resolveTimer);
    this.resolveTimer = undefined;
    for (const tr of this.tenants.values()) for (const e of tr.rules.values()) e.runner?.stop();
  }

  /** Feed a tenant's points to the rules that watch them. */
  feed(tenant: string, points: readonly Point[]): void {
    if (this.running) this.index.feed(tenant, points, this.o.clock.now(), this.onRuleError);
  }

  /** Rules (with instances) and evaluations so far. */
  stats(): { rules: number; evaluations: number } {
    let rules = 0;
    for (const tr of this.tenants.values()) rules += tr.rules.size;
    return { rules, evaluations: this.host.stats.evaluations };
  }

  /** A tenant's rules, created on first use. */
  tenant(tenant: string): TenantRules {
    let tr = this.tenants.get(tenant);
    if (!tr) this.tenants.set(tenant, (tr = { rules: new Map(), templates: new Map() }));
    return tr;
  }

  /** One rule or instance. */
  entry(tenant: string, id: string): RuleEntry | undefined {
    return this.tenants.get(tenant)?.rules.get(id);
  }

  /** Compile, (re)define the alarm, index, and (when running) evaluate a rule. */
  install(def: RuleDefinition): RuleEntry {
    const tr = this.tenant(def.tenant);
    const prev = tr.rules.get(def.id);
    const compiled = compileRule(def, this.o.tags);
    if (compiled.problem) this.o.log?.warn({ rule: def.id, tenant: def.tenant, problem: compiled.problem }, 'rule cannot be evaluated');
    const e: RuleEntry = { def, compiled };
    if (def.enabled && !compiled.problem) e.runner = new RuleRunner(compiled, this.host);
    const now = this.o.clock.now();
    if (prev?.runner) {
      this.index.remove(def.tenant, prev.runner);
      prev.runner.stop();
      if (e.runner) e.runner.adopt(prev.runner);
      if (prev.runner.suppressed && !e.runner?.compiled.suppress) this.o.alarms.suppression(def.tenant, def.id, false, now);
    }
    this.failed.delete(def.id);
    const key = `${def.tenant}\u0000${def.id}`;
    if (compiled.guessed && e.runner) {
      this.guessed.add(key);
      this.armResolve();
    } else this.guessed.delete(key);
    tr.rules.set(def.id, e);
    this.o.alarms.define(def);
    if (e.runner) this.index.add(def.tenant, e.runner);
    if (this.running) this.startRunner(def.tenant, e, now);
    return e;
  }

  /** Stop and forget a rule; its alarm is removed. */
  uninstall(tenant: string, id: string): void {
    const tr = this.tenants.get(tenant);
    const e = tr?.rules.get(id);
    if (!tr || !e) return;
    if (e.runner) {
      this.index.remove(tenant, e.runner);
      e.runner.stop();
    }
    tr.rules.delete(id);
    this.guessed.delete(`${tenant}\u0000${id}`);
    this.o.alarms.remove(tenant, id);
  }

  /** A template was saved: instances on `assets` (its machines now), none elsewhere. */
  setTemplate(t: RuleTemplate, assets: readonly AssetRecord[]): void {
    const tr = this.tenant(t.tenant);
    tr.templates.set(t.id, t);
    const want = new Set<string>();
    for (const r of instancesOf(t, assets)) {
      want.add(r.id);
      this.install(r);
    }
    for (const e of [...tr.rules.values()]) if (e.def.templateId === t.id && !want.has(e.def.id)) this.uninstall(t.tenant, e.def.id);
  }

  /** A template was removed, with its instances. */
  removeTemplate(tenant: string, id: string): void {
    const tr = this.tenants.get(tenant);
    if (!tr) return;
    tr.templates.delete(id);
    for (const e of [...tr.rules.values()]) if (e.def.templateId === id) this.uninstall(tenant, e.def.id);
  }

  /** Assets got (or changed) their machine type: instances appear and disappear with it. */
  assetsChanged(tenant: string, assets: readonly AssetRecord[]): void {
    const tr = this.tenants.get(tenant);
    if (!tr || tr.templates.size === 0) return;
    for (const a of assets) {
      const want = wantedInstances(tr.templates.values(), a);
      for (const t of tr.templates.values()) {
        const id = templateInstanceId(t.id, a.path);
        if (tr.rules.has(id) && !want.has(id)) this.uninstall(tenant, id);
      }
      for (const [id, def] of want) if (!tr.rules.has(id)) this.install(def);
    }
  }

  private readonly onRuleError = (runner: RuleRunner, err: unknown): void => {
    const id = runner.compiled.def.id;
    if (this.failed.has(id)) return;
    this.failed.add(id);
    this.o.log?.warn({ rule: id, err: (err as Error)?.message ?? String(err) }, 'rule evaluation failed');
  };

  private startRunner(tenant: string, e: RuleEntry, now: number): void {
    try {
      e.runner?.start(now, (path) => this.o.latest(tenant, path));
    } catch (err) {
      if (e.runner) this.onRuleError(e.runner, err);
    }
  }
}
