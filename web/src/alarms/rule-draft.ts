/**
 * The rule editor's form state and its conversion to and from the API's rule shape: numbers are
 * kept as typed text until saved, so a half-typed "1." is not lost. Also where a server's
 * validation error belongs in the form (its `details.field`, as a dotted path).
 * @module
 */
import type { ApiRule, ApiRuleCondition, ApiRuleInput, ApiRuleTemplate, ApiRuleTemplateInput } from '../../../src/protocol/alarm-types.js';

/** The condition kinds, in the order the editor offers them. */
export const KINDS = ['threshold', 'rate-of-change', 'deviation', 'stale', 'expression'] as const;
/** A condition kind. */
export type Kind = (typeof KINDS)[number];

/** One action row of the form. */
export interface ActionDraft { on: 'raise' | 'clear'; kind: 'write' | 'call'; tag: string; value: string; method: string; args: string }

/** The form. */
export interface RuleDraft {
  id: string; name: string; asset: string; machineType: string; enabled: boolean; description: string;
  kind: Kind; tag: string; op: '>' | '>=' | '<' | '<='; limit: string; deadband: string; limitPerMinute: string; windowS: string;
  setpointTag: string; afterS: string; expression: string;
  onDelayS: string; offDelayS: string;
  priority: ApiRuleInput['alarm']['priority']; message: string; latched: boolean; suppressWhen: string; notify: string;
  actions: ActionDraft[];
}

/** A blank rule. */
export function emptyDraft(asset = ''): RuleDraft {
  return {
    id: '', name: '', asset, machineType: '', enabled: true, description: '',
    kind: 'threshold', tag: '', op: '>', limit: '', deadband: '', limitPerMinute: '', windowS: '60', setpointTag: '', afterS: '60', expression: '',
    onDelayS: '', offDelayS: '', priority: 'medium', message: '', latched: false, suppressWhen: '', notify: '', actions: [],
  };
}

const str = (n: number | undefined): string => (n === undefined ? '' : String(n));

