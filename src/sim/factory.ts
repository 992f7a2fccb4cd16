/**
 * The virtual factory: a plant layout brought to life. Each line is a timer that steps its
 * machines' models to "now" and publishes them — a Sparkplug edge node per Sparkplug line, one
 * shared UNS client for the UNS machines. Publishing is gated by backpressure, so asking for
 * more than the broker takes drops ticks (counted) instead of growing memory.
 * @module
 */
import type { Value } from '../core/point.js';
import { MachineSim } from './machine-sim.js';
import { buildPlant, plantMetadata, pointsPerSecond, type LineSpec, type PlantLayout, type ProtocolMix, type TagMeta } from './plant.js';
import type { Seed } from './prng.js';
import { SILENT_LOG, type PublishCounters, type SimLog } from './publish-gate.js';
import { SparkplugEdgeNode } from './sparkplug-edge-node.js';
import { ModbusMachineServer, } from './modbus-server.js';
import type { SimMachine } from './sim-machine.js';
import { OpcUaMachineServer } from './opcua-server.js';
import type { ModbusSettings, OpcUaSettings } from '../core/connector-settings.js';
import { UnsPublisher } from './uns-publisher.js';

/** Options of a {@link VirtualFactory}. */
export interface VirtualFactoryOptions {
  /** Broker to publish to, e.g. `mqtt://127.0.0.1:1883`. */
  mqttUrl: string;
  username?: string;
  password?: string;
  /**
   * For an mqtts:// broker: trust exactly this certificate (the platform's own, when the simulator
   * runs inside it), whatever name it was issued for.
   */
  trustCert?: Buffer;
  /** Tenant of the UNS topics. Default `demo`. */
  tenant?: string;
  /** Sites. Default 1. */
  factories?: number;
  /** Lines per site. Default 3. */
  lines?: number;
  /** Machines per line. Default 5. */
  machines?: number;
  /** Extra `aux_NNN` tags per machine on top of its type's own 9–13 (scale runs). Default 0. */
  tags?: number;
  /** Updates per second of every tag. Default 1. */
  rateHz?: number;
  /** Seed of every model; the same seed replays the same plant. Default `lightsout`. */
  seed?: Seed;
  /** Which protocol lines speak. Default `mixed` (packaging lines UNS, the rest Sparkplug). */
  protocol?: ProtocolMix;
  /** QoS of data messages. Default 0 (what Sparkplug prescribes). */
  qos?: 0 | 1;
  /** QoS 1 window per MQTT client. Default 256. */
  maxInFlight?: number;
  /** Port of the OPC UA server of the OPC UA lines (protocol `all`). Default 0: a free one. */
  opcuaPort?: number;
  /** Port of the Modbus TCP server of the Modbus machines (protocol `all`). Default 0: a free one. */
  modbusPort?: number;
  /** Address those two servers listen on. Default 127.0.0.1. */
  serverHost?: string;
  /** Directory of the OPC UA server's certificates (kept across restarts). Default: a temporary one. */
  opcuaPkiDir?: string;
  /** Sparkplug host id whose STATE the edge nodes wait for; default: do not wait. */
  hostId?: string;
  log?: SimLog;
}

/** Defaults of {@link VirtualFactoryOptions}. */
export const FACTORY_DEFAULTS: Readonly<Required<Pick<VirtualFactoryOptions, 'tenant' | 'factories' | 'lines' | 'machines' | 'rateHz' | 'seed' | 'protocol' | 'qos' | 'maxInFlight'>>> = {
  tenant: 'demo',
  factories: 1,
  lines: 3,
  machines: 5,
  rateHz: 1,
  seed: 'lightsout',
  protocol: 'mixed',
  qos: 0,
  maxInFlight: 256,
};

/** What {@link VirtualFactory.stats} reports. */
export interface FactoryStats extends PublishCounters {
  /** Seconds since start. */
  seconds: number;
  /** Points published per second since start (achieved). */
  pointsPerSec: number;
  /** Messages published per second since start. */
  messagesPerSec: number;
  /** Points per second the layout and rate ask for. */
  askedPointsPerSec: number;
  /** Line ticks that started late because the previous ones overran (CPU-bound). */
  lateTicks: number;
  edgeNodes: number;
  unsMachines: number;
  machines: number;
  /** NBIRTHs sent (first births, reconnects, rebirths) and NCMD rebirths received. */
  births: number;
  rebirths: number;
}

interface LineRunner {
  spec: LineSpec;
  sims: MachineSim[];
  publish: (i: number, ts: number) => boolean;
  timer?: NodeJS.Timeout;
}

/**
 * The virtual factory.
 *
 * @example
 * const factory = new VirtualFactory({ mqttUrl: 'mqtt://127.0.0.1:1883' });
 * await factory.start();
 * setInterval(() => console.error(factory.stats()), 5000);
 * process.once('SIGINT', () => void factory.stop());
 */
