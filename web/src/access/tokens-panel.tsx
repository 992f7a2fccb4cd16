/**
 * API tokens: list, create (name, expiry, grants; the secret shown once with a copy button),
 * revoke.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiGrant } from '../../../src/protocol/auth-types.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { SecretOnce } from '../components/secret-once.js';
import { grantText } from '../components/user-menu.js';
import { formatDateTime, t } from '../i18n/index.js';
import { useAction, useLoad } from '../use-load.js';
import { createToken, listTokens, revokeToken } from './access-api.js';
import { GrantsEditor } from './grants-editor.js';

/** The panel. */
export function TokensPanel({ listId }: { listId: string }) {
  const tokens = useLoad((signal) => listTokens(signal));
  const [name, setName] = useState('');
  const [days, setDays] = useState(90);
  const [own, setOwn] = useState(true);
  const [grants, setGrants] = useState<ApiGrant[]>([{ role: 'viewer', scope: '' }]);
  const [secret, setSecret] = useState<{ label: string; value: string } | undefined>();
  const { error, act } = useAction(tokens.reload);
  const submit = (ev: Event) => {
    ev.preventDefault();
    void act(async () => {
      const r = await createToken({ name: name.trim(), expiresDays: days, ...(own ? {} : { grants }) });
      setSecret({ label: t('access.tokenSecret', { name: r.token.name }), value: r.secret });
      setName('');
    });
  };
  const revoke = (id: string) => act(() => revokeToken(id));
  const now = Date.now();
  return (
    <div class="access-panel" data-testid="tokens-panel">
      {secret ? <SecretOnce label={secret.label} secret={secret.value} onDismiss={() => setSecret(undefined)} /> : null}
      {tokens.error || error ? <p class="banner" role="alert">{error || tokens.error}</p> : null}
      <div class="table-wrap">
        <table class="access-table">
          <thead><tr><th>{t('access.name')}</th><th>{t('access.owner')}</th><th>{t('access.grants')}</th><th>{t('access.expires')}</th><th>{t('access.lastUsed')}</th><th /></tr></thead>
          <tbody>
            {(tokens.data ?? []).map((k) => {
              const dead = k.revokedTs !== undefined || k.expiresTs <= now;
              return (
                <tr key={k.id} data-testid={`token-${k.name}`} class={dead ? 'row-off' : ''}>
                  <td><b>{k.name}</b> <span class="muted mono small">{k.id}</span></td>
                  <td class="small">{k.owner}</td>
                  <td class="small">{k.grants.map(grantText).join(', ')}</td>
                  <td class="small">{k.revokedTs !== undefined ? <span class="pill off">{t('access.revoked')}</span> : k.expiresTs >= 8.64e15 ? t('access.never') : formatDateTime(k.expiresTs)}</td>
                  <td class="muted small">{k.lastUsedTs !== undefined ? formatDateTime(k.lastUsedTs) : '—'}</td>
                  <td class="actions">{dead ? null : <ConfirmButton label={t('access.revoke')} testid="token-revoke" onConfirm={() => revoke(k.id)} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <form class="panel form-grid" onSubmit={submit} data-testid="token-create">
        <h2>{t('access.newToken')}</h2>
        <label><span>{t('access.name')}</span><input required maxLength={64} value={name} data-testid="token-name" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('access.expiresDays')}</span><input type="number" min={1} max={3650} required value={days} onInput={(e) => setDays(Number((e.currentTarget as HTMLInputElement).value))} /></label>
        <label class="check"><input type="checkbox" checked={own} onChange={(e) => setOwn((e.currentTarget as HTMLInputElement).checked)} />{t('access.tokenOwnGrants')}</label>
        {own ? null : <div class="field"><span>{t('access.grants')}</span><GrantsEditor grants={grants} onChange={setGrants} listId={listId} /></div>}
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        <div><button class="btn primary" type="submit" data-testid="token-create-submit">{t('access.create')}</button></div>
      </form>
    </div>
  );
}
