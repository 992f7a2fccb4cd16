/**
 * Showcase links: public, read-only, expiring links to the live view of one line (for
 * exhibitions and customer visits). List, create (the link shown once), revoke.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ShowcaseCreated, ShowcaseListResponse } from '../../../src/protocol/showcase-types.js';
import { getJson, sendJson } from '../api.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { SecretOnce } from '../components/secret-once.js';
import { formatDateTime, t } from '../i18n/index.js';
import { useAction, useLoad } from '../use-load.js';


/** The panel. `lines` are the plant's line paths, offered as scopes. */
export function ShowcasePanel({ lines }: { lines: readonly string[] }) {
  const links = useLoad(async (signal) => (await getJson<ShowcaseListResponse>('/api/v1/showcase', signal)).links);
  const [scope, setScope] = useState('');
  const [title, setTitle] = useState('');
  const [hours, setHours] = useState(24);
  const [created, setCreated] = useState<ShowcaseCreated | undefined>();
  const list = links.data ?? [];
  const { error, act } = useAction(links.reload);
  const submit = (ev: Event) => {
    ev.preventDefault();
    void act(async () => {
      const r = await sendJson<ShowcaseCreated>('POST', '/api/v1/showcase', { scope: scope || lines[0], title: title.trim() || (scope || lines[0]!), expiresHours: hours });
      // The server may answer a path; show the whole address to share.
      setCreated({ ...r, url: new URL(r.url, location.origin).href });
    });
  };
  const now = Date.now();
  return (
    <div class="access-panel" data-testid="showcase-panel">
      {created ? <SecretOnce label={t('showcase.linkCreated', { ts: formatDateTime(created.expiresTs) })} secret={created.url} note={t('showcase.linkNote')} onDismiss={() => setCreated(undefined)} /> : null}
      {links.error || error ? <p class="banner" role="alert">{error || links.error}</p> : null}
      <div class="table-wrap">
        <table class="access-table">
          <thead><tr><th>{t('showcase.title')}</th><th>{t('showcase.line')}</th><th>{t('access.expires')}</th><th>{t('access.owner')}</th><th /></tr></thead>
          <tbody>
            {list.map((s) => {
              const dead = s.revokedTs !== undefined || s.expiresTs <= now;
              return (
                <tr key={s.id} data-testid={`showcase-${s.id}`} class={dead ? 'row-off' : ''}>
                  <td><b>{s.title}</b></td>
                  <td class="small mono">{s.scope}</td>
                  <td class="small">{s.revokedTs !== undefined ? <span class="pill off">{t('access.revoked')}</span> : s.expiresTs <= now ? <span class="pill off">{t('showcase.expired')}</span> : formatDateTime(s.expiresTs)}</td>
                  <td class="small">{s.createdBy}</td>
                  <td class="actions">{dead ? null : <ConfirmButton label={t('access.revoke')} testid="showcase-revoke" onConfirm={() => act(() => sendJson('DELETE', `/api/v1/showcase/${encodeURIComponent(s.id)}`))} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <form class="panel form-grid" onSubmit={submit} data-testid="showcase-create">
        <h2>{t('showcase.new')}</h2>
        <label><span>{t('showcase.line')}</span>
          <select required value={scope || lines[0]} data-testid="showcase-scope" onChange={(e) => setScope((e.currentTarget as HTMLSelectElement).value)}>
            {lines.map((l) => <option value={l}>{l}</option>)}
          </select>
        </label>
        <label><span>{t('showcase.title')}</span><input maxLength={128} value={title} data-testid="showcase-title" onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('showcase.hours')}</span><input type="number" min={1} max={720} required value={hours} onInput={(e) => setHours(Number((e.currentTarget as HTMLInputElement).value))} /></label>
        <p class="muted small">{t('showcase.hint')}</p>
        <div><button class="btn primary" type="submit" disabled={lines.length === 0} data-testid="showcase-create-submit">{t('access.create')}</button></div>
      </form>
    </div>
  );
}
