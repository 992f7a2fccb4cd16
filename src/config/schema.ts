/**
 * The one settings schema of Lightsout. Every setting has a default, a description, an env name
 * (LIGHTSOUT_ + SNAKE_CASE of the key) and, where useful, a CLI flag. docs/configuration.md is
 * generated from this table's descriptions by a test that keeps them in step.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';
import { ConnectorInputSchema } from '../protocol/connector-types.js';


/** Settings of `lightsout start` (and of the embedded simulator it may run). */
export const ConfigSchema = Type.Object(
  {
    httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port of the REST API, OpenAPI page and dashboard (0 picks a free port).' }),
    httpHost: Type.String({ default: '127.0.0.1', description: 'Address the HTTP server binds to. Loopback by default; use 0.0.0.0 to serve the network (authentication is always on).' }),
    mqttPort: Type.Integer({ minimum: 0, maximum: 65535, default: 1883, description: 'Port of the embedded MQTT broker (0 picks a free port). Ignored with mqttUrl.' }),
    mqttHost: Type.String({ default: '127.0.0.1', description: 'Address the embedded MQTT broker binds to.' }),
    mqttUrl: Type.Optional(Type.String({ description: 'Use this external MQTT broker (e.g. mqtt://broker:1883) instead of the embedded one.' })),
    mqttUsername: Type.Optional(Type.String({ description: 'User name for the external MQTT broker.' })),
    mqttPassword: Type.Optional(Type.String({ description: 'Password for the external MQTT broker.' })),
    mqttClientId: Type.String({ default: 'lightsout-ingest', description: 'Client id of the ingest session on an external broker (a persistent session keeps messages while Lightsout is down).' }),
    dataDir: Type.String({ default: './data', description: 'Directory for the historian and the metadata store; one platform process per directory (locked at start).' }),
    tenant: Type.String({ default: 'demo', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'The default tenant: created at first start with the first admin, and owner of every Sparkplug group no other tenant claims.' }),
    demo: Type.Boolean({ default: false, description: 'Run the virtual factory inside the platform.' }),
    sim: Type.Boolean({ default: true, description: 'With demo, run the simulator (set false, or --no-sim, to serve only stored data).' }),
    logLevel: Type.Union([Type.Literal('trace'), Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('silent')], { default: 'info', description: 'Log level.' }),
    allowedOrigins: Type.String({ default: '', description: 'Browser origins besides the server\'s own that may open the live WebSocket, comma-separated (e.g. https://hmi.plant.example). Others are refused, so a foreign web page cannot read plant data through an operator\'s browser.' }),
    maxPayloadBytes: Type.Integer({ minimum: 256, default: 1_048_576, description: 'Largest MQTT payload or HTTP ingest body accepted, in bytes.' }),
    maxFutureMs: Type.Integer({ minimum: 0, default: 600_000, description: 'Points stamped further than this into the future are rejected (clock skew allowance), in ms.' }),
    maxStringLength: Type.Integer({ minimum: 1, default: 4096, description: 'Longest string value accepted, in characters.' }),
    ingestQueuePoints: Type.Integer({ minimum: 1000, default: 500_000, description: 'Points that may wait for the historian before publishers are held back (bounded memory).' }),
    ingestBatchPoints: Type.Integer({ minimum: 1, default: 50_000, description: 'Most points written to the historian in one commit.' }),
    historianMemoryMb: Type.Integer({ minimum: 64, default: 256, description: 'Memory the embedded historian (DuckDB) may use for its buffers and sorts, in MB.' }),
    retentionDays: Type.Number({ minimum: 0, default: 0, description: 'Delete points older than this many days (0 keeps everything).' }),
    sparkplugHostId: Type.String({ default: 'lightsout', pattern: '^[^/+#]+$', description: 'Sparkplug host application id, published as spBv1.0/STATE/<id>.' }),
    sparkplugPathTemplate: Type.String({ default: '{group}/{node}/{device}/{metric}', description: "How Sparkplug ids map to a tag path; ':' inside an id splits it into levels." }),
    sparkplugReorderTimeoutMs: Type.Integer({ minimum: 0, default: 2000, description: 'How long an out-of-order Sparkplug message waits for the gap to fill before a rebirth is requested.' }),
    adminPassword: Type.Optional(Type.String({ minLength: 12, description: 'Password of the first admin (user "admin") at first start; when unset one is generated and printed once.' })),
    adminToken: Type.Optional(Type.String({ minLength: 32, description: 'Seeds an admin API token with exactly this value (for automation); send it as "Authorization: Bearer <token>".' })),
    tlsCert: Type.Optional(Type.String({ description: 'PEM certificate (chain) file; with tlsKey, HTTP serves HTTPS and the embedded broker MQTT over TLS.' })),
    tlsKey: Type.Optional(Type.String({ description: 'PEM private key file of tlsCert.' })),
    publicUrl: Type.Optional(Type.String({ description: 'Base URL people reach the dashboard at (used in login and showcase links); default: the HTTP server\'s own address.' })),
    mqttAllowAnonymous: Type.Boolean({ default: false, description: 'Let MQTT clients without credentials connect, as devices of the default tenant. Only for closed test networks.' }),
    sessionHours: Type.Number({ exclusiveMinimum: 0, maximum: 720, default: 12, description: 'How long a browser login lasts, in hours.' }),
    loginMaxFailures: Type.Integer({ minimum: 1, default: 5, description: 'Failed logins (or bad tokens, or bad MQTT passwords) allowed per user name, and 4× that per client address, within loginWindowSeconds; further attempts are refused.' }),
    loginWindowSeconds: Type.Integer({ minimum: 1, default: 900, description: 'The window of loginMaxFailures, in seconds.' }),
    commandTtlSeconds: Type.Integer({ minimum: 1, default: 60, description: 'Time to live of a command that does not ask for one: past it, the command is never sent.' }),
    commandMaxTtlSeconds: Type.Integer({ minimum: 1, default: 600, description: 'Longest time to live a command may ask for.' }),
    commandReadbackMs: Type.Integer({ minimum: 100, default: 10_000, description: 'How long a sent command waits for the machine to acknowledge and read back the new value before it fails.' }),
    commandUserPerMinute: Type.Integer({ minimum: 1, default: 20, description: 'Commands one user (or token, or rule) may request per minute.' }),
    commandMachinePerMinute: Type.Integer({ minimum: 1, default: 10, description: 'Commands one machine may receive per minute, from everyone together.' }),
    alarmMaxShelveMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 480, description: 'Longest time an operator may shelve an alarm for; it is unshelved automatically then.' }),
    smtpUrl: Type.Optional(Type.String({ description: 'SMTP server for alarm e-mail, e.g. smtp://user:pass@mail.example.com:587 (smtps:// for TLS). Without it e-mail targets fail with a clear error.' })),
    smtpFrom: Type.String({ default: 'lightsout@localhost', description: 'Sender address of alarm e-mail.' }),
    notificationMaxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Attempts to deliver one notification (backoff 5 s doubling to 10 min) before it is marked failed.' }),
    notificationTimeoutMs: Type.Integer({ minimum: 100, default: 10_000, description: 'Time one webhook call or SMTP delivery may take.' }),
    showcasePerMinute: Type.Integer({ minimum: 1, default: 120, description: 'Requests per minute one public showcase link may make (page loads, live connections).' }),
    liveRate: Type.Number({ minimum: 1, maximum: 1000, default: 10, description: 'Live hub: messages per second to a client that does not ask for a rate (changes in between are coalesced to the latest value per tag).' }),
    liveMaxRate: Type.Number({ minimum: 1, maximum: 1000, default: 50, description: 'Live hub: most messages per second a client may ask for (subscribe.maxRate).' }),
    liveHeartbeatMs: Type.Integer({ minimum: 100, default: 5000, description: 'Live hub: a heartbeat goes to a client when nothing else was sent for this long, in ms.' }),
    liveResumeGraceMs: Type.Integer({ minimum: 0, default: 30_000, description: 'Live hub: how long a disconnected session keeps collecting changes for a resume, in ms.' }),
    liveStuckClientMs: Type.Integer({ minimum: 1000, default: 30_000, description: 'Live hub: a client whose socket stays over liveMaxBufferedBytes this long is disconnected (close code 4008), in ms.' }),
    liveMaxBufferedBytes: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'Live hub: bytes queued on a client socket above which the client counts as behind and gets only the latest value per tag.' }),
    liveMaxSessions: Type.Integer({ minimum: 1, default: 1000, description: 'Live hub: most WebSocket clients, and most sessions kept (connected or awaiting a resume).' }),
    liveMaxTags: Type.Integer({ minimum: 1, default: 10_000, description: 'Live hub: most tags and patterns one subscription may name, and most tags its snapshot may match.' }),
    liveMaxPending: Type.Integer({ minimum: 1, default: 20_000, description: 'Live hub: most changed tags waiting per client; beyond, the client is sent a fresh snapshot instead (bounded memory).' }),
    connectors: Type.Array(ConnectorInputSchema, { default: [], description: 'OPC UA and Modbus TCP connectors, each `{id, kind, settings}` (docs/connectors.md). Those of this file are changed here; more can be added through the API or the Connectors screen while the platform runs. In the environment: a JSON array.' }),
    simFactories: Type.Integer({ minimum: 1, default: 1, description: 'Virtual factory: number of sites.' }),
    simLines: Type.Integer({ minimum: 1, default: 3, description: 'Virtual factory: lines per site.' }),
    simMachines: Type.Integer({ minimum: 1, default: 5, description: 'Virtual factory: machines per line.' }),
    simTags: Type.Integer({ minimum: 0, default: 0, description: 'Virtual factory: extra tags per machine (for scale tests).' }),
    simRate: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Virtual factory: updates per second per tag.' }),
  },
  { additionalProperties: false },
);

/** Validated, frozen settings. */
export type Config = Static<typeof ConfigSchema>;

/** Every setting key. */
export type ConfigKey = keyof Config;

/** The env variable of a setting: httpPort → LIGHTSOUT_HTTP_PORT. */
export function envName(key: string): string {
  return 'LIGHTSOUT_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
