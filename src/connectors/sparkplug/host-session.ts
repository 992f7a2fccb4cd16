/**
 * What the Sparkplug host remembers per edge node and device between messages: the birth's
 * metric definitions (alias and name → tag path and datatype), last values for stale points,
 * the sequence number it expects next and messages held back while a gap may still fill.
 * @module
 */
import type { Point, Value } from '../../core/point.js';
import type { SpMetric, SpPayload } from './payload-types.js';
import type { DeviceTopic, NodeTopic } from './topic.js';
import { placeholderFor } from './metric-value.js';

/** One metric defined by a birth. */
export interface MetricState {
  path: string;
  datatype: number | undefined;
  /** Last real-time value recorded, kept for the stale points a death emits. */
  last: Value | undefined;
  /** Template definitions describe a type, not a value: never emitted. */
  definition: boolean;
}

/** The metrics of one birth, found by alias (data messages) or by name (data without aliases). */
export class MetricScope {
  readonly byAlias = new Map<number, MetricState>();
  readonly byName = new Map<string, MetricState>();

  /** The state a data metric refers to, by alias first (the spec's rule), else by name. */
  resolve(m: SpMetric): MetricState | undefined {
    if (m.alias !== undefined) return this.byAlias.get(m.alias);
    return m.name === undefined ? undefined : this.byName.get(m.name);
  }

  /** One `bad` point per metric at `ts`, holding the last value (or the typed placeholder). */
  stalePoints(ts: number, out: Point[]): void {
    for (const st of this.byName.values()) {
      if (st.definition) continue;
      out.push({ tag: st.path, ts, value: st.last ?? placeholderFor(st.datatype), quality: 'bad' });
    }
  }
}

/** A device behind an edge node, alive between its DBIRTH and DDEATH (or the node's death). */
export interface DeviceSession {
  online: boolean;
  scope: MetricScope;
}

/** A message held back because its seq is ahead of the one expected. */
export interface PendingMessage {
  topic: string;
  parsed: NodeTopic | DeviceTopic;
  payload: SpPayload;
  /** Told when the held message is finally applied or dropped (see SparkplugHost.handle). */
  done?: () => void;
}

/**
 * The host's view of an edge node.
 * - unborn: seen only through data or commands, never an NBIRTH
 * - online: NBIRTH processed; data is accepted in seq order
 * - rebirth-pending: a seq gap outlived the reorder timeout; data is ignored until NBIRTH
 * - offline: NDEATH processed
 */
export type NodeState = 'unborn' | 'online' | 'rebirth-pending' | 'offline';

/** The host's state for one edge node. */
export class NodeSession {
  state: NodeState = 'unborn';
  /** The bdSeq of the NBIRTH that opened this session (matched against NDEATH). */
  bdSeq: bigint | undefined;
  /** The seq the next DBIRTH/NDATA/DDATA/DDEATH must carry. */
  nextSeq = 0;
  scope = new MetricScope();
  readonly devices = new Map<string, DeviceSession>();
  readonly pending = new Map<number, PendingMessage>();
  reorderTimer: unknown = undefined;
  /** When the last rebirth request went out, for rate limiting. */
  lastRebirthAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly group: string,
    readonly node: string,
  ) {}

  /** Opens a new session from an NBIRTH: fresh metric definitions, no devices until their DBIRTH. */
  reset(seq: number, bdSeq: bigint | undefined): void {
    this.state = 'online';
    this.bdSeq = bdSeq;
    this.nextSeq = (seq + 1) & 255;
    this.scope = new MetricScope();
    this.devices.clear();
    this.lastRebirthAt = Number.NEGATIVE_INFINITY;
  }

  /** Stale points for the node's metrics and those of every online device; marks devices offline. */
  killAll(ts: number): Point[] {
    const out: Point[] = [];
    this.scope.stalePoints(ts, out);
    for (const d of this.devices.values()) {
      if (!d.online) continue;
      d.online = false;
      d.scope.stalePoints(ts, out);
    }
    return out;
  }
}

/** The bdSeq metric of a birth or death as a bigint (the spec makes it Int64), if present and usable. */
export function bdSeqOf(p: SpPayload): bigint | undefined {
  for (const m of p.metrics) {
    if (m.name !== 'bdSeq') continue;
    const v = m.value;
    if (typeof v === 'bigint') return BigInt.asIntN(64, v);
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    return undefined;
  }
  return undefined;
}
