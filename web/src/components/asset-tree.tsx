/**
 * The ISA-95 asset tree (site → area → line → machine) as navigation, with each machine's state
 * dot. A side panel on wide screens, a drawer on narrow ones.
 * @module
 */
import type { ApiAsset } from '../../../src/protocol/api-types.js';
import { t } from '../i18n/index.js';
import { useLiveValues } from '../live/use-live.js';
import { isMachine, isProtocolFolder, isStale, machinesOf, stateClass } from '../plant-model.js';
import { href, type Route } from '../router.js';

/** Props of {@link AssetTree}. */
export interface AssetTreeProps {
  assets: readonly ApiAsset[];
  route: Route;
  onNavigate: () => void;
}

/** The tree. */
export function AssetTree({ assets, route, onNavigate }: AssetTreeProps) {
  const stateTags = machinesOf(assets).filter((m) => m.asset.tags.includes('state')).map((m) => `${m.asset.path}/state`);
  const values = useLiveValues(stateTags);
  const selected = route.view === 'plant' || route.view === 'machine' ? route.path : '';
  const node = (n: ApiAsset, depth: number) => {
    const machine = isMachine(n);
    const p = values.get(`${n.path}/state`);
    const link = machine ? href('machine', n.path) : href('plant', n.path);
    const active = selected === n.path;
    const label = (
      <a href={link} class={`tree-link${active ? ' active' : ''}`} onClick={onNavigate} data-testid={`tree-${n.path}`}>
        {machine ? <span class={`dot state-${isStale(p) ? 'stale' : stateClass(p)}`} aria-hidden="true" /> : null}
        <span class="tree-name">{n.name}</span>
      </a>
    );
    if (machine) return <li key={n.path}>{label}</li>;
    return (
      <li key={n.path}>
        <details open={depth < 2 || selected.startsWith(n.path)}>
          <summary>{label}</summary>
          <ul>{n.children.filter((c) => !isProtocolFolder(c)).map((c) => node(c, depth + 1))}</ul>
        </details>
      </li>
    );
  };
  return (
    <div class="tree" data-testid="asset-tree">
      <div class="panel-title">{t('tree.title')}</div>
      {assets.length === 0 ? <p class="muted small">{t('tree.empty')}</p> : <ul class="tree-root">{assets.map((a) => node(a, 0))}</ul>}
    </div>
  );
}
