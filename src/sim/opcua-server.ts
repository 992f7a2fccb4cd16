/**
 * The virtual factory's OPC UA server: each simulated machine is an Object below
 * `Objects/<asset path levels as folders>`, its tags Variables (Double, Float, Int32, UInt32,
 * Boolean, String), its setpoints writable, and `start`/`stop`/`reset` Methods. Writes and calls
 * go to the machine's `onCommand`. The server offers None, Sign and SignAndEncrypt, takes
 * username logins, keeps a short in-memory history of every variable (so a client can fill the
 * gap after a restart with HistoryRead), and stops gracefully: updates stop first, then the last
 * notifications are published, then the endpoints close.
 * @module
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessLevelFlag, DataType, DataValue, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy,
  StatusCodes, Variant, nodesets, type Namespace, type UAObject, type UAVariable, LogLevel, setLogLevel,
} from 'node-opcua';

import type { OpcUaSettings } from '../core/connector-settings.js';
import type { Value } from '../core/point.js';
import type { TagKind, TagSpec } from './machine-types.js';
import type { SimMachine } from './sim-machine.js';

// node-opcua prints its own warnings to stdout (one at load about RSA PKCS#1 v1.5 on Node 20, which
// the policies offered here do not use for encryption); connectors report problems as status
// instead. NODEOPCUA_LOG_LEVEL still overrides.
if (process.env.NODEOPCUA_LOG_LEVEL === undefined) setLogLevel(LogLevel.Error);

/** A machine as this server sees it. */
export type OpcUaSimMachine = SimMachine;

/** Options of {@link OpcUaMachineServer}. */
export interface OpcUaMachineServerOptions {
  host?: string;
  /** 0 picks a free port on the first start; restarts reuse the port. */
  port: number;
  machines: OpcUaSimMachine[];
  users?: { username: string; password: string }[];
  /** Default true. */
  allowAnonymous?: boolean;
  /** PKI directory (default: a new temporary one, kept across restarts of this instance). */
  pkiDir?: string;
  /** Values of history kept per variable for HistoryRead (default 600; 0 turns history off). */
  historyValues?: number;
  /** Graceful stop: extra time, beyond the longest publishing interval, for the last notifications, ms (default 300). */
  stopGraceMs?: number;
}

const DATA_TYPE: Record<TagKind, DataType> = {
  double: DataType.Double, float: DataType.Float, int32: DataType.Int32, uint32: DataType.UInt32, boolean: DataType.Boolean, string: DataType.String,
};

/** Node id (in the server's own namespace, index 1) of a machine's object, one of its tags, or one of its methods. */
export function simNodeId(assetPath: string, tag?: string, method?: boolean): string {
  return `ns=1;s=${assetPath}${tag === undefined ? '' : `${method ? '.' : '/'}${tag}`}`;
}

/** An OPC UA server exposing simulated machines. */
export class OpcUaMachineServer {
  private server: OPCUAServer | undefined;
  private port: number;
  private readonly pki: string;
  private vars: UAVariable[][] = [];
  private running = false;

  constructor(private readonly o: OpcUaMachineServerOptions) {
    this.port = o.port;
    this.pki = o.pkiDir ?? join(mkdtempSync(join(tmpdir(), 'lightsout-opcua-sim-')), 'pki');
  }

