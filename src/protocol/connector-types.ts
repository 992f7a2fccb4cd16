/**
 * Supervised connectors (OPC UA, Modbus TCP) over REST and in the config file: their definitions,
 * status and browse results, shared by the server and the web UI. No node:* imports.
 * The settings mirror src/core/connector-settings.ts; the composition root hands the validated
 * value to the connectors, so the compiler keeps both in step.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

const TagPath = Type.String({ minLength: 1, maxLength: 512, description: 'tag path relative to the tenant: site/area/line/machine/tag' });
const Order = Type.Union([Type.Literal('big'), Type.Literal('little')]);
const Deadband = Type.Object({ kind: Type.Union([Type.Literal('absolute'), Type.Literal('percent')]), value: Type.Number({ minimum: 0 }) }, { additionalProperties: false });
const Interval = (what: string) => Type.Integer({ minimum: 10, maximum: 3_600_000, description: `${what}, ms` });

export const OpcUaSettingsSchema = Type.Object({
  endpointUrl: Type.String({ pattern: '^opc\\.tcp://', description: 'e.g. opc.tcp://plc-7.plant.local:4840' }),
  securityMode: Type.Union([Type.Literal('None'), Type.Literal('Sign'), Type.Literal('SignAndEncrypt')]),
  securityPolicy: Type.Optional(Type.Union([Type.Literal('Basic256Sha256'), Type.Literal('Aes128_Sha256_RsaOaep'), Type.Literal('Aes256_Sha256_RsaPss')])),
  allowInsecure: Type.Optional(Type.Boolean({ description: 'must be true for securityMode None' })),
  login: Type.Union([
    Type.Object({ kind: Type.Literal('anonymous') }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('username'), username: Type.String({ minLength: 1 }), password: Type.String() }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('certificate'), certificateFile: Type.String({ minLength: 1 }), privateKeyFile: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ]),
  samplingIntervalMs: Type.Optional(Interval('default sampling interval')),
  publishingIntervalMs: Type.Optional(Interval('subscription publishing interval')),
  nodes: Type.Optional(Type.Array(Type.Object({
    nodeId: Type.String({ minLength: 1, description: 'e.g. ns=2;s=Line1.Press.Temperature' }),
    tag: TagPath,
    samplingIntervalMs: Type.Optional(Interval('sampling interval')),
    queueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    deadband: Type.Optional(Deadband),
  }, { additionalProperties: false }), { maxItems: 100_000 })),
  browseRules: Type.Optional(Type.Array(Type.Object({
    root: Type.String({ minLength: 1, description: 'node id to browse below' }),
    tagPrefix: Type.String({ minLength: 1, maxLength: 256 }),
    maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    samplingIntervalMs: Type.Optional(Interval('sampling interval')),
    queueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    deadband: Type.Optional(Deadband),
  }, { additionalProperties: false }), { maxItems: 1000 })),
  methods: Type.Optional(Type.Array(Type.Object({
    machine: Type.String({ minLength: 1 }), method: Type.String({ minLength: 1 }),
    objectId: Type.String({ minLength: 1 }), methodId: Type.String({ minLength: 1 }),
  }, { additionalProperties: false }))),
  writableTags: Type.Optional(Type.Array(TagPath)),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
}, { additionalProperties: false });

const ModbusRegisterSchema = Type.Object({
  tag: TagPath,
  area: Type.Union([Type.Literal('coil'), Type.Literal('discrete-input'), Type.Literal('holding-register'), Type.Literal('input-register')]),
  address: Type.Integer({ minimum: 0, maximum: 65535, description: 'zero-based PDU address' }),
  type: Type.Union([Type.Literal('bool'), Type.Literal('int16'), Type.Literal('uint16'), Type.Literal('int32'), Type.Literal('uint32'), Type.Literal('float32'), Type.Literal('float64'), Type.Literal('string')]),
  length: Type.Optional(Type.Integer({ minimum: 1, maximum: 125, description: 'strings: registers (2 characters each)' })),
  bit: Type.Optional(Type.Integer({ minimum: 0, maximum: 15 })),
  byteOrder: Type.Optional(Order),
  wordOrder: Type.Optional(Order),
  scale: Type.Optional(Type.Number()),
  offset: Type.Optional(Type.Number()),
  unit: Type.Optional(Type.String({ maxLength: 32 })),
  writable: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const ModbusSettingsSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
  byteOrder: Type.Optional(Order),
  wordOrder: Type.Optional(Order),
  maxRegistersPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: 125 })),
  maxGap: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  groups: Type.Array(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64 }),
    intervalMs: Interval('poll interval'),
    registers: Type.Array(ModbusRegisterSchema, { minItems: 1, maxItems: 10_000 }),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }),
}, { additionalProperties: false });

const ConnectorId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'letters, digits, . _ - (at most 64)' });
const common = {
  id: ConnectorId,
  enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
  description: Type.Optional(Type.String({ maxLength: 256 })),
};

/** A connector as written in the config file or sent to POST/PUT /api/v1/connectors. */
export const ConnectorInputSchema = Type.Union([
  Type.Object({ ...common, kind: Type.Literal('opcua'), settings: OpcUaSettingsSchema, tenant: Type.Optional(Type.String()) }, { additionalProperties: false }),
  Type.Object({ ...common, kind: Type.Literal('modbus'), settings: ModbusSettingsSchema, tenant: Type.Optional(Type.String()) }, { additionalProperties: false }),
]);
export type ConnectorInput = Static<typeof ConnectorInputSchema>;

