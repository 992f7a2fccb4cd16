/**
 * The virtual factory's Modbus TCP server: some machines exposed as Modbus devices, one unit id
 * per machine (1..n) on one port, as a Modbus gateway in front of several PLCs would be.
 * modbus-serial's ServerTCP hands every request's unit id to the vector functions (it listens to
 * all unit ids by default), so one server serves them all.
 *
 * Register map of each machine (all big-endian, high word first):
 * - holding registers from 0, in the machine's tag order: `float`/`double` tags as float32
 *   (2 registers), `uint32` counters as uint32 (2), `int32` tags as int32 (2) except `state_code`
 *   as uint16 (1), strings as 16 registers (32 Latin-1 characters, NUL padded);
 * - coils from 0: the boolean tags in tag order.
 * Setpoints (writable tags) accept writes that cover them exactly and pass them to the machine's
 * `onCommand`; a write to anything else answers exception 2 (illegal data address), a partial
 * write or a refused value exception 3 (illegal data value). An address past the map answers
 * exception 2; an unknown unit id exception 11 (gateway target device failed to respond).
 * @module
 */
import { createServer } from 'node:net';
import modbusSerial from 'modbus-serial';
import type { ModbusRegisterMapping, ModbusSettings } from '../core/connector-settings.js';
import type { Value } from '../core/point.js';
import type { TagSpec } from './machine-types.js';
import type { SimMachine } from './sim-machine.js';

// modbus-serial is CommonJS; its named export ServerTCP is on the module object.
const { ServerTCP } = modbusSerial;

/** A machine as this server sees it. */
export type ModbusSimMachine = SimMachine;

/** Registers of one string tag (32 characters). */
export const STRING_REGISTERS = 16;

type Slot = { tag: TagSpec; index: number; area: 'coil' | 'holding-register'; address: number; type: ModbusRegisterMapping['type']; count: number };

/** The register map of a machine's tags (see the module comment). */
export function registerMap(tags: readonly TagSpec[]): Slot[] {
  const out: Slot[] = [];
  let hr = 0;
  let coil = 0;
  tags.forEach((tag, index) => {
    if (tag.kind === 'boolean') {
      out.push({ tag, index, area: 'coil', address: coil++, type: 'bool', count: 1 });
      return;
    }
    const [type, count]: [ModbusRegisterMapping['type'], number] =
      tag.kind === 'string' ? ['string', STRING_REGISTERS]
      : tag.kind === 'uint32' ? ['uint32', 2]
      : tag.kind === 'int32' ? (tag.name === 'state_code' ? ['uint16', 1] : ['int32', 2])
      : ['float32', 2];
    out.push({ tag, index, area: 'holding-register', address: hr, type, count });
    hr += count;
  });
  return out;
}

/** Encode a value into `count` registers of `type` (big-endian words). */
function encode(type: Slot['type'], count: number, v: Value): number[] {
  const b = Buffer.alloc(count * 2);
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.NaN;
  const clamp = (lo: number, hi: number) => (Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : 0);
  if (type === 'string') b.write(String(v).slice(0, count * 2), 'latin1');
  else if (type === 'float32') b.writeFloatBE(Number.isFinite(n) ? Math.max(-3.4e38, Math.min(3.4e38, n)) : Number.NaN, 0);
  else if (type === 'uint32') b.writeUInt32BE(clamp(0, 4294967295), 0);
  else if (type === 'int32') b.writeInt32BE(clamp(-2147483648, 2147483647), 0);
  else if (type === 'uint16') b.writeUInt16BE(clamp(0, 65535), 0);
  const words: number[] = [];
  for (let i = 0; i < count; i++) words.push(b.readUInt16BE(2 * i));
  return words;
}

/** Decode registers written by a client into the tag's value. */
function decode(type: Slot['type'], words: readonly number[]): Value {
  const b = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => b.writeUInt16BE(w & 0xffff, 2 * i));
  if (type === 'string') return b.toString('latin1').replace(/\0+$/, '');
  if (type === 'float32') return b.readFloatBE(0);
  if (type === 'uint32') return b.readUInt32BE(0);
  if (type === 'int32') return b.readInt32BE(0);
  return b.readUInt16BE(0);
}

const fail = (modbusErrorCode: number): { modbusErrorCode: number } => ({ modbusErrorCode });

interface Unit {
  machine: ModbusSimMachine;
  slots: Slot[];
  holding: Uint16Array;
  coils: boolean[];
}

/** Options of {@link ModbusMachineServer}. */
export interface ModbusMachineServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  machines: ModbusSimMachine[];
}

/** A Modbus TCP server exposing simulated machines, one unit id each (1..n). */
export class ModbusMachineServer {
  private server: InstanceType<typeof ServerTCP> | undefined;
  private readonly units: Unit[];
  private portNow = 0;
  readonly host: string;

