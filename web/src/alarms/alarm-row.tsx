/**
 * One alarm in the console: priority, time, where, what, value and state, and the actions its
 * state allows to the user's role on its area (acknowledge, reset, shelve, unshelve, comment;
 * engineers also out of service / in service).
 * @module
 */
import type { ApiAlarm } from '../../../src/protocol/alarm-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { can } from '../auth/session.js';
import { formatDateTime, formatNumber, t } from '../i18n/index.js';
import { href } from '../router.js';
import { ClockIcon } from './alarm-icons.js';
import { actionsFor, isUnacked } from './alarm-model.js';
import { priorityLabel, stateLabel } from './alarm-labels.js';

/** What a row asks its console to do. */
export type RowRequest = 'ack' | 'reset' | 'unshelve' | 'in-service' | 'shelve' | 'comment' | 'out-of-service';

/** Props of {@link AlarmRow}. */
export interface AlarmRowProps {
  alarm: ApiAlarm;
  me: Me;
  busy: boolean;
  onRequest: (a: ApiAlarm, r: RowRequest) => void;
}

function valueText(v: ApiAlarm['value']): string {
  return v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : String(v);
}

/** The row. */
export function AlarmRow({ alarm: a, me, busy, onRequest }: AlarmRowProps) {
  const op = can(me, 'operator', a.area);
  const eng = can(me, 'engineer', a.area);
  const x = actionsFor(a);
  const btn = (r: RowRequest, label: string, primary = false) => (
    <button class={`btn small${primary ? ' primary' : ''}`} disabled={busy} data-testid={`alarm-${r}`} onClick={() => onRequest(a, r)}>{label}</button>
  );
  const last = a.comments?.[0];
  return (
    <tr class={`alarm-row prio-${a.priority} st-${a.state}${isUnacked(a) ? ' unacked' : ''}`} data-testid="alarm-row" data-alarm={a.id} data-state={a.state}>
      <td><span class={`prio-chip prio-${a.priority}`}>{priorityLabel(a.priority)}</span></td>
      <td class="small alarm-time">{formatDateTime(a.activeTs ?? a.stateTs)}</td>
      <td class="mono small alarm-area"><a href={href('machine', a.area)}>{a.area}</a></td>
      <td class="alarm-text">
        <div class="alarm-msg" data-testid="alarm-message">{a.message}</div>
        <div class="muted small">{a.ruleName}{a.raiseCount > 1 ? ` · ${t('alarm.raises', { n: a.raiseCount })}` : ''}</div>
        {a.shelved ? <div class="muted small">{t('alarm.shelvedBy', { by: a.shelved.by, until: formatDateTime(a.shelved.untilTs), reason: a.shelved.reason })}</div> : null}
        {a.outOfService ? <div class="muted small">{t('alarm.oosBy', { by: a.outOfService.by, reason: a.outOfService.reason })}</div> : null}
        {last ? <div class="muted small alarm-comment">{last.by}: “{last.text}”</div> : null}
      </td>
      <td class="r value">{valueText(a.value)}</td>
      <td class="alarm-state-cell">
        <span class={`state-chip alarm-state st-${a.state}`} data-testid="alarm-state">{stateLabel(a.state)}</span>
        {a.ackedBy && !isUnacked(a) ? <div class="muted small">{t('alarm.ackedBy', { by: a.ackedBy })}</div> : null}
      </td>
      <td class="actions"><div class="row-actions">
        {op && x.ack ? btn('ack', t('alarm.ack'), true) : null}
        {op && x.reset ? btn('reset', t('alarm.reset'), true) : null}
        {op && x.unshelve ? btn('unshelve', t('alarm.unshelve')) : null}
        {op && x.shelve ? btn('shelve', t('alarm.shelve')) : null}
        {op ? btn('comment', t('alarm.comment')) : null}
        {eng && x.outOfService ? btn('out-of-service', t('alarm.outOfService')) : null}
        {eng && x.inService ? btn('in-service', t('alarm.inService')) : null}
        <a class="btn small" href={href('alarm-history', '', new URLSearchParams({ alarm: a.id }))} title={t('alarm.historyOf')} aria-label={t('alarm.historyOf')}><ClockIcon /></a>
      </div></td>
    </tr>
  );
}
