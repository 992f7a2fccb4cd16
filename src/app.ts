/**
 * The composition root: the only file that picks concrete backends and connectors and wires them
 * together from the validated config. Everything else depends on ports.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildApi, listen } from './api/server.js';
import { AuthAdmin } from './auth/auth-admin.js';
import { AuthService } from './auth/auth-service.js';
import { DeviceCredentials } from './auth/device-credentials.js';
import { AuditLog } from './auth/audit-log.js';
import { installSecret, readInstallSecret } from './auth/install-secret.js';
import { ShowcaseLinks } from './auth/showcase-links.js';
import { SqliteAuditStore } from './store/sqlite/sqlite-audit-store.js';
import type { AuditSink } from './core/audit-port.js';
import type { Principal } from './core/auth.js';
import { SqliteAuthStore } from './store/sqlite/sqlite-auth-store.js';
import type { Config } from './config/schema.js';
import type { Connector, MessageHandler, Publisher } from './core/connector-status.js';
import { LightsoutError } from './core/errors.js';
import type { IngestSink } from './core/ingest-port.js';
import { EmbeddedBroker } from './connectors/mqtt-broker/embedded-broker.js';
import { ExternalBroker } from './connectors/mqtt-client/external-broker.js';
import { SparkplugHost } from './connectors/sparkplug/host.js';
import { pathMapping } from './connectors/sparkplug/mapping.js';
import { decodeUns } from './connectors/uns/uns-codec.js';
import { DuckdbBackend } from './historian/backends/duckdb/duckdb-backend.js';
import { Historian } from './historian/historian.js';
import { LastValueCache } from './ingest/last-value-cache.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { RejectionCounter } from './ingest/rejection-counter.js';
import { TagRegistry } from './ingest/tag-registry.js';
import { RateMeter } from './ingest/rate-meter.js';
import { HeapGovernor } from './ingest/heap-governor.js';
import { LiveHub } from './live/live-hub.js';
import type { HealthResponse } from './protocol/api-types.js';
import { CommandService } from './commands/command-service.js';
import { DispatchRouter } from './commands/dispatch-router.js';
import { SparkplugDispatcher } from './connectors/sparkplug/sparkplug-dispatcher.js';
import { startConnectors } from './app-connectors.js';
import { startAlarms } from './app-alarms.js';
import { startDemo } from './app-demo.js';
import { UnsDispatcher, isUnsSetTopic } from './connectors/uns/uns-dispatcher.js';
import { SqliteCommandStore } from './store/sqlite/sqlite-command-store.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';

/** The product version, from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A running platform. */
export interface Platform {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  /** URL MQTT clients publish to (the embedded broker, or the external one). */
  mqttUrl: string;
  /** The ingest pipeline (benchmarks read its counters). */
  ingest: IngestPipeline;
  /** The first admin's generated password, on the start that created it (printed once). */
  generatedAdminPassword?: string;
  /** A one-time login link for the first admin (valid 15 minutes). */
  loginLink: string;
  /** Every HTTP route (the tenant-isolation test walks it). */
  routes: ReadonlyArray<{ method: string; url: string; public: boolean }>;
  /** Authentication (the CLI and tests create users and tokens through it). */
  auth: AuthService;
  authAdmin: AuthAdmin;
  /** Device credentials (tests create devices through it). */
  devices: DeviceCredentials;
  /** Stop everything in order: no new input, flush, close storage. */
  stop(): Promise<void>;
}

/**
 * Route an MQTT message to its decoder: `uns/...` to the UNS codec, `spBv1.0/...` to the Sparkplug
 * host. Other topics pass through the broker untouched. The returned promise settles when the
 * message's points are durable, which is when the PUBACK may go.
 */
