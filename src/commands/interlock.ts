/**
 * Interlocks: CEL permissives over a machine's live values that must hold before a command is
 * sent. Variables are the machine's tag names relative to the machine, every character outside
 * [A-Za-z0-9_] replaced by `_` (`spindle/speed` → `spindle_speed`), plus `tags`, a map of relative
 * path → value. Evaluated with @marcbachmann/cel-js (no eval). Fail safe: a variable that is
 * missing or not of good quality, an evaluation error or a non-boolean result counts as "does
 * not hold".
 *
 * @example
 * checkInterlock('guard_closed && speed == 0', values) // { holds: true, values: { guard_closed: true, speed: 0 } }
 * @module
 */
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { LightsoutError } from '../core/errors.js';
import type { Quality, Value } from '../core/point.js';

/** A live value of one tag of the machine, by path relative to the machine. */
export interface MachineValue {
  /** Path relative to the machine, e.g. `spindle/speed`. */
  name: string;
  value: Value | undefined;
  quality: Quality | undefined;
}

/** The outcome of one interlock check. */
export interface InterlockVerdict {
  expression: string;
  holds: boolean;
  /** The variables the expression refers to and the values it saw (undefined = missing). */
  values: Record<string, Value | null>;
  /** Why it does not hold, when it does not. */
  reason?: string;
}

/** Longest interlock accepted, in characters. */
export const MAX_INTERLOCK_LENGTH = 2000;

/** The CEL variable name of a tag path relative to its machine. */
export function variableName(relativePath: string): string {
  return relativePath.replace(/[^A-Za-z0-9_]/g, '_');
}

const LIMITS = { maxAstNodes: 500, maxDepth: 50, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 };

function environment(names: Iterable<string>): Environment {
  const env = new Environment({ limits: LIMITS });
  env.registerVariable('tags', 'map');
  for (const n of names) if (n !== 'tags' && !env.hasVariable(n)) env.registerVariable(n, 'dyn');
  return env;
}

/** Identifiers an expression refers to (comprehension variables included; callers ignore unknown ones). */
function identifiers(node: ASTNode, out: Set<string>): void {
  if (node.op === 'id') {
    out.add(node.args);
    return;
  }
  const walk = (x: unknown): void => {
    if (x && typeof x === 'object' && 'op' in x && 'args' in x) identifiers(x as ASTNode, out);
    else if (Array.isArray(x)) x.forEach(walk);
  };
  walk(node.args);
}

/** Where in the expression a cel-js error points, when it says. */
export function celErrorPosition(err: unknown): number | undefined {
  const e = err as { node?: { pos?: number }; range?: { start?: number } };
  return e.node?.pos ?? e.range?.start;
}

/** The first line of a cel-js error's message (the rest is a source excerpt). */
export function celErrorMessage(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!;
}

/**
 * Check an interlock an engineer is saving against the machine's tag names. Throws
 * LIGHTSOUT_BAD_EXPRESSION with the position on a syntax error, an unknown variable, or a
 * result that cannot be a boolean.
 */
export function validateInterlock(expression: string, machineTagNames: readonly string[]): void {
  if (expression.length > MAX_INTERLOCK_LENGTH) throw new LightsoutError('LIGHTSOUT_BAD_EXPRESSION', `interlock is longer than ${MAX_INTERLOCK_LENGTH} characters`);
  const known = machineTagNames.map(variableName);
  const r = environment(known).check(expression);
  if (!r.valid) {
    const pos = celErrorPosition(r.error);
    const msg = celErrorMessage(r.error);
    const hint = /Unknown variable/i.test(msg) ? ` (variables of this machine: ${[...new Set(known)].sort().join(', ') || 'none'}, and tags["relative/path"])` : '';
    throw new LightsoutError('LIGHTSOUT_BAD_EXPRESSION', `interlock "${expression}"${pos === undefined ? '' : ` at position ${pos}`}: ${msg}${hint}`, { details: { expression, ...(pos === undefined ? {} : { position: pos }) } });
  }
  if (r.type !== 'bool' && r.type !== 'dyn') {
    throw new LightsoutError('LIGHTSOUT_BAD_EXPRESSION', `interlock "${expression}" gives a ${r.type ?? 'value'}, not a boolean`, { details: { expression } });
  }
}

/** Evaluate an interlock on the machine's live values (see the module comment for the rules). */
export function checkInterlock(expression: string, machine: readonly MachineValue[]): InterlockVerdict {
  const byVar = new Map<string, MachineValue>();
  const tags: Record<string, Value> = {};
  for (const m of machine) {
    byVar.set(variableName(m.name), m);
    if (m.value !== undefined && m.quality === 'good') tags[m.name] = m.value;
  }
  const env = environment(byVar.keys());
  const values: Record<string, Value | null> = {};
  let ast: ASTNode;
  try {
    ast = env.parse(expression).ast;
  } catch (err) {
    return { expression, holds: false, values, reason: `interlock does not parse: ${celErrorMessage(err)}` };
  }
  const used = new Set<string>();
  identifiers(ast, used);
  const context: Record<string, unknown> = { tags };
  const bad: string[] = [];
  for (const name of used) {
    const m = byVar.get(name);
    if (!m) continue;
    values[name] = m.value ?? null;
    if (m.value === undefined || m.quality !== 'good') bad.push(`${name} is ${m.value === undefined ? 'missing' : `of ${m.quality ?? 'unknown'} quality`}`);
    else context[name] = m.value;
  }
  if (bad.length > 0) return { expression, holds: false, values, reason: `interlock "${expression}" cannot be trusted: ${bad.join(', ')}` };
  let result: unknown;
  try {
    result = env.evaluate(expression, context);
  } catch (err) {
    return { expression, holds: false, values, reason: `interlock "${expression}" failed: ${celErrorMessage(err)}` };
  }
  if (result === true) return { expression, holds: true, values };
  const seen = Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return { expression, holds: false, values, reason: `interlock "${expression}" does not hold${seen ? ` (${seen})` : ''}` };
}
