/**
 * Connectors (`#/connectors?id=`): every OPC UA and Modbus TCP connector of the tenant with its
 * state, last error and rates, refreshed every 2 s. Engineers open one to see its tags and their
 * problems, change or remove it, pick OPC UA nodes, or add a new connector.
 * @module
 */
import type { Me } from '../../../src/protocol/auth-types.js';
import type { ConnectorView } from '../../../src/protocol/connector-types.js';
import { canSomewhere } from '../auth/session.js';
import { getJson } from '../api.js';
import { formatDateTime, formatNumber, t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { href, route } from '../router.js';
import { useState } from 'preact/hooks';
import { usePolling } from '../use-polling.js';
import { ConnectorDetailPanel } from './connector-detail.js';
import { ConnectorEditor } from './connector-editor.js';

/** The chip colour of a state. */
export function stateClass(state: ConnectorView['state']): string {
  return state === 'connected' ? 'state-running' : state === 'stopped' ? 'state-fault' : 'state-idle';
}

/** The view. */
export function ConnectorsView({ me }: { me: Me }) {
  const r = useObservable(route);
  const [list, setList] = useState<{ data: ConnectorView[] | undefined; error: string }>({ data: undefined, error: '' });
  const [n, setN] = useState(0);
  usePolling(async (alive) => {
    const data = (await getJson<{ connectors: ConnectorView[] }>('/api/v1/connectors')).connectors;
    if (alive()) setList({ data, error: '' });
  }, 2000, (error) => setList((s) => ({ ...s, error })), [n]);
  const engineer = canSomewhere(me, 'engineer') && me.grants.some((g) => g.scope === '' && (g.role === 'engineer' || g.role === 'admin'));
  const selected = r.params.get('id');
  const adding = r.params.get('new') === '1';
  const reload = () => setN((x) => x + 1);
  return (
    <section class="view connectors-view" data-testid="connectors-view">
      <div class="view-head">
        <h1>{t('conn.title')}</h1>
        <span class="muted">{t('conn.subtitle')}</span>
        {engineer ? <a class="btn primary" href={href('connectors', '', new URLSearchParams({ new: '1' }))} data-testid="conn-add">{t('conn.add')}</a> : null}
      </div>
      {list.error ? <p class="banner" role="alert">{t('error.load', { message: list.error })}</p> : null}
      {adding && engineer ? <ConnectorEditor onSaved={reload} /> : null}
      <div class="table-wrap">
        <table class="access-table" data-testid="conn-table">
          <thead><tr>
            <th>{t('conn.id')}</th><th>{t('conn.kind')}</th><th>{t('conn.state')}</th><th class="r">{t('conn.pointsPerSecond')}</th>
            <th class="r">{t('conn.errorsPerSecond')}</th><th class="r">{t('conn.tags')}</th><th>{t('conn.lastError')}</th>
          </tr></thead>
          <tbody>
            {(list.data ?? []).map((c) => (
              <tr key={c.id} data-testid={`conn-${c.id}`} class={c.id === selected ? 'row-selected' : ''}>
                <td class="mono"><a href={href('connectors', '', new URLSearchParams({ id: c.id }))}>{c.id}</a>{c.description ? <div class="muted small">{c.description}</div> : null}</td>
                <td>{c.kind === 'opcua' ? 'OPC UA' : 'Modbus TCP'}{c.origin === 'config' ? <div class="muted small">{t('conn.fromConfig')}</div> : null}</td>
                <td><span class={`state-chip small ${stateClass(c.state)}`} data-testid="conn-state">{c.state}</span><div class="muted small">{t('health.since')} {formatDateTime(c.since)}</div></td>
                <td class="r">{formatNumber(c.pointsPerSecond, 1)}</td>
                <td class="r">{formatNumber(c.errorsPerSecond, 1)}</td>
                <td class="r">{formatNumber(c.tags, 0)}{c.tagIssues > 0 ? <div class="error small" data-testid="conn-issues">{t('conn.issues', { n: c.tagIssues })}</div> : null}</td>
                <td class="small conn-error">{c.lastError ?? ''}{c.attempts ? <div class="muted">{t('conn.attempts', { n: c.attempts })}</div> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && list.data.length === 0 ? <p class="muted">{t('conn.none')}</p> : null}
      </div>
      {selected && engineer ? <ConnectorDetailPanel id={selected} onChanged={reload} key={selected} /> : null}
    </section>
  );
}