function messageRouter(sink: IngestSink, host: SparkplugHost, collector: { pending: Promise<unknown>[] | undefined }, maxPayloadBytes: number): MessageHandler {
  return (topic, payload) => {
    const uns = topic.startsWith('uns/');
    const sp = !uns && topic.startsWith('spBv1.0/');
    if (!uns && !sp) return undefined;
    if (uns && isUnsSetTopic(topic)) return undefined; // a command to a device (docs/commands.md), not data
    if (payload.length > maxPayloadBytes) {
      sink.reject({ code: 'LIGHTSOUT_PAYLOAD_TOO_LARGE', message: `payload of ${payload.length} bytes on "${topic}" exceeds the ${maxPayloadBytes}-byte limit`, source: uns ? 'uns' : 'sparkplug', subject: topic });
      return undefined;
    }
    if (uns) {
      const batch = decodeUns(topic, payload);
      if ('code' in batch) {
        sink.reject(batch);
        return undefined;
      }
      return sink.submit(batch).then(() => undefined);
    }
    // The host emits synchronously from handle(); collect those submits to await them. A message
    // held back for a sequence gap is finished later, inside the call that fills the gap (its
    // points then join that call's collection) or when it is dropped: its acknowledgement waits.
    const pending: Promise<unknown>[] = [];
    let finished: Promise<unknown> | undefined;
    let release: ((p: Promise<unknown>) => void) | undefined;
    const done = (): void => {
      const settled = collector.pending ? Promise.all([...collector.pending]) : Promise.resolve();
      if (release) release(settled);
      else finished = settled;
    };
    const outer = collector.pending;
    collector.pending = pending;
    try {
      host.handle(topic, payload, done);
    } finally {
      collector.pending = outer;
    }
    if (finished === undefined) return new Promise<unknown>((resolve) => (release = resolve)).then(() => undefined);
    if (pending.length === 0) return undefined;
    return finished.then(() => undefined);
  };
}

