/**
 * The plant's clock beside the viewer's: remote operators are often hours away from the plant,
 * and shift talk ("the 14:00 changeover") is in plant time.
 * @module
 */
import { formatClock, t } from '../i18n/index.js';
import { useNow } from '../live/use-live.js';

/** "Plant 16:05 (Asia/Shanghai) · You 09:05"; only the viewer's time when the plant zone is unknown. */
export function PlantClock({ timeZone }: { timeZone: string | undefined }) {
  const now = useNow(10_000);
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <span class="clock" data-testid="clock">
      {timeZone && timeZone !== mine ? (
        <>
          <span>{t('clock.plant')} <b>{formatClock(now, timeZone)}</b> <span class="muted">({timeZone})</span></span>
          <span class="sep">{' · '}</span>
        </>
      ) : null}
      <span>{t('clock.you')} <b>{formatClock(now)}</b></span>
    </span>
  );
}
