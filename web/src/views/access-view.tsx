/**
 * Access administration (`#/access?tab=`): users, API tokens, devices, showcase links, and tenants
 * for platform operators. Each tab is its own panel; the plant's asset paths are offered as grant
 * scopes and showcase lines.
 * @module
 */
import type { ApiAsset } from '../../../src/protocol/api-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { DevicesPanel } from '../access/devices-panel.js';
import { ShowcasePanel } from '../access/showcase-panel.js';
import { TenantsPanel } from '../access/tenants-panel.js';
import { TokensPanel } from '../access/tokens-panel.js';
import { UsersPanel } from '../access/users-panel.js';
import { can, canSomewhere } from '../auth/session.js';
import { t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { isMachine, isProtocolFolder, machinesOf } from '../plant-model.js';
import { href, route } from '../router.js';

type Tab = 'users' | 'tokens' | 'devices' | 'showcase' | 'tenants';

/** Every asset path above the machines (sites, areas, lines) and the machines, in tree order. */
function assetPaths(assets: readonly ApiAsset[]): string[] {
  const out: string[] = [];
  const walk = (n: ApiAsset): void => {
    if (isProtocolFolder(n)) return;
    out.push(n.path);
    if (!isMachine(n)) n.children.forEach(walk);
  };
  assets.forEach(walk);
  return out;
}

/** The view. */
export function AccessView({ me, assets }: { me: Me; assets: readonly ApiAsset[] }) {
  const r = useObservable(route);
  const admin = canSomewhere(me, 'admin');
  const tabs: Tab[] = admin ? ['users', 'tokens', 'devices', 'showcase'] : canSomewhere(me, 'engineer') ? ['tokens', 'showcase'] : ['tokens'];
  if (me.platformOperator) tabs.push('tenants');
  const asked = r.params.get('tab') as Tab | null;
  const tab: Tab = asked && tabs.includes(asked) ? asked : tabs[0]!;
  // Only the lines the user may share (engineer on the line).
  const lines = [...new Set(machinesOf(assets).map((m) => m.levels.slice(0, -1).join('/')))].filter((l) => can(me, 'engineer', l));
  return (
    <section class="view access-view" data-testid="access-view">
      <div class="view-head"><h1>{t('access.title')}</h1><span class="muted">{t('user.tenant', { tenant: me.tenant })}</span></div>
      <nav class="tabs" role="tablist">
        {tabs.map((x) => (
          <a role="tab" aria-selected={x === tab} class={x === tab ? 'on' : ''} data-testid={`tab-${x}`} href={href('access', '', new URLSearchParams({ tab: x }))}>{t(`access.tab.${x}`)}</a>
        ))}
      </nav>
      <datalist id="asset-paths">{assetPaths(assets).map((p) => <option value={p} />)}</datalist>
      {tab === 'users' ? <UsersPanel me={me} listId="asset-paths" />
        : tab === 'tokens' ? <TokensPanel listId="asset-paths" />
        : tab === 'devices' ? <DevicesPanel />
        : tab === 'showcase' ? <ShowcasePanel lines={lines} />
        : <TenantsPanel />}
    </section>
  );
}