/** Start the platform from a validated config. */
export async function startPlatform(config: Readonly<Config>, log: Logger): Promise<Platform> {
  const started = Date.now();
  const dataDir = config.dataDir;
  const tls = readTls(config); // TLS: bad files stop start-up before anything opens
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const unlock = lockDataDir(dataDir);
  stops.push(async () => unlock());
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'error while stopping');
      }
    }
  };
  try {
    const store = new SqliteStore(join(dataDir, 'metadata.sqlite'));
    await store.open();
    stops.push(() => store.close());
    const registry = new TagRegistry(store);
    await registry.load();

    // ---- authentication and audit
    // ---- audit trail: hash-chained in the metadata file, head sealed with the install secret
    const auditLog = new AuditLog(new SqliteAuditStore(store.connection()), installSecret(dataDir));
    const audit: AuditSink = auditLog;
    // ---- end audit trail
    const auth = new AuthService({
      store: new SqliteAuthStore(store.connection()), audit, defaultTenant: config.tenant,
      sessionHours: config.sessionHours, loginMaxFailures: config.loginMaxFailures, loginWindowSeconds: config.loginWindowSeconds,
    });
    const authAdmin = new AuthAdmin(auth);
    const showcase = new ShowcaseLinks({ store: auth.store, audit, perMinute: config.showcasePerMinute }); // showcase links
    const boot = await auth.bootstrap({ adminPassword: config.adminPassword, adminToken: config.adminToken });
    if (boot.adminCreated) log.info({ user: 'admin', tenant: config.tenant }, 'first start: admin user created');
    const pruneTimer = setInterval(() => void auth.prune().catch((err: Error) => log.warn({ err: err.message }, 'session prune failed')), 3_600_000);
    pruneTimer.unref();
    stops.push(async () => clearInterval(pruneTimer));
    // Devices and the MQTT ACL: tenants own Sparkplug groups; the console may change tenants too, so re-read them.
    const devices = new DeviceCredentials(auth, { hostId: config.sparkplugHostId, allowAnonymous: config.mqttAllowAnonymous, loginMaxFailures: config.loginMaxFailures, loginWindowSeconds: config.loginWindowSeconds });
    await devices.reloadTenants();
    const reloadTenants = (): void => void devices.reloadTenants().catch((err: Error) => log.warn({ err: err.message }, 'tenant reload failed'));
    authAdmin.onTenantsChanged(reloadTenants);
    const tenantTimer = setInterval(() => void devices.refresh().catch((err: Error) => log.warn({ err: err.message }, 'device refresh failed')), 5000);
    tenantTimer.unref();
    stops.push(async () => clearInterval(tenantTimer));

    const backend = new DuckdbBackend({ dir: join(dataDir, 'historian'), memoryLimit: `${config.historianMemoryMb}MB` });
    await backend.open();
    stops.push(() => backend.close());
    const historian = new Historian(backend, { retentionDays: config.retentionDays, log });
    stops.push(async () => historian.stop());

    const cache = new LastValueCache();
    const ids: number[] = [];
    for (const t of registry.list(config.tenant)) ids.push(t.id);
    cache.seed((await backend.latest(ids)).values());
    log.info({ tags: registry.size, dataDir }, 'storage open');

    const rejections = new RejectionCounter(log);
    const pipeline = new IngestPipeline({
      registry, historian: backend, cache, rejections,
      maxQueuedPoints: config.ingestQueuePoints, maxBatchPoints: config.ingestBatchPoints,
      maxFutureMs: config.maxFutureMs, maxStringLength: config.maxStringLength,
    });
    stops.push(() => pipeline.close());
    const meter = new RateMeter(() => pipeline.stats().accepted);
    stops.push(async () => meter.stop());
    const governor = new HeapGovernor();
    stops.push(async () => governor.stop());
    const live = new LiveHub({
      registry, cache, defaultRate: config.liveRate, maxRate: config.liveMaxRate, heartbeatMs: config.liveHeartbeatMs,
      resumeGraceMs: config.liveResumeGraceMs, stuckClientMs: config.liveStuckClientMs, maxBufferedBytes: config.liveMaxBufferedBytes,
      maxSessions: config.liveMaxSessions, maxTags: config.liveMaxTags, maxPending: config.liveMaxPending,
    });
    pipeline.onPoints((tenant, points) => live.publish(tenant, points));

    let publisher: Publisher = () => Promise.reject(new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', 'no MQTT connection yet'));
    const collector: { pending: Promise<unknown>[] | undefined } = { pending: undefined };
    const host = new SparkplugHost({
      hostId: config.sparkplugHostId,
      mapping: pathMapping(config.sparkplugPathTemplate),
      reorderTimeoutMs: config.sparkplugReorderTimeoutMs,
      publish: (topic, payload, opts) => publisher(topic, payload, opts), // the host logs failures; commands await them
      emit: (points, group) => {
        const tenant = devices.tenantOfGroup(group);
        if (tenant === undefined) {
          pipeline.reject({ code: 'LIGHTSOUT_MQTT_DENIED', message: `Sparkplug group "${group}" belongs to no tenant (claim it with PATCH /api/v1/tenants/:id)`, source: 'sparkplug', subject: group });
          return;
        }
        const p = pipeline.submit({ tenant, source: 'sparkplug', points });
        if (collector.pending) collector.pending.push(p);
        else p.catch((err: Error) => log.warn({ err: err.message }, 'Sparkplug points not stored'));
      },
      onReject: (reason, topic, code) => pipeline.reject({ code: code ?? 'LIGHTSOUT_SPARKPLUG_PROTOCOL', message: reason, source: 'sparkplug', subject: topic }),
      log,
    });
    stops.push(async () => host.stop());
    const onMessage = messageRouter(pipeline, host, collector, config.maxPayloadBytes);

    const connectors: Connector[] = [];
    let mqttUrl: string;
    const online = host.stateMessage(true);
    const offline = host.stateMessage(false);
    if (config.mqttUrl) {
      const ext = new ExternalBroker({
        url: config.mqttUrl, clientId: config.mqttClientId, username: config.mqttUsername, password: config.mqttPassword,
        topics: ['uns/#', 'spBv1.0/#'], onMessage, log,
        will: { topic: offline.topic, payload: offline.payload, qos: 1, retain: true },
        onConnect: () => void ext.publish(online.topic, host.stateMessage(true).payload, { qos: 1, retain: true }).catch(() => undefined),
      });
      publisher = (t, p, o) => ext.publish(t, p, o);
      await ext.start();
      stops.push(async () => {
        await ext.publish(offline.topic, host.stateMessage(false).payload, { qos: 1, retain: true }).catch(() => undefined);
        await ext.stop();
      });
      connectors.push(ext);
      mqttUrl = config.mqttUrl;
      log.info({ url: config.mqttUrl }, 'ingesting from external MQTT broker');
    } else {
      const broker = new EmbeddedBroker({ host: config.mqttHost, port: config.mqttPort, onMessage, access: devices, ...(tls ? { tls } : {}), log });
      const port = await broker.start();
      publisher = (t, p, o) => broker.publish(t, p, o);
      stops.push(() => broker.stop());
      await broker.publish(online.topic, online.payload, { qos: 1, retain: true });
      connectors.push(broker);
      mqttUrl = `${tls ? 'mqtts' : 'mqtt'}://${config.mqttHost === '0.0.0.0' ? '127.0.0.1' : config.mqttHost}:${port}`;
      log.info({ url: mqttUrl }, 'embedded MQTT broker listening');
    }

    // ---- OPC UA and Modbus TCP connectors (docs/connectors.md)
    // Loaded here, not at the top: node-opcua is heavy, and the management commands that share this file never need it.
    const { createConnector } = await import('./connectors/connector-factory.js');
    const supervisor = await startConnectors({
      create: createConnector, configured: config.connectors, defaultTenant: config.tenant, store, audit,
      pipeline, registry, cache, dataDir, log,
    });
    stops.push(() => supervisor.stop());

    // ---- remote commands: through the connector that owns each tag; sweeper for TTL and readback
    const commands = new CommandService({
      store: new SqliteCommandStore(store.connection()), audit, tags: registry, log,
      dispatcher: new DispatchRouter([supervisor.dispatcher(), new SparkplugDispatcher(host, (group) => devices.tenantOfGroup(group)), new UnsDispatcher((t, p, o) => publisher(t, p, o), (tenant, path) => registry.get(tenant, path)?.source)]),
      latest: (tenant, path) => { const t = registry.get(tenant, path); const p = t && cache.get(t.id); return p && { tag: path, ts: p.ts, value: p.value, quality: p.quality }; },
      settings: { ttlSeconds: config.commandTtlSeconds, maxTtlSeconds: config.commandMaxTtlSeconds, readbackMs: config.commandReadbackMs, userPerMinute: config.commandUserPerMinute, machinePerMinute: config.commandMachinePerMinute },
    });
    await commands.start();
    pipeline.onPoints((tenant, points) => commands.observe(tenant, points));
    const sweeper = setInterval(() => void commands.sweep(), 250);
    sweeper.unref();
    stops.push(async () => clearInterval(sweeper));
    // ---- end remote commands

    // ---- rules, alarms, notifications, lights-out automation (docs/alarms.md)
    const alarmSide = await startAlarms({ config, store, registry, cache, pipeline, commands, historian, log });
    stops.push(() => alarmSide.stop());
    // ---- end rules and alarms

    const health = async (tenant: string): Promise<HealthResponse> => {
      const st = pipeline.stats();
      const hs = await backend.stats();
      const conns = [
        // Historical Sparkplug values dropped as resends of what was already stored (docs/edge.md).
        ...connectors.map((c) => ({ name: c.name, status: c.status(), counters: { ...c.counters(), sparkplugReplayDuplicates: host.replayDuplicates } })),
        ...supervisor.all().filter((c) => c.tenant === tenant && c.enabled).map((c) => ({
          name: `${c.kind}:${c.id}`,
          status: { state: c.state, since: c.since, ...(c.lastError ? { lastError: c.lastError } : {}) },
          counters: { ...c.counters, pointsPerSecond: Math.round(c.pointsPerSecond * 10) / 10, errorsPerSecond: Math.round(c.errorsPerSecond * 10) / 10, tagIssues: c.tagIssues },
        })),
      ];
      const degraded = conns.some((c) => c.status.state !== 'connected') || st.storageErrors > 0;
      return {
        status: degraded ? 'degraded' : 'ok', version: VERSION, tenant: config.tenant,
        uptimeSeconds: (Date.now() - started) / 1000, connectors: conns,
        ingest: { acceptedTotal: st.accepted, pointsPerSecond: meter.rate(), recent: meter.history(), queuedPoints: st.queuedPoints, storageErrors: st.storageErrors, tags: registry.size },
        rejected: rejections.snapshot(),
        historian: { backend: backend.name, points: hs.points, bytesOnDisk: hs.bytesOnDisk },
        live: live.stats(),
        process: (({ rss, heapUsed, external }) => ({ rssBytes: rss, heapUsedBytes: heapUsed, externalBytes: external }))(process.memoryUsage()),
      };
    };
    const api = await buildApi({ ...(tls ? { https: tls } : {}), services: { auth, authAdmin, audit, devices, commands, auditLog, showcase, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}), secureCookies: config.tlsCert !== undefined, ingest: pipeline, registry, cache, historian, live, health, connectors: supervisor, rules: alarmSide.rules, alarms: alarmSide.alarms, notifications: alarmSide.notifications, maxPayloadBytes: config.maxPayloadBytes, loopbackOnly: /^(127\.|localhost$|::1$)/.test(config.httpHost), allowedOrigins: config.allowedOrigins.split(',').map((o) => o.trim()).filter((o) => o.length > 0) }, version: VERSION, logger: log });
    const httpPort = await listen(api, config.httpHost, config.httpPort);
    stops.push(() => api.close());
    // Runs before api.close (stops run in reverse): clients get 1001 and timers stop first.
    stops.push(async () => live.stop());
    const httpUrl = `${tls ? 'https' : 'http'}://${config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost}:${httpPort}`;

    if (config.demo && config.sim) {
      const factory = await startDemo({ config, mqttUrl, ...(tls ? { trustCert: tls.cert } : {}), auth, devices, registry, pipeline, supervisor, dataDir, log, alarms: { rules: alarmSide.rules, notifications: alarmSide.notifications } });
      // Connectors first, so they do not report the simulated servers going away as faults.
      stops.push(async () => { await supervisor.stop(); await factory.stop(); });
    }
    const base = (config.publicUrl ?? httpUrl).replace(/\/+$/, '');
    const loginLink = `${base}/#/login?once=${auth.createLoginLink()}`;
    return { httpUrl, mqttUrl, ingest: pipeline, stop: stopAll, auth, authAdmin, devices, loginLink, routes: api.routeTable, ...(boot.generatedPassword !== undefined ? { generatedAdminPassword: boot.generatedPassword } : {}) };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

