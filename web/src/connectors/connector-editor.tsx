/**
 * Add or change a connector: id, kind, description, enabled, and its settings as JSON (with a
 * starting template per kind). The server checks everything and names what is wrong; nothing is
 * saved until it passes.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ConnectorInput } from '../../../src/protocol/connector-types.js';
import { sendJson } from '../api.js';
import { t } from '../i18n/index.js';
import { href, navigate } from '../router.js';

/** Starting settings of a new connector, by kind. */
const TEMPLATES: Record<ConnectorInput['kind'], unknown> = {
  opcua: {
    endpointUrl: 'opc.tcp://plc.plant.local:4840',
    securityMode: 'SignAndEncrypt',
    securityPolicy: 'Basic256Sha256',
    login: { kind: 'anonymous' },
    samplingIntervalMs: 1000,
    nodes: [{ nodeId: 'ns=2;s=Line1.Press.Temperature', tag: 'site/area/line-1/press-1/temperature' }],
  },
  modbus: {
    host: '10.0.0.20', port: 502, unitId: 1, timeoutMs: 1000,
    groups: [{ name: 'fast', intervalMs: 1000, registers: [{ tag: 'site/area/line-1/pump-1/flow', area: 'holding-register', address: 0, type: 'float32', unit: 'm³/h' }] }],
  },
};

/** The form; `initial` set means editing that connector. */
export function ConnectorEditor({ initial, onSaved }: { initial?: ConnectorInput; onSaved: () => void }) {
  const [kind, setKind] = useState<ConnectorInput['kind']>(initial?.kind ?? 'opcua');
  const [id, setId] = useState(initial?.id ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [text, setText] = useState(JSON.stringify(initial?.settings ?? TEMPLATES[kind], null, 2));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    let settings: unknown;
    try {
      settings = JSON.parse(text);
    } catch (e) {
      setError(t('conn.badJson', { message: (e as Error).message }));
      return;
    }
    const body = { id: id.trim(), kind, enabled, ...(description.trim() ? { description: description.trim() } : {}), settings } as ConnectorInput;
    setBusy(true);
    try {
      if (initial) await sendJson('PUT', `/api/v1/connectors/${encodeURIComponent(initial.id)}`, body);
      else await sendJson('POST', '/api/v1/connectors', body);
      onSaved();
      if (!initial) navigate(href('connectors', '', new URLSearchParams({ id: body.id })));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel form-grid conn-editor" onSubmit={(e) => void submit(e)} data-testid="conn-editor">
      <h2>{initial ? t('conn.edit', { id: initial.id }) : t('conn.add')}</h2>
      {error ? <p class="banner" role="alert" data-testid="conn-editor-error">{error}</p> : null}
      {initial ? null : (
        <>
          <label><span>{t('conn.id')}</span><input required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" value={id} data-testid="conn-id" onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} /></label>
          <label><span>{t('conn.kind')}</span>
            <select value={kind} data-testid="conn-kind" onChange={(e) => { const k = (e.currentTarget as HTMLSelectElement).value as ConnectorInput['kind']; setKind(k); setText(JSON.stringify(TEMPLATES[k], null, 2)); }}>
              <option value="opcua">OPC UA</option>
              <option value="modbus">Modbus TCP</option>
            </select>
          </label>
        </>
      )}
      <label><span>{t('access.description')}</span><input maxLength={256} value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} /></label>
      <label class="check"><input type="checkbox" checked={enabled} data-testid="conn-enabled" onChange={(e) => setEnabled((e.currentTarget as HTMLInputElement).checked)} /> {t('conn.enabled')}</label>
      <label><span>{t('conn.settings')}</span><textarea class="mono conn-json" rows={16} spellcheck={false} value={text} data-testid="conn-settings" onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      <p class="muted small">{t('conn.settingsHint')}</p>
      <div><button class="btn primary" type="submit" disabled={busy} data-testid="conn-save">{initial ? t('conn.save') : t('access.create')}</button></div>
    </form>
  );
}
