/**
 * What an alarm notification says: the subject and text of the e-mail and the JSON a webhook
 * receives (`{ tenant, event, alarm, person?, step?, roster? }`).
 * @module
 */
import type { AlarmRecord } from '../core/alarm-port.js';
import type { OutgoingMessage } from './notification-senders.js';

/** Why a message is sent: the raise, an escalation step, or a test from the target's page. */
export type NotificationEvent = 'raise' | 'escalate' | 'test';

/** Who is paged, when the message comes from a roster. */
export interface PagedPerson {
  person: string;
  step: number;
  roster: string;
}

/** The alarm fields a receiver needs (no internal bookkeeping). */
export function alarmPayload(a: AlarmRecord): Record<string, unknown> {
  return {
    id: a.id, ruleName: a.ruleName, area: a.area, priority: a.priority, state: a.state, message: a.message,
    ...(a.value !== undefined ? { value: a.value } : {}),
    ...(a.activeTs !== undefined ? { activeTs: a.activeTs } : {}),
    raiseCount: a.raiseCount,
  };
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** `2026-11-27 10:00:00 (Asia/Shanghai)`; the formatter of each zone is made once. */
function localTime(ts: number, zone: string): string {
  try {
    let f = clocks.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
      clocks.set(zone, f);
    }
    return `${f.format(new Date(ts))} (${zone})`;
  } catch {
    return new Date(ts).toISOString();
  }
}

/** The message of an alarm notification. `zone` is the site's, for the time shown to people. */
export function alarmMessage(a: AlarmRecord, event: NotificationEvent, zone: string, paged?: PagedPerson): OutgoingMessage {
  const prefix = event === 'escalate' ? 'Escalation: ' : event === 'test' ? 'Test: ' : '';
  const subject = `${prefix}[${a.priority.toUpperCase()}] ${a.ruleName}${a.area ? ` — ${a.area}` : ''}`.slice(0, 300);
  const lines = [
    a.message,
    '',
    `Priority: ${a.priority}`,
    `Area: ${a.area || '(test)'}`,
    `Alarm: ${a.id}`,
    `State: ${a.state}`,
  ];
  if (a.activeTs !== undefined) lines.push(`Raised: ${localTime(a.activeTs, zone)}`);
  if (a.value !== undefined) lines.push(`Value: ${String(a.value)}`);
  if (paged) {
    lines.push('', event === 'escalate'
      ? `Nobody acknowledged it in time: ${paged.person} is told next (step ${paged.step + 1} of roster "${paged.roster}").`
      : `${paged.person} is on call (roster "${paged.roster}").`);
  }
  if (event === 'test') lines.push('', 'This is a test message from Lightsout: the target works.');
  else lines.push('', 'Acknowledge it in the Lightsout alarm console.');
  return {
    subject,
    body: `${lines.join('\n')}\n`,
    payload: {
      tenant: a.tenant, event, alarm: alarmPayload(a),
      ...(paged ? { person: paged.person, step: paged.step, roster: paged.roster } : {}),
    },
  };
}
