/**
 * What each `{name}` of an alarm message stands for: the condition's figures (`{limit}`,
 * `{setpoint}`, `{value}`) with the main tag's unit, or the live value of the asset's tag whose
 * CEL variable is `name` (the rule's own inputs first, then the last-value cache).
 * @module
 */
import type { Point, Value } from '../core/point.js';
import { variableName } from './rule-cel.js';
import type { CompiledRule } from './rule-compiler.js';
import type { Filled } from './rule-message.js';

/** Where live values, units and variable names come from. */
export interface PlaceholderHost {
  /** A live value (message placeholders that are not among the rule's inputs). */
  latest(tenant: string, path: string): Point | undefined;
  /** The engineering unit of a tag, if known. */
  unit(tenant: string, path: string): string | undefined;
  /** The relative path of a CEL variable of an asset. */
  resolve(tenant: string, asset: string, variable: string): string;
}

/** The values a rule holds when its message is rendered. */
export interface HeldValues {
  main: Value | undefined;
  setpoint: Value | undefined;
  inputs: ReadonlyMap<string, Point> | undefined;
}

/** Fill one placeholder of a rule's message. */
export function fillPlaceholder(name: string, rule: CompiledRule, host: PlaceholderHost, held: HeldValues): Filled | undefined {
  const { def, main, setpoint } = rule;
  const c = def.condition;
  const unit = (path: string | undefined): string | undefined => (path === undefined ? undefined : host.unit(def.tenant, path));
  switch (name) {
    case 'value': return { value: held.main, unit: unit(main) };
    case 'setpoint': return c.kind === 'deviation' ? { value: held.setpoint, unit: unit(main) } : undefined;
    case 'limit':
      if (c.kind === 'threshold' || c.kind === 'deviation') return { value: c.limit, unit: unit(main) };
      if (c.kind === 'rate-of-change') {
        const u = unit(main);
        return { value: c.limitPerMinute, unit: u ? `${u}/min` : undefined };
      }
      if (c.kind === 'stale') return { value: c.afterS, unit: 's' };
      return undefined;
  }
  if (main !== undefined && c.kind !== 'expression' && variableName(c.tag) === name) return { value: held.main, unit: unit(main) };
  if (setpoint !== undefined && c.kind === 'deviation' && variableName(c.setpointTag) === name) return { value: held.setpoint, unit: unit(setpoint) };
  const path = `${def.asset}/${host.resolve(def.tenant, def.asset, name)}`;
  const p = held.inputs?.get(path) ?? host.latest(def.tenant, path);
  return p && p.quality !== 'bad' ? { value: p.value, unit: unit(path) } : { value: undefined };
}
