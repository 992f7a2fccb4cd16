/**
 * The words for priorities, states and journal kinds in the current language.
 * @module
 */
import type { ApiAlarmPriority, ApiAlarmState } from '../../../src/protocol/alarm-types.js';
import { t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/en.js';

/** A priority's name. */
export function priorityLabel(p: ApiAlarmPriority | string): string {
  return t(`alarm.prio.${p}` as MessageKey) || p;
}

/** A state's name. */
export function stateLabel(s: ApiAlarmState | string): string {
  return t(`alarm.state.${s}` as MessageKey) || s;
}

/** A journal kind's name. */
export function kindLabel(k: string): string {
  return t(`alarm.kind.${k}` as MessageKey) || k;
}
