/**
 * Tenants (platform operators): list, create, rename, disable and enable.
 * @module
 */
import { useState } from 'preact/hooks';
import { formatDateTime, t } from '../i18n/index.js';
import { useAction, useLoad } from '../use-load.js';
import { createTenant, listTenants, updateTenant } from './access-api.js';

const splitGroups = (s: string) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/** The panel. */
export function TenantsPanel() {
  const tenants = useLoad((signal) => listTenants(signal));
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [groups, setGroups] = useState('');
  const { error, act } = useAction(tenants.reload);
  const submit = (ev: Event) => {
    ev.preventDefault();
    void act(async () => {
      await createTenant({ id: id.trim(), ...(name.trim() ? { name: name.trim() } : {}), sparkplugGroups: splitGroups(groups) });
      setId(''); setName(''); setGroups('');
    });
  };
  return (
    <div class="access-panel" data-testid="tenants-panel">
      {tenants.error || error ? <p class="banner" role="alert">{error || tenants.error}</p> : null}
      <div class="table-wrap">
        <table class="access-table">
          <thead><tr><th>{t('access.tenantId')}</th><th>{t('access.name')}</th><th>{t('access.sparkplugGroups')}</th><th>{t('access.state')}</th><th>{t('access.created')}</th><th /></tr></thead>
          <tbody>
            {(tenants.data ?? []).map((x) => (
              <tr key={x.id} data-testid={`tenant-${x.id}`} class={x.disabled ? 'row-off' : ''}>
                <td class="mono">{x.id}</td>
                <td>{x.name}</td>
                <td class="small mono">{x.sparkplugGroups.join(', ') || '—'}</td>
                <td>{x.disabled ? <span class="pill off">{t('access.disabled')}</span> : <span class="pill on">{t('access.enabled')}</span>}</td>
                <td class="muted small">{formatDateTime(x.createdTs)}</td>
                <td class="actions"><button class="btn small" onClick={() => void act(() => updateTenant(x.id, { disabled: !x.disabled }))}>{x.disabled ? t('access.enable') : t('access.disable')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="panel form-grid" onSubmit={submit} data-testid="tenant-create">
        <h2>{t('access.newTenant')}</h2>
        <label><span>{t('access.tenantId')}</span><input required maxLength={63} value={id} data-testid="tenant-id" onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('access.name')}</span><input maxLength={128} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('access.sparkplugGroups')}</span><input placeholder="acme:*, acme-line-1" value={groups} data-testid="tenant-groups" onInput={(e) => setGroups((e.currentTarget as HTMLInputElement).value)} /></label>
        <p class="muted small">{t('access.tenantHint')}</p>
        <div><button class="btn primary" type="submit" data-testid="tenant-create-submit">{t('access.create')}</button></div>
      </form>
    </div>
  );
}
