/**
 * One connector in full (engineers): its tags with their problems, its settings to change as
 * JSON, removal, and for OPC UA the node picker.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ConnectorDetail, ConnectorInput } from '../../../src/protocol/connector-types.js';
import { getJson, sendJson } from '../api.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { formatDateTime, t } from '../i18n/index.js';
import { navigate, href } from '../router.js';
import { useAction, useLoad } from '../use-load.js';
import { ConnectorEditor } from './connector-editor.js';
import { NodePicker } from './node-picker.js';

/** The panel below the list. */
export function ConnectorDetailPanel({ id, onChanged }: { id: string; onChanged: () => void }) {
  const d = useLoad((signal) => getJson<ConnectorDetail>(`/api/v1/connectors/${encodeURIComponent(id)}`, signal), [id]);
  const [mode, setMode] = useState<'tags' | 'edit' | 'pick'>('tags');
  const { error, act } = useAction(() => { d.reload(); onChanged(); });
  if (!d.data) return <div class="panel">{d.error ? <p class="banner" role="alert">{d.error}</p> : <p class="muted">{t('trend.loading')}</p>}</div>;
  const { connector: c, definition, tags, issues } = d.data;
  const byTag = new Map(issues.map((i) => [i.tag, i]));
  const fromConfig = c.origin === 'config';
  const addNodes = (nodes: Array<{ nodeId: string; tag: string }>) => act(async () => {
    if (definition.kind !== 'opcua') return;
    const known = new Set((definition.settings.nodes ?? []).map((n) => n.nodeId));
    const next: ConnectorInput = { ...definition, settings: { ...definition.settings, nodes: [...(definition.settings.nodes ?? []), ...nodes.filter((n) => !known.has(n.nodeId))] } };
    await sendJson('PUT', `/api/v1/connectors/${encodeURIComponent(id)}`, next);
    setMode('tags');
  });
  return (
    <div class="panel conn-detail" data-testid="conn-detail">
      <div class="view-head">
        <h2 class="mono">{c.id}</h2>
        <nav class="tabs">
          <button type="button" class={mode === 'tags' ? 'on' : ''} onClick={() => setMode('tags')} data-testid="conn-tab-tags">{t('conn.tags')} ({tags.length})</button>
          {fromConfig ? null : <button type="button" class={mode === 'edit' ? 'on' : ''} onClick={() => setMode('edit')} data-testid="conn-tab-edit">{t('conn.settings')}</button>}
          {c.kind === 'opcua' && !fromConfig ? <button type="button" class={mode === 'pick' ? 'on' : ''} onClick={() => setMode('pick')} data-testid="conn-tab-pick">{t('conn.pick')}</button> : null}
        </nav>
        <span class="spacer" />
        {fromConfig ? <span class="muted small">{t('conn.fromConfigHint')}</span> : (
          <ConfirmButton label={t('access.delete')} testid="conn-delete" onConfirm={() => act(async () => {
            await sendJson('DELETE', `/api/v1/connectors/${encodeURIComponent(id)}`);
            navigate(href('connectors'));
          })} />
        )}
      </div>
      {error ? <p class="banner" role="alert" data-testid="conn-error">{error}</p> : null}
      {mode === 'edit' ? <ConnectorEditor initial={definition} onSaved={() => { setMode('tags'); d.reload(); onChanged(); }} />
        : mode === 'pick' ? <NodePicker connector={id} prefix={guessPrefix(tags.map((x) => x.path))} onAdd={addNodes} />
        : (
          <div class="table-wrap">
            <table class="access-table" data-testid="conn-tags">
              <thead><tr><th>{t('conn.tag')}</th><th>{t('conn.type')}</th><th>{t('conn.writable')}</th><th>{t('conn.problem')}</th></tr></thead>
              <tbody>
                {tags.map((x) => {
                  const issue = byTag.get(x.path);
                  return (
                    <tr key={x.path} class={issue ? 'row-bad' : ''}>
                      <td class="mono"><a href={href('trends', '', new URLSearchParams({ tag: x.path }))}>{x.path}</a></td>
                      <td>{x.type ?? '?'}{x.unit ? ` (${x.unit})` : ''}</td>
                      <td>{x.writable ? '✓' : ''}</td>
                      <td class="small">{issue ? <span class="error" title={formatDateTime(issue.since)}><span class="mono">{issue.code}</span> {issue.message}</span> : ''}</td>
                    </tr>
                  );
                })}
                {issues.filter((i) => !tags.some((x) => x.path === i.tag)).map((i) => (
                  <tr key={i.tag} class="row-bad"><td class="mono">{i.tag}</td><td /><td /><td class="small error"><span class="mono">{i.code}</span> {i.message}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}

/** The common asset path of a connector's tags: where picked nodes go by default. */
function guessPrefix(paths: string[]): string {
  if (paths.length === 0) return '';
  let levels = paths[0]!.split('/').slice(0, -1);
  for (const p of paths) {
    const l = p.split('/');
    let i = 0;
    while (i < levels.length && levels[i] === l[i]) i++;
    levels = levels.slice(0, i);
  }
  return levels.join('/');
}
