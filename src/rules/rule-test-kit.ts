/**
 * In-memory stand-ins for the rules engine's tests: a rule store, a tag registry with assets, an
 * alarm sink that records every call, principals. The clock is SimClock (src/core/sim-clock.ts).
 * @module
 */
import type { AlarmConditionSink } from '../core/alarm-port.js';
import type { Principal, Role } from '../core/auth.js';
import type { AssetRecord, TagRecord } from '../core/metadata-port.js';
import type { Point, Value, ValueType } from '../core/point.js';
import type { RuleDefinition, RuleStore, RuleTemplate } from '../core/rule-port.js';
import { SimClock } from '../core/sim-clock.js';
import { RuleService } from './rule-service.js';

/** Rules and templates in maps. */
export class MemoryRuleStore implements RuleStore {
  readonly rules = new Map<string, RuleDefinition>();
  readonly templates = new Map<string, RuleTemplate>();
  async listRules(tenant?: string): Promise<RuleDefinition[]> {
    return [...this.rules.values()].filter((r) => tenant === undefined || r.tenant === tenant);
  }
  async saveRule(rule: RuleDefinition): Promise<void> {
    this.rules.set(`${rule.tenant}/${rule.id}`, structuredClone(rule));
  }
  async deleteRule(tenant: string, id: string): Promise<boolean> {
    return this.rules.delete(`${tenant}/${id}`);
  }
  async listTemplates(tenant?: string): Promise<RuleTemplate[]> {
    return [...this.templates.values()].filter((r) => tenant === undefined || r.tenant === tenant);
  }
  async saveTemplate(t: RuleTemplate): Promise<void> {
    this.templates.set(`${t.tenant}/${t.id}`, structuredClone(t));
  }
  async deleteTemplate(tenant: string, id: string): Promise<boolean> {
    return this.templates.delete(`${tenant}/${id}`);
  }
}

/** Tags, assets and last values. */
export class FakeTags {
  private readonly tags = new Map<string, TagRecord>();
  private readonly assets = new Map<string, AssetRecord>();
  private readonly listeners: Array<(tenant: string, assets: readonly AssetRecord[]) => void> = [];
  readonly values = new Map<string, Point>();
  private nextId = 1;

  /** Register a tag (absolute path). */
  add(tenant: string, path: string, type: ValueType = 'number', meta: Partial<TagRecord> = {}): this {
    this.tags.set(`${tenant}\u0000${path}`, { id: this.nextId++, tenant, path, type, source: 'test', createdTs: 0, ...meta });
    return this;
  }
  get(tenant: string, path: string): TagRecord | undefined {
    return this.tags.get(`${tenant}\u0000${path}`);
  }
  list(tenant: string, prefix = ''): TagRecord[] {
    return [...this.tags.values()].filter((t) => t.tenant === tenant && t.path.startsWith(prefix)).sort((a, b) => a.path.localeCompare(b.path));
  }
  assetsOfType(tenant: string, machineType?: string): AssetRecord[] {
    return [...this.assets.values()].filter((a) => a.tenant === tenant && a.machineType !== undefined && (machineType === undefined || a.machineType === machineType));
  }
  onAssetsChanged(l: (tenant: string, assets: readonly AssetRecord[]) => void): void {
    this.listeners.push(l);
  }
  /** Give an asset its machine type and tell the listeners (as TagRegistry.updateAssets does). */
  setAsset(tenant: string, path: string, machineType: string): void {
    const rec: AssetRecord = { tenant, path, machineType };
    this.assets.set(`${tenant}\u0000${path}`, rec);
    for (const l of this.listeners) l(tenant, [rec]);
  }
  /** Set a last value. */
  setLatest(tenant: string, path: string, value: Value, ts: number, quality: Point['quality'] = 'good'): void {
    this.values.set(`${tenant}\u0000${path}`, { tag: path, ts, value, quality });
  }
  latest = (tenant: string, path: string): Point | undefined => this.values.get(`${tenant}\u0000${path}`);
}

/** One call the rules made on the alarms. */
export type SinkCall =
  | { op: 'define'; id: string; rule: RuleDefinition }
  | { op: 'remove'; id: string }
  | { op: 'condition'; id: string; active: boolean; ts: number; value?: Value; message: string }
  | { op: 'suppression'; id: string; suppressed: boolean; ts: number };

/** Records every call. */
export class RecordingSink implements AlarmConditionSink {
  readonly calls: SinkCall[] = [];
  define(rule: RuleDefinition): void {
    this.calls.push({ op: 'define', id: rule.id, rule });
  }
  remove(_tenant: string, id: string): void {
    this.calls.push({ op: 'remove', id });
  }
  condition(_tenant: string, id: string, active: boolean, ts: number, info: { value?: Value; message: string }): void {
    this.calls.push({ op: 'condition', id, active, ts, message: info.message, ...(info.value !== undefined ? { value: info.value } : {}) });
  }
  suppression(_tenant: string, id: string, suppressed: boolean, ts: number): void {
    this.calls.push({ op: 'suppression', id, suppressed, ts });
  }
  /** Condition calls of one alarm: `[active, ts]`. */
  conditions(id: string): Array<[boolean, number]> {
    return this.calls.flatMap((c) => (c.op === 'condition' && c.id === id ? [[c.active, c.ts] as [boolean, number]] : []));
  }
  /** The last condition call of one alarm. */
  last(id: string): Extract<SinkCall, { op: 'condition' }> | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i]!;
      if (c.op === 'condition' && c.id === id) return c;
    }
    return undefined;
  }
  clear(): void {
    this.calls.length = 0;
  }
}

/** A user of tenant `t1` with one role on one scope. */
export function principal(role: Role, scope = '', tenant = 't1'): Principal {
  return { kind: 'user', id: `${role}-${scope || 'all'}`, name: `${role}@${scope || tenant}`, tenant, grants: [{ role, scope }], platformOperator: false };
}

/** A started RuleService over an in-memory store, `tags`, a recording sink and a clock at `t0`. */
export async function startRules(tags: FakeTags, t0: number): Promise<{ store: MemoryRuleStore; sink: RecordingSink; clock: SimClock; svc: RuleService }> {
  const store = new MemoryRuleStore();
  const sink = new RecordingSink();
  const clock = new SimClock(t0);
  const svc = new RuleService({ store, tags, latest: tags.latest, alarms: sink, clock });
  await svc.start();
  return { store, sink, clock, svc };
}
