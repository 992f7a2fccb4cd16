/**
 * The ISA-18.2 alarm state machine as a pure function: (record, input) → new record + journal
 * entries. No clock, no I/O; the AlarmService feeds it and keeps the results durable.
 *
 * | from \ input          | raise (condition on)  | clear (condition off)              | ack                          | reset  |
 * |-------------------------|-----------------------|------------------------------------|------------------------------|--------|
 * | normal                  | unacknowledged        | —                                  | conflict                     | conflict |
 * | unacknowledged          | —                     | returned-unacknowledged            | acknowledged                 | conflict |
 * | acknowledged            | —                     | normal (latched rule: latched)     | conflict                     | conflict |
 * | returned-unacknowledged | unacknowledged (re-alarm) | —                              | normal (latched rule: latched) | conflict |
 * | latched                 | unacknowledged        | —                                  | conflict                     | normal |
 *
 * An operator shelves from any state but out-of-service (again while shelved: a new reason and
 * expiry); an engineer takes it out of service from any state; comments fit every state.
 * Shelved, suppressed (by design) and out-of-service hide an alarm from people whatever its
 * condition does; on return it is `unacknowledged` when the condition is active then, else
 * `normal` (a suppressed alarm that is unshelved or returned to service goes back to `suppressed`).
 * Out-of-service outranks shelved (taking a shelved alarm out of service drops the shelve), and
 * both outrank suppressed. Raises and clears while hidden are journaled with equal from/to.
 * @module
 */
import type { AlarmEvent, AlarmEventKind, AlarmRecord, AlarmState } from '../core/alarm-port.js';
import { LightsoutError } from '../core/errors.js';
import type { Value } from '../core/point.js';

/** What can happen to an alarm. */
export type AlarmInput =
  | { kind: 'condition'; active: boolean; value?: Value; message: string }
  | { kind: 'suppression'; suppressed: boolean }
  | { kind: 'ack' | 'reset' | 'unshelve' | 'in-service'; text?: string }
  | { kind: 'shelve'; reason: string; untilTs: number }
  | { kind: 'out-of-service'; reason: string }
  | { kind: 'comment'; text: string };

/** Who, when, and how the rule wants its alarm handled. */
export interface AlarmContext {
  ts: number;
  /** A person's name, `system`, or `rule:<id>`. */
  by: string;
  /** The rule's alarm is latched (ISA-18.2): after clear and ack it waits for a reset. */
  latched: boolean;
}

/** The outcome of one input. `record` is a new object when anything changed, else the same one. */
export interface AlarmTransition {
  record: AlarmRecord;
  events: AlarmEvent[];
  /** The condition went from inactive to active (automation runs unless out of service). */
  raised: boolean;
  /** The condition went from active to inactive. */
  cleared: boolean;
  /** The alarm now asks a person for attention (entered `unacknowledged`): notify, escalate. */
  annunciated: boolean;
  changed: boolean;
}

/** States that hide an alarm from people. */
export const HIDDEN_STATES: readonly AlarmState[] = ['shelved', 'suppressed', 'out-of-service'];
/** States that wait for someone to acknowledge. */
export const UNACKED_STATES: readonly AlarmState[] = ['unacknowledged', 'returned-unacknowledged'];
const MAX_COMMENTS = 5;

function conflict(rec: AlarmRecord, what: string): LightsoutError {
  return new LightsoutError('LIGHTSOUT_CONFLICT', `alarm ${rec.id} is ${rec.state}: cannot ${what}`, { details: { state: rec.state } });
}

/** Where an alarm goes when it stops being shelved or out of service. */
function resumeState(r: AlarmRecord): AlarmState {
  if (r.suppressed) return 'suppressed';
  return r.conditionActive ? 'unacknowledged' : 'normal';
}

/**
 * Apply one input to an alarm. Operator inputs that do not fit the state throw
 * LIGHTSOUT_CONFLICT; condition and suppression changes never throw.
 */
