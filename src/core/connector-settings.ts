/**
 * Settings of the industrial connectors (OPC UA, Modbus TCP) as the connectors see them. The REST
 * API and config file validate the same shapes with the schemas in src/protocol/connector-types.ts;
 * the composition root passes the validated value here, so the compiler keeps the two in step.
 * Tag paths are relative to the connector's tenant: `site/area/line/machine/tag`.
 * @module
 */

/** How a multi-byte value is laid out: byte order inside a 16-bit register, register order inside a value. */
export type ByteOrder = 'big' | 'little';

/** OPC UA deadband of a monitored item. `percent` needs the variable's EURange. */
export interface OpcUaDeadband {
  kind: 'absolute' | 'percent';
  value: number;
}

/** One OPC UA variable read into one tag. */
export interface OpcUaNodeMapping {
  /** Node id in OPC UA string form, e.g. `ns=2;s=Line1.Press.Temperature`. */
  nodeId: string;
  /** Tag path the values land in. */
  tag: string;
  /** Sampling interval in ms (default: the connector's). */
  samplingIntervalMs?: number;
  /** Server-side queue of the monitored item (default 10). */
  queueSize?: number;
  deadband?: OpcUaDeadband;
}

/**
 * A node → UNS mapping rule: every variable below `root` (browsed, up to `maxDepth` levels) becomes
 * a tag `tagPrefix/<browse names below root joined by />`, names made path-safe.
 */
export interface OpcUaBrowseRule {
  root: string;
  tagPrefix: string;
  /** Levels to browse below root (default 4). */
  maxDepth?: number;
  samplingIntervalMs?: number;
  queueSize?: number;
  deadband?: OpcUaDeadband;
}

/** A machine method reachable as the command `call machine/method`. */
export interface OpcUaMethodMapping {
  /** Asset path of the machine, e.g. `plant/press/line-1/press-1`. */
  machine: string;
  method: string;
  /** The object that owns the method, and the method node. */
  objectId: string;
  methodId: string;
}

/** How the OPC UA client proves who it is. Files are PEM. */
export type OpcUaLogin =
  | { kind: 'anonymous' }
  | { kind: 'username'; username: string; password: string }
  | { kind: 'certificate'; certificateFile: string; privateKeyFile: string };

/** Settings of one OPC UA connector (one server session). */
export interface OpcUaSettings {
  endpointUrl: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  /** Default Basic256Sha256. Ignored with securityMode None. */
  securityPolicy?: 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';
  /** Must be true for securityMode None: an unencrypted, unsigned session is refused otherwise. */
  allowInsecure?: boolean;
  login: OpcUaLogin;
  /** Default sampling interval of monitored items, ms (default 1000). */
  samplingIntervalMs?: number;
  /** Subscription publishing interval, ms (default 1000). */
  publishingIntervalMs?: number;
  nodes?: OpcUaNodeMapping[];
  browseRules?: OpcUaBrowseRule[];
  methods?: OpcUaMethodMapping[];
  /** Tags (of `nodes` or rules) that remote commands may write. */
  writableTags?: string[];
  /** Request timeout, ms (default 5000). */
  timeoutMs?: number;
}

/** Where a Modbus value lives. Coils and holding registers are writable. */
export type ModbusArea = 'coil' | 'discrete-input' | 'holding-register' | 'input-register';

/** How registers decode. `bool` is for coils and discrete inputs (or a bit of a register with `bit`). */
export type ModbusType = 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'string';

/** One Modbus value read into one tag. */
export interface ModbusRegisterMapping {
  tag: string;
  area: ModbusArea;
  /** Zero-based address (the PDU address; 40001 in "Modicon" notation is holding 0). */
  address: number;
  type: ModbusType;
  /** For `string`: registers (2 characters each). */
  length?: number;
  /** For `bool` in a register: the bit (0 = least significant). */
  bit?: number;
  /** Byte order inside each register (default: the connector's, big). */
  byteOrder?: ByteOrder;
  /** Register order of 32/64-bit values (default: the connector's, big = high word first). */
  wordOrder?: ByteOrder;
  /** Engineering value = raw × scale + offset (numbers only; default 1 and 0). */
  scale?: number;
  offset?: number;
  unit?: string;
  writable?: boolean;
}

/** Registers read together on one interval. */
export interface ModbusPollGroup {
  name: string;
  intervalMs: number;
  registers: ModbusRegisterMapping[];
}

/** Settings of one Modbus TCP connector (one device: host, port, unit id). */
export interface ModbusSettings {
  host: string;
  /** Default 502. */
  port?: number;
  /** Unit (slave) id, default 1. */
  unitId?: number;
  /** Per-request timeout, ms (default 1000). */
  timeoutMs?: number;
  byteOrder?: ByteOrder;
  wordOrder?: ByteOrder;
  /** Registers read in one request at most (default 125; coils 2000). */
  maxRegistersPerRequest?: number;
  /** Unused registers a batched read may span between two mapped ones (default 8). */
  maxGap?: number;
  groups: ModbusPollGroup[];
}

/** The kinds of supervised connector. */
export type ConnectorKind = 'opcua' | 'modbus';

/** A configured connector, as stored and managed. */
export type ConnectorDefinition =
  | { id: string; tenant: string; kind: 'opcua'; enabled: boolean; description?: string; settings: OpcUaSettings }
  | { id: string; tenant: string; kind: 'modbus'; enabled: boolean; description?: string; settings: ModbusSettings };
