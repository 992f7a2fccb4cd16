/**
 * Lights-out automation: a rule's action goes to the machine through the ordinary command path
 * (authorisation, interlock, rate limits, dispatch, readback, audit), never around it.
 *
 * The rule acts as a system principal `rule:<rule id>` holding the operator role on the rule's
 * asset only, so a rule can never command another machine. It requests the command and confirms
 * it at once (the rule is its own requester). A command on a **critical** tag is not sent by the
 * confirmation: it waits in `awaiting-approval` until a person approves it in the commands view
 * (second-person rule of docs/commands.md), and expires after its time to live if nobody does.
 * The journal entry of the action says so.
 * @module
 */
import type { AlarmActionRunner } from '../core/alarm-port.js';
import type { Principal } from '../core/auth.js';
import type { CommandRecord } from '../core/command-port.js';
import type { RuleAction, RuleDefinition } from '../core/rule-port.js';
import type { CommandCreated, CommandInput } from '../commands/command-service.js';

/** The part of CommandService the runner uses. */
export interface RuleCommands {
  request(p: Principal, input: CommandInput): Promise<CommandCreated>;
  confirm(p: Principal, id: string): Promise<CommandRecord>;
}

/** The principal a rule acts as: operator on its own asset, nothing else. */
export function rulePrincipal(rule: Pick<RuleDefinition, 'id' | 'tenant' | 'asset'>): Principal {
  const name = `rule:${rule.id}`;
  return { kind: 'system', id: name, name, tenant: rule.tenant, grants: [{ role: 'operator', scope: rule.asset }], platformOperator: false };
}

/** The command of an action: tags relative to the rule's asset; a call goes to the asset itself. */
export function commandOf(rule: Pick<RuleDefinition, 'asset'>, action: RuleAction, idempotencyKey: string): CommandInput {
  const c = action.command;
  if (c.kind === 'write') return { kind: 'write', tag: `${rule.asset}/${c.tag}`, value: c.value, idempotencyKey };
  return { kind: 'call', machine: rule.asset, method: c.method, ...(c.args ? { args: c.args } : {}), idempotencyKey };
}

/**
 * Runs rule actions as commands (implements AlarmActionRunner for the alarm service).
 *
 * @example
 * const runner = new RuleActionRunner({ commands });
 * const id = await runner.run(rule, { on: 'raise', command: { kind: 'call', method: 'stop' } });
 */
export class RuleActionRunner implements AlarmActionRunner {
  private seq = 0;
  private readonly now: () => number;

  constructor(private readonly o: { commands: RuleCommands; now?: () => number }) {
    this.now = o.now ?? Date.now;
  }

  /** Request and confirm the action's command; resolves with the command id, rejects with the command path's error. */
  async run(rule: RuleDefinition, action: RuleAction): Promise<string> {
    const p = rulePrincipal(rule);
    // Idempotency keys are per requester, so the rule's own principal keeps them apart from others'.
    const key = `${action.on}-${this.now()}-${++this.seq}`;
    const created = await this.o.commands.request(p, commandOf(rule, action, key));
    const cmd = created.command.state === 'awaiting-confirmation' ? await this.o.commands.confirm(p, created.command.id) : created.command;
    return cmd.id;
  }
}
