/**
 * The header's alarm badge: how many alarms nobody has acknowledged yet, coloured by the most
 * urgent of them, on every screen. It holds the alarm connection open while logged in.
 * @module
 */
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { href } from '../router.js';
import { alarmLive } from './alarm-live.js';
import { BellIcon } from './alarm-icons.js';
import { compareAlarms, isUnacked } from './alarm-model.js';

/** The badge, a link to the console filtered to unacknowledged alarms. */
export function AlarmBadge() {
  useEffect(() => alarmLive.retain(), []);
  const all = useObservable(alarmLive.alarms);
  const unacked = [...all.values()].filter(isUnacked).sort(compareAlarms);
  const n = unacked.length;
  const top = unacked[0]?.priority;
  const label = t('alarm.badge', { n });
  return (
    <a class={`alarm-badge${n > 0 ? ` prio-${top} has-unacked` : ''}`} href={href('alarms', '', new URLSearchParams({ state: 'unacked' }))}
      data-testid="alarm-badge" data-count={n} title={label} aria-label={label}>
      <BellIcon />
      <span class="alarm-badge-n">{n}</span>
    </a>
  );
}
