/**
 * Live values for the dashboard: the live hub's WebSocket (`/api/v1/live`, protocol in
 * src/protocol/live.ts) with session resume, and polling of /api/v1/latest every 2 s whenever the
 * WebSocket cannot connect (older server, proxy that drops upgrades). Views say which tags they
 * show; the client keeps one subscription for the union of them.
 * @module
 */
import type { ApiPoint } from '../../../src/protocol/api-types.js';
import type { LiveClientMessage, LiveServerMessage } from '../../../src/protocol/live.js';
import { fetchLatest } from '../api.js';
import { Observable } from '../observable.js';

/** How values reach the page right now. */
export type LinkState = 'connecting' | 'live' | 'polling' | 'offline';

type Listener = (points: ApiPoint[]) => void;

const POLL_MS = 2000;
/** No message for this long means the connection is dead even if the socket has not noticed. */
const SILENCE_MS = 30_000;

/** The page's single connection to live values. */
export class LiveClient {
  /** Connection state, shown in the header. */
  readonly state = new Observable<LinkState>('connecting');
  private readonly values = new Map<string, ApiPoint>();
  private readonly wanted = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private ws: WebSocket | undefined;
  private session: { session: string; seq: number } | undefined;
  private retryMs = 1000;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private resubscribe: ReturnType<typeof setTimeout> | undefined;
  private lastMessage = 0;
  /** The server refused the subscription (e.g. over its tag limit): poll instead while it stands. */
  private refused = false;

  private url = '';
  private started = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `pollLatest` fetches the latest points of some tags when the WebSocket is down (the REST API
   * by default; the showcase page has its own).
   */
  constructor(private readonly pollLatest: (tags: string[]) => Promise<ApiPoint[]> = fetchLatest) {}

  /**
   * Connect (once logged in: the live hub answers only to an authenticated page, or to a showcase
   * link's token in the URL). Calling it again while running does nothing.
   */
  start(url = LiveClient.defaultUrl()): void {
    if (this.started) return;
    this.started = true;
    this.url = url;
    this.connect();
    this.pingTimer = setInterval(() => {
      if (this.ws?.readyState === WebSocket.OPEN && Date.now() - this.lastMessage > SILENCE_MS) this.ws.close();
      else if (this.ws?.readyState === WebSocket.OPEN) this.send({ type: 'ping' });
    }, SILENCE_MS / 3);
  }

  /** Disconnect and forget every value (after logging out: the next user may see less). */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.stopPolling();
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
    this.session = undefined;
    this.values.clear();
    this.state.set('connecting');
  }

  /** ws(s)://<this host>/api/v1/live */
  static defaultUrl(): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
  }

  /** The last known point of a tag. */
  get(tag: string): ApiPoint | undefined {
    return this.values.get(tag);
  }

  /**
   * Keep `tags` subscribed while the caller needs them; `onPoints` gets every change (of any
   * watched tag: filter by tag). Returns the function that releases them.
   */
  watch(tags: readonly string[], onPoints: Listener): () => void {
    for (const t of tags) this.wanted.set(t, (this.wanted.get(t) ?? 0) + 1);
    this.listeners.add(onPoints);
    this.scheduleResubscribe();
    return () => {
      this.listeners.delete(onPoints);
      for (const t of tags) {
        const n = (this.wanted.get(t) ?? 1) - 1;
        if (n <= 0) this.wanted.delete(t);
        else this.wanted.set(t, n);
      }
      this.scheduleResubscribe();
    };
  }

  private apply(points: ApiPoint[]): void {
    const changed: ApiPoint[] = [];
    for (const p of points) {
      const old = this.values.get(p.tag);
      // A poll answer can cross a newer WebSocket delta: never step a value back in time.
      if (old && old.ts > p.ts) continue;
      if (old && old.ts === p.ts && old.value === p.value && old.quality === p.quality) continue;
      this.values.set(p.tag, p);
      changed.push(p);
    }
    if (changed.length > 0) for (const l of [...this.listeners]) l(changed);
  }

  private scheduleResubscribe(): void {
    if (this.resubscribe) return;
    // Views mount and unmount in bursts: send one subscription for the whole burst.
    this.resubscribe = setTimeout(() => {
      this.resubscribe = undefined;
      if (!this.started) return;
      // Nothing wanted (yet): the hub refuses an empty subscription, and there is nothing to ask.
      if (this.ws?.readyState === WebSocket.OPEN && this.wanted.size > 0) this.send({ type: 'subscribe', tags: [...this.wanted.keys()], maxRate: 10 });
      if (this.ws?.readyState !== WebSocket.OPEN || this.refused) void this.poll();
    }, 30);
  }

  private send(msg: LiveClientMessage): void {
    this.ws?.send(JSON.stringify(msg));
  }

  private connect(): void {
    if (!this.started) return;
    let opened = false;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.fallBack();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.retryMs = 1000;
      this.lastMessage = Date.now();
      this.stopPolling();
      this.state.set('live');
      if (this.wanted.size > 0) this.send({ type: 'subscribe', tags: [...this.wanted.keys()], maxRate: 10, ...(this.session ? { resume: this.session } : {}) });
    };
    ws.onmessage = (ev) => {
      this.lastMessage = Date.now();
      let msg: LiveServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as LiveServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'snapshot') {
        this.session = { session: msg.session, seq: msg.seq };
        this.refused = false;
        this.state.set('live');
        this.apply(msg.points);
      } else if (msg.type === 'delta') {
        if (this.session) this.session.seq = msg.seq;
        this.apply(msg.points);
      } else if (msg.type === 'heartbeat') {
        if (this.session) this.session.seq = msg.seq;
      } else if (msg.type === 'error') {
        console.warn(`live hub refused the subscription: ${msg.error.code} ${msg.error.message}`);
        this.refused = true;
        this.state.set('polling');
        this.fallBack();
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (!opened) this.fallBack();
      else this.state.set('connecting');
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
      if (opened) this.fallBack();
    };
  }

  /** The WebSocket is down: poll until it comes back. */
  private fallBack(): void {
    if (this.pollTimer === undefined) void this.poll();
  }

  private stopPolling(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async poll(): Promise<void> {
    clearTimeout(this.pollTimer);
    if (!this.started) return;
    this.pollTimer = setTimeout(() => void this.poll(), POLL_MS);
    if (this.ws?.readyState === WebSocket.OPEN && !this.refused) return this.stopPolling();
    const tags = [...this.wanted.keys()];
    try {
      if (tags.length > 0) this.apply(await this.pollLatest(tags));
      if (this.ws?.readyState !== WebSocket.OPEN || this.refused) this.state.set('polling');
    } catch {
      if (this.ws?.readyState !== WebSocket.OPEN || this.refused) this.state.set('offline');
    }
  }
}

/** The dashboard's live client; the app starts it once logged in. */
export const live = new LiveClient();