  constructor(private readonly o: ModbusMachineServerOptions) {
    this.host = o.host ?? '127.0.0.1';
    if (o.machines.length > 247) throw new Error('a Modbus server has unit ids 1..247: at most 247 machines');
    this.units = o.machines.map((machine) => {
      const slots = registerMap(machine.tags);
      const hrSize = slots.filter((s) => s.area === 'holding-register').reduce((n, s) => n + s.count, 0);
      return { machine, slots, holding: new Uint16Array(hrSize), coils: slots.filter((s) => s.area === 'coil').map(() => false) };
    });
    this.units.forEach((_, i) => this.update(i));
  }

  /** The port it listens on (after start). */
  get port(): number {
    return this.portNow;
  }

  /** Listen; resolves with the port. */
  async start(): Promise<number> {
    const port = this.o.port === 0 ? await freePort(this.host) : this.o.port;
    const unit = (id: number): Unit => {
      const u = this.units[id - 1];
      if (!u) throw fail(11);
      return u;
    };
    const readRegs = (addr: number, length: number, id: number): number[] => {
      const u = unit(id);
      if (addr + length > u.holding.length) throw fail(2);
      return Array.from(u.holding.subarray(addr, addr + length));
    };
    const vector = {
      getHoldingRegister: (addr: number, id: number) => readRegs(addr, 1, id)[0]!,
      getMultipleHoldingRegisters: (addr: number, length: number, id: number) => readRegs(addr, length, id),
      getInputRegister: (): number => {
        throw fail(2);
      },
      getDiscreteInput: (): boolean => {
        throw fail(2);
      },
      getCoil: (addr: number, id: number) => {
        const u = unit(id);
        if (addr >= u.coils.length) throw fail(2);
        return u.coils[addr]!;
      },
      setCoil: (addr: number, value: boolean, id: number) => this.write(unit(id), 'coil', addr, [value ? 1 : 0]),
      setRegister: (addr: number, value: number, id: number) => this.write(unit(id), 'holding-register', addr, [value]),
      setRegisterArray: (addr: number, values: number[], id: number) => this.write(unit(id), 'holding-register', addr, values),
    };
    const server = new ServerTCP(vector, { host: this.host, port });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    });
    // Client sockets that reset must not surface as unhandled 'error' events.
    server.on('socketError', () => undefined);
    server.on('error', () => undefined);
    this.server = server;
    this.portNow = port;
    return port;
  }

  private write(u: Unit, area: Slot['area'], addr: number, words: number[]): void {
    const slot = u.slots.find((s) => s.area === area && addr >= s.address && addr < s.address + s.count);
    if (!slot || slot.tag.writable !== true) throw fail(2);
    if (addr !== slot.address || words.length !== slot.count) throw fail(3);
    const value = area === 'coil' ? words[0] === 1 : decode(slot.type, words);
    if (!u.machine.onCommand({ name: slot.tag.name, value })) throw fail(3);
    // Show the accepted value at once (the factory's next update overwrites it with the model's).
    if (area === 'coil') u.coils[slot.address] = value === true;
    else u.holding.set(encode(slot.type, slot.count, value), slot.address);
  }

  /** Copy machine `i`'s current values into its registers. */
  update(i: number): void {
    const u = this.units[i];
    if (!u) return;
    for (const s of u.slots) {
      const v = u.machine.values[s.index];
      if (v === undefined) continue;
      if (s.area === 'coil') u.coils[s.address] = v === true;
      else u.holding.set(encode(s.type, s.count, v), s.address);
    }
  }

  /** Close the port and every client connection. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /**
   * Settings of a Lightsout Modbus connector reading machine `i` into `<assetPath>/<tag>`
   * (setpoints writable), polled every `intervalMs` (default 1000).
   */
  connectorSettings(i: number, opts: { intervalMs?: number; host?: string } = {}): ModbusSettings {
    const u = this.units[i];
    if (!u) throw new Error(`no machine ${i}`);
    const registers: ModbusRegisterMapping[] = u.slots.map((s) => ({
      tag: `${u.machine.assetPath}/${s.tag.name}`,
      area: s.area,
      address: s.address,
      type: s.type,
      ...(s.type === 'string' ? { length: s.count } : {}),
      ...(s.tag.unit !== undefined ? { unit: s.tag.unit } : {}),
      ...(s.tag.writable === true ? { writable: true } : {}),
    }));
    return { host: opts.host ?? this.host, port: this.portNow, unitId: i + 1, timeoutMs: 1000, groups: [{ name: 'machine', intervalMs: opts.intervalMs ?? 1000, registers }] };
  }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}
