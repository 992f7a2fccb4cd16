/**
 * The dashboard shell: top bar, asset tree (side panel or drawer) and the routed view. Loads the
 * asset tree and refreshes it when the platform's tag count changes (new machines appear without
 * a reload).
 * @module
 */
import { useRef, useState } from 'preact/hooks';
import type { ApiAsset } from '../../src/protocol/api-types.js';
import { fetchAssets, fetchHealth } from './api.js';
import { AppHeader } from './components/app-header.js';
import { AssetTree } from './components/asset-tree.js';
import { lang, t } from './i18n/index.js';
import { useObservable } from './observable.js';
import { plantTimeZone } from './plant-model.js';
import { route, type Route } from './router.js';
import { invalidateTagCatalog } from './tag-catalog.js';
import { theme } from './theme.js';
import { usePolling } from './use-polling.js';
import { HealthView } from './views/health-view.js';
import { MachineView } from './views/machine-view.js';
import { PlantView } from './views/plant-view.js';
import { TrendsView } from './views/trends-view.js';

/**
 * Asset tree, re-fetched when the number of tags changes (checked every 2 s). New tags also make
 * the cached tag catalog stale: it would lack their units.
 */
function useAssets(): { tenant: string; assets: ApiAsset[]; error: string } {
  const [state, setState] = useState({ tenant: '', assets: [] as ApiAsset[], error: '' });
  const tags = useRef(-1);
  usePolling(async (alive) => {
    const h = await fetchHealth();
    if (h.ingest.tags === tags.current) return;
    const a = await fetchAssets();
    // Not on the first load: no view has a catalog older than the tree yet.
    if (tags.current !== -1) invalidateTagCatalog();
    tags.current = h.ingest.tags;
    if (alive()) setState({ tenant: a.tenant, assets: a.assets, error: '' });
  }, 2000, (error) => setState((s) => ({ ...s, error })));
  return state;
}

/** The asset a view is about, for the plant clock: a trend's is its first pen's. */
function viewedAsset(r: Route): string {
  if (r.view === 'plant' || r.view === 'machine') return r.path;
  if (r.view === 'trends') return r.params.get('tag') ?? '';
  return '';
}

/** The app. */
export function App() {
  const r = useObservable(route);
  const l = useObservable(lang);
  const th = useObservable(theme);
  const { tenant, assets, error } = useAssets();
  const [drawer, setDrawer] = useState(false);
  const timeZone = plantTimeZone(assets, viewedAsset(r));
  return (
    <div class={`shell${drawer ? ' drawer-open' : ''}`}>
      <AppHeader view={r.view} tenant={tenant} timeZone={timeZone} onMenu={() => setDrawer(!drawer)} />
      <aside class="side" data-testid="drawer" aria-label={t('tree.title')}>
        <AssetTree assets={assets} route={r} onNavigate={() => setDrawer(false)} />
      </aside>
      <div class="scrim" onClick={() => setDrawer(false)} aria-hidden="true" />
      <main class="main">
        {error ? <div class="banner error" role="alert">{t('error.load', { message: error })} {t('error.retrying')}</div> : null}
        {r.view === 'plant' ? <PlantView assets={assets} path={r.path} />
          : r.view === 'machine' ? <MachineView assets={assets} path={r.path} />
          : r.view === 'trends' ? <TrendsView route={r} timeZone={timeZone} look={`${th}|${l}`} />
          : <HealthView />}
      </main>
    </div>
  );
}
