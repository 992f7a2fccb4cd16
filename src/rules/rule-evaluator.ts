/**
 * The state of one rule's condition, fed point by point. The same class runs live (system clock)
 * and in a backtest (simulated clock), so delays behave the same in both.
 *
 * Per kind (see RuleCondition in src/core/rule-port.ts):
 * - threshold and rate-of-change are evaluated on each point of their tag, natively (no CEL);
 * - deviation, expression and suppressWhen are evaluated once per batch in which an input changed;
 * - stale: a point re-arms the rule's timer (lazily: the timer runs at most once per `afterS`,
 *   and on firing checks the time of the last update); `bad` quality is stale at once.
 *
 * Bad or missing input (a tag of `bad` quality, no value yet, a value that is not a number, an
 * expression that fails or gives a non-boolean) leaves the condition as it was: no raise, no
 * clear. `uncertain` values are used. A point older than the newest seen for its tag is ignored.
 *
 * While active, the alarm's message and value are refreshed at most every {@link REFRESH_MS}
 * when the condition's tag changed (no journal entry; the alarm list shows the live value).
 *
 * On-delay: the condition must hold continuously `onDelayS` before the alarm is told it is active;
 * off-delay likewise before it is told it cleared. The first verdict after start tells the alarm
 * "inactive" at once (bringing a record from before a restart up to date); "active" waits out the
 * on-delay as always.
 * @module
 */
import type { AlarmConditionSink } from '../core/alarm-port.js';
import type { Point, Quality, Value } from '../core/point.js';
import type { Clock } from '../core/rule-port.js';
import { celErrorText } from './rule-cel.js';
import { ROLE_CONDITION, ROLE_MAIN, ROLE_SETPOINT, ROLE_SUPPRESS, type CompiledExpression, type CompiledRule } from './rule-compiler.js';
import { renderMessage } from './rule-message.js';
import { fillPlaceholder, type PlaceholderHost } from './rule-placeholders.js';
import { RateWindow } from './rate-window.js';

/** What a rule's evaluation needs from around it. */
export interface EvaluatorHost extends PlaceholderHost {
  clock: Clock;
  sink: Pick<AlarmConditionSink, 'condition' | 'suppression'>;
  /** Counted: one per evaluation of a condition or suppression. */
  stats: { evaluations: number };
  /** An expression failed (told once per rule and expression until it works again). */
  warn?(ruleId: string, field: string, message: string): void;
}

