/**
 * Add or change a notification target: an e-mail address or a webhook (URL and headers as JSON;
 * secret header values come back as ******** and are kept when sent back unchanged).
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiNotificationTarget } from '../../../src/protocol/alarm-types.js';
import { t } from '../i18n/index.js';
import { saveTarget } from './alarms-api.js';

/** The form; `initial` set means editing that target. */
export function TargetForm({ initial, onDone }: { initial?: ApiNotificationTarget; onDone: () => void }) {
  const [kind, setKind] = useState<ApiNotificationTarget['kind']>(initial?.kind ?? 'email');
  const [id, setId] = useState(initial?.id ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const [to, setTo] = useState(initial?.kind === 'email' ? initial.to : '');
  const [url, setUrl] = useState(initial?.kind === 'webhook' ? initial.url : '');
  const [headers, setHeaders] = useState(initial?.kind === 'webhook' && initial.headers ? JSON.stringify(initial.headers) : '');
  const [error, setError] = useState('');
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    try {
      let body: ApiNotificationTarget;
      if (kind === 'email') body = { id: id.trim(), kind, name: name.trim(), to: to.trim() };
      else {
        let h: Record<string, string> | undefined;
        if (headers.trim()) {
          try { h = JSON.parse(headers) as Record<string, string>; } catch (e) { throw new Error(t('oncall.badHeaders', { message: (e as Error).message })); }
        }
        body = { id: id.trim(), kind, name: name.trim(), url: url.trim(), ...(h ? { headers: h } : {}) };
      }
      await saveTarget(body, !!initial);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const inp = (v: string, set: (s: string) => void, testid: string, extra: Record<string, unknown> = {}) =>
    <input value={v} data-testid={testid} onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} {...extra} />;
  return (
    <form class="panel form-grid" onSubmit={(e) => void submit(e)} data-testid="target-form">
      <h2>{initial ? t('oncall.editTarget', { id: initial.id }) : t('oncall.addTarget')}</h2>
      {error ? <p class="form-error" role="alert" data-testid="target-error">{error}</p> : null}
      {initial ? null : <label><span>{t('rule.id')}</span>{inp(id, setId, 'target-id', { required: true, pattern: '[a-z0-9][a-z0-9_.\\-]*' })}</label>}
      <label><span>{t('oncall.kind')}</span>
        <select value={kind} disabled={!!initial} data-testid="target-kind" onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as ApiNotificationTarget['kind'])}>
          <option value="email">{t('oncall.email')}</option><option value="webhook">{t('oncall.webhook')}</option>
        </select>
      </label>
      <label><span>{t('rule.name')}</span>{inp(name, setName, 'target-name', { required: true })}</label>
      {kind === 'email'
        ? <label><span>{t('oncall.to')}</span>{inp(to, setTo, 'target-to', { required: true, type: 'email' })}</label>
        : <>
            <label><span>{t('oncall.url')}</span>{inp(url, setUrl, 'target-url', { required: true, type: 'url' })}</label>
            <label><span>{t('oncall.headers')}</span>{inp(headers, setHeaders, 'target-headers', { class: 'mono', placeholder: '{"authorization": "Bearer …"}' })}</label>
          </>}
      <div class="row">
        <button class="btn primary" type="submit" data-testid="target-save">{t('rule.save')}</button>
        <button class="btn" type="button" onClick={onDone}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
