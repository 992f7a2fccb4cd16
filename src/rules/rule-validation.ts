/**
 * Checks a rule (or template) before it is saved: figures in range, tags that exist under the
 * asset and suit the condition, CEL that parses and type-checks against the asset's tags (errors
 * name the position), message placeholders that can be filled, actions on writable tags. Every
 * error is a LightsoutError with `details.field` (`condition.expression`, `alarm.suppressWhen`,
 * `condition.tag`, `actions[0].command.tag`, …) and, for expressions, `details.position`.
 * @module
 */
import { LightsoutError } from '../core/errors.js';
import type { RuleBody } from '../core/rule-port.js';
import { RULE_KINDS } from '../core/rule-port.js';
import { parsePath } from '../core/tag-path.js';
import { compileCel } from './rule-cel.js';
import { absolute, assetVariables, type TagLookup } from './rule-compiler.js';
import { FIGURE_PLACEHOLDERS, parseMessage } from './rule-message.js';

function bad(field: string, message: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_REQUEST', `${field}: ${message}`, { details: { field } });
}

function figure(field: string, v: unknown, o: { min?: number; above?: number; max?: number } = {}): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(field, 'must be a finite number');
  if (o.min !== undefined && v < o.min) throw bad(field, `must be at least ${o.min}`);
  if (o.above !== undefined && v <= o.above) throw bad(field, `must be more than ${o.above}`);
  if (o.max !== undefined && v > o.max) throw bad(field, `must be at most ${o.max}`);
}

function relPath(field: string, asset: string, rel: string): void {
  if (typeof rel !== 'string' || rel === '' || rel.startsWith('/') || rel.endsWith('/')) throw bad(field, `"${rel}" is not a tag path relative to the asset`);
  try {
    parsePath(absolute(asset || 'x', rel), 'tag path');
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', `${field}: ${(err as Error).message}`, { details: { field } });
  }
}

/** The figures and shape of a rule body, without looking at tags. */
function checkShape(body: RuleBody, asset: string): void {
  if (typeof body.name !== 'string' || body.name.trim() === '') throw bad('name', 'must not be empty');
  const c = body.condition;
  if (!c || !(RULE_KINDS as readonly string[]).includes(c.kind)) throw bad('condition.kind', `must be one of ${RULE_KINDS.join(', ')}`);
  if (body.onDelayS !== undefined) figure('onDelayS', body.onDelayS, { min: 0, max: 86_400 });
  if (body.offDelayS !== undefined) figure('offDelayS', body.offDelayS, { min: 0, max: 86_400 });
  switch (c.kind) {
    case 'threshold':
      if (!['>', '>=', '<', '<='].includes(c.op)) throw bad('condition.op', 'must be one of >, >=, <, <=');
      figure('condition.limit', c.limit);
      if (c.deadband !== undefined) figure('condition.deadband', c.deadband, { min: 0 });
      break;
    case 'rate-of-change':
      figure('condition.limitPerMinute', c.limitPerMinute, { above: 0 });
      figure('condition.windowS', c.windowS, { above: 0, max: 86_400 });
      break;
    case 'deviation':
      figure('condition.limit', c.limit, { above: 0 });
      if (c.deadband !== undefined) figure('condition.deadband', c.deadband, { min: 0 });
      relPath('condition.setpointTag', asset, c.setpointTag);
      break;
    case 'stale':
      figure('condition.afterS', c.afterS, { above: 0, max: 86_400 });
      break;
  }
  if (c.kind !== 'expression') relPath('condition.tag', asset, c.tag);
  if (typeof body.alarm?.message !== 'string' || body.alarm.message === '') throw bad('alarm.message', 'must not be empty');
  (body.actions ?? []).forEach((a, i) => {
    if (a.command.kind === 'write') relPath(`actions[${i}].command.tag`, asset, a.command.tag);
  });
}

function notFound(field: string, asset: string, rel: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_NOT_FOUND', `${field}: tag "${rel}" does not exist under ${asset}`, { details: { field, path: rel } });
}

/**
 * Check a rule body for `asset` (undefined: a template with no machine of its type yet, checked
 * for shape and syntax only). Returns the CEL variables its expressions may use. Throws on the
 * first problem (see the module comment).
 */
export function validateRuleBody(tenant: string, asset: string | undefined, body: RuleBody, tags: TagLookup): { variables: string[] } {
  if (asset !== undefined) {
    try {
      parsePath(asset, 'asset path');
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_BAD_TAG_PATH', (err as Error).message, { details: { field: 'asset' } });
    }
  }
  checkShape(body, asset ?? '');
  const c = body.condition;
  const sw = body.alarm.suppressWhen?.trim() ? body.alarm.suppressWhen : undefined;
  if (asset === undefined) {
    if (c.kind === 'expression') compileCel(c.expression, 'condition.expression');
    if (sw !== undefined) compileCel(sw, 'alarm.suppressWhen');
    return { variables: ['tags'] };
  }
  const vars = assetVariables(tags, tenant, asset);
  const rels = new Set(vars.values());
  const known = [...vars.keys()];
  const mustExist = (field: string, rel: string, numeric: boolean): void => {
    const t = tags.get(tenant, absolute(asset, rel));
    if (!t) throw notFound(field, asset, rel);
    if (numeric && t.type !== 'number') throw bad(field, `tag "${rel}" carries ${t.type} values; this condition needs numbers`);
  };
  if (c.kind !== 'expression') mustExist('condition.tag', c.tag, c.kind !== 'stale');
  if (c.kind === 'deviation') mustExist('condition.setpointTag', c.setpointTag, true);
  const expressions: Array<[string, string]> = [];
  if (c.kind === 'expression') expressions.push(['condition.expression', c.expression]);
  if (sw !== undefined) expressions.push(['alarm.suppressWhen', sw]);
  for (const [field, source] of expressions) {
    const cel = compileCel(source, field, known);
    for (const key of cel.refs.tagKeys) if (!rels.has(key)) throw notFound(field, asset, key);
  }
  const figures = new Set<string>(FIGURE_PLACEHOLDERS);
  for (const name of parseMessage(body.alarm.message).names) {
    if (!figures.has(name) && !vars.has(name)) {
      throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `alarm.message: {${name}} is neither a tag of ${asset} nor one of {limit}, {setpoint}, {value}`, { details: { field: 'alarm.message', path: name } });
    }
  }
  (body.actions ?? []).forEach((a, i) => {
    if (a.command.kind === 'call') {
      // Machines announce their methods as Commands/<method> metrics (docs/commands.md).
      const method = `Commands/${a.command.method}`;
      if (!tags.get(tenant, absolute(asset, method))) {
        throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `actions[${i}].command.method: ${asset} has no method "${a.command.method}" (machines announce methods as Commands/<method>)`, { details: { field: `actions[${i}].command.method`, path: method } });
      }
      return;
    }
    const field = `actions[${i}].command.tag`;
    const t = tags.get(tenant, absolute(asset, a.command.tag));
    if (!t) throw notFound(field, asset, a.command.tag);
    if (t.writable !== true) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `${field}: tag "${a.command.tag}" of ${asset} is not writable`, { details: { field, path: a.command.tag } });
  });
  return { variables: [...known.sort(), 'tags'] };
}