/** One problem of one tag. */
export const TagIssueSchema = Type.Object({ tag: Type.String(), code: Type.String(), message: Type.String(), since: Type.Integer() });

/** A connector's status as shown: state, last error, rates. */
export const ConnectorViewSchema = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  kind: Type.Union([Type.Literal('opcua'), Type.Literal('modbus')]),
  enabled: Type.Boolean(),
  description: Type.Optional(Type.String()),
  /** `config` connectors come from the config file and are changed there. */
  origin: Type.Union([Type.Literal('config'), Type.Literal('api')]),
  state: Type.Union([Type.Literal('starting'), Type.Literal('connected'), Type.Literal('degraded'), Type.Literal('reconnecting'), Type.Literal('stopped')]),
  since: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  attempts: Type.Optional(Type.Integer()),
  pointsPerSecond: Type.Number(),
  errorsPerSecond: Type.Number(),
  counters: Type.Object({ points: Type.Number(), errors: Type.Number(), reconnects: Type.Number(), writes: Type.Number() }),
  tags: Type.Integer({ description: 'tags the connector serves' }),
  tagIssues: Type.Integer({ description: 'tags with a problem now' }),
});
export type ConnectorView = Static<typeof ConnectorViewSchema>;

export const ConnectorsResponseSchema = Type.Object({ connectors: Type.Array(ConnectorViewSchema) });
export type ConnectorsResponse = Static<typeof ConnectorsResponseSchema>;

/** One connector in full: status, its definition (passwords shown as "********"), tags and their problems. */
export const ConnectorDetailSchema = Type.Object({
  connector: ConnectorViewSchema,
  definition: ConnectorInputSchema,
  tags: Type.Array(Type.Object({ path: Type.String(), type: Type.Optional(Type.String()), unit: Type.Optional(Type.String()), writable: Type.Boolean() })),
  issues: Type.Array(TagIssueSchema),
});
export type ConnectorDetail = Static<typeof ConnectorDetailSchema>;

/** A node of a browsed OPC UA address space. */
export const BrowseNodeSchema = Type.Object({
  nodeId: Type.String(),
  browseName: Type.String(),
  displayName: Type.String(),
  nodeClass: Type.String(),
  dataType: Type.Optional(Type.String()),
  hasChildren: Type.Boolean(),
});
export type ApiBrowseNode = Static<typeof BrowseNodeSchema>;
export const BrowseResponseSchema = Type.Object({ nodeId: Type.String(), nodes: Type.Array(BrowseNodeSchema) });
export type BrowseResponse = Static<typeof BrowseResponseSchema>;

/** What stands for a stored password in responses; sending it back keeps the stored one. */
export const REDACTED = '********';
