/**
 * The Sparkplug B payloads an edge node sends about itself: births, deaths, and the reading of
 * commands and host STATE. Kept apart from the session logic so the rules of each message are
 * in one place.
 * @module
 */
import { DataType, type SpMetric, type SpPayload, type SpPropertySet } from '../connectors/sparkplug/codec.js';
import type { Value } from '../core/point.js';
import type { TagKind, TagSpec } from './machine-types.js';

/** The rebirth request metric of the spec. */
export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** The Sparkplug datatype of each simulated tag kind. */
export const SPARKPLUG_TYPES: Readonly<Record<TagKind, number>> = {
  double: DataType.Double,
  float: DataType.Float,
  int32: DataType.Int32,
  uint32: DataType.UInt32,
  boolean: DataType.Boolean,
  string: DataType.String,
};

// The codec picks a value's wire field from the datatype, or from the JS type when there is
// none (number → double). Doubles, booleans and strings can therefore drop the datatype in
// DDATA as the spec advises; integers and floats must keep it or arrive as doubles.
const DATA_NEEDS_TYPE = new Set<TagKind>(['float', 'int32', 'uint32']);

/** The bdSeq metric: Int64, the session number shared by an NBIRTH and its NDEATH. */
function bdSeqMetric(bdSeq: number, ts: number): SpMetric {
  return { name: 'bdSeq', datatype: DataType.Int64, value: bdSeq, timestamp: ts };
}

/** NBIRTH: seq 0, bdSeq, and the rebirth control (false) hosts write to ask for a rebirth. */
export function nbirthPayload(bdSeq: number, ts: number): SpPayload {
  return {
    timestamp: ts,
    seq: 0,
    metrics: [bdSeqMetric(bdSeq, ts), { name: REBIRTH_METRIC, datatype: DataType.Boolean, value: false, timestamp: ts }],
  };
}

/** NDEATH (also the Will): bdSeq only, and no seq. */
export function ndeathPayload(bdSeq: number, ts: number): SpPayload {
  return { timestamp: ts, metrics: [bdSeqMetric(bdSeq, ts)] };
}

/** The metric of a machine method: hosts set it to true to call it, the device echoes it when done. */
export function methodMetric(method: string): string {
  return `Commands/${method}`;
}

/**
 * DBIRTH: every metric with name, alias, datatype, timestamp and current value, then the
 * device's methods as Boolean `Commands/<method>` metrics, aliased after the tags.
 */
export function dbirthPayload(tags: readonly TagSpec[], values: readonly Value[], firstAlias: number, seq: number, ts: number, methods: readonly string[] = []): SpPayload {
  const metrics = tags.map((t, i): SpMetric => {
    const m: SpMetric = { name: t.name, alias: firstAlias + i, timestamp: ts, datatype: SPARKPLUG_TYPES[t.kind], value: values[i]! };
    // Engineering metadata as the properties edge nodes commonly send (engUnit, engLow, engHigh).
    const props: SpPropertySet = { description: { type: DataType.String, value: t.description } };
    if (t.unit !== undefined) props.engUnit = { type: DataType.String, value: t.unit };
    if (t.min !== undefined && t.max !== undefined && t.min < t.max) {
      props.engLow = { type: DataType.Double, value: t.min };
      props.engHigh = { type: DataType.Double, value: t.max };
    }
    m.properties = props;
    return m;
  });
  methods.forEach((method, j) => metrics.push({ name: methodMetric(method), alias: firstAlias + tags.length + j, timestamp: ts, datatype: DataType.Boolean, value: false }));
  return { timestamp: ts, seq, metrics };
}

/**
 * The reusable DDATA metrics of a device: alias and, only where the codec needs it, datatype.
 * The caller refills `value` and `timestamp` before each encode.
 */
export function ddataMetrics(tags: readonly TagSpec[], firstAlias: number): SpMetric[] {
  return tags.map((t, i): SpMetric => {
    const m: SpMetric = { alias: firstAlias + i, timestamp: 0, value: 0 };
    if (DATA_NEEDS_TYPE.has(t.kind)) m.datatype = SPARKPLUG_TYPES[t.kind];
    return m;
  });
}

/** True when an NCMD payload asks for a rebirth. */
export function isRebirthRequest(p: SpPayload): boolean {
  return p.metrics.some((m) => m.name === REBIRTH_METRIC && m.value === true);
}

/**
 * Read a host STATE message: Sparkplug 3.0 sends JSON `{"online": bool, "timestamp": ms}`,
 * 2.x hosts a bare `ONLINE`/`OFFLINE`.
 */
export function hostStateOnline(payload: Uint8Array): boolean {
  const text = Buffer.from(payload).toString('utf8');
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && (body as { online?: unknown }).online === true;
  } catch {
    return text === 'ONLINE';
  }
}
