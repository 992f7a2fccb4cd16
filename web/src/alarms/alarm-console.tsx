/**
 * The alarm console (`#/alarms?area=&priority=&state=`): every alarm not normal that the user may
 * see, live over the WebSocket, most urgent first. Unacknowledged alarms stand out (a slow blink,
 * steady under prefers-reduced-motion). Filters live in the URL; "acknowledge all visible" acts on
 * what the filters show and nothing else.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiAlarm } from '../../../src/protocol/alarm-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { can } from '../auth/session.js';
import { t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { href, navigate, route } from '../router.js';
import { alarmLive, type AlarmLinkState } from './alarm-live.js';
import { AlarmDialog } from './alarm-dialog.js';
import { PRIORITIES, STATES, isUnacked, visibleAlarms, type AlarmFilter } from './alarm-model.js';
import { AlarmRow, type RowRequest } from './alarm-row.js';
import { priorityLabel, stateLabel } from './alarm-labels.js';
import { AlarmTabs } from './alarm-tabs.js';
import { ackMany, alarmAction, commentAlarm, outOfService, shelveAlarm } from './alarms-api.js';

/** Rows drawn at most: in a flood the page stays responsive, and the filters narrow it down. */
const MAX_ROWS = 500;

const LINK: Record<AlarmLinkState, 'conn.live' | 'conn.polling' | 'conn.offline' | 'conn.connecting'> = {
  live: 'conn.live', polling: 'conn.polling', offline: 'conn.offline', connecting: 'conn.connecting',
};

/** The view. */
export function AlarmConsole({ me }: { me: Me }) {
  useEffect(() => alarmLive.retain(), []);
  const r = useObservable(route);
  const all = useObservable(alarmLive.alarms);
  const link = useObservable(alarmLive.state);
  const filter: AlarmFilter = { area: r.params.get('area') ?? '', priority: r.params.get('priority') ?? '', state: r.params.get('state') ?? '' };
  const [area, setArea] = useState(filter.area);
  useEffect(() => setArea(filter.area), [filter.area]);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [dialog, setDialog] = useState<{ alarm: ApiAlarm; kind: 'shelve' | 'comment' | 'out-of-service' } | undefined>();
  const rows = visibleAlarms(all.values(), filter);
  // Only what is drawn: an operator acknowledges what they could see.
  const shown = rows.slice(0, MAX_ROWS);
  const ackable = shown.filter((a) => isUnacked(a) && can(me, 'operator', a.area));
  const setFilter = (k: keyof AlarmFilter, v: string) => {
    const q = new URLSearchParams(r.params);
    if (v) q.set(k, v);
    else q.delete(k);
    navigate(href('alarms', '', q), true);
  };
  const run = async (key: string, change: () => Promise<ApiAlarm | ApiAlarm[]>) => {
    setBusy(key);
    setError('');
    try {
      const out = await change();
      for (const a of Array.isArray(out) ? out : [out]) alarmLive.upsert(a);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy('');
    }
  };
  const onRequest = (a: ApiAlarm, req: RowRequest) => {
    if (req === 'shelve' || req === 'comment' || req === 'out-of-service') setDialog({ alarm: a, kind: req });
    else void run(a.id, () => alarmAction(a.id, req));
  };
  const dialogSubmit = async (text: string, minutes: number) => {
    const d = dialog!;
    const out = d.kind === 'shelve' ? await shelveAlarm(d.alarm.id, text, minutes)
      : d.kind === 'comment' ? await commentAlarm(d.alarm.id, text)
      : await outOfService(d.alarm.id, text);
    if (out && typeof out === 'object' && 'id' in out) alarmLive.upsert(out);
  };
  return (
    <section class="view alarm-console" data-testid="alarm-console">
      <AlarmTabs view="alarms" />
      <div class="view-head">
        <h1>{t('alarm.console')}</h1>
        <span class="muted" data-testid="alarm-count">{t('alarm.shown', { n: rows.length, u: rows.filter(isUnacked).length })}</span>
        <span class={`link link-${link}`} data-testid="alarm-link"><span class="dot" aria-hidden="true" />{t(LINK[link])}</span>
        <span class="spacer" />
        <button class="btn primary" disabled={ackable.length === 0 || busy !== ''} data-testid="alarm-ack-visible"
          onClick={() => void run('*', () => ackMany(ackable.map((a) => a.id)))}>{t('alarm.ackVisible', { n: ackable.length })}</button>
      </div>
      <form class="panel filters" onSubmit={(e) => { e.preventDefault(); setFilter('area', area.trim()); }}>
        <label><span>{t('alarm.area')}</span><input value={area} placeholder="site/area" data-testid="alarm-filter-area" onInput={(e) => setArea((e.currentTarget as HTMLInputElement).value)} onBlur={() => setFilter('area', area.trim())} /></label>
        <label><span>{t('alarm.priority')}</span>
          <select value={filter.priority} data-testid="alarm-filter-priority" onChange={(e) => setFilter('priority', (e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('alarm.any')}</option>
            {PRIORITIES.map((p) => <option value={p}>{priorityLabel(p)}</option>)}
          </select>
        </label>
        <label><span>{t('alarm.state')}</span>
          <select value={filter.state} data-testid="alarm-filter-state" onChange={(e) => setFilter('state', (e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('alarm.anyActive')}</option>
            <option value="unacked">{t('alarm.unackedOnly')}</option>
            {STATES.filter((s) => s !== 'normal').map((s) => <option value={s}>{stateLabel(s)}</option>)}
          </select>
        </label>
      </form>
      {error ? <p class="banner" role="alert" data-testid="alarm-error">{error}</p> : null}
      <div class="table-wrap">
        <table class="alarm-table" data-testid="alarm-table">
          <thead><tr>
            <th>{t('alarm.priority')}</th><th>{t('alarm.time')}</th><th>{t('alarm.area')}</th><th>{t('alarm.message')}</th>
            <th class="r">{t('alarm.value')}</th><th>{t('alarm.state')}</th><th class="r">{t('alarm.actions')}</th>
          </tr></thead>
          <tbody>
            {shown.map((a) => <AlarmRow key={a.id} alarm={a} me={me} busy={busy === a.id || busy === '*'} onRequest={onRequest} />)}
            {rows.length === 0 ? <tr><td colSpan={7} class="muted empty-row" data-testid="alarm-none">{link === 'connecting' ? t('trend.loading') : t('alarm.none')}</td></tr> : null}
          </tbody>
        </table>
      </div>
      {rows.length > MAX_ROWS ? <p class="muted" data-testid="alarm-more">{t('alarm.more', { n: MAX_ROWS, total: rows.length })}</p> : null}
      {dialog ? (
        <AlarmDialog
          title={`${dialog.kind === 'shelve' ? t('alarm.shelve') : dialog.kind === 'comment' ? t('alarm.comment') : t('alarm.outOfService')}: ${dialog.alarm.ruleName}`}
          label={dialog.kind === 'comment' ? t('alarm.commentText') : t('alarm.reason')}
          withDuration={dialog.kind === 'shelve'}
          submitLabel={dialog.kind === 'shelve' ? t('alarm.shelve') : dialog.kind === 'comment' ? t('alarm.addComment') : t('alarm.outOfService')}
          onSubmit={dialogSubmit}
          onClose={() => setDialog(undefined)}
        />
      ) : null}
    </section>
  );
}