function num(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** How often an active alarm's message and value are refreshed while its tag moves. */
export const REFRESH_MS = 10_000;
const KIND_THRESHOLD = 0;
const KIND_CODES = { threshold: KIND_THRESHOLD, 'rate-of-change': 1, deviation: 2, stale: 3, expression: 4 } as const;

/** One rule's live condition state. */
export class RuleRunner {
  /** The condition as last evaluated (before delays); undefined until known. */
  raw: boolean | undefined;
  /** What the alarm was last told (after delays). */
  reported: boolean | undefined;
  /** suppressWhen as last told to the alarm. */
  suppressed: boolean | undefined;
  /** Queued for the end of the batch. */
  queued = false;
  private dirty = 0;
  private delayTimer: unknown;
  private staleTimer: unknown;
  private lastUpdate = 0;
  private mainTs = -Infinity;
  private mainValue: Value | undefined;
  private mainQuality: Quality | undefined;
  private spTs = -Infinity;
  private spValue: Value | undefined;
  private spQuality: Quality | undefined;
  /** Latest points of CEL inputs (only rules with expressions have any). */
  private inputs: Map<string, Point> | undefined;
  private readonly roc: RateWindow | undefined;
  private failing: string | undefined;
  private reportTs = -Infinity;
  private reportValue: Value | undefined;
  private readonly onDelayMs: number;
  private readonly offDelayMs: number;
  // The threshold's figures on the runner itself: the hot path touches one object per point.
  private readonly kind: number;
  private readonly high: boolean;
  private readonly inclusive: boolean;
  /** Once active, a deadband keeps it so down to the clear limit itself (clears strictly beyond it). */
  private readonly clearInclusive: boolean;
  private readonly limit: number;
  private readonly clearLimit: number;

  constructor(readonly compiled: CompiledRule, private readonly host: EvaluatorHost) {
    const d = compiled.def;
    this.onDelayMs = Math.max(0, (d.onDelayS ?? 0) * 1000);
    this.offDelayMs = Math.max(0, (d.offDelayS ?? 0) * 1000);
    const c = d.condition;
    this.kind = KIND_CODES[c.kind];
    if (c.kind === 'rate-of-change') this.roc = new RateWindow(c.windowS * 1000);
    const threshold = c.kind === 'threshold';
    this.high = threshold && (c.op === '>' || c.op === '>=');
    this.inclusive = threshold && (c.op === '>=' || c.op === '<=');
    this.limit = threshold ? c.limit : 0;
    this.clearLimit = threshold ? (this.high ? c.limit - (c.deadband ?? 0) : c.limit + (c.deadband ?? 0)) : 0;
    this.clearInclusive = threshold && (c.deadband ?? 0) > 0 ? true : this.inclusive;
  }

  /** The hot path: a point of the tag of a threshold rule (and nothing else watches it there). */
  threshold(p: Point, now: number): void {
    this.host.stats.evaluations++;
    if (p.ts < this.mainTs) return;
    this.mainTs = p.ts;
    this.mainValue = p.value;
    this.mainQuality = p.quality;
    const v = typeof p.value === 'number' ? p.value : num(p.value);
    if (p.quality === 'bad' || v === undefined) return;
    const active = this.raw === true;
    const lim = active ? this.clearLimit : this.limit;
    const incl = active ? this.clearInclusive : this.inclusive;
    const raw = this.high ? (incl ? v >= lim : v > lim) : incl ? v <= lim : v < lim;
    this.setRaw(raw, now);
  }

  /** True when points of the main tag go straight to {@link threshold}. */
  get isThreshold(): boolean {
    return this.kind === KIND_THRESHOLD;
  }

  /** Take over what the previous version of this rule told the alarm (a rule was changed). */
  adopt(prev: RuleRunner): void {
    this.reported = prev.reported;
    this.suppressed = prev.suppressed;
  }

  /**
   * First evaluation: seed inputs from the live values, evaluate, arm the stale timer.
   * `seed` gives the newest point of an absolute path.
   */
  start(now: number, seed: (path: string) => Point | undefined): void {
    const queue: RuleRunner[] = [];
    const stale = this.compiled.def.condition.kind === 'stale';
    for (const w of this.compiled.paths) {
      const p = seed(w.path);
      // A `bad` mark kept from before the start (the device died, the platform stopped) says
      // nothing about now: a stale rule waits its afterS from the start instead of raising at once.
      if (p && !(stale && p.quality === 'bad')) this.input(w.roles, p, now, queue);
    }
    if (this.compiled.def.condition.kind === 'stale' && this.staleTimer === undefined) {
      this.lastUpdate = now;
      this.armStale(now);
    }
    this.flush(now);
  }

  /** Stop every timer. */
  stop(): void {
    if (this.delayTimer !== undefined) this.host.clock.clearTimer(this.delayTimer);
    if (this.staleTimer !== undefined) this.host.clock.clearTimer(this.staleTimer);
    this.delayTimer = this.staleTimer = undefined;
  }

  /** A point of a watched path; `roles` says what the path is to this rule. Batch work goes on `queue`. */
  input(roles: number, p: Point, now: number, queue: RuleRunner[]): void {
    if (roles & ROLE_MAIN) this.onMain(p, now, queue);
    if (roles & ROLE_SETPOINT && p.ts >= this.spTs) {
      this.spTs = p.ts;
      this.spValue = p.value;
      this.spQuality = p.quality;
      this.mark(ROLE_SETPOINT, queue);
    }
    if (roles & (ROLE_CONDITION | ROLE_SUPPRESS)) {
      const inputs = (this.inputs ??= new Map());
      const prev = inputs.get(p.tag);
      if (prev === undefined || p.ts >= prev.ts) {
        inputs.set(p.tag, p);
        this.mark(roles & (ROLE_CONDITION | ROLE_SUPPRESS), queue);
      }
    }
  }

  /** Evaluate what the batch left pending. */
  flush(now: number): void {
    const d = this.dirty;
    this.dirty = 0;
    this.queued = false;
    if (d & (ROLE_MAIN | ROLE_SETPOINT)) this.evalDeviation(now);
    if (d & ROLE_CONDITION && this.compiled.condition) {
      const r = this.runCel(this.compiled.condition, 'condition.expression');
      if (r !== undefined) this.setRaw(r, now);
    }
    if (d & ROLE_SUPPRESS && this.compiled.suppress) {
      const r = this.runCel(this.compiled.suppress, 'alarm.suppressWhen');
      if (r !== undefined && r !== this.suppressed) {
        this.suppressed = r;
        this.host.sink.suppression(this.compiled.def.tenant, this.compiled.def.id, r, now);
      }
    }
  }

  private mark(role: number, queue: RuleRunner[]): void {
    this.dirty |= role;
    if (!this.queued) {
      this.queued = true;
      queue.push(this);
    }
  }

  private onMain(p: Point, now: number, queue: RuleRunner[]): void {
    if (this.kind === KIND_THRESHOLD) {
      this.threshold(p, now);
      return;
    }
    const c = this.compiled.def.condition;
    if (c.kind === 'stale') {
      this.lastUpdate = now;
      if (p.ts >= this.mainTs) {
        this.keepMain(p);
        this.host.stats.evaluations++;
        this.setRaw(p.quality === 'bad', now);
      }
      this.armStale(now);
      return;
    }
    if (p.ts < this.mainTs) return;
    this.keepMain(p);
    if (c.kind === 'deviation') {
      this.mark(ROLE_MAIN, queue);
      return;
    }
    const v = num(p.value);
    if (c.kind === 'rate-of-change') {
      this.host.stats.evaluations++;
      if (p.quality === 'bad' || v === undefined) return;
      const rate = this.roc!.push(p.ts, v);
      const raw = rate > c.limitPerMinute;
      this.setRaw(raw, now);
    }
  }

  private keepMain(p: Point): void {
    this.mainTs = p.ts;
    this.mainValue = p.value;
    this.mainQuality = p.quality;
  }

  private evalDeviation(now: number): void {
    const c = this.compiled.def.condition;
    if (c.kind !== 'deviation') return;
    this.host.stats.evaluations++;
    const v = num(this.mainValue);
    const sp = num(this.spValue);
    if (v === undefined || sp === undefined || this.mainQuality === 'bad' || this.spQuality === 'bad') return;
    const d = Math.abs(v - sp);
    const db = c.deadband ?? 0;
    // Raised above the limit; with a deadband, cleared only below limit − deadband.
    const raw = this.raw === true && db > 0 ? d >= c.limit - db : d > c.limit;
    this.setRaw(raw, now);
  }

  private runCel(x: CompiledExpression, field: string): boolean | undefined {
    this.host.stats.evaluations++;
    const tags: Record<string, Value> = {};
    const ctx: Record<string, unknown> = { tags };
    for (const i of x.inputs) {
      const p = this.inputs?.get(i.path);
      if (p === undefined || p.quality === 'bad') return undefined;
      tags[i.rel] = p.value;
      if (i.variable !== undefined) ctx[i.variable] = p.value;
    }
    let r: unknown;
    try {
      r = x.cel.run(ctx);
    } catch (err) {
      this.fail(field, celErrorText(err));
      return undefined;
    }
    if (typeof r !== 'boolean') {
      this.fail(field, `gives ${typeof r}, not a boolean`);
      return undefined;
    }
    this.failing = undefined;
    return r;
  }

  private fail(field: string, message: string): void {
    const key = `${field}: ${message}`;
    if (this.failing === key) return;
    this.failing = key;
    this.host.warn?.(this.compiled.def.id, field, message);
  }

  private setRaw(raw: boolean, now: number): void {
    if (raw === this.raw) {
      // Still active: refresh the alarm's message and value now and then (no journal entry).
      if (raw && this.reported === true && now - this.reportTs >= REFRESH_MS && this.mainValue !== this.reportValue) this.report(now);
      return;
    }
    this.raw = raw;
    if (raw === this.reported) {
      if (this.delayTimer !== undefined) {
        this.host.clock.clearTimer(this.delayTimer);
        this.delayTimer = undefined;
      }
      return;
    }
    const delay = raw ? this.onDelayMs : this.reported === undefined ? 0 : this.offDelayMs;
    if (delay <= 0) {
      if (this.delayTimer !== undefined) this.host.clock.clearTimer(this.delayTimer);
      this.delayTimer = undefined;
      this.report(now);
    } else if (this.delayTimer === undefined) {
      this.delayTimer = this.host.clock.setTimer(() => this.onDelayTimer(), delay);
    }
  }

  private armStale(now: number): void {
    if (this.staleTimer !== undefined) return;
    const c = this.compiled.def.condition;
    if (c.kind !== 'stale') return;
    this.staleTimer = this.host.clock.setTimer(() => this.onStaleTimer(), this.lastUpdate + c.afterS * 1000 - now);
  }

  private onDelayTimer(): void {
    this.delayTimer = undefined;
    if (this.raw !== undefined && this.raw !== this.reported) this.report(this.host.clock.now());
  }

  private onStaleTimer(): void {
    this.staleTimer = undefined;
    const c = this.compiled.def.condition;
    if (c.kind !== 'stale') return;
    const now = this.host.clock.now();
    const idle = now - this.lastUpdate;
    if (idle >= c.afterS * 1000) {
      this.host.stats.evaluations++;
      this.setRaw(true, now);
    } else this.armStale(now);
  }

  private report(now: number): void {
    const d = this.compiled.def;
    this.reported = this.raw;
    this.reportTs = now;
    this.reportValue = this.mainValue;
    const info: { value?: Value; message: string } = { message: this.render() };
    if (this.mainValue !== undefined) info.value = this.mainValue;
    this.host.sink.condition(d.tenant, d.id, this.raw === true, now, info);
  }

  /** The alarm message with the values known now. */
  render(): string {
    const held = { main: this.mainValue, setpoint: this.spValue, inputs: this.inputs };
    return renderMessage(this.compiled.message, (name) => fillPlaceholder(name, this.compiled, this.host, held));
  }
}
