/**
 * Passwords in connector definitions: never shown back (API, audit trail), and kept when a
 * changed definition sends the placeholder instead of the password.
 * @module
 */
import type { ConnectorDefinition } from '../core/connector-settings.js';

/** What stands for a stored password (the same value as src/protocol's REDACTED). */
export const REDACTED = '********';

/** The definition with its password replaced by {@link REDACTED}. */
export function redactDefinition(d: ConnectorDefinition): ConnectorDefinition {
  if (d.kind !== 'opcua' || d.settings.login.kind !== 'username') return d;
  return { ...d, settings: { ...d.settings, login: { ...d.settings.login, password: REDACTED } } };
}

/** `next` with the placeholder password replaced by `prev`'s (same user name only). */
export function restoreSecrets(next: ConnectorDefinition, prev: ConnectorDefinition): ConnectorDefinition {
  if (next.kind !== 'opcua' || next.settings.login.kind !== 'username' || next.settings.login.password !== REDACTED) return next;
  const old = prev.kind === 'opcua' && prev.settings.login.kind === 'username' ? prev.settings.login : undefined;
  const password = old && old.username === next.settings.login.username ? old.password : '';
  return { ...next, settings: { ...next.settings, login: { ...next.settings.login, password } } };
}
