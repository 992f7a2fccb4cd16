/**
 * The top bar: navigation, connection state, clocks, language and theme. On narrow screens it
 * also opens the asset drawer.
 * @module
 */
import { LANGUAGES, lang, setLang, t, type Lang } from '../i18n/index.js';
import { live, type LinkState } from '../live/live-client.js';
import { useObservable } from '../observable.js';
import { href, type View } from '../router.js';
import { setTheme, theme } from '../theme.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { canSomewhere, isPlatformOperator } from '../auth/session.js';
import { AlarmBadge } from '../alarms/alarm-badge.js';
import { PlantClock } from './plant-clock.js';
import { UserMenu } from './user-menu.js';

const LINK_LABEL: Record<LinkState, 'conn.live' | 'conn.polling' | 'conn.offline' | 'conn.connecting'> = {
  live: 'conn.live', polling: 'conn.polling', offline: 'conn.offline', connecting: 'conn.connecting',
};

/** Props of {@link AppHeader}. */
export interface AppHeaderProps {
  view: View;
  tenant: string;
  timeZone: string | undefined;
  onMenu: () => void;
  /** Who is logged in: the user menu, and which admin screens to offer. */
  me: Me;
}

type NavKey = 'nav.plant' | 'nav.trends' | 'nav.alarms' | 'nav.health' | 'nav.connectors' | 'nav.access' | 'nav.audit';

/** The alarm screens, all under the one Alarms link. */
const ALARM_VIEWS: ReadonlySet<View> = new Set<View>(['alarms', 'alarm-history', 'rules', 'alarm-figures', 'on-call']);

/** The top bar. */
export function AppHeader({ view, tenant, timeZone, onMenu, me }: AppHeaderProps) {
  const link = useObservable(live.state);
  const th = useObservable(theme);
  const current = useObservable(lang);
  const nav: Array<[View, NavKey]> = [['plant', 'nav.plant'], ['trends', 'nav.trends'], ['alarms', 'nav.alarms'], ['health', 'nav.health'], ['connectors', 'nav.connectors']];
  // Screens the user's grants cannot use are not offered (the server refuses them anyway).
  // Engineers share lines through showcase links; admins manage users and devices too.
  if (canSomewhere(me, 'engineer') || isPlatformOperator(me)) nav.push(['access', 'nav.access']);
  if (canSomewhere(me, 'admin')) nav.push(['audit', 'nav.audit']);
  return (
    <header class="topbar">
      <button class="icon-btn menu-btn" aria-label={t('nav.menu')} onClick={onMenu} data-testid="menu">☰</button>
      <a class="brand" href={href('plant')}>
        <span class="brand-mark" aria-hidden="true" />
        {t('app.title')}
        {tenant ? <span class="tenant">{tenant}</span> : null}
      </a>
      <nav class="views">
        {nav.map(([v, key]) => (
          <a href={href(v)} class={view === v || (v === 'plant' && view === 'machine') || (v === 'alarms' && ALARM_VIEWS.has(view)) ? 'active' : ''} data-testid={`nav-${v}`}>{t(key)}</a>
        ))}
      </nav>
      <span class="spacer" />
      <AlarmBadge />
      <PlantClock timeZone={timeZone} />
      <span class={`link link-${link}`} data-testid="link-state" title={t(LINK_LABEL[link])}>
        <span class="dot" aria-hidden="true" />
        <span class="link-text">{t(LINK_LABEL[link])}</span>
      </span>
      <select class="lang" aria-label={t('lang.label')} value={current} data-testid="lang" onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        {LANGUAGES.map((l) => <option value={l.id}>{l.name}</option>)}
      </select>
      <button class="icon-btn" data-testid="theme" aria-label={t('theme.toggle')} title={th === 'dark' ? t('theme.light') : t('theme.dark')} onClick={() => setTheme(th === 'dark' ? 'light' : 'dark')}>
        {th === 'dark' ? '☀' : '☾'}
      </button>
      <UserMenu me={me} />
    </header>
  );
}
