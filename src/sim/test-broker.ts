/**
 * A bare aedes broker on a free local port, for the simulator's tests and for measuring the
 * high-rate publisher. Deliberately not the platform's EmbeddedBroker: the simulator is tested
 * against plain MQTT, with nothing of the platform in between.
 * @module
 */
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

/** A running test broker. */
export interface TestBroker {
  /** `mqtt://127.0.0.1:<port>`. */
  url: string;
  port: number;
  aedes: Aedes;
  /** Messages clients published (not counting the broker's own, such as Wills). */
  published(): number;
  close(): Promise<void>;
}

/**
 * Start aedes on 127.0.0.1 with a free port (or `port`).
 *
 * @example
 * const broker = await startTestBroker();
 * const factory = new VirtualFactory({ mqttUrl: broker.url });
 */
export async function startTestBroker(port = 0): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  let count = 0;
  aedes.on('publish', (_packet, client) => {
    if (client) count++;
  });
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
  return {
    url: `mqtt://127.0.0.1:${bound}`,
    port: bound,
    aedes,
    published: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
