/**
 * A small modal that asks for a text before an alarm action: the shelve reason with a duration,
 * an out-of-service reason, a comment. Escape or Cancel closes it; the text is required.
 * @module
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDuration, t } from '../i18n/index.js';
import { SHELVE_MINUTES } from './alarm-model.js';

/** Props of {@link AlarmDialog}. */
export interface AlarmDialogProps {
  title: string;
  /** Label of the text field. */
  label: string;
  /** Offer a duration (shelving), at most `maxMinutes`. */
  withDuration?: boolean;
  maxMinutes?: number;
  submitLabel: string;
  onSubmit: (text: string, minutes: number) => Promise<void>;
  onClose: () => void;
}

/** The dialog. Errors from `onSubmit` stay in it, so the operator can change the text. */
export function AlarmDialog(p: AlarmDialogProps) {
  const [text, setText] = useState('');
  const choices = SHELVE_MINUTES.filter((m) => p.maxMinutes === undefined || m <= p.maxMinutes);
  const [minutes, setMinutes] = useState(choices[1] ?? choices[0] ?? 60);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    input.current?.focus();
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') p.onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError('');
    try {
      await p.onSubmit(text.trim(), minutes);
      p.onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="modal-scrim" onClick={(e) => { if (e.target === e.currentTarget) p.onClose(); }}>
      <div class="modal panel" role="dialog" aria-modal="true" aria-label={p.title} data-testid="alarm-dialog">
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <h2>{p.title}</h2>
        {error ? <p class="form-error" role="alert" data-testid="alarm-dialog-error">{error}</p> : null}
        <label><span>{p.label}</span>
          <textarea ref={input} rows={3} required maxLength={500} value={text} data-testid="alarm-dialog-text" onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
        {p.withDuration ? (
          <label><span>{t('alarm.shelveFor')}</span>
            <select value={minutes} data-testid="alarm-dialog-minutes" onChange={(e) => setMinutes(Number((e.currentTarget as HTMLSelectElement).value))}>
              {choices.map((m) => <option value={m}>{formatDuration(m * 60_000)}</option>)}
            </select>
          </label>
        ) : null}
        <div class="row">
          <button class="btn primary" type="submit" disabled={busy || !text.trim()} data-testid="alarm-dialog-submit">{p.submitLabel}</button>
          <button class="btn" type="button" onClick={p.onClose}>{t('common.cancel')}</button>
        </div>
      </form>
      </div>
    </div>
  );
}
