/**
 * Rules: a condition over tags, attached to an asset, that drives one ISA-18.2 alarm and may act
 * on its own (a command back to the machine). Conditions are evaluated by src/rules/; the alarm
 * they drive lives in src/alarms/. Tag paths inside a rule are relative to the rule's asset
 * (`spindle_temp`, `axis/x/pos`); the CEL variable of a relative path is that path with every
 * character outside [A-Za-z0-9_] replaced by `_` (as for interlocks).
 *
 * @example
 * const r: RuleDefinition = {
 *   id: 'cnc-01-spindle-hot', tenant: 'demo', name: 'Spindle over temperature',
 *   asset: 'shanghai-lingang/machining/line-1/cnc-01',
 *   condition: { kind: 'threshold', tag: 'spindle_temp', op: '>', limit: 80, deadband: 2 },
 *   onDelayS: 5, offDelayS: 0,
 *   alarm: { priority: 'high', message: 'Spindle at {spindle_temp} °C (limit {limit} °C)' },
 *   actions: [{ on: 'raise', command: { kind: 'call', method: 'stop' } }],
 *   enabled: true,
 * };
 * @module
 */
import type { Value } from './point.js';

/** Comparison of a threshold rule. `>`/`>=` are high alarms, `<`/`<=` low alarms. */
export type ThresholdOp = '>' | '>=' | '<' | '<=';

/**
 * What makes a rule's alarm active.
 * - threshold: the tag's value compared with `limit`; once active it clears only when the value
 *   is back beyond `limit` by `deadband` (a high alarm at 80 with deadband 2 clears below 78).
 * - rate-of-change: |change| of the tag over the last `windowS` seconds, per minute, exceeds
 *   `limitPerMinute`.
 * - deviation: |tag − setpointTag| exceeds `limit`; clears below `limit − deadband`.
 * - stale: the tag had no update for `afterS` seconds, or its quality is `bad`
 *   (communication loss).
 * - expression: a CEL expression over the asset's tags giving a boolean.
 */
export type RuleCondition =
  | { kind: 'threshold'; tag: string; op: ThresholdOp; limit: number; deadband?: number }
  | { kind: 'rate-of-change'; tag: string; limitPerMinute: number; windowS: number }
  | { kind: 'deviation'; tag: string; setpointTag: string; limit: number; deadband?: number }
  | { kind: 'stale'; tag: string; afterS: number }
  | { kind: 'expression'; expression: string };

/** The kinds of {@link RuleCondition}. */
export const RULE_KINDS = ['threshold', 'rate-of-change', 'deviation', 'stale', 'expression'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** ISA-18.2 priorities, most urgent first. */
export const ALARM_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type AlarmPriority = (typeof ALARM_PRIORITIES)[number];

/** How a rule's alarm is presented and handled. */
export interface RuleAlarmSettings {
  priority: AlarmPriority;
  /**
   * Shown to operators; `{name}` is replaced by the live value of the relative tag `name` (its CEL
   * variable name), and `{limit}`, `{setpoint}`, `{value}` by the condition's figures.
   */
  message: string;
  /** ISA-18.2 latched alarm: after it clears it stays `latched` until acknowledged and reset. */
  latched?: boolean;
  /**
   * Suppressed by design: while this CEL expression over the asset's tags is true, the alarm is
   * `suppressed` (e.g. `state == "planned-stop"`). Evaluated like a condition.
   */
  suppressWhen?: string;
  /** Notification target ids told directly on raise (besides the area's roster). */
  notify?: string[];
}

/**
 * What a rule does by itself (lights-out automation): a command to the rule's machine, sent
 * through the command path (interlocks, audit) as the principal `rule:<rule id>`.
 * Tags are relative to the rule's asset; a call goes to the rule's asset.
 */
export interface RuleAction {
  on: 'raise' | 'clear';
  command: { kind: 'write'; tag: string; value: Value } | { kind: 'call'; method: string; args?: Record<string, Value> };
}

/** The parts a rule and a template share. */
export interface RuleBody {
  name: string;
  condition: RuleCondition;
  /** The condition must hold this long before the alarm is raised (s, default 0). */
  onDelayS?: number;
  /** The condition must be gone this long before the alarm clears (s, default 0). */
  offDelayS?: number;
  alarm: RuleAlarmSettings;
  actions?: RuleAction[];
  enabled: boolean;
  description?: string;
}

/** A rule attached to one asset. Its alarm has the same id. */
export interface RuleDefinition extends RuleBody {
  /** Unique per tenant: `[a-z0-9][a-z0-9_.-]*`. A template's instance is `<template id>@<asset path>`. */
  id: string;
  tenant: string;
  /** The asset path the rule is attached to; tag paths in it are relative to it; also the alarm's area. */
  asset: string;
  /** Set on instances of a template. */
  templateId?: string;
  updatedTs?: number;
  updatedBy?: string;
}

/** A rule for every machine of a type, present and future: one instance per matching asset. */
export interface RuleTemplate extends RuleBody {
  id: string;
  tenant: string;
  /** Applies to every asset whose `machineType` equals this. */
  machineType: string;
  updatedTs?: number;
  updatedBy?: string;
}

/** The instance id of a template on an asset. */
export function templateInstanceId(templateId: string, assetPath: string): string {
  return `${templateId}@${assetPath}`;
}

/** Durable storage of rules and templates. */
export interface RuleStore {
  /** Every rule (not template instances), every tenant when `tenant` is omitted. */
  listRules(tenant?: string): Promise<RuleDefinition[]>;
  saveRule(rule: RuleDefinition): Promise<void>;
  deleteRule(tenant: string, id: string): Promise<boolean>;
  listTemplates(tenant?: string): Promise<RuleTemplate[]>;
  saveTemplate(t: RuleTemplate): Promise<void>;
  deleteTemplate(tenant: string, id: string): Promise<boolean>;
}

/**
 * A clock and timers, so every delay, expiry and escalation can be driven by tests.
 * `setTimer` returns a handle for `clearTimer`.
 */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
