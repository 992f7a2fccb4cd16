/**
 * One command from the confirm step to its end: "Set <tag> from X to Y?" with the interlock's
 * verdict, then the lifecycle as it happens (polled every 500 ms until final): sent →
 * acknowledged → succeeded with the value read back, or failed / expired / rejected with the
 * reason. Critical tags wait for a second person's approval in between.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiCommand, CommandCreated } from '../../../src/protocol/command-types.js';
import { ApiCallError } from '../api.js';
import { formatDateTime, formatNumber, t } from '../i18n/index.js';
import { tagLabel } from '../plant-model.js';
import { commandStep, fetchCommand, FINAL_STATES } from './commands-api.js';

/** A tag value for people: locale digits and the unit for numbers. */
export function valueWords(v: unknown, unit = ''): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number') return `${formatNumber(v)}${unit ? ` ${unit}` : ''}`;
  return String(v);
}

/** A command's action in words: "spindle speed sp → 1,200 rpm", "stop". */
export function actionWords(c: ApiCommand, unit = ''): string {
  return c.kind === 'write' ? `${tagLabel(c.tag.slice(c.tag.lastIndexOf('/') + 1))} → ${valueWords(c.value, unit)}` : t('cmd.callWords', { method: c.method ?? '' });
}

/** An API failure in the words of the command panel. */
export function commandError(e: unknown): string {
  if (!(e instanceof ApiCallError)) return t('login.unreachable');
  switch (e.code) {
    case 'LIGHTSOUT_INTERLOCK': return t('cmd.err.interlock', { message: e.message });
    case 'LIGHTSOUT_RATE_LIMITED': return t('cmd.err.rate', { n: e.retryAfterSeconds ?? 60 });
    case 'LIGHTSOUT_FORBIDDEN': return t('cmd.err.forbidden', { message: e.message });
    case 'LIGHTSOUT_EXPIRED': return t('cmd.err.expired');
    case 'LIGHTSOUT_NOT_WRITABLE': return t('cmd.err.notWritable', { message: e.message });
    default: return e.message;
  }
}

/** Props of {@link CommandFlow}. */
export interface CommandFlowProps {
  /** The request's answer (confirm step), or a command to follow (after an approval). */
  start: CommandCreated;
  unit: string;
  onClose: () => void;
}

/** The confirm step and the live lifecycle. */
export function CommandFlow({ start, unit, onClose }: CommandFlowProps) {
  const [cmd, setCmd] = useState<ApiCommand>(start.command);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const awaitingMe = cmd.state === 'awaiting-confirmation';
  const final = FINAL_STATES.has(cmd.state);

  // Follow the command until it ends (not while it waits for this user's confirmation).
  useEffect(() => {
    if (awaitingMe || final) return;
    let stop = false;
    const id = setInterval(() => {
      fetchCommand(cmd.id).then((c) => { if (!stop) setCmd(c); }, (e: unknown) => { if (!stop) setError(commandError(e)); });
    }, 500);
    return () => { stop = true; clearInterval(id); };
  }, [cmd.id, awaitingMe, final]);

  const step = async (s: 'confirm' | 'cancel') => {
    setBusy(true);
    setError('');
    try {
      setCmd(await commandStep(cmd.id, s));
    } catch (e) {
      setError(commandError(e));
      // The server may have moved it on meanwhile (expired, rejected by the interlock): show that.
      fetchCommand(cmd.id).then(setCmd, () => undefined);
    } finally {
      setBusy(false);
    }
  };

  const il = start.interlock;
  const target = cmd.kind === 'write' ? cmd.tag : cmd.machine ?? cmd.tag;
  return (
    <div class={`cmd-flow cmd-${cmd.state}`} data-testid="cmd-flow" data-state={cmd.state} role="region" aria-live="polite">
      <div class="cmd-question" data-testid="cmd-question">
        {cmd.kind === 'write'
          ? t('cmd.confirmWrite', { tag: tagLabel(cmd.tag.slice(cmd.tag.lastIndexOf('/') + 1)), from: valueWords(start.currentValue ?? cmd.previousValue, unit), to: valueWords(cmd.value, unit) })
          : t('cmd.confirmCall', { method: cmd.method ?? '', machine: cmd.machine ?? '' })}
      </div>
      <div class="muted small mono">{target}</div>
      {il ? (
        <div class={`interlock ${il.holds ? 'holds' : 'fails'}`} data-testid="cmd-interlock" data-holds={String(il.holds)}>
          <b>{il.holds ? t('cmd.interlockHolds') : t('cmd.interlockFails')}</b> <code class="mono">{il.expression}</code>
          {Object.keys(il.values).length > 0 ? <span class="muted small"> · {Object.entries(il.values).map(([k, v]) => `${k} = ${v === null ? '—' : String(v)}`).join(', ')}</span> : null}
          {il.reason ? <div class="small">{il.reason}</div> : null}
        </div>
      ) : <div class="interlock none muted small">{t('cmd.noInterlock')}</div>}
      {cmd.critical ? <div class="cmd-critical small">{t('cmd.criticalNote')}</div> : null}
      {awaitingMe ? (
        <div class="row">
          <button class="btn primary" disabled={busy} data-testid="cmd-confirm" onClick={() => void step('confirm')}>{t('cmd.confirm')}</button>
          <button class="btn" disabled={busy} data-testid="cmd-cancel" onClick={() => void step('cancel')}>{t('common.cancel')}</button>
          <span class="muted small">{t('cmd.validUntil', { ts: formatDateTime(cmd.expiresTs, { dateStyle: undefined }) })}</span>
        </div>
      ) : (
        <>
          <ol class="cmd-steps" data-testid="cmd-steps">
            {cmd.history.map((h) => (
              <li class={`step-${h.state}`}><span class="step-state">{t(`cmd.state.${h.state}`)}</span> <span class="muted small">{formatDateTime(h.ts, { dateStyle: undefined })}{h.by ? ` · ${h.by}` : ''}</span>{h.reason ? <div class="small">{h.reason}</div> : null}</li>
            ))}
          </ol>
          <div class="cmd-result" data-testid="cmd-state" data-state={cmd.state}>
            {cmd.state === 'awaiting-approval' ? t('cmd.awaitingApproval')
              : cmd.state === 'succeeded' ? (cmd.kind === 'write' ? t('cmd.succeededReadback', { value: valueWords(cmd.readbackValue, unit) }) : t('cmd.succeeded'))
              : final ? t('cmd.ended', { state: t(`cmd.state.${cmd.state}`), reason: cmd.reason ?? '' })
              : t('cmd.inProgress', { state: t(`cmd.state.${cmd.state}`) })}
          </div>
          {cmd.state === 'awaiting-approval' || cmd.state === 'queued' ? <button class="btn small" disabled={busy} onClick={() => void step('cancel')}>{t('cmd.withdraw')}</button> : null}
          {final ? <button class="btn small" data-testid="cmd-close" onClick={onClose}>{t('common.done')}</button> : null}
        </>
      )}
      {error ? <p class="form-error" role="alert" data-testid="cmd-error">{error}</p> : null}
    </div>
  );
}
