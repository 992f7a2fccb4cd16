/**
 * `GET /api/v1/alarms/live`: the alarm console over WebSocket (AlarmLiveMessage in
 * src/protocol/alarm-types.ts). Authenticated like every API route (session cookie or bearer
 * token; showcase links see no alarms) and origin-checked by the WebSocket plugin that
 * src/api/ws/live.ws.ts registers (register this after it).
 *
 * On connect: `{type:'alarms', alarms}` with every alarm not normal that the caller may see. Then
 * `{type:'alarm', alarm}` for each change, including a return to normal. Changes of one event-loop
 * turn go out together (the alarms commit many changes at once in a flood), latest state per
 * alarm; nothing waits for a timer, so an alarm reaches the console a few ms after its value. `{type:'heartbeat', ts}` every 15 s. A client that does not
 * read (more than {@link ALARM_WS_MAX_BUFFERED} bytes queued) is closed with 4008 and reconnects
 * for a fresh list.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { can } from '../../core/auth.js';
import { LightsoutError } from '../../core/errors.js';
import { ErrorSchema } from '../../protocol/api-types.js';
import type { AlarmLiveMessage, ApiAlarm } from '../../protocol/alarm-types.js';
import { principalOf } from '../auth-context.js';
import type { ApiServices } from '../services.js';

/** Heartbeat period. */
export const ALARM_WS_HEARTBEAT_MS = 15_000;
/** A client with more than this queued is too slow and is closed (4008). */
export const ALARM_WS_MAX_BUFFERED = 8 * 1024 * 1024;
/** Close code for a client that does not read. */
export const ALARM_WS_CLOSE_SLOW = 4008;

const DESCRIPTION = [
  'WebSocket endpoint of the alarm console (a plain GET answers 400). JSON text frames, server to client only.',
  'First `{"type":"alarms","alarms":[...]}` (every alarm not normal you may see), then `{"type":"alarm","alarm":{...}}` on each change',
  '(including a return to normal; within 100 ms only the latest state of each alarm), and `{"type":"heartbeat","ts":N}` every 15 s.',
  'Close codes: 1001 server stopping, 4008 client too slow. See docs/alarms.md.',
].join(' ');

/** Register the alarm WebSocket (when the platform runs alarms). Needs @fastify/websocket registered. */
export function alarmsLiveRoutes(app: FastifyInstance, s: ApiServices): void {
  const alarms = s.alarms;
  if (!alarms) return;
  const sockets = new Set<WebSocket>();
  app.addHook('onClose', async () => {
    for (const ws of sockets) ws.close(1001, 'server stopping');
  });
  app.route({
    method: 'GET',
    url: '/api/v1/alarms/live',
    // Public only to the guard: a refusal from the guard's onRequest hook leaves an upgrade
    // request's socket open (the server then cannot close); the check below refuses it instead.
    config: { public: true },
    schema: { summary: 'Alarm changes over WebSocket (the list, then each change)', description: DESCRIPTION, tags: ['alarms'], response: { 400: ErrorSchema, 401: ErrorSchema } },
    preValidation: async (req) => {
      const p = principalOf(req);
      if (p.kind === 'showcase') throw new LightsoutError('LIGHTSOUT_FORBIDDEN', 'a showcase link does not show alarms');
    },
    handler: async () => {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', '/api/v1/alarms/live is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)');
    },
    wsHandler: (ws, req) => {
      const p = principalOf(req);
      sockets.add(ws);
      const send = (m: AlarmLiveMessage): void => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > ALARM_WS_MAX_BUFFERED) {
          ws.close(ALARM_WS_CLOSE_SLOW, 'LIGHTSOUT_SLOW_CONSUMER: not reading alarm changes');
          setTimeout(() => ws.terminate(), 2000).unref();
          return;
        }
        ws.send(JSON.stringify(m));
      };
      const pending = new Map<string, ApiAlarm>();
      let flush: ReturnType<typeof setImmediate> | undefined;
      // Subscribe before the snapshot so no change falls between the two.
      const unsubscribe = alarms.subscribe((tenant, alarm) => {
        if (tenant !== p.tenant || !can(p, 'viewer', alarm.area)) return;
        pending.set(alarm.id, alarm);
        flush ??= setImmediate(() => {
          flush = undefined;
          const out = [...pending.values()];
          pending.clear();
          for (const a of out) send({ type: 'alarm', alarm: a });
        });
      });
      let list: ApiAlarm[];
      try {
        list = alarms.list(p);
      } catch {
        list = [];
      }
      send({ type: 'alarms', alarms: list });
      const heartbeat = setInterval(() => send({ type: 'heartbeat', ts: Date.now() }), ALARM_WS_HEARTBEAT_MS);
      heartbeat.unref();
      // The protocol has no client messages; anything sent is ignored.
      ws.on('close', () => {
        sockets.delete(ws);
        unsubscribe();
        clearInterval(heartbeat);
        if (flush) clearImmediate(flush);
      });
    },
  });
}
