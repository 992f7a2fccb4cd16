/**
 * REST request and response shapes, shared by the server (validation, OpenAPI) and the web UI.
 * No node:* imports here: the browser bundle uses this file.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

/** A value: number, boolean or string (big integers as decimal strings). */
export const ValueSchema = Type.Union([Type.Number(), Type.Boolean(), Type.String()], { description: 'number, boolean or string; integers beyond ±2^53 are decimal strings' });
/** good | uncertain | bad */
export const QualitySchema = Type.Union([Type.Literal('good'), Type.Literal('uncertain'), Type.Literal('bad')]);

/** A point as the API returns it. */
export const PointSchema = Type.Object({
  tag: Type.String({ description: 'tag path inside the tenant: site/area/line/machine/tag' }),
  ts: Type.Integer({ description: 'epoch milliseconds, UTC' }),
  value: ValueSchema,
  quality: QualitySchema,
});
export type ApiPoint = Static<typeof PointSchema>;

/** Error body of every failed request. */
export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable LIGHTSOUT_* code, see docs/errors.md' }),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
export type ApiError = Static<typeof ErrorSchema>;

/** POST /api/v1/ingest body. Points are checked one by one so a bad one never sinks the good ones. */
export const IngestRequestSchema = Type.Object({
  points: Type.Array(
    Type.Object(
      {
        tag: Type.String(),
        ts: Type.Optional(Type.Unknown({ description: 'epoch ms (integer) or ISO 8601; default: now' })),
        value: Type.Unknown({ description: 'number, boolean or string' }),
        quality: Type.Optional(Type.Unknown({ description: 'good (default), uncertain or bad' })),
      },
      { additionalProperties: false },
    ),
    { maxItems: 100_000 },
  ),
});
export type IngestRequest = Static<typeof IngestRequestSchema>;

/** One rejected point of an ingest request. */
export const RejectedPointSchema = Type.Object({
  index: Type.Integer({ description: 'position in the request points array' }),
  tag: Type.String(),
  code: Type.String(),
  message: Type.String(),
});

/** POST /api/v1/ingest response: sent only once accepted points are durable. */
export const IngestResponseSchema = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(RejectedPointSchema),
});
export type IngestResponse = Static<typeof IngestResponseSchema>;

/** A node of the asset tree. `timeZone` (IANA, e.g. Asia/Shanghai) is set on sites that have one. */
export interface ApiAsset {
  name: string;
  path: string;
  children: ApiAsset[];
  tags: string[];
  timeZone?: string;
  description?: string;
  machineType?: string;
}
export const AssetSchema = Type.Recursive((self) =>
  Type.Object({
    name: Type.String(), path: Type.String(), children: Type.Array(self), tags: Type.Array(Type.String()),
    timeZone: Type.Optional(Type.String({ description: 'IANA time zone of the site, e.g. Asia/Shanghai' })),
    description: Type.Optional(Type.String()),
    machineType: Type.Optional(Type.String({ description: 'kind of machine; rule templates apply by it' })),
  }),
);
export const AssetsResponseSchema = Type.Object({ tenant: Type.String(), assets: Type.Array(AssetSchema) });

