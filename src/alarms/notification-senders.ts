/**
 * Delivery of one notification: a webhook POST (JSON, with a timeout) or an e-mail through the
 * SMTP server of `smtpUrl` (nodemailer). Failures become LIGHTSOUT_NOTIFICATION_FAILED naming the
 * target and the reason; credentials (the SMTP password, webhook URLs' user info and query,
 * header values) never appear in the message.
 * @module
 */
import type { Transporter } from 'nodemailer';
import type { NotificationTarget } from '../core/alarm-port.js';
import { LightsoutError } from '../core/errors.js';

/** What a sender delivers: subject and body for people, the JSON payload for machines. */
export interface OutgoingMessage {
  subject: string;
  body: string;
  payload: Record<string, unknown>;
}

/** Delivers one message to one target; rejects with LIGHTSOUT_NOTIFICATION_FAILED. */
export type NotificationSender = (target: NotificationTarget, message: OutgoingMessage) => Promise<void>;

/** How a target is named in errors and the journal: kind, name, and where it goes (no secrets). */
export function describeTarget(t: NotificationTarget): string {
  return t.kind === 'email' ? `e-mail target "${t.name}" (${t.to})` : `webhook target "${t.name}" (${safeUrl(t.url)})`;
}

/** Scheme and host of a URL: user info, path and query may hold tokens (e.g. chat webhooks). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'an invalid URL';
  }
}

function failed(t: NotificationTarget, reason: string, cause?: unknown): LightsoutError {
  return new LightsoutError('LIGHTSOUT_NOTIFICATION_FAILED', `${describeTarget(t)}: ${reason}`, { cause, details: { target: t.id } });
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', EAI_AGAIN: 'host name lookup failed', ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', EPIPE: 'connection closed',
};

/** The low-level reason of a network error, e.g. `connection refused (ECONNREFUSED)`. */
function networkReason(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  // fetch puts the socket error in `cause`; nodemailer wraps it (code ESOCKET) and keeps only its message.
  const code = [e?.cause?.code, e?.code, /\b(E[A-Z_]{3,})\b/.exec(message)?.[1]].find((c) => c !== undefined && c in NETWORK_CODES);
  if (code) return `${NETWORK_CODES[code]} (${code})`;
  if (/timeout|never received/i.test(message)) return `timed out (${message})`;
  return e?.cause?.code ?? e?.code ? `${message} (${e?.cause?.code ?? e?.code})` : message;
}

/** A webhook sender: POST `payload` as JSON; a non-2xx answer or no answer within `timeoutMs` fails. */
export function webhookSender(o: { timeoutMs: number; fetch?: typeof fetch }): NotificationSender {
  const doFetch = o.fetch ?? fetch;
  return async (t, m) => {
    if (t.kind !== 'webhook') throw failed(t, 'not a webhook target');
    let res: Response;
    try {
      const { url, headers } = requestOf(t);
      res = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(m.payload),
        signal: AbortSignal.timeout(o.timeoutMs),
        redirect: 'manual',
      });
    } catch (err) {
      const name = (err as { name?: string })?.name;
      if (name === 'TimeoutError' || name === 'AbortError') throw failed(t, `no answer within ${o.timeoutMs} ms`);
      throw failed(t, networkReason(err));
    }
    // Drain the body so the connection can be reused; its content is not ours to show.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw failed(t, `answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  };
}

/**
 * URL and headers of a webhook call. fetch refuses URLs with user info, so `user:pass@` becomes
 * an HTTP Basic `authorization` header (unless the target sets its own).
 */
function requestOf(t: Extract<NotificationTarget, { kind: 'webhook' }>): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'lightsout-alarms', ...(t.headers ?? {}) };
  const u = new URL(t.url);
  if (u.username || u.password) {
    const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    if (!own) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return { url: u.href, headers };
}

/** The SMTP password of an `smtp://user:pass@host` URL (raw and decoded), to scrub from messages. */
function secretsOf(smtpUrl: string): string[] {
  try {
    const pass = new URL(smtpUrl).password;
    if (!pass) return [];
    const decoded = decodeURIComponent(pass);
    return [...new Set([pass, decoded])].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}

/** `text` with every secret replaced by `********`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('********');
  return out;
}

/** An e-mail sender over SMTP; `close()` releases the transport. */
export interface EmailSender {
  send: NotificationSender;
  close(): void;
}

/**
 * An e-mail sender through the SMTP server at `smtpUrl` (`smtp://user:pass@host:587`, `smtps://…`
 * for TLS; nodemailer's query options such as `?tls.rejectUnauthorized=false` apply). Without
 * `smtpUrl`, every e-mail fails with a clear error.
 */
export function emailSender(o: { smtpUrl?: string; from: string; timeoutMs: number }): EmailSender {
  const secrets = o.smtpUrl ? secretsOf(o.smtpUrl) : [];
  let transport: Transporter | undefined;
  // nodemailer is loaded on the first e-mail, so CLI commands and platforms without e-mail do not pay for it.
  const get = async (): Promise<Transporter> => {
    if (!transport) {
      const { default: nodemailer } = await import('nodemailer');
      transport ??= nodemailer.createTransport({
        url: o.smtpUrl,
        connectionTimeout: o.timeoutMs,
        greetingTimeout: o.timeoutMs,
        socketTimeout: o.timeoutMs,
      });
    }
    return transport;
  };
  const send: NotificationSender = async (t, m) => {
    if (t.kind !== 'email') throw failed(t, 'not an e-mail target');
    if (!o.smtpUrl) throw failed(t, 'no SMTP server is configured (set smtpUrl)');
    try {
      await (await get()).sendMail({ from: o.from, to: t.to, subject: m.subject, text: m.body });
    } catch (err) {
      const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
      let reason: string;
      if (e.code === 'EAUTH') reason = `the SMTP server refused the login${e.response ? `: ${e.response}` : ''}`;
      else if (e.responseCode) reason = `the SMTP server answered ${e.response ?? e.responseCode}`;
      else reason = `SMTP server ${smtpHost(o.smtpUrl)}: ${networkReason(err)}`;
      throw failed(t, scrub(reason, secrets));
    }
  };
  return { send, close: () => transport?.close() };
}

function smtpHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'of smtpUrl';
  }
}
