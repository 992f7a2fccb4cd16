/**
 * Checks of notification targets and rosters before they are stored, and the redaction of their
 * secrets in API answers: webhook header values and a URL's password are shown as `********`;
 * sending the placeholder back keeps the stored value.
 * @module
 */
import type { NotificationTarget, Roster } from '../core/alarm-port.js';
import { LightsoutError } from '../core/errors.js';
import type { ApiNotificationTarget, ApiRoster } from '../protocol/alarm-types.js';
import { REDACTED } from '../protocol/connector-types.js';
import { isValidTimeZone, parseClock } from './roster-calendar.js';

const ID = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** One address, no display name: `local@domain.tld`. No spaces, commas or line breaks (header injection). */
const EMAIL = new RegExp(`^[A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-]{1,64}@${LABEL}(?:\\.${LABEL})+$`);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const PRIORITIES = ['critical', 'high', 'medium', 'low'];

function bad(message: string, field: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_BAD_REQUEST', message, { details: { field } });
}

/** True for a single plain e-mail address (`ops@example.com`). */
export function isEmailAddress(text: string): boolean {
  return text.length <= 320 && EMAIL.test(text);
}

/**
 * A checked target of `tenant` from API input. `prev` is the stored target of the same id: its
 * secrets replace the `********` placeholders of the input.
 */
export function checkTarget(tenant: string, input: ApiNotificationTarget, prev?: NotificationTarget): NotificationTarget {
  if (!ID.test(input.id)) throw bad(`target id "${input.id}" must match [a-z0-9][a-z0-9_.-]*`, 'id');
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw bad('a target needs a name of 1 to 200 characters', 'name');
  if (input.kind === 'email') {
    const to = input.to.trim();
    if (!isEmailAddress(to)) throw bad(`"${input.to}" is not an e-mail address such as ops@example.com`, 'to');
    return { id: input.id, tenant, kind: 'email', name, to };
  }
  const old = prev?.kind === 'webhook' ? prev : undefined;
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw bad('the webhook URL is not a valid URL (e.g. https://hooks.example.com/alarms)', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`the webhook URL must use http or https, not ${url.protocol.replace(':', '')}`, 'url');
  if (url.password === REDACTED || decodeURIComponent(url.password) === REDACTED) {
    const stored = old ? new URL(old.url) : undefined;
    if (!stored || stored.username !== url.username) throw bad('the webhook URL\'s password is the placeholder ******** but no password is stored for that user', 'url');
    url.password = stored.password;
  }
  const headers: Record<string, string> = {};
  const entries = Object.entries(input.headers ?? {});
  if (entries.length > 20) throw bad('a webhook may have at most 20 headers', 'headers');
  for (const [k, v] of entries) {
    if (!HEADER_NAME.test(k)) throw bad(`"${k}" is not a valid HTTP header name`, 'headers');
    if (/[\r\n\0]/.test(v) || v.length > 4000) throw bad(`the value of header "${k}" has line breaks or is too long`, 'headers');
    if (v === REDACTED) {
      const kept = Object.entries(old?.headers ?? {}).find(([h]) => h.toLowerCase() === k.toLowerCase());
      if (!kept) throw bad(`header "${k}" is the placeholder ******** but no value is stored for it`, 'headers');
      headers[k] = kept[1];
    } else headers[k] = v;
  }
  return { id: input.id, tenant, kind: 'webhook', name, url: url.href, ...(entries.length ? { headers } : {}) };
}

/** A target as the API shows it: no tenant, header values and the URL's password as `********`. */
export function redactTarget(t: NotificationTarget): ApiNotificationTarget {
  if (t.kind === 'email') return { id: t.id, kind: 'email', name: t.name, to: t.to };
  let url = t.url;
  try {
    const u = new URL(t.url);
    if (u.password) {
      u.password = REDACTED;
      url = u.href;
    }
  } catch { /* stored URLs were checked */ }
  const headers = t.headers ? Object.fromEntries(Object.keys(t.headers).map((k) => [k, REDACTED])) : undefined;
  return { id: t.id, kind: 'webhook', name: t.name, url, ...(headers ? { headers } : {}) };
}

/** A checked roster of `tenant`: zone known, hours well formed, every target an existing one. */
export function checkRoster(tenant: string, input: ApiRoster, targetExists: (id: string) => boolean): Roster {
  if (!ID.test(input.id)) throw bad(`roster id "${input.id}" must match [a-z0-9][a-z0-9_.-]*`, 'id');
  const name = input.name.trim();
  if (name === '') throw bad('a roster needs a name', 'name');
  const area = input.area.trim().replace(/\/+$/, '');
  if (/[+#]/.test(area) || (area !== '' && area.split('/').some((l) => l === ''))) throw bad(`roster area "${input.area}" must be an asset path such as site/area/line, or empty for the whole tenant`, 'area');
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) throw bad(`unknown time zone "${input.timeZone}": use an IANA name such as Asia/Shanghai or Europe/Paris`, 'timeZone');
  if (!(input.ackTimeoutMinutes > 0) || input.ackTimeoutMinutes > 1440) throw bad('ackTimeoutMinutes must be above 0 and at most 1440', 'ackTimeoutMinutes');
  if (input.minPriority !== undefined && !PRIORITIES.includes(input.minPriority)) throw bad(`minPriority must be one of ${PRIORITIES.join(', ')}`, 'minPriority');
  if (input.entries.length === 0) throw bad('a roster needs at least one person', 'entries');
  const entries = input.entries.map((e, i) => {
    const field = `entries/${i}`;
    const person = e.person.trim();
    if (person === '') throw bad(`entry ${i + 1} needs a person`, `${field}/person`);
    if (e.targets.length === 0) throw bad(`${person} needs at least one notification target`, `${field}/targets`);
    for (const t of e.targets) if (!targetExists(t)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `notification target "${t}" of ${person} does not exist`, { details: { field: `${field}/targets` } });
    if (e.days !== undefined) {
      if (e.days.length === 0) throw bad(`${person} is on no day: leave days out for every day`, `${field}/days`);
      if (e.days.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) throw bad(`days of ${person} must be 0 (Sunday) to 6 (Saturday)`, `${field}/days`);
    }
    if (e.from !== undefined && (parseClock(e.from) === undefined || e.from === '24:00')) throw bad(`"from" of ${person} must be HH:MM (00:00 to 23:59)`, `${field}/from`);
    if (e.to !== undefined && parseClock(e.to) === undefined) throw bad(`"to" of ${person} must be HH:MM (00:00 to 24:00)`, `${field}/to`);
    return {
      person, targets: [...new Set(e.targets)],
      ...(e.days !== undefined ? { days: [...new Set(e.days)].sort() } : {}),
      ...(e.from !== undefined ? { from: e.from } : {}), ...(e.to !== undefined ? { to: e.to } : {}),
    };
  });
  return {
    id: input.id, tenant, name, area, ackTimeoutMinutes: input.ackTimeoutMinutes, entries,
    ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    ...(input.minPriority !== undefined ? { minPriority: input.minPriority } : {}),
  };
}

/** A roster as the API shows it (no tenant). */
export function rosterView(r: Roster): ApiRoster {
  const { tenant: _tenant, ...rest } = r;
  return rest;
}
