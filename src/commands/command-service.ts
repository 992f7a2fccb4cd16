/**
 * The command lifecycle: authorise → interlock → confirm → (second-person approval) → dispatch →
 * acknowledgement → readback, every transition persisted and audited.
 *
 * Time comes from an injected clock and everything time-based (expiry, waiting for an offline
 * device, readback timeouts) happens in {@link CommandService.sweep}, which app.ts runs on a timer
 * and tests call directly. Readback arrives through {@link CommandService.observe}, fed with every
 * durable point.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { AuditOutcome, AuditSink } from '../core/audit-port.js';
import { can, requireRole, type Principal } from '../core/auth.js';
import {
  commandMachine, commandTagPath, FINAL_COMMAND_STATES, UNSENT_COMMAND_STATES,
  type CommandAction, type CommandDispatcher, type CommandRecord, type CommandState, type CommandStore,
} from '../core/command-port.js';
import { LightsoutError } from '../core/errors.js';
import type { TagRecord } from '../core/metadata-port.js';
import type { Point, Value } from '../core/point.js';
import { parsePath, parseTagPath } from '../core/tag-path.js';
import { RateLimiter } from '../auth/attempt-limiter.js';
import { checkInterlock, validateInterlock, type InterlockVerdict, type MachineValue } from './interlock.js';

/** Tag lookups the service needs (the tag registry fits). */
export interface CommandTags {
  get(tenant: string, path: string): TagRecord | undefined;
  list(tenant: string, prefix?: string): TagRecord[];
}

/** Settings of the service (from the config). */
export interface CommandSettings {
  ttlSeconds: number;
  maxTtlSeconds: number;
  readbackMs: number;
  userPerMinute: number;
  machinePerMinute: number;
}

/** What the service is built from. */
export interface CommandServiceOptions {
  store: CommandStore;
  dispatcher: CommandDispatcher;
  audit: AuditSink;
  tags: CommandTags;
  /** The newest point of a tag, from the last-value cache. */
  latest(tenant: string, path: string): Point | undefined;
  settings: CommandSettings;
  now?: () => number;
  /** Told about every state change (live clients). */
  onChange?: (cmd: CommandRecord) => void;
  log?: { warn(obj: object, msg?: string): void };
}

/** A new command as the API takes it. */
export type CommandInput = CommandAction & { idempotencyKey: string; ttlSeconds?: number };

/** The answer to a request: the command, whether it was created now, and what the operator must see to confirm. */
export interface CommandCreated {
  command: CommandRecord;
  created: boolean;
  /** The tag's value when requested (writes). */
  currentValue?: Value;
  interlock?: InterlockVerdict;
}

/** Idempotency keys are remembered this long. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;
const METHOD = /^[A-Za-z0-9_-]{1,64}$/;
const SYSTEM = 'system';

/** The lifecycle of remote commands (see the module comment and docs/commands.md). */
export class CommandService {
  private readonly now: () => number;
  private readonly userLimit: RateLimiter;
  private readonly machineLimit: RateLimiter;
  /** Commands not in a final state, by id. */
  private readonly open = new Map<string, CommandRecord>();
  /** One promise chain per command so an API call and the sweeper never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** A good readback seen before the send was acknowledged. */
  private readonly earlyReadback = new Map<string, Value>();
  private readonly lastSeen = new Map<string, Value>();

  constructor(private readonly o: CommandServiceOptions) {
    this.now = o.now ?? Date.now;
    this.userLimit = new RateLimiter(o.settings.userPerMinute, 60_000, this.now);
    this.machineLimit = new RateLimiter(o.settings.machinePerMinute, 60_000, this.now);
  }