// ---- management commands (user, token, tenant, device, audit) on a data directory

/** What a management command works with. */
export interface DataDirStores {
  store: SqliteStore;
  auth: AuthService;
  admin: AuthAdmin;
  audit: AuditSink;
  /** The same trail, for `lightsout audit verify|export`. */
  auditLog: AuditLog;
  /** False when the data directory had no install secret (one was created now: the trail's seal cannot verify). */
  installSecretFound: boolean;
  /** Device credentials (MQTT). */
  devices: DeviceCredentials;
  /** The person at the console, as recorded in the audit trail. */
  actor: Principal;
  close(): Promise<void>;
}

/** Open `<dataDir>/metadata.sqlite`; refuses a directory that holds no platform data. */
export async function openStores(dataDir: string, defaultTenant = 'demo'): Promise<DataDirStores> {
  const file = join(dataDir, 'metadata.sqlite');
  if (!existsSync(file)) throw new Error(`no Lightsout data in ${dataDir} (missing metadata.sqlite): start the platform once, or pass --data-dir`);
  const store = new SqliteStore(file);
  await store.open();
  // The same audit trail the platform writes; appends are atomic across the two processes.
  const found = readInstallSecret(dataDir);
  const auditLog = new AuditLog(new SqliteAuditStore(store.connection()), found ?? installSecret(dataDir));
  const audit: AuditSink = auditLog;
  const authStore = new SqliteAuthStore(store.connection());
  // The default tenant is the one created at first start, owning the unclaimed Sparkplug groups.
  const tenants = await authStore.listTenants();
  const tenant = (tenants.find((t) => t.sparkplugGroups.includes('*')) ?? tenants[0])?.id ?? defaultTenant;
  const auth = new AuthService({ store: authStore, audit, defaultTenant: tenant, sessionHours: 12, loginMaxFailures: 5, loginWindowSeconds: 900 });
  let who = 'console';
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "console"
  }
  const actor: Principal = { kind: 'system', id: 'cli', name: `cli:${who}`, tenant, grants: [{ role: 'admin', scope: '' }], platformOperator: true };
  const devices = new DeviceCredentials(auth, { hostId: 'lightsout', allowAnonymous: false });
  return { store, auth, admin: new AuthAdmin(auth), devices, audit, auditLog, installSecretFound: found !== undefined, actor, close: () => store.close() };
}

