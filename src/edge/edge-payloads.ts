/**
 * What the edge agent writes: buffer records (one connector's points, JSON) and the Sparkplug B
 * payloads built from them (NBIRTH, DBIRTH, DDATA, NDEATH).
 *
 * Metric names are the connector's tag paths verbatim (`site/area/line/machine/temp`); the device
 * id is the connector id. How they land in the platform's UNS is in docs/edge.md.
 * @module
 */
import { DataType, type SpMetric, type SpPayload } from '../connectors/sparkplug/codec.js';
import type { CandidatePoint } from '../core/ingest-port.js';
import { QUALITIES, type Quality, type Value } from '../core/point.js';

/** The rebirth request metric of the spec. */
export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** One buffered point: tag, ts, value, quality code (0 good, 1 uncertain, 2 bad). */
export type BufferedPoint = [string, number, Value, number];

/** A buffer record: the points of one emit of one connector. */
export interface EdgeRecord {
  c: string;
  p: BufferedPoint[];
}

const QCODE: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

/** Encodes one connector's points as a buffer record payload. */
export function encodeRecord(connector: string, points: readonly CandidatePoint[], now: number): Buffer {
  const p: BufferedPoint[] = points.map((pt) => {
    const ts = typeof pt.ts === 'number' && Number.isFinite(pt.ts) ? Math.round(pt.ts) : now;
    const v = pt.value;
    const ok = typeof v === 'boolean' || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
    // Anything else is bad data from the device: kept as a bad-quality point, never a crash.
    const q = ok ? QCODE[(pt.quality as Quality | undefined) ?? 'good'] ?? 0 : 2;
    return [pt.tag, ts, ok ? v : 0, q];
  });
  return Buffer.from(JSON.stringify({ c: connector, p } satisfies EdgeRecord));
}

/** Decodes a buffer record payload. */
export function decodeRecord(payload: Buffer): EdgeRecord {
  return JSON.parse(payload.toString('utf8')) as EdgeRecord;
}

/** The Sparkplug datatype a value travels as. */
export function datatypeOf(v: Value): number {
  return typeof v === 'number' ? DataType.Double : typeof v === 'boolean' ? DataType.Boolean : DataType.String;
}

/** The bdSeq metric: Int64, shared by an NBIRTH and its NDEATH. */
function bdSeqMetric(bdSeq: number, ts: number): SpMetric {
  return { name: 'bdSeq', datatype: DataType.Int64, value: bdSeq, timestamp: ts };
}

/** NBIRTH: seq 0, bdSeq, and the rebirth control. */
export function nbirthPayload(bdSeq: number, ts: number): SpPayload {
  return { timestamp: ts, seq: 0, metrics: [bdSeqMetric(bdSeq, ts), { name: REBIRTH_METRIC, datatype: DataType.Boolean, value: false, timestamp: ts }] };
}

/** NDEATH (also the MQTT Will): bdSeq only. */
export function ndeathPayload(bdSeq: number, ts: number): SpPayload {
  return { timestamp: ts, metrics: [bdSeqMetric(bdSeq, ts)] };
}

/** A metric as the edge defines it in a DBIRTH. */
export interface BirthMetric {
  name: string;
  alias: number;
  datatype: number;
  /** The last value the broker acknowledged, if any. */
  last?: { value: Value; ts: number; quality: number };
}

/**
 * DBIRTH. Every metric is flagged historical: its value is the last one the broker acknowledged
 * (already sent once), so the platform's replay guard can drop it as a duplicate and it never
 * overwrites a newer live value; a metric with no acknowledged value yet is null and only defines
 * the metric.
 */
export function dbirthPayload(metrics: readonly BirthMetric[], seq: number, ts: number): SpPayload {
  return {
    timestamp: ts,
    seq,
    metrics: metrics.map((m): SpMetric => m.last !== undefined && m.last.quality === 0
      ? { name: m.name, alias: m.alias, datatype: m.datatype, timestamp: m.last.ts, value: m.last.value, isHistorical: true }
      : { name: m.name, alias: m.alias, datatype: m.datatype, timestamp: m.last?.ts ?? ts, isNull: true, value: null, isHistorical: true }),
  };
}

/** One DDATA metric of a buffered point (bad quality travels as null, as Sparkplug has no quality field). */
export function dataMetric(alias: number, datatype: number, p: BufferedPoint, historical: boolean): SpMetric {
  const m: SpMetric = { alias, timestamp: p[1], datatype };
  if (p[3] === 2) {
    m.isNull = true;
    m.value = null;
  } else m.value = datatype === DataType.Double && typeof p[2] !== 'number' ? Number(p[2]) : p[2];
  if (historical) m.isHistorical = true;
  return m;
}

/** The quality of a code. */
export function qualityOf(code: number): Quality {
  return QUALITIES[code] ?? 'good';
}

/** True when a Sparkplug 3.0 STATE payload says the host is online (anything unreadable: offline). */
export function hostStateOnline(raw: Uint8Array): boolean {
  try {
    return (JSON.parse(Buffer.from(raw).toString('utf8')) as { online?: unknown }).online === true;
  } catch {
    return false;
  }
}
