/**
 * The dashboard shell: top bar, asset tree (side panel or drawer) and the routed view. Loads the
 * asset tree and refreshes it when the platform's tag count changes (new machines appear without
 * a reload).
 * @module
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Me } from '../../src/protocol/auth-types.js';
import type { ApiAsset } from '../../src/protocol/api-types.js';
import { fetchAssets, fetchHealth } from './api.js';
import { AppHeader } from './components/app-header.js';
import { AssetTree } from './components/asset-tree.js';
import { lang, t } from './i18n/index.js';
import { useObservable } from './observable.js';
import { plantTimeZone } from './plant-model.js';
import { navigate, route, type Route } from './router.js';
import { invalidateTagCatalog } from './tag-catalog.js';
import { theme } from './theme.js';
import { usePolling } from './use-polling.js';
import { refreshMe, session } from './auth/session.js';
import { ApprovalBanner } from './commands/approval-banner.js';
import { live } from './live/live-client.js';
import { ConnectorsView } from './connectors/connectors-view.js';
import { AlarmConsole } from './alarms/alarm-console.js';
import { AlarmFiguresView } from './alarms/alarm-figures-view.js';
import { AlarmHistoryView } from './alarms/alarm-history-view.js';
import { OnCallView } from './alarms/oncall-view.js';
import { RulesView } from './alarms/rules-view.js';
import { AccessView } from './views/access-view.js';
import { AuditView } from './views/audit-view.js';
import { HealthView } from './views/health-view.js';
import { LoginView } from './views/login-view.js';
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

/**
 * The app: the login screen until the API knows the page, then the dashboard. The live hub is
 * connected only while logged in.
 */
export function App() {
  const s = useObservable(session);
  const r = useObservable(route);
  useEffect(() => {
    // A one-time link logs in by itself (the login view redeems it); anything else asks who we are.
    if (!(r.view === 'login' && r.params.has('once'))) void refreshMe();
    return session.subscribe((now) => {
      if (typeof now !== 'string') return;
      // Logged out: drop what this user could see; the next user may be granted less.
      live.stop();
      invalidateTagCatalog();
    });
  }, []);
  useEffect(() => {
    if (typeof s !== 'string') live.start();
    if (typeof s !== 'string' && r.view === 'login' && !r.params.has('once')) navigate('#/plant', true);
  }, [s, r.view]);
  if (s === 'checking' && !(r.view === 'login' && r.params.has('once'))) return <div class="boot" aria-busy="true" />;
  if (typeof s === 'string' || r.view === 'login') return <LoginView />;
  return <Dashboard me={s} />;
}

/** The dashboard of a logged-in user. */
function Dashboard({ me }: { me: Me }) {
  const r = useObservable(route);
  const l = useObservable(lang);
  const th = useObservable(theme);
  const { tenant, assets, error } = useAssets();
  const [drawer, setDrawer] = useState(false);
  const timeZone = plantTimeZone(assets, viewedAsset(r));
  return (
    <div class={`shell${drawer ? ' drawer-open' : ''}`}>
      <AppHeader view={r.view} tenant={tenant || me.tenant} timeZone={timeZone} onMenu={() => setDrawer(!drawer)} me={me} />
      <aside class="side" data-testid="drawer" aria-label={t('tree.title')}>
        <AssetTree assets={assets} route={r} onNavigate={() => setDrawer(false)} />
      </aside>
      <div class="scrim" onClick={() => setDrawer(false)} aria-hidden="true" />
      <main class="main">
        {error ? <div class="banner error" role="alert">{t('error.load', { message: error })} {t('error.retrying')}</div> : null}
        <ApprovalBanner me={me} viewing={r.view === 'machine' ? r.path : ''} />
        {r.view === 'plant' ? <PlantView assets={assets} path={r.path} />
          : r.view === 'machine' ? <MachineView assets={assets} path={r.path} me={me} />
          : r.view === 'access' ? <AccessView me={me} assets={assets} />
          : r.view === 'audit' ? <AuditView />
          : r.view === 'connectors' ? <ConnectorsView me={me} />
          : r.view === 'alarms' ? <AlarmConsole me={me} />
          : r.view === 'alarm-history' ? <AlarmHistoryView />
          : r.view === 'rules' ? <RulesView me={me} assets={assets} />
          : r.view === 'alarm-figures' ? <AlarmFiguresView />
          : r.view === 'on-call' ? <OnCallView me={me} />
          : r.view === 'trends' ? <TrendsView route={r} timeZone={timeZone} look={`${th}|${l}`} />
          : <HealthView />}
      </main>
    </div>
  );
}
