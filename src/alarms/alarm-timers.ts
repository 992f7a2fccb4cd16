/**
 * The two timers an alarm may have, on the Clock port: its shelve expiry (while shelved) and its
 * next escalation (while unacknowledged with an `escalationDueTs`). `sync` arms, moves or clears
 * them to match a record; a timer that fires calls back with the alarm's key.
 * @module
 */
import type { AlarmRecord } from '../core/alarm-port.js';
import type { Clock } from '../core/rule-port.js';
import { UNACKED_STATES } from './alarm-state.js';

interface Armed { at: number; handle: unknown }

/** Shelve-expiry and escalation timers of every alarm. */
export class AlarmTimers {
  private readonly shelves = new Map<string, Armed>();
  private readonly escalations = new Map<string, Armed>();

  constructor(
    private readonly clock: Clock,
    private readonly due: { shelveExpired(key: string): void; escalationDue(key: string): void },
  ) {}

  /** When the record's shelve runs out, if it is shelved. */
  static shelveDue(r: AlarmRecord): number | undefined {
    return r.state === 'shelved' ? r.shelved?.untilTs : undefined;
  }

  /** When the record's next escalation is due, if it still waits for an acknowledgement. */
  static escalationDue(r: AlarmRecord): number | undefined {
    return UNACKED_STATES.includes(r.state) ? r.escalationDueTs : undefined;
  }

  /** Make the alarm's timers match the record (`escalate` false: no notifier, no escalation timer). */
  sync(key: string, r: AlarmRecord, escalate: boolean): void {
    this.set(this.shelves, key, AlarmTimers.shelveDue(r), () => this.due.shelveExpired(key));
    this.set(this.escalations, key, escalate ? AlarmTimers.escalationDue(r) : undefined, () => this.due.escalationDue(key));
  }

  /** Drop the alarm's timers. */
  clear(key: string): void {
    this.set(this.shelves, key, undefined, () => undefined);
    this.set(this.escalations, key, undefined, () => undefined);
  }

  /** Drop every timer (stop). */
  clearAll(): void {
    for (const m of [this.shelves, this.escalations]) {
      for (const a of m.values()) this.clock.clearTimer(a.handle);
      m.clear();
    }
  }

  private set(m: Map<string, Armed>, key: string, at: number | undefined, fire: () => void): void {
    const cur = m.get(key);
    if (cur?.at === at) return;
    if (cur) this.clock.clearTimer(cur.handle);
    if (at === undefined) { m.delete(key); return; }
    const handle = this.clock.setTimer(() => {
      if (m.get(key)?.handle !== handle) return;
      m.delete(key);
      fire();
    }, at - this.clock.now());
    m.set(key, { at, handle });
  }
}
