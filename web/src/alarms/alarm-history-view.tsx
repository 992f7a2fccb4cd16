/**
 * Alarm history (`#/alarm-history?from=&to=&area=&priority=&kind=&q=&alarm=`): the journal of
 * every raise, clear, acknowledgement, shelving, comment, notification and automatic action,
 * newest first, paged by position. The search lives in the URL (times as epoch ms; `limit=` sets
 * the page size); the default period is the last 24 hours.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { ALARM_EVENT_NAMES, type ApiAlarmEvent } from '../../../src/protocol/alarm-types.js';
import { formatDateTime, formatNumber, t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { href, navigate, route } from '../router.js';
import { useLoad } from '../use-load.js';
import { PRIORITIES } from './alarm-model.js';
import { kindLabel, priorityLabel, stateLabel } from './alarm-labels.js';
import { AlarmTabs } from './alarm-tabs.js';
import { fetchAlarmHistory } from './alarms-api.js';

/** Events a page, unless the URL says `limit=` (1–1000). */
const PAGE = 50;
const DAY = 86_400_000;

interface Draft { from: string; to: string; area: string; priority: string; kind: string; q: string; alarm: string }

/** epoch ms → a datetime-local value (the viewer's local time). */
export function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function draftOf(p: URLSearchParams, now: number): Draft {
  const n = (k: string, d: number) => { const v = Number(p.get(k)); return p.get(k) && Number.isFinite(v) ? v : d; };
  return {
    from: localInput(n('from', now - DAY)), to: p.get('to') ? localInput(n('to', now)) : '',
    area: p.get('area') ?? '', priority: p.get('priority') ?? '', kind: p.get('kind') ?? '', q: p.get('q') ?? '', alarm: p.get('alarm') ?? '',
  };
}

function valueText(e: ApiAlarmEvent): string {
  return e.value === undefined ? '' : typeof e.value === 'number' ? formatNumber(e.value) : String(e.value);
}

/** The view. */
export function AlarmHistoryView() {
  const r = useObservable(route);
  const key = r.params.toString();
  const [draft, setDraft] = useState<Draft>(() => draftOf(r.params, Date.now()));
  const [pages, setPages] = useState<number[]>([]);
  useEffect(() => { setDraft(draftOf(r.params, Date.now())); setPages([]); }, [key]);
  const before = pages.at(-1);
  const limit = Math.min(1000, Math.max(1, Math.trunc(Number(r.params.get('limit'))) || PAGE));
  // Without a period in the URL the server takes the last 24 hours up to now.
  const num = (k: string) => (r.params.get(k) && Number.isFinite(Number(r.params.get(k))) ? Number(r.params.get(k)) : undefined);
  const list = useLoad((signal) => fetchAlarmHistory({
    from: num('from'), to: num('to'),
    area: r.params.get('area')?.trim() || undefined, priority: r.params.get('priority') || undefined, kind: r.params.get('kind') || undefined,
    q: r.params.get('q')?.trim() || undefined, alarm: r.params.get('alarm') || undefined, limit, before,
  }, signal), [key, before]);
  const set = (k: keyof Draft) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const search = (ev: Event) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (draft.from) q.set('from', String(new Date(draft.from).getTime()));
    if (draft.to) q.set('to', String(new Date(draft.to).getTime()));
    for (const k of ['area', 'priority', 'kind', 'q', 'alarm'] as const) if (draft[k].trim()) q.set(k, draft[k].trim());
    if (limit !== PAGE) q.set('limit', String(limit));
    navigate(href('alarm-history', '', q));
  };
  const events = list.data?.events ?? [];
  const next = list.data?.nextBefore;
  return (
    <section class="view alarm-history" data-testid="alarm-history">
      <AlarmTabs view="alarm-history" />
      <div class="view-head"><h1>{t('alarm.history')}</h1></div>
      <form class="panel filters" onSubmit={search} data-testid="history-filters">
        <label><span>{t('audit.from')}</span><input type="datetime-local" value={draft.from} onInput={set('from')} /></label>
        <label><span>{t('audit.to')}</span><input type="datetime-local" value={draft.to} onInput={set('to')} /></label>
        <label><span>{t('alarm.area')}</span><input value={draft.area} data-testid="history-area" onInput={set('area')} /></label>
        <label><span>{t('alarm.priority')}</span>
          <select value={draft.priority} onChange={set('priority')} data-testid="history-priority">
            <option value="">{t('alarm.any')}</option>
            {PRIORITIES.map((p) => <option value={p}>{priorityLabel(p)}</option>)}
          </select>
        </label>
        <label><span>{t('alarm.kind')}</span>
          <select value={draft.kind} onChange={set('kind')} data-testid="history-kind">
            <option value="">{t('alarm.any')}</option>
            {ALARM_EVENT_NAMES.map((k) => <option value={k}>{kindLabel(k)}</option>)}
          </select>
        </label>
        <label><span>{t('alarm.text')}</span><input value={draft.q} data-testid="history-q" onInput={set('q')} /></label>
        <label><span>{t('alarm.alarmId')}</span><input value={draft.alarm} data-testid="history-alarm" onInput={set('alarm')} /></label>
        <div class="filter-actions">
          <button class="btn primary" type="submit" data-testid="history-search">{t('audit.search')}</button>
          <button class="btn" type="button" onClick={() => navigate(href('alarm-history'))}>{t('audit.clear')}</button>
        </div>
      </form>
      {list.error ? <p class="banner" role="alert">{list.error}</p> : null}
      <div class="table-wrap">
        <table data-testid="history-table">
          <thead><tr>
            <th>{t('alarm.time')}</th><th>{t('alarm.priority')}</th><th>{t('alarm.alarmId')}</th><th>{t('alarm.kind')}</th>
            <th>{t('alarm.state')}</th><th>{t('alarm.by')}</th><th>{t('alarm.message')}</th>
          </tr></thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.seq} data-testid="history-row" data-kind={e.kind} data-alarm={e.alarmId}>
                <td class="nowrap small">{formatDateTime(e.ts)}</td>
                <td><span class={`prio-chip prio-${e.priority}`}>{priorityLabel(e.priority)}</span></td>
                <td class="mono small wrap"><a href={href('alarm-history', '', new URLSearchParams({ alarm: e.alarmId }))}>{e.alarmId}</a><div class="muted">{e.area}</div></td>
                <td class="nowrap">{kindLabel(e.kind)}</td>
                <td class="small nowrap">{e.from === e.to ? stateLabel(e.to) : `${stateLabel(e.from)} → ${stateLabel(e.to)}`}</td>
                <td class="small">{e.by}</td>
                <td class="wrap small">{e.text ? <div data-testid="history-text">{e.text}</div> : null}{e.message ? <div class="muted">{e.message}{e.value !== undefined ? ` (${valueText(e)})` : ''}</div> : null}</td>
              </tr>
            ))}
            {list.data && events.length === 0 ? <tr><td colSpan={7} class="muted">{t('alarm.noHistory')}</td></tr> : null}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button class="btn" data-testid="history-newer" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>{t('audit.newer')}</button>
        <button class="btn" data-testid="history-older" disabled={next === undefined} onClick={() => next !== undefined && setPages([...pages, next])}>{t('audit.older')}</button>
      </div>
    </section>
  );
}
