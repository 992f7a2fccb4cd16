/**
 * The embedded MQTT broker (aedes). Ingest consumes inside the broker process, in
 * `authorizePublish`, which aedes completes before it sends a QoS 1 PUBACK: the PUBACK therefore
 * leaves only after the message's points are durable. A storage failure disconnects the publisher
 * (MQTT 3.1.1 has no negative PUBACK), which makes it resend later instead of losing data.
 * With a BrokerAccess, every CONNECT is authenticated (its Last Will checked) and every PUBLISH
 * and SUBSCRIBE of a client is checked against its namespace; the platform's own publishes are not.
 * A refused publish closes the connection (MQTT 3.1.1 cannot say no otherwise); a refused
 * subscription gets SUBACK 0x80.
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import type { BrokerAccess, BrokerRefusal, BrokerSession } from '../../core/broker-access.js';
import { LightsoutError } from '../../core/errors.js';
import { ackWhenDone, type Connector, type ConnectorStatus, type MessageHandler } from '../../core/connector-status.js';

/** Settings of the embedded broker. */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Called for every client publish; the PUBACK waits for its promise. */
  onMessage: MessageHandler;
  /** Who may connect and what they may touch; without it every client may do anything. */
  access?: BrokerAccess;
  /** PEM certificate and key: listen for MQTT over TLS. */
  tls?: { cert: Buffer; key: Buffer };
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

const sessions = new WeakMap<Client, BrokerSession>();

/** The in-process MQTT broker. */
export class EmbeddedBroker implements Connector {
  readonly name = 'mqtt-broker';
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private state: ConnectorStatus = { state: 'stopped', since: Date.now() };
  private readonly stats = { messagesIn: 0, bytesIn: 0, clients: 0, handlerErrors: 0 };
  private readonly sockets = new Set<Socket>();
  private readonly refused: Record<BrokerRefusal, number> = { 'bad-credentials': 0, 'rate-limited': 0, 'client-id': 0, will: 0, publish: 0, subscribe: 0, retain: 0, forward: 0 };
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  /** Listen; resolves with the bound port. A taken port throws LIGHTSOUT_PORT_IN_USE. */
  async start(): Promise<number> {
    this.state = { state: 'starting', since: Date.now() };
    const access = this.opts.access;
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, callback) => {
        if (!access) return callback(null, true);
        const will = (client as unknown as { _will?: { topic: string; retain?: boolean } })._will;
        const address = (client.conn as unknown as Socket | undefined)?.remoteAddress ?? 'unknown';
        access.authenticate({ clientId: client.id, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), ...(will ? { will: { topic: will.topic, retain: will.retain === true } } : {}), address }).then((r) => {
          if (r.ok) {
            sessions.set(client, r.session);
            return callback(null, true);
          }
          this.refuse(r.reason, r.message, { clientId: client.id, username, address });
          const err = Object.assign(new Error(r.message), { returnCode: r.reason === 'bad-credentials' || r.reason === 'rate-limited' ? 4 : r.reason === 'client-id' ? 2 : 5 });
          callback(err as never, false);
        }, (err: Error) => {
          this.refuse('bad-credentials', `authentication failed: ${err.message}`, { clientId: client.id });
          callback(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as never, false);
        });
      },
      authorizeSubscribe: (client, sub, callback) => {
        const session = client ? sessions.get(client) : undefined;
        if (!access || !client) return callback(null, sub);
        const why = session ? access.checkSubscribe(session, sub.topic) : 'not authenticated';
        if (why) {
          this.refuse('subscribe', why, { clientId: client.id, device: session?.device, filter: sub.topic });
          return callback(null, null as never);
        }
        callback(null, sub);
      },
      // Checked again on delivery: a subscription granted before a Sparkplug group changed owner
      // (or a retained message) never carries another namespace's messages to a device.
      authorizeForward: (client, packet) => {
        if (!access) return packet;
        const session = sessions.get(client);
        if (session && access.checkSubscribe(session, packet.topic) === undefined) return packet;
        this.refuse('forward', `not delivered: ${packet.topic}`, { clientId: client.id, device: session?.device, topic: packet.topic });
        return null;
      },
      authorizePublish: (client, packet, callback) => {
        if (client === null) return callback(null); // the platform's own publishes
        if (access) {
          const session = sessions.get(client);
          const why = session ? access.checkPublish(session, packet.topic, packet.retain) : 'not authenticated';
          if (why) {
            this.refuse(packet.retain ? 'retain' : 'publish', why, { clientId: client.id, device: session?.device, topic: packet.topic });
            return callback(new Error(`publish refused: ${why}`));
          }
        }
        this.stats.messagesIn++;
        this.stats.bytesIn += packet.payload.length;
        ackWhenDone(this.opts.onMessage, packet.topic, packet.payload as Buffer, callback, (err) => {
          this.stats.handlerErrors++;
          this.opts.log?.warn({ err: err.message, topic: packet.topic }, 'message not stored; disconnecting the publisher so it resends');
        });
      },
    });
    access?.onRevoked?.((device) => this.disconnectDevice(device));
    aedes.on('client', () => this.stats.clients++);
    aedes.on('clientDisconnect', () => this.stats.clients--);
    this.aedes = aedes;
    const onSocket = (socket: Socket): void => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    };
    const tls = this.opts.tls;
    const server: Server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, onSocket) : createServer({ noDelay: true }, onSocket);
    if (tls) server.on('tlsClientError', (err: Error) => this.opts.log?.warn({ err: err.message }, 'MQTT TLS handshake failed'));
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
    this.state = { state: 'connected', since: Date.now(), detail: `listening on ${this.opts.host}:${port}${tls ? ' (TLS)' : ''}${access ? '' : ', no authentication'}` };
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
    const refused: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.refused)) refused[`refused.${k}`] = v;
    return { ...this.stats, ...refused };
  }

  /** The device a connected client authenticated as (tests, logs). */
  static sessionOf(client: Client): BrokerSession | undefined {
    return sessions.get(client);
  }

  /** Close every connection of a device (its credentials were revoked). */
  private disconnectDevice(device: string): void {
    const clients = (this.aedes as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    let closed = 0;
    for (const client of Object.values(clients)) {
      if (sessions.get(client)?.device !== device) continue;
      client.close();
      closed++;
    }
    if (closed > 0) this.opts.log?.info({ device, connections: closed }, 'device credentials revoked: connections closed');
  }

  /** Count a refusal; log each kind at most once per 10 s. */
  private refuse(reason: BrokerRefusal, message: string, detail: Record<string, unknown>): void {
    this.refused[reason]++;
    const now = Date.now();
    if ((this.lastLogged.get(reason) ?? 0) + 10_000 > now) return;
    this.lastLogged.set(reason, now);
    this.opts.log?.warn({ ...detail, reason, refusedSoFar: this.refused[reason] }, `MQTT client refused: ${message}`);
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
