/**
 * The sub-navigation shared by the alarm screens: console, history, rules, figures, on-call.
 * @module
 */
import { t } from '../i18n/index.js';
import { href, type View } from '../router.js';

const TABS: Array<[View, 'alarm.tab.console' | 'alarm.tab.history' | 'alarm.tab.rules' | 'alarm.tab.figures' | 'alarm.tab.oncall']> = [
  ['alarms', 'alarm.tab.console'], ['alarm-history', 'alarm.tab.history'], ['rules', 'alarm.tab.rules'],
  ['alarm-figures', 'alarm.tab.figures'], ['on-call', 'alarm.tab.oncall'],
];

/** The tab bar; `view` is the open screen. */
export function AlarmTabs({ view }: { view: View }) {
  return (
    <nav class="tabs alarm-tabs" aria-label={t('nav.alarms')}>
      {TABS.map(([v, key]) => <a href={href(v)} class={v === view ? 'on' : ''} aria-current={v === view ? 'page' : undefined} data-testid={`alarm-tab-${v}`}>{t(key)}</a>)}
    </nav>
  );
}