/** A tag as listed by GET /api/v1/tags. */
export const TagSchema = Type.Object({
  path: Type.String(),
  type: Type.Union([Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string')]),
  source: Type.String(),
  createdTs: Type.Integer(),
  unit: Type.Optional(Type.String({ description: 'engineering unit, e.g. °C, rpm, kW' })),
  description: Type.Optional(Type.String()),
  min: Type.Optional(Type.Number({ description: 'low end of the engineering range' })),
  max: Type.Optional(Type.Number({ description: 'high end of the engineering range' })),
  writable: Type.Optional(Type.Boolean()),
  critical: Type.Optional(Type.Boolean()),
  interlock: Type.Optional(Type.String()),
});
export const TagsResponseSchema = Type.Object({ tags: Type.Array(TagSchema) });
export type ApiTag = Static<typeof TagSchema>;

/** GET /api/v1/latest response. */
export const LatestResponseSchema = Type.Object({
  points: Type.Array(PointSchema),
  unknown: Type.Array(Type.String(), { description: 'requested tags that do not exist' }),
});
export type LatestResponse = Static<typeof LatestResponseSchema>;

/** A bucket of a downsampled series. */
export const BucketSchema = Type.Object({
  ts: Type.Integer({ description: 'bucket start, epoch ms' }),
  min: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  avg: Type.Union([Type.Number(), Type.Null()]),
  first: Type.Union([ValueSchema, Type.Null()]),
  last: Type.Union([ValueSchema, Type.Null()]),
  count: Type.Integer(),
});
export type ApiBucket = Static<typeof BucketSchema>;

/** GET /api/v1/history response: raw points, or buckets when `buckets` was asked. */
export const HistoryResponseSchema = Type.Object({
  tag: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  points: Type.Optional(Type.Array(PointSchema)),
  truncated: Type.Optional(Type.Boolean({ description: 'true when more raw points exist than `limit`' })),
  buckets: Type.Optional(Type.Array(BucketSchema)),
});
export type HistoryResponse = Static<typeof HistoryResponseSchema>;

/** A connector in the health report. */
export const ConnectorHealthSchema = Type.Object({
  name: Type.String(),
  status: Type.Object({ state: Type.String(), since: Type.Integer() }, { additionalProperties: true }),
  counters: Type.Record(Type.String(), Type.Number()),
});

/** GET /api/v1/health response. */
export const HealthResponseSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  tenant: Type.String(),
  uptimeSeconds: Type.Number(),
  connectors: Type.Array(ConnectorHealthSchema),
  ingest: Type.Object({
    acceptedTotal: Type.Integer(),
    pointsPerSecond: Type.Number({ description: 'accepted points per second over the last 10 s' }),
    recent: Type.Array(Type.Tuple([Type.Integer(), Type.Number()]), { description: '[ts, points per second] every 5 s over the last 10 minutes, oldest first' }),
    queuedPoints: Type.Integer(),
    storageErrors: Type.Integer(),
    tags: Type.Integer(),
  }),
  rejected: Type.Object({
    total: Type.Integer(),
    byCode: Type.Record(Type.String(), Type.Integer()),
    bySource: Type.Record(Type.String(), Type.Integer()),
  }),
  historian: Type.Object({ backend: Type.String(), points: Type.Integer(), bytesOnDisk: Type.Integer() }),
  live: Type.Object({
    connections: Type.Integer({ description: 'open WebSocket connections to /api/v1/live' }),
    sessions: Type.Integer({ description: 'subscriptions with a connected client' }),
    detachedSessions: Type.Integer({ description: 'subscriptions whose client went away, kept for a resume' }),
    messagesSent: Type.Integer({ description: 'snapshot, delta and heartbeat messages sent since start' }),
    pointsSent: Type.Integer({ description: 'points sent in snapshots and deltas since start' }),
    coalescedMessages: Type.Integer({ description: 'deltas sent to a client that had fallen behind (latest value per tag only)' }),
    overflowSnapshots: Type.Integer({ description: 'fresh snapshots sent because a client had more changed tags waiting than allowed' }),
    resumedSessions: Type.Integer({ description: 'sessions resumed without a gap after a reconnect' }),
    droppedSessions: Type.Integer({ description: 'clients disconnected for not reading (close code 4008)' }),
    expiredSessions: Type.Integer({ description: 'sessions dropped after the resume grace period' }),
  }, { description: 'the live hub (WebSocket /api/v1/live)' }),
  process: Type.Object({
    rssBytes: Type.Integer({ description: 'resident memory of the platform process' }),
    heapUsedBytes: Type.Integer({ description: 'JavaScript heap in use' }),
    externalBytes: Type.Integer({ description: 'memory of buffers and native objects held from JavaScript' }),
  }),
});
export type HealthResponse = Static<typeof HealthResponseSchema>;

/** Descriptive metadata of one tag, as set by PATCH /api/v1/tags or learned from the device. */
export const TagMetaSchema = Type.Object(
  {
    path: Type.String(),
    unit: Type.Optional(Type.String({ maxLength: 32 })),
    description: Type.Optional(Type.String({ maxLength: 512 })),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    writable: Type.Optional(Type.Boolean({ description: 'remote commands may write this tag (engineer role)' })),
    critical: Type.Optional(Type.Boolean({ description: 'a write needs a second person\'s approval' })),
    interlock: Type.Optional(Type.String({ maxLength: 1024, description: 'CEL permissive over the machine\'s live values, e.g. `guard_closed && speed == 0`; "" clears it' })),
  },
  { additionalProperties: false },
);
export type ApiTagMeta = Static<typeof TagMetaSchema>;
export const TagMetaRequestSchema = Type.Object({ tags: Type.Array(TagMetaSchema, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false });
export type TagMetaRequest = Static<typeof TagMetaRequestSchema>;

/** Descriptive metadata of one asset (a site's time zone, a description). */
export const AssetMetaSchema = Type.Object(
  {
    path: Type.String(),
    timeZone: Type.Optional(Type.String({ description: 'IANA time zone, e.g. Asia/Shanghai' })),
    description: Type.Optional(Type.String({ maxLength: 512 })),
    machineType: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$', description: 'kind of machine (cnc-mill, press); rule templates apply to every asset of their machine type' })),
  },
  { additionalProperties: false },
);
export type ApiAssetMeta = Static<typeof AssetMetaSchema>;
export const AssetMetaRequestSchema = Type.Object({ assets: Type.Array(AssetMetaSchema, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false });
export type AssetMetaRequest = Static<typeof AssetMetaRequestSchema>;
export const MetaUpdateResponseSchema = Type.Object({ updated: Type.Integer() });
