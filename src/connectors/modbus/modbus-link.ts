/**
 * One Modbus TCP connection to one device (host, port, unit id), kept up with backoff, with every
 * request serialised: many Modbus TCP devices and gateways handle one transaction at a time, and
 * a queue of at most one request per poll group means a slow device never piles requests up.
 * Each connector owns its own link, so one device's trouble never blocks another.
 * @module
 */
import modbusSerial from 'modbus-serial';
import { backoffMs, type ConnectorLog } from '../../core/connector-port.js';
import { LightsoutError } from '../../core/errors.js';

// modbus-serial is CommonJS: its `default` is the module itself (it sets exports.default = exports).
const ModbusRTU = modbusSerial.default;

/** The modbus-serial client, as the link hands it to a request. */
export type ModbusClient = InstanceType<typeof ModbusRTU>;

/** Where the link is. */
export type LinkState =
  | { kind: 'starting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; lastError: string; attempts: number }
  | { kind: 'stopped' };

/** What the connector hears from its link. */
export interface LinkHooks {
  /** The connection is up (first time or again). */
  onOpen(): void;
  /** The connection is gone; requests fail until `onOpen`. */
  onLost(reason: string): void;
  /** The state changed (for the status' `since`). */
  onState(): void;
}

/** Modbus exception codes and their names (Modbus Application Protocol v1.1b3, §7). */
export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/**
 * After this many timeouts in a row with no answer at all, the TCP session is presumed dead
 * (half-open) and re-opened; if that keeps happening the pause before re-opening grows as for an
 * unreachable device, so a gateway whose device is gone is not hammered with connects.
 */
export const TIMEOUTS_BEFORE_RECONNECT = 3;

/** The Modbus exception code inside a device error, if any. */
export function exceptionCode(err: unknown): number | undefined {
  const c = (err as { details?: { exception?: unknown } })?.details?.exception;
  return typeof c === 'number' ? c : undefined;
}

/** Wrap a driver error: exception → DEVICE_ERROR (named), timeout → DEVICE_TIMEOUT, the rest → CONNECTOR_FAILED. */
export function wrapDriverError(err: unknown, timeoutMs: number): LightsoutError {
  if (err instanceof LightsoutError) return err;
  const e = err as { modbusCode?: unknown; errno?: unknown; message?: unknown };
  if (typeof e?.modbusCode === 'number') {
    const name = MODBUS_EXCEPTIONS[e.modbusCode] ?? 'unknown exception';
    return new LightsoutError('LIGHTSOUT_DEVICE_ERROR', `Modbus exception ${e.modbusCode} (${name})`, { cause: err, details: { exception: e.modbusCode } });
  }
  if (e?.errno === 'ETIMEDOUT' || e?.message === 'Timed out') {
    return new LightsoutError('LIGHTSOUT_DEVICE_TIMEOUT', `no answer within ${timeoutMs} ms`, { cause: err });
  }
  return new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', String(e?.message ?? err), { cause: err });
}

/** The link to one device. */
export class ModbusLink {
  private stateNow: LinkState = { kind: 'starting' };
  private client: ModbusClient | undefined;
  private dropCurrent: ((reason: string) => void) | undefined;
  private lostSignal: Promise<never> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private timeoutsInARow = 0;
  /** Connections dropped in a row for timeouts: a device that accepts TCP but never answers backs off like an unreachable one. */
  private timeoutDrops = 0;
  private droppedForTimeouts = false;
  private wake: (() => void) | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private signalStop: () => void = () => undefined;
  /** Rejects on stop(), so a connect in progress (an unroutable host) does not hold stop up. */
  private readonly stopSignal = new Promise<never>((_, reject) => (this.signalStop = () => reject(new Error('stopped'))));
  /** Connection attempts after the first. */
  reconnects = 0;

  constructor(
    private readonly o: { host: string; port: number; unitId: number; timeoutMs: number; log: ConnectorLog },
    private readonly hooks: LinkHooks,
  ) {
    this.stopSignal.catch(() => undefined);
  }

  /** Where the link is now. */
  get state(): LinkState {
    return this.stateNow;
  }

  /** True while connected. */
  get isOpen(): boolean {
    return this.stateNow.kind === 'open';
  }

  /** Start connecting (in the background; the state tells how it goes). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Close the connection and stop reconnecting. */
  async stop(): Promise<void> {
    this.running = false;
    this.signalStop();
    this.dropCurrent?.('stopped');
    this.wake?.();
    await this.loop;
    this.setState({ kind: 'stopped' });
  }

  /**
   * Run one request on the connection, after the requests queued before it. Rejects with a
   * LightsoutError: DEVICE_ERROR (exception), DEVICE_TIMEOUT, or CONNECTOR_FAILED (not connected,
   * connection lost meanwhile).
   */
  request<T>(fn: (c: ModbusClient) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const c = this.client;
      const lost = this.lostSignal;
      if (!c || !lost || !this.isOpen) throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', 'not connected');
      try {
        const out = await Promise.race([fn(c), lost]);
        this.timeoutsInARow = 0;
        this.timeoutDrops = 0;
        return out;
      } catch (err) {
        const w = wrapDriverError(err, this.o.timeoutMs);
        if (w.code === 'LIGHTSOUT_DEVICE_ERROR') {
          this.timeoutsInARow = 0;
          this.timeoutDrops = 0;
        }
        if (w.code === 'LIGHTSOUT_DEVICE_TIMEOUT' && ++this.timeoutsInARow >= TIMEOUTS_BEFORE_RECONNECT && this.client === c) {
          this.droppedForTimeouts = true;
          this.dropCurrent?.(`no answer to ${this.timeoutsInARow} requests in a row within ${this.o.timeoutMs} ms`);
        } else if (w.code === 'LIGHTSOUT_CONNECTOR_FAILED' && c.isOpen !== true) {
          this.dropCurrent?.(w.message);
        }
        throw w;
      }
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  private setState(s: LinkState): void {
    this.stateNow = s;
    this.hooks.onState();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async connectOnce(): Promise<ModbusClient> {
    const c = new ModbusRTU();
    // Port errors come here as events; without a listener an EventEmitter would throw them.
    c.on('error', (err: unknown) => this.o.log.debug({ err: String((err as Error)?.message ?? err) }, 'modbus port error'));
    const limit = Math.max(this.o.timeoutMs * 3, 3000);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.connectTCP(this.o.host, { port: this.o.port }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`connect timed out after ${limit} ms`)), limit))),
        this.stopSignal,
      ]);
    } catch (err) {
      c.destroy(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    c.setID(this.o.unitId);
    c.setTimeout(this.o.timeoutMs);
    return c;
  }

  private async run(): Promise<void> {
    let attempts = 0;
    let first = true;
    let lastError = '';
    while (this.running) {
      if (!first) this.reconnects++;
      first = false;
      let c: ModbusClient;
      try {
        c = await this.connectOnce();
      } catch (err) {
        attempts++;
        lastError = `connect ${this.o.host}:${this.o.port}: ${(err as Error)?.message || String(err)}`;
        this.setState({ kind: 'reconnecting', lastError, attempts });
        if (this.running) await this.sleep(backoffMs(attempts));
        continue;
      }
      if (!this.running) {
        c.destroy(() => undefined);
        break;
      }
      let reason = `${this.o.host}:${this.o.port} closed the connection`;
      const closed = new Promise<void>((resolve) => {
        this.dropCurrent = (why) => {
          reason = why;
          resolve();
        };
        c.on('close', () => resolve());
      });
      this.lostSignal = closed.then(() => {
        throw new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `connection lost: ${reason}`);
      });
      this.lostSignal.catch(() => undefined);
      this.client = c;
      this.timeoutsInARow = 0;
      attempts = 0;
      this.setState({ kind: 'open' });
      this.hooks.onOpen();
      await closed;
      this.client = undefined;
      this.dropCurrent = undefined;
      c.destroy(() => undefined);
      if (!this.running) break;
      lastError = reason;
      this.o.log.warn({ host: this.o.host, port: this.o.port, reason }, 'modbus connection lost');
      // A short pause even before the first new attempt: a device that closes every connection
      // at once must not make us spin.
      if (this.droppedForTimeouts) this.timeoutDrops++;
      this.droppedForTimeouts = false;
      this.setState({ kind: 'reconnecting', lastError, attempts: 0 });
      this.hooks.onLost(reason);
      await this.sleep(backoffMs(1 + this.timeoutDrops));
    }
  }
}
