/**
 * One connector as a Sparkplug device of the edge node: its metrics (name = tag path, alias,
 * datatype), the last value the broker acknowledged per metric (what a DBIRTH restates), and the
 * way DCMD commands reach the connector (writes to tags, `<machine>/Commands/<method>` calls).
 * @module
 */
import { DataType, type SpPayload } from '../connectors/sparkplug/codec.js';
import type { ConnectorLog, SupervisedConnector } from '../core/connector-port.js';
import type { ConnectorDefinition } from '../core/connector-settings.js';
import type { Value, ValueType } from '../core/point.js';
import { datatypeOf, type BirthMetric, type BufferedPoint } from './edge-payloads.js';

const TYPE_OF: Record<ValueType, number> = { number: DataType.Double, boolean: DataType.Boolean, string: DataType.String };

/** A Sparkplug device backed by one connector. */
export class EdgeDevice {
  private readonly metrics = new Map<string, BirthMetric>();
  private readonly byAlias = new Map<number, string>();
  /** `<machine>/Commands/<method>` → the call it makes. */
  private readonly methods = new Map<string, { machine: string; method: string }>();
  private connector: SupervisedConnector | undefined;

  constructor(readonly id: string, private readonly allocAlias: () => number) {}

  /** Binds the connector: its configured tags and (OPC UA) methods are metrics from the first birth on. */
  attach(connector: SupervisedConnector, def: ConnectorDefinition): void {
    this.connector = connector;
    for (const t of connector.tags()) if (t.type) this.define(t.path, TYPE_OF[t.type]);
    if (def.kind === 'opcua') {
      for (const m of def.settings.methods ?? []) {
        const name = `${m.machine}/Commands/${m.method}`;
        this.methods.set(name, { machine: m.machine, method: m.method });
        this.define(name, DataType.Boolean);
      }
    }
  }

  private define(name: string, datatype: number): BirthMetric {
    const m: BirthMetric = { name, alias: this.allocAlias(), datatype };
    this.metrics.set(name, m);
    this.byAlias.set(m.alias, name);
    return m;
  }

  /** Defines the tags of `points` not seen before; true when there were any (the device must rebirth). */
  learn(points: readonly BufferedPoint[]): boolean {
    let added = false;
    for (const p of points) {
      if (this.metrics.has(p[0])) continue;
      this.define(p[0], datatypeOf(p[2]));
      added = true;
    }
    return added;
  }

  /** The metric of a tag, once learnt. */
  metric(name: string): BirthMetric | undefined {
    return this.metrics.get(name);
  }

  /** The metrics to announce in a DBIRTH. */
  birthMetrics(): BirthMetric[] {
    return [...this.metrics.values()];
  }

  /** Remembers acknowledged values: the next DBIRTH restates them. */
  acknowledged(points: readonly BufferedPoint[]): void {
    for (const p of points) {
      const m = this.metrics.get(p[0]);
      if (m) m.last = { value: p[2], ts: p[1], quality: p[3] };
    }
  }

  /** Applies a DCMD: each metric a write of its tag, or a method call; logs the outcome. */
  async command(msg: SpPayload, log: ConnectorLog): Promise<void> {
    const conn = this.connector;
    for (const m of msg.metrics) {
      const name = m.name ?? (m.alias !== undefined ? this.byAlias.get(m.alias) : undefined);
      const v = m.value;
      if (name === undefined || !conn || (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string' && typeof v !== 'bigint')) {
        log.warn({ device: this.id, metric: name ?? m.alias }, 'edge: command for an unknown metric or without a value ignored');
        continue;
      }
      const value: Value = typeof v === 'bigint' ? Number(v) : v;
      const call = this.methods.get(name);
      try {
        if (call) {
          if (value === true) await conn.call(call.machine, call.method, {});
        } else await conn.write(name, value);
        log.info({ device: this.id, metric: name, value }, 'edge: command applied');
      } catch (err) {
        log.warn({ device: this.id, metric: name, err: (err as Error).message }, 'edge: command failed');
      }
    }
  }
}
