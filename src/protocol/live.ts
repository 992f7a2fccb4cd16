/**
 * The live hub's WebSocket protocol at `/api/v1/live`, shared by the server and the web UI.
 * Messages are JSON text frames. No node:* imports: the browser bundle uses this file.
 *
 * Flow: the client sends `subscribe`; the server answers `snapshot` (the current value of every
 * matching tag), then `delta` messages with changed points, at most `maxRate` per second per
 * client (coalesced: a tag changed several times in one interval is sent once, with its latest
 * value). `heartbeat` every few seconds. After a disconnect the client reconnects and sends
 * `subscribe` with `resume: {session, seq}`; within the grace period the server answers with a
 * `delta` of everything that changed since (and `resumed: true`), else with a fresh `snapshot`.
 * @module
 */
import type { ApiPoint } from './api-types.js';

/** Client → server: start (or replace) the subscription of this connection. */
export interface LiveSubscribe {
  type: 'subscribe';
  /** Exact tag paths. */
  tags?: string[];
  /**
   * Asset-subtree patterns: `site/area/#` (everything below), `site/+/line-1/#` (`+` = one level),
   * or an exact tag path.
   */
  patterns?: string[];
  /** Most delta messages per second for this client (default 10, 1..50). */
  maxRate?: number;
  /** Resume an earlier session after a reconnect. */
  resume?: { session: string; seq: number };
}

/** Client → server: a ping (the server answers with a heartbeat). */
export interface LivePing {
  type: 'ping';
}

/** Any message a client sends. */
export type LiveClientMessage = LiveSubscribe | LivePing;

/**
 * Server → client: the current values of every subscribed tag. The answer to a new subscription;
 * it may also come later in a session (the client fell further behind than the server keeps
 * changes for), and then replaces the client's whole view.
 */
export interface LiveSnapshot {
  type: 'snapshot';
  session: string;
  seq: number;
  points: ApiPoint[];
}

/** Server → client: changed points since the previous message. */
export interface LiveDelta {
  type: 'delta';
  seq: number;
  points: ApiPoint[];
  /** True on the first delta after a successful resume. */
  resumed?: boolean;
  /** True when the client fell behind and was sent only the latest value per tag. */
  coalesced?: boolean;
}

/** Server → client: still alive (sent when nothing else was sent for a while, and after a ping). */
export interface LiveHeartbeat {
  type: 'heartbeat';
  ts: number;
  /** Seq of the last snapshot or delta sent (0 before any): larger than the client's means it missed one. */
  seq: number;
}

/** Server → client: the last message was refused. */
export interface LiveError {
  type: 'error';
  error: { code: string; message: string };
}

/** Any message the server sends. */
export type LiveServerMessage = LiveSnapshot | LiveDelta | LiveHeartbeat | LiveError;