/** The TLS certificate and key named by the config, or undefined; a missing, unreadable or mismatched file stops start-up naming the setting. */
function readTls(config: Readonly<Config>): { cert: Buffer; key: Buffer } | undefined {
  if (config.tlsCert === undefined && config.tlsKey === undefined) return undefined;
  if (config.tlsCert === undefined || config.tlsKey === undefined) {
    const missing = config.tlsCert === undefined ? 'tlsCert (LIGHTSOUT_TLS_CERT)' : 'tlsKey (LIGHTSOUT_TLS_KEY)';
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `setting ${missing} is missing: TLS needs both tlsCert and tlsKey`);
  }
  const read = (file: string, setting: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `setting ${setting} = "${file}" cannot be read: ${(err as Error).message}`, { cause: err });
    }
  };
  const pair = { cert: read(config.tlsCert, 'tlsCert (LIGHTSOUT_TLS_CERT)'), key: read(config.tlsKey, 'tlsKey (LIGHTSOUT_TLS_KEY)') };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new LightsoutError('LIGHTSOUT_CONFIG_INVALID', `settings tlsCert and tlsKey ("${config.tlsCert}", "${config.tlsKey}") are not a PEM certificate and its private key: ${(err as Error).message}`, { cause: err });
  }
  return pair;
}
