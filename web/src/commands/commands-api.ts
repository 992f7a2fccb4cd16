/**
 * Remote command calls (shapes in src/protocol/command-types.ts; lifecycle in docs/commands.md).
 * @module
 */
import type { ApiCommand, ApiCommandState, CommandCreated, CommandRequest } from '../../../src/protocol/command-types.js';
import { getJson, sendJson } from '../api.js';

/** States a command never leaves. */
export const FINAL_STATES: ReadonlySet<ApiCommandState> = new Set(['succeeded', 'failed', 'expired', 'rejected', 'cancelled']);

/** A fresh idempotency key: randomUUID where the page is a secure context, else 128 random bits. */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Request a write or a call: the answer waits for confirmation, with the interlock verdict. */
export function requestCommand(req: Omit<CommandRequest, 'idempotencyKey'>, key = idempotencyKey()): Promise<CommandCreated> {
  return sendJson('POST', '/api/v1/commands', { ...req, idempotencyKey: key });
}

/** Confirm, approve (critical tags, a second person) or cancel a command. */
export function commandStep(id: string, step: 'confirm' | 'approve' | 'cancel'): Promise<ApiCommand> {
  return sendJson('POST', `/api/v1/commands/${encodeURIComponent(id)}/${step}`);
}

/** One command with its history. */
export function fetchCommand(id: string, signal?: AbortSignal): Promise<ApiCommand> {
  return getJson(`/api/v1/commands/${encodeURIComponent(id)}`, signal);
}

/** Commands of the tenant in one state, newest first. */
export async function listCommands(state: ApiCommandState, signal?: AbortSignal): Promise<ApiCommand[]> {
  return (await getJson<{ commands: ApiCommand[] }>(`/api/v1/commands?state=${state}`, signal)).commands;
}