function valueText(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

/** The form of an existing rule or template. */
export function draftOf(r: ApiRule | ApiRuleTemplate): RuleDraft {
  const d = emptyDraft('asset' in r ? r.asset : '');
  const c = r.condition;
  Object.assign(d, {
    id: r.id, name: r.name, machineType: 'machineType' in r ? r.machineType : '', enabled: r.enabled, description: r.description ?? '',
    kind: c.kind, onDelayS: str(r.onDelayS), offDelayS: str(r.offDelayS),
    priority: r.alarm.priority, message: r.alarm.message, latched: r.alarm.latched ?? false, suppressWhen: r.alarm.suppressWhen ?? '',
    notify: (r.alarm.notify ?? []).join(', '),
    actions: (r.actions ?? []).map((a): ActionDraft => a.command.kind === 'write'
      ? { on: a.on, kind: 'write', tag: a.command.tag, value: valueText(a.command.value), method: '', args: '' }
      : { on: a.on, kind: 'call', tag: '', value: '', method: a.command.method, args: a.command.args ? JSON.stringify(a.command.args) : '' }),
  });
  if (c.kind === 'threshold') Object.assign(d, { tag: c.tag, op: c.op, limit: str(c.limit), deadband: str(c.deadband) });
  else if (c.kind === 'rate-of-change') Object.assign(d, { tag: c.tag, limitPerMinute: str(c.limitPerMinute), windowS: str(c.windowS) });
  else if (c.kind === 'deviation') Object.assign(d, { tag: c.tag, setpointTag: c.setpointTag, limit: str(c.limit), deadband: str(c.deadband) });
  else if (c.kind === 'stale') Object.assign(d, { tag: c.tag, afterS: str(c.afterS) });
  else d.expression = c.expression;
  return d;
}

/** A problem found in the form before it goes to the server, or reported by the server. */
export class FieldError extends Error {
  constructor(readonly field: string, message: string, readonly position?: number) {
    super(message);
  }
}

function num(v: string, field: string, required: boolean): number | undefined {
  if (v.trim() === '') {
    if (required) throw new FieldError(field, 'required');
    return undefined;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new FieldError(field, `not a number: ${v}`);
  return n;
}

/** A typed value: true/false and numbers as such, anything else as text. */
export function parseValue(v: string): string | number | boolean {
  const s = v.trim();
  if (s === 'true' || s === 'false') return s === 'true';
  if (s !== '' && Number.isFinite(Number(s))) return Number(s);
  return v;
}

function condition(d: RuleDraft): ApiRuleCondition {
  const opt = <T>(k: string, v: T | undefined) => (v === undefined ? {} : { [k]: v });
  switch (d.kind) {
    case 'threshold':
      return { kind: 'threshold', tag: d.tag.trim(), op: d.op, limit: num(d.limit, 'condition.limit', true)!, ...opt('deadband', num(d.deadband, 'condition.deadband', false)) };
    case 'rate-of-change':
      return { kind: 'rate-of-change', tag: d.tag.trim(), limitPerMinute: num(d.limitPerMinute, 'condition.limitPerMinute', true)!, windowS: num(d.windowS, 'condition.windowS', true)! };
    case 'deviation':
      return { kind: 'deviation', tag: d.tag.trim(), setpointTag: d.setpointTag.trim(), limit: num(d.limit, 'condition.limit', true)!, ...opt('deadband', num(d.deadband, 'condition.deadband', false)) };
    case 'stale':
      return { kind: 'stale', tag: d.tag.trim(), afterS: num(d.afterS, 'condition.afterS', true)! };
    default:
      return { kind: 'expression', expression: d.expression };
  }
}

/** The body the API takes, shared by rules and templates. Throws FieldError on a bad number or JSON. */
export function ruleBody(d: RuleDraft): Omit<ApiRuleInput, 'id' | 'asset'> {
  const onDelayS = num(d.onDelayS, 'onDelayS', false);
  const offDelayS = num(d.offDelayS, 'offDelayS', false);
  const notify = d.notify.split(/[\s,]+/).filter(Boolean);
  return {
    name: d.name.trim(),
    condition: condition(d),
    ...(onDelayS === undefined ? {} : { onDelayS }),
    ...(offDelayS === undefined ? {} : { offDelayS }),
    alarm: {
      priority: d.priority, message: d.message,
      ...(d.latched ? { latched: true } : {}),
      ...(d.suppressWhen.trim() ? { suppressWhen: d.suppressWhen } : {}),
      ...(notify.length ? { notify } : {}),
    },
    actions: d.actions.map((a, i) => {
      if (a.kind === 'write') return { on: a.on, command: { kind: 'write' as const, tag: a.tag.trim(), value: parseValue(a.value) } };
      let args: Record<string, string | number | boolean> | undefined;
      if (a.args.trim()) {
        try {
          args = JSON.parse(a.args) as Record<string, string | number | boolean>;
        } catch (e) {
          throw new FieldError(`actions.${i}.command.args`, (e as Error).message);
        }
      }
      return { on: a.on, command: { kind: 'call' as const, method: a.method.trim(), ...(args ? { args } : {}) } };
    }),
    enabled: d.enabled,
    ...(d.description.trim() ? { description: d.description.trim() } : {}),
  };
}

/** The rule as POST/PUT /api/v1/rules takes it. */
export function ruleInput(d: RuleDraft): ApiRuleInput {
  return { ...(d.id.trim() ? { id: d.id.trim() } : {}), asset: d.asset.trim(), ...ruleBody(d) };
}

/** The template as POST/PUT /api/v1/rule-templates takes it. */
export function templateInput(d: RuleDraft): ApiRuleTemplateInput {
  return { ...(d.id.trim() ? { id: d.id.trim() } : {}), machineType: d.machineType.trim(), ...ruleBody(d) };
}

/**
 * A field name as the editor uses it: dotted, array indexes as segments
 * (`/actions/0/command/tag`, `actions[0].command.tag` → `actions.0.command.tag`).
 */
export function normaliseField(f: string): string {
  return f.replace(/\[(\d+)\]/g, '.$1').replace(/^[/.]+/, '').replace(/\//g, '.');
}

/** The error belongs to the form field `name` (or to a part of it). */
export function errorFor(err: FieldError | undefined, name: string): FieldError | undefined {
  if (!err) return undefined;
  const f = normaliseField(err.field);
  return f === name || f.startsWith(name + '.') ? err : undefined;
}
