/**
 * Request and response shapes of remote commands (docs/commands.md), shared by the server and the
 * web UI. No node:* imports.
 * @module
 */
import { Type, type Static } from '@sinclair/typebox';

/** The lifecycle states, in order; the last five are final. */
export const COMMAND_STATE_NAMES = [
  'requested', 'authorised', 'awaiting-confirmation', 'awaiting-approval', 'queued', 'sent', 'acknowledged',
  'succeeded', 'failed', 'expired', 'rejected', 'cancelled',
] as const;
export const CommandStateSchema = Type.Union(COMMAND_STATE_NAMES.map((s) => Type.Literal(s)));
export type ApiCommandState = Static<typeof CommandStateSchema>;

/** A tag value: number, boolean or string (checked by the server against the tag's type). */
const ValueSchema = Type.Unknown({ description: 'number, boolean or string' });

/** POST /api/v1/commands */
export const CommandRequestSchema = Type.Object({
  kind: Type.Union([Type.Literal('write'), Type.Literal('call')]),
  tag: Type.Optional(Type.String({ maxLength: 512, description: 'write: the tag path' })),
  value: Type.Optional(ValueSchema),
  machine: Type.Optional(Type.String({ maxLength: 512, description: 'call: the machine\'s asset path' })),
  method: Type.Optional(Type.String({ maxLength: 64, description: 'call: the method, e.g. stop, start, reset' })),
  args: Type.Optional(Type.Record(Type.String(), ValueSchema)),
  idempotencyKey: Type.String({ minLength: 1, maxLength: 200, description: 'the same key from the same caller within 24 h returns the existing command' }),
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'default commandTtlSeconds, at most commandMaxTtlSeconds' })),
}, { additionalProperties: false });
export type CommandRequest = Static<typeof CommandRequestSchema>;

const PersonSchema = Type.Object({ id: Type.String(), name: Type.String() });

/** One step of a command's history. */
export const CommandTransitionSchema = Type.Object({
  state: CommandStateSchema,
  ts: Type.Integer(),
  by: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

/** A command as the API shows it. */
export const CommandSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('write'), Type.Literal('call')]),
  /** The tag a write targets, or `machine/Commands/method` for a call. */
  tag: Type.String(),
  value: Type.Optional(ValueSchema),
  machine: Type.Optional(Type.String()),
  method: Type.Optional(Type.String()),
  args: Type.Optional(Type.Record(Type.String(), ValueSchema)),
  requestedBy: PersonSchema,
  approvedBy: Type.Optional(PersonSchema),
  idempotencyKey: Type.String(),
  critical: Type.Boolean({ description: 'needs a second person\'s approval' }),
  ttlSeconds: Type.Integer(),
  createdTs: Type.Integer(),
  expiresTs: Type.Integer({ description: 'never sent after this time' }),
  sentTs: Type.Optional(Type.Integer()),
  state: CommandStateSchema,
  reason: Type.Optional(Type.String({ description: 'why it ended this way' })),
  previousValue: Type.Optional(ValueSchema),
  readbackValue: Type.Optional(ValueSchema),
  history: Type.Array(CommandTransitionSchema),
});
export type ApiCommand = Static<typeof CommandSchema>;

/** The interlock's verdict when the command was requested. */
export const InterlockVerdictSchema = Type.Object({
  expression: Type.String(),
  holds: Type.Boolean(),
  values: Type.Record(Type.String(), ValueSchema, { description: 'the variables it refers to and the values it saw (null = missing)' }),
  reason: Type.Optional(Type.String()),
});
export type ApiInterlockVerdict = Static<typeof InterlockVerdictSchema>;

/** Answer to POST /api/v1/commands: what the confirm step shows. */
export const CommandCreatedSchema = Type.Object({
  command: CommandSchema,
  currentValue: Type.Optional(ValueSchema),
  interlock: Type.Optional(InterlockVerdictSchema),
});
export type CommandCreated = Static<typeof CommandCreatedSchema>;

export const CommandListSchema = Type.Object({ commands: Type.Array(CommandSchema) });
export type CommandList = Static<typeof CommandListSchema>;

export const CommandListQuerySchema = Type.Object({
  state: Type.Optional(CommandStateSchema),
  tag: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export type CommandListQuery = Static<typeof CommandListQuerySchema>;
