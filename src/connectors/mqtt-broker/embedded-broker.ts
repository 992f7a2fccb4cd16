/**
 * The embedded MQTT broker (aedes). Ingest consumes inside the broker process, in
 * `authorizePublish`, which aedes completes before it sends a QoS 1 PUBACK: the PUBACK therefore
 * leaves only after the message's points are durable. A storage failure disconnects the publisher
 * (MQTT 3.1.1 has no negative PUBACK), which makes it resend later instead of losing data.
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { LightsoutError } from '../../core/errors.js';
import { ackWhenDone, type Connector, type ConnectorStatus, type MessageHandler } from '../../core/connector-status.js';

/** Settings of the embedded broker. */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Called for every client publish; the PUBACK waits for its promise. */
  onMessage: MessageHandler;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** The in-process MQTT broker. */
export class EmbeddedBroker implements Connector {
  readonly name = 'mqtt-broker';
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private state: ConnectorStatus = { state: 'stopped', since: Date.now() };
  private readonly stats = { messagesIn: 0, bytesIn: 0, clients: 0, handlerErrors: 0 };
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  /** Listen; resolves with the bound port. A taken port throws LIGHTSOUT_PORT_IN_USE. */
  async start(): Promise<number> {
    this.state = { state: 'starting', since: Date.now() };
    const aedes = await Aedes.createBroker({
      authorizePublish: (client, packet, callback) => {
        if (client === null) return callback(null); // the platform's own publishes
        this.stats.messagesIn++;
        this.stats.bytesIn += packet.payload.length;
        ackWhenDone(this.opts.onMessage, packet.topic, packet.payload as Buffer, callback, (err) => {
          this.stats.handlerErrors++;
          this.opts.log?.warn({ err: err.message, topic: packet.topic }, 'message not stored; disconnecting the publisher so it resends');
        });
      },
    });
    aedes.on('client', () => this.stats.clients++);
    aedes.on('clientDisconnect', () => this.stats.clients--);
    this.aedes = aedes;
    const server = createServer({ noDelay: true }, (socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    this.server = server;
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          reject(new LightsoutError('LIGHTSOUT_PORT_IN_USE', `MQTT port ${this.opts.port} on ${this.opts.host} is already in use: stop what uses it, or choose another with --mqtt-port (LIGHTSOUT_MQTT_PORT), or use that broker with --mqtt-url`, { cause: err }));
        } else {
          reject(new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', `MQTT broker cannot listen on ${this.opts.host}:${this.opts.port}: ${err.message}`, { cause: err }));
        }
      });
      server.listen(this.opts.port, this.opts.host, () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
    this.state = { state: 'connected', since: Date.now(), detail: `listening on ${this.opts.host}:${port}` };
    return port;
  }

  /** Publish as the platform (bypasses authorisation). */
  publish(topic: string, payload: Uint8Array, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new LightsoutError('LIGHTSOUT_CONNECTOR_FAILED', 'the embedded broker is not running'));
    return new Promise((resolve, reject) => {
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: opts.qos, retain: opts.retain, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  status(): ConnectorStatus {
    return this.state;
  }

  counters(): Record<string, number> {
    return { ...this.stats };
  }

  /** Close every client and the listener. */
  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.server = undefined;
    this.aedes = undefined;
    if (server) await new Promise<void>((resolve) => { server.close(() => resolve()); for (const s of this.sockets) s.destroy(); });
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    this.state = { state: 'stopped', since: Date.now() };
  }
}
