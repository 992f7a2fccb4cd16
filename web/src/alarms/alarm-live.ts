/**
 * The page's view of the alarms it may see, kept current over the WebSocket
 * /api/v1/alarms/live (AlarmLiveMessage): a full list on connect, then one alarm per change.
 * While the socket is down the list is polled every 2 s and the socket retried with backoff. The
 * connection is held while some component needs it (the header badge, on every screen).
 * @module
 */
import type { ApiAlarm, AlarmLiveMessage } from '../../../src/protocol/alarm-types.js';
import { Observable } from '../observable.js';
import { fetchAlarms } from './alarms-api.js';

/** How alarms reach the page right now. */
export type AlarmLinkState = 'connecting' | 'live' | 'polling' | 'offline';

const POLL_MS = 2000;
/** The server sends a heartbeat every 15 s: silence this long means a dead connection. */
const SILENCE_MS = 40_000;
/** Socket changes are applied at most this often (one render for a burst). */
const BATCH_MS = 50;

/** The alarm list and its connection. */
export class AlarmLive {
  /** Alarms not normal, by id. A new Map on every change, so watchers re-render. */
  readonly alarms = new Observable<ReadonlyMap<string, ApiAlarm>>(new Map());
  /** Connection state. */
  readonly state = new Observable<AlarmLinkState>('connecting');
  private users = 0;
  private ws: WebSocket | undefined;
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastMessage = 0;
  /** Changes from the socket not yet applied: in a flood they are applied together, once per {@link BATCH_MS}. */
  private pending = new Map<string, ApiAlarm>();
  private batchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly url: () => string = AlarmLive.defaultUrl) {}

  /** ws(s)://<this host>/api/v1/alarms/live */
  static defaultUrl(): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/alarms/live`;
  }

  /** Hold the connection open; returns its release. The last release closes it and forgets the alarms. */
  retain(): () => void {
    if (this.users++ === 0) this.open();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) this.close();
    };
  }

  /** Take an alarm the API just answered with (after an action), before the socket tells. */
  upsert(a: ApiAlarm): void {
    this.apply([a]);
  }

  private apply(list: Iterable<ApiAlarm>): void {
    let next: Map<string, ApiAlarm> | undefined;
    for (const a of list) {
      const old = (next ?? this.alarms.get()).get(a.id);
      // An action's answer and the socket's message may cross: never step an alarm back.
      if (old && old.stateTs > a.stateTs) continue;
      next ??= new Map(this.alarms.get());
      if (a.state === 'normal') next.delete(a.id);
      else next.set(a.id, a);
    }
    if (next) this.alarms.set(next);
  }

  private queue(a: ApiAlarm): void {
    this.pending.set(a.id, a);
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = undefined;
      const list = [...this.pending.values()];
      this.pending.clear();
      this.apply(list);
    }, BATCH_MS);
  }

  private open(): void {
    this.connect();
    this.watchdog = setInterval(() => {
      if (this.ws?.readyState === WebSocket.OPEN && Date.now() - this.lastMessage > SILENCE_MS) this.ws.close();
    }, SILENCE_MS / 4);
  }

  private close(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.pollTimer);
    clearInterval(this.watchdog);
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.pending.clear();
    this.pollTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
    this.alarms.set(new Map());
    this.state.set('connecting');
  }

  private connect(): void {
    if (this.users === 0) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 1000;
      this.lastMessage = Date.now();
    };
    ws.onmessage = (ev) => {
      this.lastMessage = Date.now();
      let msg: AlarmLiveMessage;
      try {
        msg = JSON.parse(String(ev.data)) as AlarmLiveMessage;
      } catch {
        return;
      }
      if (msg.type === 'alarms') {
        this.pending.clear();
        this.alarms.set(new Map(msg.alarms.filter((a) => a.state !== 'normal').map((a) => [a.id, a])));
        this.stopPolling();
        this.state.set('live');
      } else if (msg.type === 'alarm') {
        this.queue(msg.alarm);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.retry();
    };
  }

  /** The socket is down: poll meanwhile, and try it again later. */
  private retry(): void {
    if (this.users === 0) return;
    if (this.state.get() === 'live') this.state.set('connecting');
    if (this.pollTimer === undefined) void this.poll();
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }

  private stopPolling(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.users === 0 || this.state.get() === 'live' && this.ws?.readyState === WebSocket.OPEN) return this.stopPolling();
    this.pollTimer = setTimeout(() => void this.poll(), POLL_MS);
    try {
      const list = await fetchAlarms();
      if (this.ws?.readyState === WebSocket.OPEN && this.state.get() === 'live') return;
      this.alarms.set(new Map(list.filter((a) => a.state !== 'normal').map((a) => [a.id, a])));
      this.state.set('polling');
    } catch {
      this.state.set('offline');
    }
  }
}

/** The dashboard's alarm list. */
export const alarmLive = new AlarmLive();
