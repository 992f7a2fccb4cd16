/**
 * Test helpers of the notification tests: principals, alarm records and a webhook receiver (the
 * clock is SimClock, src/core/sim-clock.ts). Not used by the platform itself.
 * @module
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlarmRecord } from '../core/alarm-port.js';
import type { Principal, Role } from '../core/auth.js';

/** A principal of tenant `acme` (or another) with one role on one scope. */
export function principal(role: Role, scope = '', tenant = 'acme'): Principal {
  return { kind: 'user', id: `${role}-${scope}`, name: `${role}@${scope || tenant}`, tenant, grants: [{ role, scope }], platformOperator: false };
}

/** An unacknowledged alarm record. */
export function alarmRecord(extra: Partial<AlarmRecord> = {}): AlarmRecord {
  return {
    id: 'cnc-01-spindle-hot', tenant: 'acme', ruleName: 'Spindle over temperature', area: 'sh/machining/line-1/cnc-01',
    priority: 'high', state: 'unacknowledged', conditionActive: true, message: 'Spindle at 85.2 °C (limit 80 °C)', value: 85.2,
    activeTs: Date.parse('2026-11-27T02:00:00Z'), stateTs: Date.parse('2026-11-27T02:00:00Z'), raiseCount: 1, ...extra,
  };
}

/** Resolves once `check` returns true (polling real I/O), or rejects after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A request a {@link WebhookReceiver} got. */
export interface ReceivedCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A real HTTP server standing in for a webhook endpoint. */
export interface WebhookReceiver {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Requests answered so far (also those answered with an error status). */
  calls: ReceivedCall[];
  /** The status to answer with (default 200); `hang` keeps requests open until `release()`. */
  status: number | 'hang';
  /** Requests held open by `hang`. */
  waiting(): number;
  release(): void;
  close(): Promise<void>;
}

/** Start a webhook receiver on a free port of 127.0.0.1. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const held: Array<() => void> = [];
  const r: WebhookReceiver = {
    url: '', calls: [], status: 200,
    waiting: () => held.length,
    release: () => { for (const f of held.splice(0)) f(); },
    close: () => new Promise((resolve) => { r.release(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (): void => {
        const status = r.status === 'hang' ? 200 : r.status;
        r.calls.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'broken');
      };
      if (r.status === 'hang') held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}
