/**
 * Part of the composition root: the supervised connectors (OPC UA, Modbus TCP) wired to ingest,
 * the tag registry, the audit trail and the metadata store.
 * @module
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditSink } from './core/audit-port.js';
import type { ConnectorContext, ConnectorTag, SupervisedConnector } from './core/connector-port.js';
import type { ConnectorDefinition } from './core/connector-settings.js';
import type { TagMetaUpdate } from './core/ingest-port.js';
import { ConnectorSupervisor } from './ingest/connector-supervisor.js';
import type { IngestPipeline } from './ingest/pipeline.js';
import type { LastValueCache } from './ingest/last-value-cache.js';
import type { TagRegistry } from './ingest/tag-registry.js';
import type { ConnectorInput } from './protocol/connector-types.js';
import { SqliteConnectorStore } from './store/sqlite/sqlite-connector-store.js';
import type { SqliteStore } from './store/sqlite/sqlite-store.js';

/** What {@link startConnectors} wires together. */
export interface ConnectorWiring {
  create(def: ConnectorDefinition, ctx: ConnectorContext): SupervisedConnector;
  /** The config file's connectors (tenant defaults to the default tenant). */
  configured: readonly ConnectorInput[];
  defaultTenant: string;
  store: SqliteStore;
  audit: AuditSink;
  pipeline: IngestPipeline;
  registry: TagRegistry;
  cache: LastValueCache;
  dataDir: string;
  log: Logger;
}

/** Where a connector keeps its files (OPC UA certificates): `<dataDir>/connectors/<tenant>/<id>`. */
export function connectorDataDir(dataDir: string, tenant: string, id: string): string {
  return join(dataDir, 'connectors', tenant, id);
}

/** Start the supervisor and every configured connector; connectors reconnect on their own. */
export async function startConnectors(w: ConnectorWiring): Promise<ConnectorSupervisor> {
  // Tags become writable (and get units) when their connector says so, once they exist, unless an engineer already decided.
  const pending = new Map<string, Map<string, TagMetaUpdate>>();
  const applyPending = (tenant: string, paths: Iterable<string>): void => {
    const waiting = pending.get(tenant);
    if (!waiting) return;
    const ready: TagMetaUpdate[] = [];
    for (const path of paths) {
      const want = waiting.get(path);
      const tag = want && w.registry.get(tenant, path);
      if (!want || !tag) continue;
      waiting.delete(path);
      const u: TagMetaUpdate = { path };
      if (want.writable && tag.writable === undefined) u.writable = true;
      if (want.unit && tag.unit === undefined) u.unit = want.unit;
      if (u.writable !== undefined || u.unit !== undefined) ready.push(u);
    }
    if (ready.length > 0) void w.registry.updateMeta(tenant, ready).catch((err: Error) => w.log.warn({ err: err.message }, 'connector tag metadata not set'));
  };
  w.pipeline.onPoints((tenant, points) => {
    if (pending.get(tenant)?.size) applyPending(tenant, points.map((p) => p.tag));
  });

  const supervisor = new ConnectorSupervisor({
    create: w.create,
    store: new SqliteConnectorStore(w.store.connection()),
    audit: w.audit,
    submit: (tenant, source, points) => w.pipeline.submit({ tenant, source, points }),
    stale: (tenant, paths) => {
      const now = Date.now();
      const points = paths.flatMap((path) => {
        const tag = w.registry.get(tenant, path);
        const last = tag && w.cache.get(tag.id);
        return last && last.quality !== 'bad' ? [{ tag: path, ts: Math.max(now, last.ts), value: last.value, quality: 'bad' as const }] : [];
      });
      if (points.length > 0) void w.pipeline.submit({ tenant, source: 'connector', points }).catch((err: Error) => w.log.warn({ err: err.message }, 'stale marks not stored'));
    },
    onTags: (tenant, tags: readonly ConnectorTag[]) => {
      let waiting = pending.get(tenant);
      if (!waiting) pending.set(tenant, (waiting = new Map()));
      for (const t of tags) if (t.writable || t.unit) waiting.set(t.path, { path: t.path, ...(t.writable ? { writable: true } : {}), ...(t.unit ? { unit: t.unit } : {}) });
      applyPending(tenant, tags.map((t) => t.path));
    },
    dataDir: (tenant, id) => connectorDataDir(w.dataDir, tenant, id),
    log: w.log,
  });
  const fromConfig = w.configured.map((c) => ({ ...c, tenant: c.tenant ?? w.defaultTenant, enabled: c.enabled ?? true }) as ConnectorDefinition);
  await supervisor.start(fromConfig);
  return supervisor;
}
