/**
 * Supervised connectors: the platform's side of one OPC UA or Modbus TCP connection. The
 * connector supervisor (src/ingest/connector-supervisor.ts) starts and stops them, reads their
 * status as data, and routes writes; the edge agent runs the same connectors.
 * @module
 */
import type { ConnectorStatus } from './connector-status.js';
import type { ErrorCode } from './errors.js';
import type { CandidatePoint } from './ingest-port.js';
import type { ConnectorDefinition } from './connector-settings.js';
import type { Value, ValueType } from './point.js';

/** A problem with one tag of a connector (node id unknown, register out of range, wrong type). */
export interface TagIssue {
  tag: string;
  code: ErrorCode;
  message: string;
  /** When it was first seen (epoch ms). */
  since: number;
}

/** Monotonic counters of a connector; rates are derived from them by the supervisor. */
export interface ConnectorCounters {
  /** Points handed on (any quality). */
  points: number;
  /** Failed requests, bad reads, decode errors. */
  errors: number;
  /** Connection attempts after the first. */
  reconnects: number;
  /** Writes and method calls done. */
  writes: number;
}

/** A tag a connector serves, known from its configuration or its peer (OPC UA data type). */
export interface ConnectorTag {
  path: string;
  /** Known once configured (Modbus) or once the server told it (OPC UA). */
  type?: ValueType;
  unit?: string;
  writable: boolean;
}

/** One node of a browsed OPC UA address space (for the picker). */
export interface BrowseNode {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: 'Object' | 'Variable' | 'Method' | 'ObjectType' | 'VariableType' | 'ReferenceType' | 'DataType' | 'View' | 'Unspecified';
  /** Variables: the data type's name (Double, Boolean, ...). */
  dataType?: string;
  /** True when browsing it may return children. */
  hasChildren: boolean;
}

/** Minimal structured logger (pino-compatible). */
export interface ConnectorLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a connector is given: where points go, and a logger. */
export interface ConnectorContext {
  /**
   * Hand on points read from the peer (tag paths relative to the tenant, `ts` the source timestamp).
   * A returned promise is backpressure: a polling connector waits for it before its next poll.
   */
  emit(points: CandidatePoint[]): Promise<unknown> | void;
  log: ConnectorLog;
  /** Directory the connector may keep files in (OPC UA PKI). */
  dataDir: string;
}

/**
 * One supervised connection. It reconnects on its own with backoff; `start` never rejects for a
 * network reason (the status says what is wrong), only for settings that cannot work.
 *
 * @example
 * const c = createConnector(def, { emit: (pts) => ingest.submit({ tenant, source: 'modbus', points: pts }), log, dataDir });
 * await c.start();
 * c.status(); // { state: 'reconnecting', lastError: 'connect ECONNREFUSED 10.0.0.7:502', attempts: 3, since }
 */
export interface SupervisedConnector {
  readonly id: string;
  readonly kind: string;
  status(): ConnectorStatus;
  counters(): ConnectorCounters;
  /** Per-tag problems now present; empty when every tag reads well. */
  tagIssues(): TagIssue[];
  /** The tags it serves. */
  tags(): ConnectorTag[];
  start(): Promise<void>;
  /** Stop and release everything; the connector's tags are then marked `bad` by the caller. */
  stop(): Promise<void>;
  /** Write one tag; rejects with a LightsoutError (NOT_WRITABLE, CONNECTOR_FAILED, BAD_VALUE). Resolves once the peer confirmed. */
  write(tag: string, value: Value): Promise<void>;
  /** Call a machine method (OPC UA); rejects with NOT_WRITABLE where there is none. */
  call(machine: string, method: string, args: Record<string, Value>): Promise<void>;
  /** Browse the peer's address space below `nodeId` (root when omitted); OPC UA only. */
  browse?(nodeId?: string): Promise<BrowseNode[]>;
}

/** Delay before reconnect attempt `attempt` (1-based): doubling from `baseMs`, capped, with ±20% jitter. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 30_000, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** A stored connector definition, with who changed it last. */
export interface StoredConnector {
  definition: ConnectorDefinition;
  updatedTs: number;
  updatedBy: string;
}

/** Durable storage of the connectors added through the API (config-file ones are not stored). */
export interface ConnectorStore {
  /** Every stored connector, of one tenant or all. */
  list(tenant?: string): Promise<StoredConnector[]>;
  get(tenant: string, id: string): Promise<StoredConnector | undefined>;
  /** Insert or replace. */
  save(c: StoredConnector): Promise<void>;
  /** True when it existed. */
  remove(tenant: string, id: string): Promise<boolean>;
}