export function applyAlarmInput(rec: AlarmRecord, input: AlarmInput, ctx: AlarmContext): AlarmTransition {
  const next: AlarmRecord = { ...rec };
  const events: AlarmEvent[] = [];
  let raised = false;
  let cleared = false;
  const journal = (kind: AlarmEventKind, to: AlarmState, extra: Partial<AlarmEvent> = {}): void => {
    events.push({
      tenant: rec.tenant, alarmId: rec.id, ts: ctx.ts, kind, from: next.state, to,
      area: next.area, priority: next.priority, by: ctx.by, ...extra,
    });
    if (to !== next.state) {
      next.state = to;
      next.stateTs = ctx.ts;
    }
  };
  // An operator's words on an action are journaled with it and kept among the latest comments.
  const text = (t: string | undefined): Partial<AlarmEvent> => {
    if (t === undefined || t.trim() === '') return {};
    next.comments = [{ by: ctx.by, ts: ctx.ts, text: t }, ...(next.comments ?? [])].slice(0, MAX_COMMENTS);
    return { text: t };
  };

  switch (input.kind) {
    case 'condition': {
      if (input.active === rec.conditionActive) {
        if (!input.active) return unchanged(rec);
        // Still active: refresh the live message and value only (no journal entry).
        if (input.message === rec.message && input.value === rec.value) return unchanged(rec);
        next.message = input.message;
        if (input.value === undefined) delete next.value; else next.value = input.value;
        return { record: next, events, raised, cleared, annunciated: false, changed: true };
      }
      next.conditionActive = input.active;
      next.message = input.message;
      if (input.value === undefined) delete next.value; else next.value = input.value;
      const info = { message: input.message, ...(input.value !== undefined ? { value: input.value } : {}) };
      if (input.active) {
        raised = true;
        next.activeTs = ctx.ts;
        next.raiseCount = rec.raiseCount + 1;
        if (HIDDEN_STATES.includes(rec.state)) {
          journal('raise', rec.state, info);
        } else {
          // From normal, acknowledged-and-latched, or a re-alarm from returned-unacknowledged.
          delete next.ackedBy;
          delete next.ackedTs;
          journal('raise', 'unacknowledged', info);
        }
      } else {
        cleared = true;
        let to: AlarmState = rec.state;
        if (rec.state === 'unacknowledged') to = 'returned-unacknowledged';
        else if (rec.state === 'acknowledged') to = ctx.latched ? 'latched' : 'normal';
        journal('clear', to, info);
      }
      break;
    }
    case 'suppression': {
      if (Boolean(rec.suppressed) === input.suppressed) return unchanged(rec);
      if (input.suppressed) next.suppressed = true; else delete next.suppressed;
      if (input.suppressed && rec.state !== 'shelved' && rec.state !== 'out-of-service') journal('suppress', 'suppressed');
      else if (!input.suppressed && rec.state === 'suppressed') journal('unsuppress', resumeState(next));
      // Otherwise the flag changes under a shelve or out-of-service, which still hides the alarm.
      break;
    }
    case 'ack': {
      if (rec.state === 'unacknowledged') journal('ack', 'acknowledged', text(input.text));
      else if (rec.state === 'returned-unacknowledged') journal('ack', ctx.latched ? 'latched' : 'normal', text(input.text));
      else throw conflict(rec, 'acknowledge it (nothing waits for an acknowledgement)');
      next.ackedBy = ctx.by;
      next.ackedTs = ctx.ts;
      break;
    }
    case 'reset': {
      if (rec.state !== 'latched') throw conflict(rec, 'reset it (only a latched alarm that cleared and was acknowledged is reset)');
      journal('reset', 'normal', text(input.text));
      break;
    }
    case 'shelve': {
      if (rec.state === 'out-of-service') throw conflict(rec, 'shelve it');
      next.shelved = { by: ctx.by, reason: input.reason, ts: ctx.ts, untilTs: input.untilTs };
      journal('shelve', 'shelved', { text: input.reason });
      break;
    }
    case 'unshelve': {
      if (rec.state !== 'shelved') throw conflict(rec, 'unshelve it');
      delete next.shelved;
      journal('unshelve', resumeState(next), text(input.text));
      break;
    }
    case 'out-of-service': {
      if (rec.state === 'out-of-service') throw conflict(rec, 'take it out of service');
      delete next.shelved;
      next.outOfService = { by: ctx.by, reason: input.reason, ts: ctx.ts };
      journal('out-of-service', 'out-of-service', { text: input.reason });
      break;
    }
    case 'in-service': {
      if (rec.state !== 'out-of-service') throw conflict(rec, 'return it to service');
      delete next.outOfService;
      journal('in-service', resumeState(next), text(input.text));
      break;
    }
    case 'comment': {
      journal('comment', rec.state, text(input.text));
      break;
    }
  }

  const annunciated = next.state === 'unacknowledged' && (rec.state !== 'unacknowledged' || raised);
  if (annunciated) {
    delete next.ackedBy;
    delete next.ackedTs;
    delete next.escalationStep;
    delete next.escalationDueTs;
  } else if (!UNACKED_STATES.includes(next.state)) {
    // Escalation stops once someone acknowledged, or the alarm is hidden or back to normal.
    delete next.escalationDueTs;
  }
  return { record: next, events, raised, cleared, annunciated, changed: true };
}

function unchanged(rec: AlarmRecord): AlarmTransition {
  return { record: rec, events: [], raised: false, cleared: false, annunciated: false, changed: false };
}
