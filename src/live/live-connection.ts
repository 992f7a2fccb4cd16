/**
 * One WebSocket of the live hub. A connection carries at most one session at a time; the session
 * may outlive it (resume) or move to a newer connection. The tenant belongs to the connection so
 * that authentication can later set it per connection without touching the hub's logic.
 * @module
 */
import { asLightsoutError } from '../core/errors.js';
import type { LiveClientMessage, LiveError, LiveSubscribe } from '../protocol/live.js';
import type { LiveSession, LiveSocket } from './live-session.js';

/** What a connection needs of its hub (an interface, so hub and connection do not import each other). */
export interface ConnectionOwner {
  subscribe(conn: LiveConnection, msg: LiveSubscribe): void;
  disconnected(conn: LiveConnection): void;
  readonly opts: { clock: { now(): number } };
}

/** Subscribes a connection may make in a burst, and per second after it (each one builds a snapshot). */
export const SUBSCRIBE_BURST = 20;
const SUBSCRIBE_REFILL_PER_S = 2;

/** A client connection: validated messages in, errors out. */
export class LiveConnection {
  /** The session this connection currently feeds. */
  session: LiveSession | undefined;
  private closed = false;
  private tokens = SUBSCRIBE_BURST;
  private tokensAt: number;

  constructor(private readonly owner: ConnectionOwner, readonly tenant: string, readonly socket: LiveSocket, readonly scopes?: readonly string[]) {
    this.tokensAt = owner.opts.clock.now();
  }

  /** Handle a validated client message; a refused one is answered with an error message. */
  receive(msg: LiveClientMessage): void {
    if (this.closed) return;
    try {
      if (msg.type === 'ping') {
        const now = this.owner.opts.clock.now();
        if (this.session) this.session.heartbeat(now);
        else this.socket.send(`{"type":"heartbeat","ts":${now},"seq":0}`);
      } else {
        // A snapshot scans the tag list: a client re-subscribing in a loop must not eat the CPU.
        const now = this.owner.opts.clock.now();
        this.tokens = Math.min(SUBSCRIBE_BURST, this.tokens + ((now - this.tokensAt) / 1000) * SUBSCRIBE_REFILL_PER_S);
        this.tokensAt = now;
        if (this.tokens < 1) return this.error('LIGHTSOUT_LIMIT_EXCEEDED', `at most ${SUBSCRIBE_REFILL_PER_S} subscribes per second (bursts of ${SUBSCRIBE_BURST})`);
        this.tokens -= 1;
        this.owner.subscribe(this, msg);
      }
    } catch (err) {
      const e = asLightsoutError(err);
      this.error(e.code, e.message);
    }
  }

  /** Tell the client its last message was refused; the connection stays open. */
  error(code: string, message: string): void {
    const m: LiveError = { type: 'error', error: { code, message } };
    try {
      this.socket.send(JSON.stringify(m));
    } catch {
      // closing anyway
    }
  }

  /** The socket closed (from the WebSocket's close event). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.disconnected(this);
  }

  /** Close the socket from the server side with a code and reason, and detach the session. */
  drop(code: number, reason: string): void {
    try {
      this.socket.close(code, reason);
    } catch {
      // already closed
    }
    this.close();
  }
}
