/**
 * Part of the composition root: the demo. The virtual factory runs inside the platform as a device
 * like any other (its own MQTT credentials), and the platform reads its OPC UA and Modbus machines
 * through connectors of its own, as it would a real plant's.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectorDataDir } from './app-connectors.js';
import { setUpDemoAlarms, startDemoPager, type DemoAlarmServices } from './app-demo-alarms.js';
import type { AuthService } from './auth/auth-service.js';
import type { DeviceCredentials } from './auth/device-credentials.js';
import type { Principal } from './core/auth.js';
import type { ConnectorDefinition } from './core/connector-settings.js';
import type { Config } from './config/schema.js';
import type { ConnectorSupervisor } from './ingest/connector-supervisor.js';
import type { IngestPipeline } from './ingest/pipeline.js';
import type { TagRegistry } from './ingest/tag-registry.js';
import { VirtualFactory } from './sim/factory.js';
import type { MachineKind } from './sim/machine-types.js';
import { allMachines, demoCommandMeta } from './sim/plant.js';

/** What the demo needs from the platform. */
export interface DemoWiring {
  config: Readonly<Config>;
  mqttUrl: string;
  trustCert?: Buffer;
  auth: AuthService;
  devices: DeviceCredentials;
  registry: TagRegistry;
  pipeline: IngestPipeline;
  supervisor: ConnectorSupervisor;
  dataDir: string;
  log: Logger;
  /** The rules and notification services, when the platform runs alarms: the demo adds its templates and roster. */
  alarms?: DemoAlarmServices;
}

/**
 * The demo's virtual factory. Stopping it (the platform shuts down) first stops rule evaluation —
 * the simulated devices' deaths are the platform's own doing, not a communication loss to alarm
 * on — and afterwards closes the demo pager (app-demo-alarms.ts).
 */
class DemoFactory extends VirtualFactory {
  private readonly before: Array<() => void> = [];
  private readonly after: Array<() => Promise<void>> = [];

  /** Run `fn` before the simulated devices stop. */
  onBeforeStop(fn: () => void): void {
    this.before.push(fn);
  }

  /** Run `fn` once the factory stopped. */
  onStop(fn: () => Promise<void>): void {
    this.after.push(fn);
  }

  override async stop(): Promise<void> {
    for (const f of this.before.splice(0)) f();
    await super.stop();
    await Promise.all(this.after.splice(0).map((f) => f()));
  }
}

