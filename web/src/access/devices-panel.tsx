/**
 * Devices (MQTT credentials): list, add (the password shown once), delete.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiDevice, DeviceCreated, DeviceCreateRequest } from '../../../src/protocol/device-types.js';
import { getJson, sendJson } from '../api.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { SecretOnce } from '../components/secret-once.js';
import { formatDateTime, t } from '../i18n/index.js';
import { useAction, useLoad } from '../use-load.js';


/** The panel. */
export function DevicesPanel() {
  const devices = useLoad(async (signal) => (await getJson<{ devices: ApiDevice[] }>('/api/v1/devices', signal)).devices);
  const [id, setId] = useState('');
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState<{ label: string; value: string } | undefined>();
  const { error, act } = useAction(devices.reload);
  const submit = (ev: Event) => {
    ev.preventDefault();
    void act(async () => {
      // No password in the request: the server generates one and shows it this once.
      const req: DeviceCreateRequest = { id: id.trim(), ...(description.trim() ? { description: description.trim() } : {}) };
      const r = await sendJson<DeviceCreated>('POST', '/api/v1/devices', req);
      if (r.password) setSecret({ label: t('access.devicePassword', { id: r.device.id }), value: r.password });
      setId(''); setDescription('');
    });
  };
  return (
    <div class="access-panel" data-testid="devices-panel">
      {secret ? <SecretOnce label={secret.label} secret={secret.value} onDismiss={() => setSecret(undefined)} /> : null}
      {devices.error || error ? <p class="banner" role="alert">{error || devices.error}</p> : null}
      <div class="table-wrap">
        <table class="access-table">
          <thead><tr><th>{t('access.deviceId')}</th><th>{t('access.description')}</th><th>{t('access.state')}</th><th>{t('access.created')}</th><th /></tr></thead>
          <tbody>
            {(devices.data ?? []).map((d) => (
              <tr key={d.id} data-testid={`device-${d.id}`} class={d.disabled ? 'row-off' : ''}>
                <td class="mono">{d.id}</td>
                <td>{d.description ?? ''}</td>
                <td>{d.disabled ? <span class="pill off">{t('access.disabled')}</span> : <span class="pill on">{t('access.enabled')}</span>}</td>
                <td class="muted small">{formatDateTime(d.createdTs)}</td>
                <td class="actions"><ConfirmButton label={t('access.delete')} testid="device-delete" onConfirm={() => act(() => sendJson('DELETE', `/api/v1/devices/${encodeURIComponent(d.id)}`))} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="panel form-grid" onSubmit={submit} data-testid="device-create">
        <h2>{t('access.newDevice')}</h2>
        <label><span>{t('access.deviceId')}</span><input required maxLength={128} value={id} data-testid="device-id" onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('access.description')}</span><input maxLength={256} value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} /></label>
        <p class="muted small">{t('access.deviceHint')}</p>
        <div><button class="btn primary" type="submit" data-testid="device-create-submit">{t('access.create')}</button></div>
      </form>
    </div>
  );
}