  /** `opc.tcp://host:port` once started. */
  get endpointUrl(): string {
    return `opc.tcp://${this.o.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Start serving; resolves with the port. */
  async start(): Promise<number> {
    const cm = new OPCUACertificateManager({ rootFolder: this.pki, automaticallyAcceptUnknownCertificate: true });
    await cm.initialize();
    // X509 user logins: the simulator accepts any user certificate (it has no user directory).
    const userCm = new OPCUACertificateManager({ rootFolder: `${this.pki}-users`, automaticallyAcceptUnknownCertificate: true });
    await userCm.initialize();
    const users = this.o.users ?? [];
    const server = new OPCUAServer({
      port: this.port,
      host: this.o.host ?? '127.0.0.1',
      hostname: this.o.host ?? '127.0.0.1',
      serverCertificateManager: cm,
      userCertificateManager: userCm,
      nodeset_filename: [nodesets.standard],
      allowAnonymous: this.o.allowAnonymous ?? true,
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss],
      userManager: { isValidUser: (u: string, p: string) => users.some((x) => x.username === u && x.password === p) },
      // Every change a monitored item sees is reported (no coalescing floor); node-opcua's default
      // of 10 sessions is too few for a factory demo with several clients.
      serverCapabilities: { minSupportedSampleRate: 0, maxSessions: 200 } as never,
      buildInfo: { productName: 'Lightsout virtual factory', manufacturerName: 'Lightsout' },
      maxConnectionsPerEndpoint: 100,
    });
    await server.initialize();
    this.build(server);
    await server.start();
    this.server = server;
    this.port = server.endpoints[0]!.port;
    this.running = true;
    return this.port;
  }

  private build(server: OPCUAServer): void {
    const as = server.engine.addressSpace!;
    const ns = as.getOwnNamespace();
    const folders = new Map<string, UAObject>();
    const folderFor = (path: string): UAObject => {
      if (path === '') return as.rootFolder.objects as unknown as UAObject;
      const have = folders.get(path);
      if (have) return have;
      const cut = path.lastIndexOf('/');
      const parent = folderFor(cut < 0 ? '' : path.slice(0, cut));
      const f = ns.addFolder(parent, { browseName: path.slice(cut + 1), nodeId: `s=${path}` });
      folders.set(path, f);
      return f;
    };
    const history = this.o.historyValues ?? 600;
    this.vars = this.o.machines.map((m) => {
      const cut = m.assetPath.lastIndexOf('/');
      const parent = folderFor(cut < 0 ? '' : m.assetPath.slice(0, cut));
      const obj = ns.addObject({ organizedBy: parent, browseName: m.assetPath.slice(cut + 1), nodeId: `s=${m.assetPath}` });
      for (const method of m.methods) this.addMethod(ns, obj, m, method);
      return m.tags.map((t, i) => this.addVariable(ns, obj, m, t, i, history));
    });
  }

  private addVariable(ns: Namespace, obj: UAObject, m: OpcUaSimMachine, t: TagSpec, i: number, history: number): UAVariable {
    const dataType = DATA_TYPE[t.kind];
    let access = AccessLevelFlag.CurrentRead | (t.writable ? AccessLevelFlag.CurrentWrite : 0);
    if (history > 0) access |= AccessLevelFlag.HistoryRead;
    const options = {
      componentOf: obj, browseName: t.name, nodeId: `s=${m.assetPath}/${t.name}`, dataType, description: t.description,
      accessLevel: access, userAccessLevel: access, minimumSamplingInterval: 0,
    };
    // A numeric tag with a range is an AnalogItem with an EURange, which percent deadbands need.
    const analog = t.min !== undefined && t.max !== undefined && t.kind !== 'boolean' && t.kind !== 'string';
    const v: UAVariable = analog
      ? ns.addAnalogDataItem({ ...options, dataType: DataType[dataType], engineeringUnitsRange: { low: t.min!, high: t.max! }, acceptValueOutOfRange: true }) as unknown as UAVariable
      : ns.addVariable(options);
    v.setValueFromSource(new Variant({ dataType, value: m.values[i] ?? (t.kind === 'string' ? '' : t.kind === 'boolean' ? false : 0) }), StatusCodes.Good, new Date());
    if (history > 0) v.addressSpace.installHistoricalDataNode(v, { maxOnlineValues: history });
    if (t.writable) {
      // Writes become machine commands; the machine's next update shows whether it took them.
      (v as unknown as { _timestamped_set_func: unknown })._timestamped_set_func = (dv: DataValue, cb: (e: Error | null, s: unknown, dv: DataValue) => void) => {
        const ok = m.onCommand({ name: t.name, value: dv.value.value as Value });
        cb(null, ok ? StatusCodes.Good : StatusCodes.BadOutOfRange, dv);
      };
    }
    return v;
  }

  private addMethod(ns: Namespace, obj: UAObject, m: OpcUaSimMachine, method: string): void {
    const node = ns.addMethod(obj, { browseName: method, nodeId: `s=${m.assetPath}.${method}`, inputArguments: [], outputArguments: [] });
    node.bindMethod(async (_args: Variant[], _ctx: unknown) => ({ statusCode: m.onCommand({ name: method, value: true, method }) ? StatusCodes.Good : StatusCodes.BadInvalidState }));
  }

  /** Copy machine `i`'s values into its variables with source timestamp `ts`; false while stopped. */
  update(i: number, ts: number = Date.now()): boolean {
    if (!this.running) return false;
    const m = this.o.machines[i]!;
    const vars = this.vars[i]!;
    const when = new Date(ts);
    m.tags.forEach((t, k) => {
      vars[k]!.setValueFromSource(new Variant({ dataType: DATA_TYPE[t.kind], value: m.values[k] }), StatusCodes.Good, when);
    });
    return true;
  }

  /** Set one variable's status (quality tests): e.g. `StatusCodes.UncertainLastUsableValue`. */
  setStatus(i: number, tag: string, status: (typeof StatusCodes)[keyof typeof StatusCodes], ts: number = Date.now()): void {
    const m = this.o.machines[i]!;
    const k = m.tags.findIndex((t) => t.name === tag);
    const v = this.vars[i]![k]!;
    v.setValueFromSource(new Variant({ dataType: DATA_TYPE[m.tags[k]!.kind], value: m.values[k] }), status as never, new Date(ts));
  }

  /**
   * Stop like a well-behaved server: updates end at once, then every subscription gets one more
   * publishing cycle (plus `stopGraceMs`) so the notifications already queued go out, then the
   * endpoints close.
   */
  async stop(): Promise<void> {
    this.running = false;
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    let longest = 0;
    for (const session of s.engine.getSessions()) {
      for (const sub of session.publishEngine.subscriptions) longest = Math.max(longest, sub.publishingInterval);
    }
    await s.shutdown(longest + (this.o.stopGraceMs ?? 300));
  }

  /** The server's own certificate (DER), for a client to trust (after start). */
  certificate(): Buffer {
    if (!this.server) throw new Error('the OPC UA simulator is not started');
    return Buffer.from(this.server.getCertificate());
  }

  /** Settings a Lightsout OPC UA connector needs to read every machine into `<assetPath>/<tag>`. */
  connectorSettings(extra: Partial<OpcUaSettings> = {}): OpcUaSettings {
    const ms = this.o.machines;
    return {
      endpointUrl: this.endpointUrl,
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      login: this.o.users?.[0] ? { kind: 'username', ...this.o.users[0] } : { kind: 'anonymous' },
      browseRules: ms.map((m) => ({ root: simNodeId(m.assetPath), tagPrefix: m.assetPath, maxDepth: 1 })),
      writableTags: ms.flatMap((m) => m.tags.filter((t) => t.writable).map((t) => `${m.assetPath}/${t.name}`)),
      methods: ms.flatMap((m) => m.methods.map((method) => ({ machine: m.assetPath, method, objectId: simNodeId(m.assetPath), methodId: simNodeId(m.assetPath, method, true) }))),
      ...extra,
    };
  }
}
