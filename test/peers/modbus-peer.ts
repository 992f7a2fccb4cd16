/**
 * Runs test/peers/modbus_server.py (Debian's pymodbus 3.0 under /usr/bin/python3) as an
 * independent Modbus TCP peer, and talks to its JSON-lines control channel.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The interpreter that has pymodbus (the `python3` first on PATH may not). */
export const PYTHON = '/usr/bin/python3';

/** Why the peer cannot run here, or undefined when it can. */
export function pymodbusMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import pymodbus.server, pymodbus.payload; print(pymodbus.__version__)'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} not runnable: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} has no pymodbus (apt-get install -y python3-pymodbus): ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/** One value of the peer's register image, as Python encoded it. */
export interface ImageEntry {
  name: string;
  area: 'coil' | 'discrete-input' | 'holding-register' | 'input-register';
  address: number;
  type: 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'string';
  byteOrder?: 'big' | 'little';
  wordOrder?: 'big' | 'little';
  length?: number;
  bit?: number;
  scale?: number;
  offset?: number;
  value: number | boolean | string;
}

/** A running pymodbus server. */
export class PyModbusPeer {
  private child: ChildProcess | undefined;
  private waiting: Array<(v: any) => void> = [];
  private stderr = '';
  image: ImageEntry[] = [];

  constructor(readonly port: number) {}

  /** Start it and wait until it listens. */
  async start(): Promise<void> {
    const script = fileURLToPath(new URL('./modbus_server.py', import.meta.url));
    const child = spawn(PYTHON, [script, '--port', String(this.port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout! });
    const ready = new Promise<any>((resolve, reject) => {
      this.waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`pymodbus peer exited (${code}): ${this.stderr}`)));
    });
    lines.on('line', (line) => this.waiting.shift()?.(JSON.parse(line)));
    const first = await ready;
    this.image = first.image;
  }

  /** Send one control command and wait for its answer. */
  cmd<T = any>(msg: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting.push((v) => (v.error ? reject(new Error(v.error)) : resolve(v)));
      this.child!.stdin!.write(JSON.stringify(msg) + '\n');
    });
  }

  /** Requests seen since the last call: [unit, fc, address, count]. */
  async log(): Promise<Array<[number, number, number, number]>> {
    return (await this.cmd<{ log: Array<[number, number, number, number]> }>({ cmd: 'log' })).log;
  }

  /** Kill it hard (as a power cut would). */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
    this.waiting = [];
  }
}