/** Start the virtual factory and the connectors to its OPC UA and Modbus servers. */
export async function startDemo(w: DemoWiring): Promise<VirtualFactory> {
  const { config, registry, pipeline, log } = w;
  const tenant = config.tenant;
  // The simulator is a device like any other: its own credentials, a fresh password each start.
  const simDevice = `sim-${tenant}`;
  const system: Principal = { kind: 'system', id: 'system', name: 'system', tenant, grants: [{ role: 'admin', scope: '' }], platformOperator: true };
  const simPassword = (await w.auth.store.getDevice(simDevice))
    ? await w.devices.resetPassword(system, simDevice)
    : (await w.devices.add(system, { id: simDevice, description: 'the virtual factory (demo)' })).password!;
  const factory = new DemoFactory({
    mqttUrl: w.mqttUrl, username: simDevice, password: simPassword, ...(w.trustCert ? { trustCert: w.trustCert } : {}), tenant, factories: config.simFactories, lines: config.simLines,
    machines: config.simMachines, tags: config.simTags, rateHz: config.simRate, protocol: 'all', opcuaPkiDir: join(w.dataDir, 'sim', 'opcua-pki'), log,
  });
  // The demo plant's sites get their time zone, unless someone already set one.
  const zones = factory.plant.sites
    .filter((s) => !registry.assetMeta(tenant, s.name)?.timeZone)
    .map((s) => ({ path: s.name, timeZone: s.timezone }));
  if (zones.length > 0) await registry.updateAssets(tenant, zones);
  // Alarms: the templates first (on a fresh data directory no machine has a type yet, so they are
  // not checked against tags that do not exist yet), then each machine's type, unless set already.
  const machines = allMachines(factory.plant);
  if (w.alarms) {
    const pager = w.alarms.notifications ? await startDemoPager(log) : undefined;
    if (pager) factory.onStop(() => pager.close());
    const rules = w.alarms.rules;
    if (rules?.stop) factory.onBeforeStop(() => rules.stop!());
    const kinds = [...new Set(machines.map((m) => m.type.kind))] as MachineKind[];
    await setUpDemoAlarms({ services: w.alarms, system, kinds, rateHz: config.simRate, ...(pager ? { pagerUrl: pager.url } : {}), log });
  }
  const typed = machines.filter((m) => !registry.assetMeta(tenant, m.assetPath)?.machineType).map((m) => ({ path: m.assetPath, machineType: m.type.kind }));
  if (typed.length > 0) await registry.updateAssets(tenant, typed);
  // Its setpoints take remote commands (docs/commands.md) once their tags exist, unless an engineer already decided.
  const commandMeta = new Map(demoCommandMeta(factory.plant).map((m) => [m.path, m]));
  pipeline.onPoints((t, points) => {
    const ready = t === tenant && commandMeta.size > 0 ? points.flatMap((p) => commandMeta.get(p.tag) ?? []) : [];
    for (const m of ready) commandMeta.delete(m.path);
    const fresh = ready.filter((m) => registry.get(t, m.path)?.writable === undefined);
    if (fresh.length > 0) void registry.updateMeta(t, fresh).catch((err: Error) => log.warn({ err: err.message }, 'demo command metadata not set'));
  });
  // OPC UA and Modbus carry no engineering units in the demo's servers: describe those tags from the plant's metadata.
  const described = new Map([...factory.metadata()].filter(([path]) => !path.includes('/packaging/')));
  pipeline.onPoints((t, points) => {
    if (t !== tenant || described.size === 0) return;
    const fresh = [];
    for (const p of points) {
      const m = described.get(p.tag);
      if (!m) continue;
      described.delete(p.tag);
      const tag = registry.get(t, p.tag);
      if (tag && tag.unit === undefined && tag.description === undefined) fresh.push({ path: p.tag, description: m.description, ...(m.unit ? { unit: m.unit } : {}), ...(m.min !== undefined ? { min: m.min } : {}), ...(m.max !== undefined ? { max: m.max } : {}) });
    }
    if (fresh.length > 0) void registry.updateMeta(t, fresh).catch((err: Error) => log.warn({ err: err.message }, 'demo tag metadata not set'));
  });
  await factory.start();

  const served = factory.connectorSettings();
  const defs: ConnectorDefinition[] = served.modbus.map((m, i) => ({
    id: `sim-modbus-${i + 1}`, tenant, kind: 'modbus', enabled: true, description: `virtual factory PLC of ${m.machine}`, settings: m.settings,
  }));
  if (served.opcua) {
    const id = 'sim-opcua';
    // The platform started this server itself, so it trusts the server's certificate: what an
    // engineer does by hand for a real one (docs/connectors.md).
    const trusted = join(connectorDataDir(w.dataDir, tenant, id), 'pki', 'trusted', 'certs');
    mkdirSync(trusted, { recursive: true });
    writeFileSync(join(trusted, 'lightsout-virtual-factory.der'), served.opcua.certificate);
    defs.push({ id, tenant, kind: 'opcua', enabled: true, description: 'virtual factory OPC UA server (assembly lines)', settings: served.opcua.settings });
  }
  await w.supervisor.attach(defs);
  log.info({ factories: config.simFactories, lines: config.simLines, machines: config.simMachines, connectors: defs.map((d) => d.id) }, 'virtual factory running');
  return factory;
}