  /**
   * Load open commands after a (re)start: those already sent cannot be followed any more and
   * fail with "platform restarted"; unsent ones past their TTL expire; the rest carry on.
   */
  async start(): Promise<void> {
    for (const cmd of await this.o.store.open()) {
      if (!UNSENT_COMMAND_STATES.has(cmd.state)) {
        await this.finish(cmd, 'failed', 'platform restarted', SYSTEM);
      } else if (this.now() > cmd.expiresTs) {
        await this.finish(cmd, 'expired', 'time to live ran out while the platform was down', SYSTEM);
      } else {
        this.open.set(cmd.id, cmd);
      }
    }
  }

  /** Request a command. Returns the existing one for a repeated idempotency key. */
  async request(p: Principal, input: CommandInput): Promise<CommandCreated> {
    const action = normalise(input);
    const key = input.idempotencyKey;
    if (typeof key !== 'string' || key.length === 0 || key.length > 200) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'idempotencyKey is required (1 to 200 characters)');
    const ttl = input.ttlSeconds ?? this.o.settings.ttlSeconds;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > this.o.settings.maxTtlSeconds) {
      throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', `ttlSeconds must be an integer from 1 to ${this.o.settings.maxTtlSeconds}`);
    }
    const now = this.now();
    const existing = await this.o.store.byIdempotencyKey(p.tenant, p.id, key, now - IDEMPOTENCY_WINDOW_MS);
    if (existing) {
      if (JSON.stringify(existing.action) !== JSON.stringify(action) || (input.ttlSeconds !== undefined && input.ttlSeconds !== existing.ttlSeconds)) {
        throw new LightsoutError('LIGHTSOUT_CONFLICT', `idempotency key "${key}" was already used for another command (${existing.id})`, { details: { command: existing.id } });
      }
      return { command: existing, created: false };
    }
    const path = commandTagPath(action);
    const machine = commandMachine(action);
    let tag: TagRecord | undefined;
    try {
      tag = this.authorise(p, action);
    } catch (err) {
      await this.audit(p.name, p.id, p.tenant, 'command.rejected', path, 'denied', { reason: (err as Error).message, action });
      throw err;
    }
    const wait = Math.max(this.userLimit.take(`${p.tenant}\u0000${p.id}`), 0) || this.machineLimit.take(`${p.tenant}\u0000${machine}`);
    if (wait > 0) {
      await this.audit(p.name, p.id, p.tenant, 'command.rejected', path, 'denied', { reason: 'rate limited', action });
      throw new LightsoutError('LIGHTSOUT_RATE_LIMITED', `too many commands for ${p.name} or machine ${machine}; retry in ${wait} s`, { details: { retryAfter: wait } });
    }
    const cur = action.kind === 'write' ? this.o.latest(p.tenant, action.tag) : undefined;
    const cmd: CommandRecord = {
      id: randomBytes(12).toString('base64url'), tenant: p.tenant, action, requestedBy: { id: p.id, name: p.name }, idempotencyKey: key,
      ttlSeconds: ttl, createdTs: now, expiresTs: now + ttl * 1000, state: 'requested', history: [{ state: 'requested', ts: now, by: p.name }],
      critical: tag?.critical === true,
    };
    if (cur !== undefined) cmd.previousValue = cur.value;
    this.step(cmd, 'authorised', p.name);
    const verdict = tag?.interlock ? this.interlock(p.tenant, machine, tag.interlock) : undefined;
    await this.audit(p.name, p.id, p.tenant, 'command.requested', path, 'ok', { command: cmd.id, action, ttlSeconds: ttl });
    if (verdict && !verdict.holds) {
      await this.finish(cmd, 'rejected', verdict.reason ?? 'interlock does not hold', SYSTEM);
      throw interlockError(cmd, verdict);
    }
    this.step(cmd, 'awaiting-confirmation', SYSTEM);
    await this.save(cmd);
    this.open.set(cmd.id, cmd);
    return { command: cmd, created: true, ...(cur !== undefined ? { currentValue: cur.value } : {}), ...(verdict ? { interlock: verdict } : {}) };
  }

  /** The person who requested it confirms; a critical command then waits for approval, others are sent. */
  confirm(p: Principal, id: string): Promise<CommandRecord> {
    return this.locked(id, async () => {
      const cmd = await this.mustGet(p, id);
      if (cmd.requestedBy.id !== p.id) throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `only ${cmd.requestedBy.name}, who requested command ${id}, may confirm it`);
      this.expect(cmd, 'awaiting-confirmation', 'confirmed');
      await this.expireIfLate(cmd);
      await this.audit(p.name, p.id, p.tenant, 'command.confirmed', commandTagPath(cmd.action), 'ok', { command: cmd.id });
      if (cmd.critical) {
        this.step(cmd, 'awaiting-approval', p.name, 'critical tag: a second person must approve');
        await this.save(cmd);
        return cmd;
      }
      return this.dispatch(cmd, p.name, true);
    });
  }

  /** A second, different person with the operator role on the path approves a critical command. */
  approve(p: Principal, id: string): Promise<CommandRecord> {
    return this.locked(id, async () => {
      const cmd = await this.mustGet(p, id);
      this.expect(cmd, 'awaiting-approval', 'approved');
      if (cmd.requestedBy.id === p.id || cmd.requestedBy.name === p.name) {
        throw new LightsoutError('LIGHTSOUT_FORBIDDEN', `command ${id} needs a second person's approval; ${p.name} requested it`);
      }
      try {
        requireRole(p, 'operator', commandMachine(cmd.action), 'approve this command');
      } catch (err) {
        await this.audit(p.name, p.id, p.tenant, 'command.approved', commandTagPath(cmd.action), 'denied', { command: cmd.id });
        throw err;
      }
      await this.expireIfLate(cmd);
      cmd.approvedBy = { id: p.id, name: p.name };
      await this.audit(p.name, p.id, p.tenant, 'command.approved', commandTagPath(cmd.action), 'ok', { command: cmd.id });
      return this.dispatch(cmd, p.name, true);
    });
  }

  /** Cancel a command that was not sent yet: its requester, or an operator on its path. */
  cancel(p: Principal, id: string): Promise<CommandRecord> {
    return this.locked(id, async () => {
      const cmd = await this.mustGet(p, id);
      if (cmd.requestedBy.id !== p.id) requireRole(p, 'operator', commandMachine(cmd.action), 'cancel this command');
      if (!UNSENT_COMMAND_STATES.has(cmd.state)) throw new LightsoutError('LIGHTSOUT_CONFLICT', `command ${id} is ${cmd.state}; only a command not yet sent can be cancelled`);
      await this.finish(cmd, 'cancelled', `cancelled by ${p.name}`, p.name, p);
      return cmd;
    });
  }

  /** One command of the principal's tenant that the principal may see. */
  async get(p: Principal, id: string): Promise<CommandRecord> {
    return this.mustGet(p, id);
  }

  /** Commands of the principal's tenant that it may see, newest first. */
  async list(p: Principal, q: { state?: CommandState; tag?: string; limit?: number }): Promise<CommandRecord[]> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const rows = await this.o.store.list({ tenant: p.tenant, ...(q.state ? { state: q.state } : {}), ...(q.tag ? { tag: q.tag } : {}), limit: limit * 2 });
    return rows.filter((c) => can(p, 'viewer', commandTagPath(c.action))).slice(0, limit);
  }

  /** Check an interlock an engineer is saving on a tag (PATCH /api/v1/tags). */
  validateInterlock(tenant: string, tagPath: string, expression: string): void {
    if (expression === '') return;
    // A method's tag is `<machine>/Commands/<method>`: its interlock speaks of the machine's tags.
    const call = /^(.+)\/Commands\/[^/]+$/.exec(tagPath);
    const machine = call ? call[1]! : parseTagPath(tagPath).assetPath;
    validateInterlock(expression, this.machineValues(tenant, machine).map((m) => m.name));
  }

  /** Feed durable points: readback of sent commands. */
  observe(tenant: string, points: readonly Point[]): void {
    if (this.open.size === 0) return;
    for (const cmd of this.open.values()) {
      if (cmd.tenant !== tenant || (cmd.state !== 'sent' && cmd.state !== 'acknowledged')) continue;
      const path = commandTagPath(cmd.action);
      for (const pt of points) {
        if (pt.tag !== path || pt.quality !== 'good' || pt.ts < (cmd.sentTs ?? 0)) continue;
        this.lastSeen.set(cmd.id, pt.value);
        if (cmd.action.kind === 'write' && !sameValue(pt.value, cmd.action.value)) continue;
        if (cmd.state === 'sent') this.earlyReadback.set(cmd.id, pt.value);
        else void this.locked(cmd.id, () => this.succeed(cmd, pt.value)).catch((err: Error) => this.o.log?.warn({ err: err.message, command: cmd.id }, 'command readback failed'));
      }
    }
  }

  /** Expire stale commands, send queued ones whose device is back, fail those without readback. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const cmd of [...this.open.values()]) {
      await this.locked(cmd.id, async () => {
        if (FINAL_COMMAND_STATES.has(cmd.state)) return;
        if (UNSENT_COMMAND_STATES.has(cmd.state)) {
          if (now > cmd.expiresTs) {
            await this.finish(cmd, 'expired', cmd.state === 'queued' ? 'time to live ran out while the device was offline; never sent' : 'time to live ran out before it was sent', SYSTEM);
          } else if (cmd.state === 'queued' && this.o.dispatcher.online(cmd.tenant, commandTagPath(cmd.action))) {
            await this.dispatch(cmd, SYSTEM, false);
          }
        } else if (now > (cmd.sentTs ?? now) + this.o.settings.readbackMs) {
          const seen = this.lastSeen.get(cmd.id);
          const why = cmd.state === 'sent' ? 'the connector did not accept it' : `no readback of the requested value within ${this.o.settings.readbackMs} ms${seen !== undefined ? ` (last read ${JSON.stringify(seen)})` : ''}`;
          if (seen !== undefined) cmd.readbackValue = seen;
          await this.finish(cmd, 'failed', why, SYSTEM);
        }
      }).catch((err: Error) => this.o.log?.warn({ err: err.message, command: cmd.id }, 'command sweep failed'));
    }
  }

  // ---- internals

  private authorise(p: Principal, a: CommandAction): TagRecord | undefined {
    const path = commandTagPath(a);
    const tag = this.o.tags.get(p.tenant, path);
    if (a.kind === 'write') {
      if (!tag || !can(p, 'viewer', a.tag)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `tag "${a.tag}" does not exist in tenant ${p.tenant}`);
      requireRole(p, 'operator', a.tag, 'write this tag');
      if (!tag.writable) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `tag "${a.tag}" is not writable (an engineer can mark it writable)`);
      checkValue(tag, a.value);
    } else {
      if (!can(p, 'viewer', a.machine)) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `machine "${a.machine}" does not exist in tenant ${p.tenant}`);
      requireRole(p, 'operator', a.machine, `call ${a.method}`);
      if (!tag) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `machine "${a.machine}" has no method "${a.method}" (it announces methods as Commands/<method> metrics)`);
    }
    if (!this.o.dispatcher.owns(p.tenant, path)) throw new LightsoutError('LIGHTSOUT_NOT_WRITABLE', `no connector can write "${path}" (its source ${tag?.source ?? 'unknown'} takes no commands, or the device has not announced it)`);
    return tag;
  }

  private machineValues(tenant: string, machine: string): MachineValue[] {
    const prefix = `${machine}/`;
    return this.o.tags.list(tenant, prefix).filter((t) => t.path.startsWith(prefix)).map((t) => {
      const pt = this.o.latest(tenant, t.path);
      return { name: t.path.slice(prefix.length), value: pt?.value, quality: pt?.quality };
    });
  }

  private interlock(tenant: string, machine: string, expression: string): InterlockVerdict {
    return checkInterlock(expression, this.machineValues(tenant, machine));
  }

  /** Send now, or queue while the device is offline. `sync` callers (confirm, approve) get interlock refusals as errors. */
  private async dispatch(cmd: CommandRecord, by: string, sync: boolean): Promise<CommandRecord> {
    await this.expireIfLate(cmd, sync);
    if (FINAL_COMMAND_STATES.has(cmd.state)) return cmd;
    const path = commandTagPath(cmd.action);
    if (!this.o.dispatcher.online(cmd.tenant, path)) {
      if (cmd.state !== 'queued') {
        this.step(cmd, 'queued', by, 'device offline: sent when it returns, if still within its time to live');
        await this.save(cmd);
      }
      return cmd;
    }
    const tag = this.o.tags.get(cmd.tenant, path);
    if (tag?.interlock) {
      const verdict = this.interlock(cmd.tenant, commandMachine(cmd.action), tag.interlock);
      if (!verdict.holds) {
        await this.finish(cmd, 'rejected', verdict.reason ?? 'interlock does not hold', SYSTEM);
        if (sync) throw interlockError(cmd, verdict);
        return cmd;
      }
    }
    cmd.sentTs = this.now();
    this.step(cmd, 'sent', by);
    await this.save(cmd);
    await this.audit(by, by === SYSTEM ? SYSTEM : cmd.requestedBy.id, cmd.tenant, 'command.sent', path, 'ok', { command: cmd.id, action: cmd.action });
    try {
      await this.o.dispatcher.send({ tenant: cmd.tenant, commandId: cmd.id, action: cmd.action });
    } catch (err) {
      await this.finish(cmd, 'failed', `the connector could not send it: ${(err as Error).message}`, SYSTEM);
      return cmd;
    }
    if (FINAL_COMMAND_STATES.has(cmd.state)) return cmd;
    this.step(cmd, 'acknowledged', SYSTEM, 'the connector accepted it');
    await this.save(cmd);
    const early = this.earlyReadback.get(cmd.id);
    if (early !== undefined) await this.succeed(cmd, early);
    else if (cmd.action.kind === 'write') {
      // The value may already be in the cache (a fast device, or a point that beat the acknowledgement).
      const cur = this.o.latest(cmd.tenant, path);
      if (cur && cur.quality === 'good' && cur.ts >= cmd.sentTs && sameValue(cur.value, cmd.action.value)) await this.succeed(cmd, cur.value);
    }
    return cmd;
  }

  private async succeed(cmd: CommandRecord, value: Value): Promise<void> {
    if (cmd.state !== 'acknowledged') return;
    cmd.readbackValue = value;
    await this.finish(cmd, 'succeeded', cmd.action.kind === 'write' ? `read back ${JSON.stringify(value)}` : `machine confirmed ${cmd.action.method}`, SYSTEM);
  }

  private async expireIfLate(cmd: CommandRecord, raise = true): Promise<void> {
    if (this.now() <= cmd.expiresTs) return;
    await this.finish(cmd, 'expired', 'time to live ran out before it was sent', SYSTEM);
    if (raise) throw new LightsoutError('LIGHTSOUT_EXPIRED', `command ${cmd.id} outlived its time to live of ${cmd.ttlSeconds} s and will never be sent`, { details: { command: cmd.id } });
  }

  private async finish(cmd: CommandRecord, state: CommandState, reason: string, by: string, actor?: Principal): Promise<void> {
    this.step(cmd, state, by, reason);
    cmd.reason = reason;
    await this.save(cmd);
    this.open.delete(cmd.id);
    this.earlyReadback.delete(cmd.id);
    this.lastSeen.delete(cmd.id);
    const outcome: AuditOutcome = state === 'succeeded' || state === 'cancelled' ? 'ok' : state === 'rejected' ? 'denied' : 'failed';
    await this.audit(actor?.name ?? by, actor?.id ?? (by === SYSTEM ? SYSTEM : cmd.requestedBy.id), cmd.tenant, `command.${state}`, commandTagPath(cmd.action), outcome, {
      command: cmd.id, reason, ...(cmd.readbackValue !== undefined ? { readback: cmd.readbackValue } : {}),
      ...(cmd.previousValue !== undefined ? { previous: cmd.previousValue } : {}),
    });
  }

  private step(cmd: CommandRecord, state: CommandState, by: string, reason?: string): void {
    cmd.state = state;
    cmd.history.push({ state, ts: this.now(), by, ...(reason !== undefined ? { reason } : {}) });
  }

  private async save(cmd: CommandRecord): Promise<void> {
    await this.o.store.save(cmd);
    try {
      this.o.onChange?.(cmd);
    } catch {
      // a live client's trouble is not the command's
    }
  }

  private expect(cmd: CommandRecord, state: CommandState, verb: string): void {
    if (cmd.state !== state) {
      throw new LightsoutError('LIGHTSOUT_CONFLICT', `command ${cmd.id} is ${cmd.state}${cmd.reason ? ` (${cmd.reason})` : ''}; it can be ${verb} only while ${state}`, { details: { command: cmd.id, state: cmd.state } });
    }
  }

  private async mustGet(p: Principal, id: string): Promise<CommandRecord> {
    const cmd = this.open.get(id) ?? (await this.o.store.get(p.tenant, id));
    if (!cmd || cmd.tenant !== p.tenant || !can(p, 'viewer', commandTagPath(cmd.action))) {
      throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `command ${id} does not exist in tenant ${p.tenant}`);
    }
    return cmd;
  }

  private async audit(actor: string, actorId: string, tenant: string, action: string, target: string, outcome: AuditOutcome, detail: Record<string, unknown>): Promise<void> {
    try {
      await this.o.audit.record({ tenant, actor, actorId, action, target, outcome, detail, ts: this.now() });
    } catch (err) {
      this.o.log?.warn({ err: (err as Error).message, action }, 'audit record failed');
    }
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }
}

