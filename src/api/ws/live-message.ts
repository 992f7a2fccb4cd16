/**
 * Validation of what live clients send (src/protocol/live.ts). Hand-written rather than a schema
 * so that each refusal names the field in one short line the client can show.
 * @module
 */
import type { ErrorCode } from '../../core/errors.js';
import type { LiveClientMessage } from '../../protocol/live.js';

/** A refused client message: the code and message of the LiveError answer. */
export interface LiveMessageProblem {
  code: ErrorCode;
  message: string;
}

const SUBSCRIBE_KEYS = new Set(['type', 'tags', 'patterns', 'maxRate', 'resume']);

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function problem(message: string, code: ErrorCode = 'LIGHTSOUT_BAD_REQUEST'): LiveMessageProblem {
  return { code, message };
}

/** Parse and check one text frame. Path syntax and limits are checked by the hub. */
export function parseLiveMessage(text: string): LiveClientMessage | LiveMessageProblem {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    return problem(`message is not valid JSON: ${(err as Error).message}`, 'LIGHTSOUT_BAD_PAYLOAD');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return problem('message must be a JSON object with a "type"');
  const o = m as Record<string, unknown>;
  if (o.type === 'ping') return { type: 'ping' };
  if (o.type !== 'subscribe') return problem(`unknown message type ${JSON.stringify(o.type)}; expected "subscribe" or "ping"`);
  const extra = Object.keys(o).filter((k) => !SUBSCRIBE_KEYS.has(k));
  if (extra.length > 0) return problem(`subscribe has unknown field(s): ${extra.join(', ')}`);
  if (o.tags !== undefined && !isStringArray(o.tags)) return problem('subscribe.tags must be an array of tag paths');
  if (o.patterns !== undefined && !isStringArray(o.patterns)) return problem('subscribe.patterns must be an array of patterns such as "site/area/#"');
  if (o.maxRate !== undefined && (typeof o.maxRate !== 'number' || !Number.isFinite(o.maxRate))) return problem('subscribe.maxRate must be a number');
  let resume: { session: string; seq: number } | undefined;
  if (o.resume !== undefined) {
    const r = o.resume as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.session !== 'string' || !Number.isInteger(r.seq) || (r.seq as number) < 0) {
      return problem('subscribe.resume must be {"session": string, "seq": integer ≥ 0}');
    }
    resume = { session: r.session, seq: r.seq as number };
  }
  return {
    type: 'subscribe',
    ...(o.tags !== undefined ? { tags: o.tags as string[] } : {}),
    ...(o.patterns !== undefined ? { patterns: o.patterns as string[] } : {}),
    ...(o.maxRate !== undefined ? { maxRate: o.maxRate as number } : {}),
    ...(resume ? { resume } : {}),
  };
}
