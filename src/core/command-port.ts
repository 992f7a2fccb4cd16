/**
 * Remote commands: the record a command leaves, where it is kept, and how it reaches a machine.
 * The lifecycle itself lives in src/commands/; connectors implement {@link CommandDispatcher}.
 * @module
 */
import type { Value } from './point.js';

/**
 * The states of a command. `queued` means confirmed (and approved) but the device is offline:
 * it is sent when the device returns, only while inside its time to live.
 */
export const COMMAND_STATES = [
  'requested', 'authorised', 'awaiting-confirmation', 'awaiting-approval', 'queued', 'sent', 'acknowledged',
  'succeeded', 'failed', 'expired', 'rejected', 'cancelled',
] as const;

/** One state of the command lifecycle (see docs/commands.md). */
export type CommandState = (typeof COMMAND_STATES)[number];

/** States a command never leaves. */
export const FINAL_COMMAND_STATES: ReadonlySet<CommandState> = new Set(['succeeded', 'failed', 'expired', 'rejected', 'cancelled']);

/** States before anything went to the device. */
export const UNSENT_COMMAND_STATES: ReadonlySet<CommandState> = new Set(['requested', 'authorised', 'awaiting-confirmation', 'awaiting-approval', 'queued']);

/** What a command does: write a value to a tag, or call a named method of a machine. */
export type CommandAction =
  | { kind: 'write'; tag: string; value: Value }
  | { kind: 'call'; machine: string; method: string; args?: Record<string, Value> };

/** One step of a command's history. */
export interface CommandTransition {
  state: CommandState;
  ts: number;
  /** Who caused it (a person's name, `system`). */
  by?: string;
  reason?: string;
}

/** A command as stored and shown. */
export interface CommandRecord {
  id: string;
  tenant: string;
  action: CommandAction;
  requestedBy: { id: string; name: string };
  idempotencyKey: string;
  ttlSeconds: number;
  createdTs: number;
  /** Past this time (epoch ms) the command is never sent. */
  expiresTs: number;
  state: CommandState;
  history: CommandTransition[];
  /** Why it ended this way (final states). */
  reason?: string;
  /** The tag's value when the command was requested (writes). */
  previousValue?: Value;
  /** The value the machine reported after the command (writes), or the echoed method (calls). */
  readbackValue?: Value;
  /** Who approved it (critical tags). */
  approvedBy?: { id: string; name: string };
  /** When it went to the device. */
  sentTs?: number;
  /** Needs a second person's approval (the tag is critical). */
  critical: boolean;
}

/** Filter of {@link CommandStore.list}. */
export interface CommandQuery {
  tenant: string;
  state?: CommandState;
  /** A write's tag, or a call's `machine/Commands/method`. */
  tag?: string;
  limit?: number;
}

/** Durable storage of commands. Every transition is saved before it is acted on. */
export interface CommandStore {
  /** Insert or replace a command (the whole record, history included). */
  save(cmd: CommandRecord): Promise<void>;
  get(tenant: string, id: string): Promise<CommandRecord | undefined>;
  /** A principal's command with this idempotency key created at or after `sinceTs`. */
  byIdempotencyKey(tenant: string, principalId: string, key: string, sinceTs: number): Promise<CommandRecord | undefined>;
  /** Newest first. */
  list(q: CommandQuery): Promise<CommandRecord[]>;
  /** Every command not in a final state, any tenant (start-up recovery and the sweeper). */
  open(): Promise<CommandRecord[]>;
}

/** What a dispatcher needs to send one command. */
export interface DispatchRequest {
  tenant: string;
  commandId: string;
  action: CommandAction;
}

/**
 * The connectors' side of commands: who owns a tag, whether that device is online, and sending.
 * `send` resolves when the connector has accepted the command (the broker took the message):
 * that is the `acknowledged` state; success still needs the readback.
 *
 * @example
 * const d: CommandDispatcher = {
 *   owns: (tenant, tag) => tag.startsWith('plant/line-9/'),
 *   online: () => true,
 *   send: async (req) => { await publishSomewhere(req); },
 * };
 */
export interface CommandDispatcher {
  /** True when this dispatcher can write the tag (for calls: the path `machine/Commands/method`). */
  owns(tenant: string, tagPath: string): boolean;
  /** True when the device that owns the tag is connected (and born, for Sparkplug). */
  online(tenant: string, tagPath: string): boolean;
  /** Send the command; rejects with a LightsoutError when it cannot. */
  send(req: DispatchRequest): Promise<void>;
}

/** The tag path a command targets: a write's tag, or `machine/Commands/method` for a call. */
export function commandTagPath(a: CommandAction): string {
  return a.kind === 'write' ? a.tag : `${a.machine}/Commands/${a.method}`;
}

/** The machine (asset path) a command concerns: a write's tag's parent, or a call's machine. */
export function commandMachine(a: CommandAction): string {
  if (a.kind === 'call') return a.machine;
  const i = a.tag.lastIndexOf('/');
  return i < 0 ? '' : a.tag.slice(0, i);
}