function interlockError(cmd: CommandRecord, v: InterlockVerdict): LightsoutError {
  return new LightsoutError('LIGHTSOUT_INTERLOCK', v.reason ?? `interlock "${v.expression}" does not hold`, { details: { command: cmd.id, expression: v.expression, values: v.values } });
}

/** Validate and copy the action part of a request (only known fields). */
function normalise(input: CommandInput): CommandAction {
  if (input.kind === 'write') {
    parseTagPath(input.tag);
    const v: unknown = input.value;
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') throw new LightsoutError('LIGHTSOUT_BAD_VALUE', 'a write needs a value: a number, boolean or string');
    if (typeof v === 'number' && !Number.isFinite(v)) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', 'value must be finite');
    return { kind: 'write', tag: input.tag, value: v };
  }
  if (input.kind === 'call') {
    parsePath(input.machine, 'machine');
    if (typeof input.method !== 'string' || !METHOD.test(input.method)) throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'method must be 1 to 64 letters, digits, _ or -');
    return { kind: 'call', machine: input.machine, method: input.method, ...(input.args !== undefined ? { args: input.args } : {}) };
  }
  throw new LightsoutError('LIGHTSOUT_BAD_REQUEST', 'kind must be "write" or "call"');
}

/** The value must fit the tag's type and, for numbers, its engineering range. */
function checkValue(tag: TagRecord, v: Value): void {
  const t = typeof v;
  if (t !== tag.type) throw new LightsoutError('LIGHTSOUT_TYPE_MISMATCH', `tag "${tag.path}" holds ${tag.type} values, not ${t}`);
  if (typeof v === 'number') {
    if (tag.min !== undefined && v < tag.min) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${v} is below the minimum ${tag.min} of "${tag.path}"`);
    if (tag.max !== undefined && v > tag.max) throw new LightsoutError('LIGHTSOUT_BAD_VALUE', `${v} is above the maximum ${tag.max} of "${tag.path}"`);
  }
}

/** Readback equality: numbers within float32 rounding (devices often store setpoints as floats). */
export function sameValue(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}