export class VirtualFactory {
  /** The layout being simulated. */
  readonly plant: PlantLayout;
  private readonly o: VirtualFactoryOptions & typeof FACTORY_DEFAULTS;
  private readonly log: SimLog;
  private readonly nodes: SparkplugEdgeNode[] = [];
  private uns: UnsPublisher | undefined;
  private opcua: OpcUaMachineServer | undefined;
  private modbus: ModbusMachineServer | undefined;
  private readonly runners: LineRunner[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  private lateTicks = 0;
  private running = false;

  constructor(opts: VirtualFactoryOptions) {
    this.o = { ...FACTORY_DEFAULTS, ...dropUndefined(opts), mqttUrl: opts.mqttUrl };
    if (!(this.o.rateHz > 0)) throw new Error(`rateHz must be > 0, got ${this.o.rateHz}`);
    this.log = opts.log ?? SILENT_LOG;
    const o = this.o;
    this.plant = buildPlant({ tenant: o.tenant, factories: o.factories, lines: o.lines, machines: o.machines, tags: o.tags, protocol: o.protocol });
  }

  /** Units, ranges and descriptions of every tag, keyed by tag path. */
  metadata(): Map<string, TagMeta> {
    return plantMetadata(this.plant);
  }

  /** Create the models, connect every edge node and the UNS client, birth, and start ticking. */
  async start(): Promise<void> {
    if (this.running) return;
    const o = this.o;
    const now = Date.now();
    const common = { mqttUrl: o.mqttUrl, username: o.username, password: o.password, trustCert: o.trustCert, qos: o.qos, maxInFlight: o.maxInFlight, log: this.log };
    const unsList: ConstructorParameters<typeof UnsPublisher>[0]['machines'] = [];
    const unsSims: MachineSim[] = [];
    // Machines served by the OPC UA and Modbus servers: the platform's connectors read them.
    const opcuaList: SimMachine[] = [];
    const modbusList: SimMachine[] = [];
    const served = (list: SimMachine[], m: LineSpec['machines'][number], sim: MachineSim): number => {
      list.push({ assetPath: m.assetPath, id: m.id, tags: sim.tags, values: sim.values, methods: sim.methods, onCommand: (cmd) => applyCommand(sim, cmd) });
      return list.length - 1;
    };
    for (const site of this.plant.sites) {
      for (const spec of site.lines) {
        const sims = spec.machines.map((m) => new MachineSim({ type: m.type, seed: `${String(o.seed)}/${o.tenant}/${m.assetPath}`, startMs: now, extraTags: o.tags }));
        if (spec.protocol === 'opcua') {
          const at = spec.machines.map((m, i) => served(opcuaList, m, sims[i]!));
          this.runners.push({ spec, sims, publish: (i, ts) => { this.opcua!.update(at[i]!, ts); return true; } });
        } else if (spec.protocol === 'sparkplug') {
          // Machines on the Modbus PLC are not devices of the line's edge node.
          const on = spec.machines.map((m) => !m.modbus);
          const devIndex: number[] = [];
          const bus: number[] = [];
          const devices: Array<{ id: string; tags: MachineSim['tags']; values: MachineSim['values']; methods: readonly string[] }> = [];
          const devSims: MachineSim[] = [];
          spec.machines.forEach((m, i) => {
            if (on[i]) {
              devIndex[i] = devices.length;
              devices.push({ id: m.id, tags: sims[i]!.tags, values: sims[i]!.values, methods: sims[i]!.methods });
              devSims.push(sims[i]!);
            } else {
              bus[i] = served(modbusList, m, sims[i]!);
            }
          });
          const node = new SparkplugEdgeNode({
            ...common,
            groupId: spec.groupId,
            edgeNodeId: spec.line,
            hostId: o.hostId,
            devices,
            onCommand: (i, cmd) => applyCommand(devSims[i]!, cmd),
          });
          this.nodes.push(node);
          this.runners.push({ spec, sims, publish: (i, ts) => { if (on[i]) return node.publishDevice(devIndex[i]!, ts); this.modbus!.update(bus[i]!); return true; } });
        } else {
          const base = unsList.length;
          unsSims.push(...sims);
          spec.machines.forEach((m, i) => unsList.push({ assetPath: m.assetPath, tags: sims[i]!.tags, values: sims[i]!.values, form: m.unsForm }));
          this.runners.push({ spec, sims, publish: (i, ts) => this.uns!.publishMachine(base + i, ts) });
        }
      }
    }
    if (unsList.length > 0) this.uns = new UnsPublisher({ ...common, tenant: o.tenant, machines: unsList, onCommand: (i, cmd) => applyCommand(unsSims[i]!, cmd) });
    const host = o.serverHost ?? '127.0.0.1';
    if (opcuaList.length > 0) this.opcua = new OpcUaMachineServer({ host, port: o.opcuaPort ?? 0, machines: opcuaList, ...(o.opcuaPkiDir ? { pkiDir: o.opcuaPkiDir } : {}) });
    if (modbusList.length > 0) this.modbus = new ModbusMachineServer({ host, port: o.modbusPort ?? 0, machines: modbusList });
    try {
      await Promise.all([this.opcua?.start(), this.modbus?.start()]);
      await Promise.all([...this.nodes.map((n) => n.start()), this.uns?.start()]);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.running = true;
    this.startedAt = Date.now();
    const period = 1000 / o.rateHz;
    // Spread the lines over the period so one tick's publishing does not arrive as one burst.
    this.runners.forEach((r, i) => this.schedule(r, this.startedAt + (period * i) / this.runners.length, period));
    this.log.info(
      { sites: this.plant.sites.length, edgeNodes: this.nodes.length, unsMachines: unsList.length, askedPointsPerSec: pointsPerSecond(this.plant, o.rateHz) },
      'virtual factory started',
    );
  }

  private schedule(r: LineRunner, first: number, period: number): void {
    let next = first;
    const tick = (): void => {
      if (!this.running) return;
      const ts = Date.now();
      for (let i = 0; i < r.sims.length; i++) {
        r.sims[i]!.step(ts);
        r.publish(i, ts);
      }
      next += period;
      const now = Date.now();
      // Behind schedule: skip the missed ticks rather than bursting to catch up.
      if (next < now) {
        this.lateTicks++;
        next = now;
      }
      r.timer = setTimeout(tick, next - now);
    };
    r.timer = setTimeout(tick, Math.max(0, first - Date.now()));
  }

  /**
   * How a Lightsout connector reaches the OPC UA and Modbus machines (after start): the OPC UA
   * server's settings and certificate (DER, to trust), and one Modbus setting per machine.
   */
  connectorSettings(): { opcua?: { settings: OpcUaSettings; certificate: Buffer }; modbus: Array<{ machine: string; settings: ModbusSettings }> } {
    const modbus = this.modbus ? this.plant.sites.flatMap((s) => s.lines).flatMap((l) => l.machines).filter((m) => m.modbus).map((m, i) => ({ machine: m.assetPath, settings: this.modbus!.connectorSettings(i) })) : [];
    return { ...(this.opcua ? { opcua: { settings: this.opcua.connectorSettings(), certificate: this.opcua.certificate() } } : {}), modbus };
  }

  /** Counters and rates since start. */
  stats(): FactoryStats {
    const c: PublishCounters = { messages: 0, points: 0, dropped: 0, bytes: 0 };
    const add = (x: PublishCounters): void => {
      c.messages += x.messages;
      c.points += x.points;
      c.dropped += x.dropped;
      c.bytes += x.bytes;
    };
    this.nodes.forEach((n) => add(n.counters));
    if (this.uns) add(this.uns.counters);
    const seconds = this.startedAt > 0 ? ((this.stoppedAt || Date.now()) - this.startedAt) / 1000 : 0;
    return {
      ...c,
      seconds,
      pointsPerSec: seconds > 0 ? c.points / seconds : 0,
      messagesPerSec: seconds > 0 ? c.messages / seconds : 0,
      askedPointsPerSec: pointsPerSecond(this.plant, this.o.rateHz),
      lateTicks: this.lateTicks,
      edgeNodes: this.nodes.length,
      unsMachines: this.uns?.machineCount ?? 0,
      machines: this.runners.reduce((n, r) => n + r.sims.length, 0),
      births: this.nodes.reduce((n, x) => n + x.sessions.births, 0),
      rebirths: this.nodes.reduce((n, x) => n + x.sessions.rebirths, 0),
    };
  }

  /** Stop ticking, send DDEATH/NDEATH from every edge node, and disconnect. */
  async stop(): Promise<void> {
    if (this.running) this.stoppedAt = Date.now();
    this.running = false;
    for (const r of this.runners) clearTimeout(r.timer);
    await Promise.all([...this.nodes.map((n) => n.stop()), this.uns?.stop(), this.opcua?.stop(), this.modbus?.stop()]);
    const s = this.stats();
    this.log.info({ points: s.points, messages: s.messages, dropped: s.dropped, pointsPerSec: Math.round(s.pointsPerSec), seconds: s.seconds }, 'virtual factory stopped');
  }
}

/** A remote command to one simulated machine: a method call, or a write to a setpoint. */
function applyCommand(sim: MachineSim, cmd: { name: string; value: Value; method?: string }): boolean {
  return cmd.method !== undefined ? sim.call(cmd.method) : sim.write(cmd.name, cmd.value);
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
