/**
 * Rules as the API shows and takes them: ids made from names, API input → stored shape, stored
 * shape → API answer (with the reason a rule cannot run, if any).
 * @module
 */
import type { RuleBody, RuleDefinition, RuleTemplate } from '../core/rule-port.js';
import type { ApiRule, ApiRuleTemplate } from '../protocol/alarm-types.js';
import type { CompiledRule, TagLookup } from './rule-compiler.js';

/** A rule id made from a name: `Spindle over-temp!` → `spindle-over-temp`. */
export function idFromName(name: string, taken: (id: string) => boolean): string {
  let base = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 90);
  if (base === '') base = 'rule';
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

/** The body fields of a rule or template input, without undefined ones. */
export function bodyOf(input: RuleBody): RuleBody {
  const b: RuleBody = { name: input.name, condition: input.condition, alarm: input.alarm, enabled: input.enabled };
  if (input.onDelayS !== undefined) b.onDelayS = input.onDelayS;
  if (input.offDelayS !== undefined) b.offDelayS = input.offDelayS;
  if (input.actions !== undefined) b.actions = input.actions;
  if (input.description !== undefined) b.description = input.description;
  return b;
}

/** Why a rule cannot be evaluated now: a broken expression, or tags it names that do not exist (yet). */
export function problemOf(c: CompiledRule, tags: TagLookup): string | undefined {
  if (c.problem) return c.problem;
  const missing: string[] = [];
  const prefix = `${c.def.asset}/`;
  for (const { path } of c.paths) if (!tags.get(c.def.tenant, path)) missing.push(path.startsWith(prefix) ? path.slice(prefix.length) : path);
  if (missing.length === 0) return undefined;
  return `${missing.length === 1 ? 'tag' : 'tags'} ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist under ${c.def.asset} (yet)`;
}

/** A rule as the API returns it. */
export function toApiRule(def: RuleDefinition, problem?: string): ApiRule {
  const r: ApiRule = { id: def.id, tenant: def.tenant, asset: def.asset, ...bodyOf(def) } as ApiRule;
  if (def.templateId !== undefined) r.templateId = def.templateId;
  if (def.updatedTs !== undefined) r.updatedTs = def.updatedTs;
  if (def.updatedBy !== undefined) r.updatedBy = def.updatedBy;
  if (problem !== undefined) r.problem = problem;
  return r;
}

/** A template as the API returns it, with the assets it applies to now. */
export function toApiTemplate(t: RuleTemplate, assets: string[]): ApiRuleTemplate {
  const r: ApiRuleTemplate = { id: t.id, tenant: t.tenant, machineType: t.machineType, ...bodyOf(t), assets } as ApiRuleTemplate;
  if (t.updatedTs !== undefined) r.updatedTs = t.updatedTs;
  if (t.updatedBy !== undefined) r.updatedBy = t.updatedBy;
  return r;
}
