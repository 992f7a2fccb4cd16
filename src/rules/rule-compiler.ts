/**
 * From a stored rule to what the evaluator runs: absolute tag paths, compiled CEL, the parsed
 * message. Compiling never throws for a rule that was valid when saved: a tag that does not exist
 * (yet) is still watched under its natural path (`<asset>/<relative path>`, or for an expression
 * variable `<asset>/<variable>`), so a template instance on a machine whose tags arrive later starts
 * working when they do; a guessed expression variable is resolved again every minute (rule-set.ts)
 * in case its tag has a nested path (`axis_x_pos` → `axis/x/pos`). Saving checks more strictly:
 * see rule-validation.ts.
 * @module
 */
import type { TagRecord } from '../core/metadata-port.js';
import type { RuleDefinition } from '../core/rule-port.js';
import { compileCel, tagVariables, variableName, type CompiledCel } from './rule-cel.js';
import { parseMessage, type MessageTemplate } from './rule-message.js';

/** The registry as rules read it. */
export interface TagLookup {
  get(tenant: string, path: string): TagRecord | undefined;
  list(tenant: string, prefix?: string): TagRecord[];
}

/** Roles a watched path plays in a rule (bit mask). */
export const ROLE_MAIN = 1;
export const ROLE_SETPOINT = 2;
export const ROLE_CONDITION = 4;
export const ROLE_SUPPRESS = 8;

/** One tag a CEL expression reads. */
export interface CelInput {
  /** CEL variable name, or undefined when it is only read through `tags[…]`. */
  variable?: string;
  /** Path relative to the asset (the key in `tags`). */
  rel: string;
  /** Absolute path. */
  path: string;
}

/** A compiled condition or suppression expression with its inputs. */
export interface CompiledExpression {
  cel: CompiledCel;
  inputs: CelInput[];
}

/** One watched path of a rule. */
export interface Watch {
  path: string;
  /** ROLE_* bits. */
  roles: number;
}

/** The roles of a path in a rule (0: not watched). */
export function rolesOf(rule: CompiledRule, path: string): number {
  for (const w of rule.paths) if (w.path === path) return w.roles;
  return 0;
}

/** A rule ready for the evaluator. */
export interface CompiledRule {
  def: RuleDefinition;
  /** Absolute path of the condition's tag (every kind but expression). */
  main?: string;
  /** Absolute path of a deviation's setpoint tag. */
  setpoint?: string;
  condition?: CompiledExpression;
  suppress?: CompiledExpression;
  message: MessageTemplate;
  /** Every watched absolute path with its roles (an array: most rules watch one path). */
  paths: Watch[];
  /** Why it cannot run (an expression that no longer compiles). */
  problem?: string;
  /** An expression names tags that were not found: they are watched under a guessed path until resolved again. */
  guessed?: boolean;
}

/** `<asset>/<rel>`. */
export function absolute(asset: string, rel: string): string {
  return `${asset}/${rel}`;
}

/**
 * Relative paths of an asset's tags by CEL variable (first path wins when two map to one name).
 * Scans the registry: use at save time or for the odd unresolved name, not per rule at start.
 */
export function assetVariables(tags: TagLookup, tenant: string, asset: string): Map<string, string> {
  const out = new Map<string, string>();
  const prefix = `${asset}/`;
  for (const t of tags.list(tenant, prefix)) {
    const rel = t.path.slice(prefix.length);
    const v = variableName(rel);
    if (!out.has(v)) out.set(v, rel);
  }
  return out;
}

/** Resolves CEL variable names of one asset, scanning the registry at most once. */
export class VariableResolver {
  private scanned?: Map<string, string>;
  /** Some name was not found and was taken as it is (or every tag of the asset was asked for): worth resolving again later. */
  guessed = false;
  constructor(private readonly tags: TagLookup, private readonly tenant: string, private readonly asset: string) {}

  /** The relative path of a variable: the tag named like it, else one whose variable matches, else the name itself. */
  rel(variable: string): string {
    if (this.tags.get(this.tenant, absolute(this.asset, variable))) return variable;
    this.scanned ??= assetVariables(this.tags, this.tenant, this.asset);
    const rel = this.scanned.get(variable);
    if (rel !== undefined) return rel;
    this.guessed = true;
    return variable;
  }

  /** Every tag of the asset (relative paths). */
  all(): string[] {
    this.guessed = true;
    this.scanned ??= assetVariables(this.tags, this.tenant, this.asset);
    return [...this.scanned.values()];
  }
}

/** Compile an expression's inputs against the asset (see the module comment for unknown names). */
export function expressionInputs(cel: CompiledCel, resolver: VariableResolver, asset: string): CelInput[] {
  const byRel = new Map<string, CelInput>();
  for (const v of tagVariables(cel.refs)) {
    const rel = resolver.rel(v);
    byRel.set(rel, { variable: v, rel, path: absolute(asset, rel) });
  }
  const keys = cel.refs.dynamicTags ? [...cel.refs.tagKeys, ...resolver.all()] : cel.refs.tagKeys;
  for (const rel of keys) if (!byRel.has(rel)) byRel.set(rel, { rel, path: absolute(asset, rel) });
  return [...byRel.values()];
}

/** Compile a stored rule for evaluation; never throws (see {@link CompiledRule.problem}). */
export function compileRule(def: RuleDefinition, tags: TagLookup): CompiledRule {
  const c = def.condition;
  const paths: Watch[] = [];
  const watch = (path: string, role: number): void => {
    const w = paths.find((x) => x.path === path);
    if (w) w.roles |= role;
    else paths.push({ path, roles: role });
  };
  const out: CompiledRule = { def, message: parseMessage(def.alarm.message), paths };
  const resolver = new VariableResolver(tags, def.tenant, def.asset);
  try {
    if (c.kind === 'expression') {
      const cel = compileCel(c.expression, 'condition.expression');
      out.condition = { cel, inputs: expressionInputs(cel, resolver, def.asset) };
      for (const i of out.condition.inputs) watch(i.path, ROLE_CONDITION);
    } else {
      out.main = absolute(def.asset, c.tag);
      watch(out.main, ROLE_MAIN);
      if (c.kind === 'deviation') {
        out.setpoint = absolute(def.asset, c.setpointTag);
        watch(out.setpoint, ROLE_SETPOINT);
      }
    }
    const sw = def.alarm.suppressWhen;
    if (sw !== undefined && sw.trim() !== '') {
      const cel = compileCel(sw, 'alarm.suppressWhen');
      out.suppress = { cel, inputs: expressionInputs(cel, resolver, def.asset) };
      for (const i of out.suppress.inputs) watch(i.path, ROLE_SUPPRESS);
    }
    if (resolver.guessed) out.guessed = true;
  } catch (err) {
    out.problem = (err as Error).message;
    paths.length = 0;
  }
  return out;
}
