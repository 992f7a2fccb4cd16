/**
 * Lights-out automation of an alarm: on a raise the rule's `on: 'raise'` actions, on a clear its
 * `on: 'clear'` ones, each through the AlarmActionRunner (the command path, as `rule:<id>`).
 * Runs in the background; each outcome is journaled (`action` with the command id, or
 * `action-failed` with the error code and reason), and a failure never touches the alarm.
 * @module
 */
import type { AlarmActionRunner } from '../core/alarm-port.js';
import type { RuleAction, RuleDefinition } from '../core/rule-port.js';

/** How an action reads in the journal: `call stop`, `write coolant = false`. */
export function describeAction(a: RuleAction): string {
  return a.command.kind === 'write' ? `write ${a.command.tag} = ${JSON.stringify(a.command.value)}` : `call ${a.command.method}`;
}

/** Start the rule's actions for `on`; `note` journals each outcome. */
export function runRuleActions(
  rule: RuleDefinition, on: 'raise' | 'clear', runner: AlarmActionRunner,
  note: (kind: 'action' | 'action-failed', text: string) => void,
): void {
  for (const a of rule.actions ?? []) {
    if (a.on !== on) continue;
    const what = describeAction(a);
    const failed = (err: unknown): void => {
      const code = (err as { code?: unknown } | undefined)?.code;
      const reason = err instanceof Error ? err.message : String(err);
      note('action-failed', `${what}: ${typeof code === 'string' ? `${code}: ` : ''}${reason}`);
    };
    try {
      runner.run(rule, a).then((cmd) => note('action', `${what}: command ${cmd}`), failed);
    } catch (err) {
      failed(err);
    }
  }
}
