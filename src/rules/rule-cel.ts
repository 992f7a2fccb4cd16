/**
 * CEL for rules: the `expression` condition and `alarm.suppressWhen`. Compiled once per rule with
 * @marcbachmann/cel-js (never eval). Variables are the asset's tags by relative path through
 * {@link variableName} (`axis/x/pos` → `axis_x_pos`), plus `tags`, a map of relative path → value
 * holding the tags the expression names (`tags["axis/x/pos"]`, or every tag of the asset when the
 * key is not a literal). Besides CEL's standard functions there is `abs()`.
 * @module
 */
import { Environment, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';
import { celErrorMessage, celErrorPosition, variableName } from '../commands/interlock.js';
import { LightsoutError } from '../core/errors.js';

/** Longest rule expression accepted, in characters. */
export const MAX_RULE_EXPRESSION_LENGTH = 2000;

const LIMITS = { maxAstNodes: 500, maxDepth: 50, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 };

/** What an expression refers to. */
export interface CelReferences {
  /** Identifiers (tag variables, `tags`, comprehension variables). */
  identifiers: Set<string>;
  /** Literal keys of `tags["…"]` / `tags.x`. */
  tagKeys: Set<string>;
  /** `tags[…]` with a key that is not a literal: the whole asset is an input. */
  dynamicTags: boolean;
  /** Variables bound by macros (`list.exists(x, …)`): not tags. */
  bound: Set<string>;
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** Tag variables an expression reads: its identifiers less `tags` and macro-bound names. */
export function tagVariables(refs: CelReferences): string[] {
  const out: string[] = [];
  for (const id of refs.identifiers) if (id !== 'tags' && !refs.bound.has(id)) out.push(id);
  return out;
}

/** An expression ready to run. */
export interface CompiledCel {
  source: string;
  run: ParseResult;
  refs: CelReferences;
}

function environment(names: Iterable<string>): Environment {
  const env = new Environment({ limits: LIMITS });
  // CEL has no abs(); deviations and drifts want it (`abs(seal_temp - seal_temp_sp) > 10.0`).
  env.registerFunction('abs(double): double', (x: number) => Math.abs(x));
  env.registerFunction('abs(int): int', (x: bigint) => (x < 0n ? -x : x));
  env.registerVariable('tags', 'map');
  for (const n of names) if (n !== 'tags' && !env.hasVariable(n)) env.registerVariable(n, 'dyn');
  return env;
}

function walk(node: ASTNode, refs: CelReferences): void {
  if (node.op === 'id') {
    refs.identifiers.add(node.args);
    return;
  }
  if (node.op === 'rcall' && MACROS.has(node.args[0])) {
    const first = node.args[2][0];
    if (first?.op === 'id') refs.bound.add(first.args);
  }
  if ((node.op === '[]' || node.op === '[?]') && node.args[0].op === 'id' && node.args[0].args === 'tags') {
    refs.identifiers.add('tags');
    const key = node.args[1];
    if (key.op === 'value' && typeof key.args === 'string') refs.tagKeys.add(key.args);
    else {
      refs.dynamicTags = true;
      walk(key, refs);
    }
    return;
  }
  if ((node.op === '.' || node.op === '.?') && node.args[0].op === 'id' && node.args[0].args === 'tags') {
    refs.identifiers.add('tags');
    refs.tagKeys.add(node.args[1]);
    return;
  }
  const visit = (x: unknown): void => {
    if (x && typeof x === 'object' && 'op' in x && 'args' in x) walk(x as ASTNode, refs);
    else if (Array.isArray(x)) x.forEach(visit);
  };
  visit(node.args);
}

function badExpression(field: string, expression: string, message: string, pos?: number): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_EXPRESSION', `${field} "${expression}"${pos === undefined ? '' : ` at position ${pos}`}: ${message}`, {
    details: { field, expression, ...(pos === undefined ? {} : { position: pos }) },
  });
}

/**
 * Compile an expression. With `known` (the asset's tag variables), an identifier outside it is an
 * error naming its position; without, every identifier is accepted (a template with no asset of
 * its type yet, or a rule loaded at start whose tags have not appeared). Throws
 * LIGHTSOUT_BAD_EXPRESSION with `details: { field, position }`.
 */
export function compileCel(expression: string, field: string, known?: readonly string[]): CompiledCel {
  if (expression.length > MAX_RULE_EXPRESSION_LENGTH) throw badExpression(field, expression.slice(0, 40) + '…', `longer than ${MAX_RULE_EXPRESSION_LENGTH} characters`);
  if (expression.trim() === '') throw badExpression(field, expression, 'empty expression', 0);
  let parsed: ParseResult;
  try {
    parsed = environment([]).parse(expression);
  } catch (err) {
    throw badExpression(field, expression, celErrorMessage(err), celErrorPosition(err));
  }
  const refs: CelReferences = { identifiers: new Set(), tagKeys: new Set(), dynamicTags: false, bound: new Set() };
  walk(parsed.ast, refs);
  const env = environment(known ?? refs.identifiers);
  const checked = env.check(expression);
  if (!checked.valid) {
    const msg = celErrorMessage(checked.error);
    const hint = known && /Unknown variable/i.test(msg) ? ` (variables of this asset: ${[...new Set(known)].sort().join(', ') || 'none'}, and tags["relative/path"])` : '';
    throw badExpression(field, expression, msg + hint, celErrorPosition(checked.error));
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') throw badExpression(field, expression, `gives a ${checked.type ?? 'value'}, not a boolean`, 0);
  // Run with every identifier registered, so a tag that appears later needs no recompile.
  return { source: expression, run: environment(refs.identifiers).parse(expression), refs };
}

/** The CEL variable of a relative tag path. */
export { variableName };

/** The message of an evaluation error, first line only. */
export { celErrorMessage as celErrorText };
