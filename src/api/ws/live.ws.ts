/**
 * `GET /api/v1/live`: the live hub over WebSocket (protocol in src/protocol/live.ts, described in
 * docs/live.md). This file only adapts sockets and validates frames; the hub does the rest.
 * @module
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { Type } from '@sinclair/typebox';
import { LightsoutError } from '../../core/errors.js';
import { ShowcaseLinks } from '../../auth/showcase-links.js';
import type { LiveSocket } from '../../live/live-session.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';
import { parseLiveMessage } from './live-message.js';

/** Close code when the showcase link of a connection is revoked or expires. */
export const LIVE_CLOSE_LINK_ENDED = 4404;

/** Largest client message answered; bigger ones get LIGHTSOUT_PAYLOAD_TOO_LARGE. */
export const MAX_LIVE_MESSAGE_BYTES = 64 * 1024;
/** Beyond this the WebSocket library itself closes the connection (1009) without reading it all. */
const HARD_MAX_FRAME_BYTES = 1024 * 1024;

const DESCRIPTION = [
  'WebSocket endpoint of the live hub (a plain GET answers 400). JSON text frames.',
  'Client → server: `{"type":"subscribe","tags":[...],"patterns":["site/area/#","site/+/line-1/#"],"maxRate":10,"resume":{"session":"…","seq":N}}` and `{"type":"ping"}`.',
  'Server → client: `snapshot` `{session, seq, points}` first (and again whenever the client must start over), then `delta` `{seq, points, resumed?, coalesced?}`',
  'with only the latest value of each changed tag, at most `maxRate` per second (1..50, default 10); a change after a quiet spell is sent at once.',
  '`heartbeat` `{ts, seq}` when nothing else was sent for 5 s or in answer to a ping; `error` `{error: {code, message}}` for a refused message (the connection stays open).',
  'Reconnect within 30 s with `resume` (the session id and the last seq received) to get a `delta` with `resumed: true` holding everything changed meanwhile; otherwise a fresh `snapshot`.',
  'Close codes: 1001 server stopping, 1009 frame over 1 MiB, 1013 too many clients, 4008 client too slow (not reading for 30 s), 4009 session resumed on another connection, 4404 showcase link revoked or expired.',
  'A public showcase link connects with `?showcase=<id>.<secret>` instead of credentials and sees only its line.',
  'See docs/live.md.',
].join(' ');

/** Adapt a `ws` socket to the hub; a server-side close that cannot complete is forced after 2 s. */
function liveSocket(ws: WebSocket): LiveSocket {
  return {
    send: (text) => ws.send(text),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    close: (code, reason) => {
      ws.close(code, reason);
      // A stalled client never reads the close frame queued behind its backlog.
      setTimeout(() => ws.terminate(), 2000).unref();
    },
  };
}

function frameBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
}

/**
 * Whether a WebSocket handshake may proceed. WebSockets are not covered by the browser's
 * same-origin rule, so without this check any web page an operator opens could read live plant
 * data from this server through the operator's browser (cross-site WebSocket hijacking).
 * Non-browser clients send no Origin and are let through; browsers must come from this server's
 * own origin or one listed in `allowedOrigins`.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Register the WebSocket plugin and the live route. */
export async function liveRoutes(app: FastifyInstance, s: ApiServices): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: HARD_MAX_FRAME_BYTES,
      verifyClient: (info, next) => {
        if (originAllowed(info.origin || undefined, info.req.headers.host, s.allowedOrigins ?? [])) return next(true);
        app.log.warn({ origin: info.origin }, 'live WebSocket refused: origin not allowed (see allowedOrigins)');
        next(false, 403, 'origin not allowed');
      },
    },
    // Clients vanish without a close frame all the time; that is not a server error.
    errorHandler: (err, socket) => {
      app.log.debug({ err: err.message }, 'live socket error');
      socket.terminate();
    },
  });
  app.route<{ Querystring: { showcase?: string } }>({
    method: 'GET',
    url: '/api/v1/live',
    // Public so a showcase link can connect; everyone else still needs a principal (preValidation).
    config: { public: true },
    schema: {
      summary: 'Live values over WebSocket (snapshot, then coalesced deltas)', description: DESCRIPTION, tags: ['data'],
      querystring: Type.Object({ showcase: Type.Optional(Type.String({ maxLength: 128, description: 'a showcase link\'s <id>.<secret>: live values of its line only, without logging in' })) }),
      response: { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema },
    },
    preValidation: async (req) => {
      // A showcase link acts as a viewer of its line only, whatever else the request carries.
      const token = req.query.showcase;
      if (token !== undefined) req.principal = ShowcaseLinks.principal(await s.showcase.open(token, req.ip));
      else principalOf(req);
    },
    handler: async () => {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', '/api/v1/live is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)');
    },
    wsHandler: (ws, req) => {
      const p = principalOf(req);
      const scopes = p.grants.map((g) => g.scope);
      const conn = s.live.connect(p.tenant, liveSocket(ws), scopes);
      if (conn === undefined) return;
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const size = frameBytes(data);
        if (size > MAX_LIVE_MESSAGE_BYTES) return conn.error('LIGHTSOUT_PAYLOAD_TOO_LARGE', `message of ${size} bytes exceeds the ${MAX_LIVE_MESSAGE_BYTES}-byte limit`);
        if (isBinary) return conn.error('LIGHTSOUT_BAD_REQUEST', 'send JSON text frames, not binary');
        const msg = parseLiveMessage(data.toString());
        if ('code' in msg) conn.error(msg.code, msg.message);
        else conn.receive(msg);
      });
      // A showcase link's connection ends when the link is revoked or expires.
      const unwatch = p.kind === 'showcase' ? s.showcase.watch(p.id, p.expiresTs ?? 0, () => ws.close(LIVE_CLOSE_LINK_ENDED, 'LIGHTSOUT_NOT_FOUND: the showcase link expired or was revoked')) : undefined;
      ws.on('close', () => {
        unwatch?.();
        conn.close();
      });
    },
  });
}
