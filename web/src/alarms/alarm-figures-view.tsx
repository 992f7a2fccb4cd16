/**
 * Alarm figures (`#/alarm-figures?range=24h&area=`): ISA-18.2 alarm-management figures over a
 * period — alarms per 10 minutes against the 1 and 2 guide lines with floods shaded, the ten
 * most frequent alarms, chattering and stale alarms, the spread over priorities against the
 * suggested 80/15/5, and the same per operator position.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { formatAge, formatDateTime, formatNumber, lang, t } from '../i18n/index.js';
import { useObservable } from '../observable.js';
import { href, navigate, route } from '../router.js';
import { theme } from '../theme.js';
import { useLoad } from '../use-load.js';
import { PRIORITIES } from './alarm-model.js';
import { priorityLabel } from './alarm-labels.js';
import { AlarmTabs } from './alarm-tabs.js';
import { fetchFigures } from './alarms-api.js';
import { FiguresChart } from './figures-chart.js';

const RANGES: Record<string, number> = { '8h': 8 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
/** ISA-18.2's suggested share of raises per priority. */
const TARGET_SHARE: Record<string, number> = { critical: 0.05, high: 0.15, medium: 0.8 };

/** A share as a percentage; a small one that rounds to 0 still shows it is there. */
const pct = (x: number) => (x > 0 && x < 0.0005 ? `<\u00a0${formatNumber(0.1, 1)}\u00a0%` : `${formatNumber(x * 100, 1)}\u00a0%`);

/** The view. */
export function AlarmFiguresView() {
  const r = useObservable(route);
  const l = useObservable(lang);
  const th = useObservable(theme);
  const range = RANGES[r.params.get('range') ?? ''] ? r.params.get('range')! : '24h';
  const area = r.params.get('area') ?? '';
  const [draftArea, setDraftArea] = useState(area);
  useEffect(() => setDraftArea(area), [area]);
  // The end of the period is fixed per load (reload asks again with a new "now").
  const figs = useLoad((signal) => { const to = Date.now(); return fetchFigures(to - RANGES[range]!, to, area, signal); }, [range, area]);
  const go = (o: { range?: string; area?: string }) => {
    const q = new URLSearchParams({ range: o.range ?? range });
    const a = o.area ?? area;
    if (a) q.set('area', a);
    navigate(href('alarm-figures', '', q), true);
  };
  const f = figs.data;
  const total = f ? f.series.reduce((s, b) => s + b.raises, 0) : 0;
  const buckets = f ? Math.max(1, Math.round((f.to - f.from) / 600_000)) : 1;
  const busiest = f ? f.series.reduce((m, b) => Math.max(m, b.raises), 0) : 0;
  const prioTotal = f ? Object.values(f.byPriority).reduce((s, n) => s + n, 0) : 0;
  return (
    <section class="view alarm-figures" data-testid="alarm-figures">
      <AlarmTabs view="alarm-figures" />
      <div class="view-head">
        <h1>{t('fig.title')}</h1>
        <div class="seg" role="group" aria-label={t('trend.range')}>
          {Object.keys(RANGES).map((k) => <button class={k === range ? 'on' : ''} data-testid={`fig-range-${k}`} onClick={() => go({ range: k })}>{t(`range.${k}` as 'range.24h')}</button>)}
        </div>
        <form class="row" onSubmit={(e) => { e.preventDefault(); go({ area: draftArea.trim() }); }}>
          <input value={draftArea} placeholder={t('fig.allAreas')} aria-label={t('alarm.area')} data-testid="fig-area" onInput={(e) => setDraftArea((e.currentTarget as HTMLInputElement).value)} />
          <button class="btn" type="submit">{t('fig.apply')}</button>
        </form>
        <span class="spacer" />
        <button class="btn" onClick={figs.reload}>{t('fig.refresh')}</button>
      </div>
      {figs.error ? <p class="banner" role="alert">{t('error.load', { message: figs.error })}</p> : null}
      {f ? (
        <>
          <div class="stats">
            <div><div class="stat-label">{t('fig.raises')}</div><div class="stat-value" data-testid="fig-total">{formatNumber(total, 0)}</div></div>
            <div><div class="stat-label">{t('fig.avgPer10')}</div><div class={`stat-value${total / buckets > 2 ? ' error' : ''}`}>{formatNumber(total / buckets, 2)}</div></div>
            <div><div class="stat-label">{t('fig.maxPer10')}</div><div class={`stat-value${busiest > 10 ? ' error' : ''}`}>{formatNumber(busiest, 0)}</div></div>
            <div><div class="stat-label">{t('fig.flood')}</div><div class={`stat-value${f.floodFraction > 0.01 ? ' error' : ''}`}>{pct(f.floodFraction)}</div></div>
          </div>
          <div class="chart-wrap">
            <FiguresChart series={f.series} from={f.from} to={f.to} look={`${th}|${l}`} />
            <div class="chart-foot muted small">
              <span><span class="guide guide-1" /> {t('fig.guide1')}</span>
              <span><span class="guide guide-2" /> {t('fig.guide2')}</span>
              <span><span class="guide guide-flood" /> {t('fig.floodShade')}</span>
            </div>
          </div>
          <div class="panels fig-panels">
            <div class="panel" data-testid="fig-bad-actors">
              <h2>{t('fig.badActors')}</h2>
              {f.badActors.length === 0 ? <p class="muted">{t('fig.nothing')}</p> : (
                <ol class="bar-list">
                  {f.badActors.map((b) => (
                    <li>
                      <div class="bar-label"><a href={href('alarm-history', '', new URLSearchParams({ alarm: b.alarmId }))}>{b.ruleName}</a> <span class="muted small mono">{b.area}</span></div>
                      <div class="bar-track"><span class={`bar prio-bg-${b.priority}`} style={{ width: `${Math.max(1, b.share * 100)}%` }} /></div>
                      <div class="bar-num">{formatNumber(b.raises, 0)} · {pct(b.share)}</div>
                    </li>
                  ))}
                </ol>
              )}
            </div>
            <div class="panel" data-testid="fig-priority">
              <h2>{t('fig.byPriority')}</h2>
              <table class="plain">
                <thead><tr><th>{t('alarm.priority')}</th><th class="r">{t('fig.raises')}</th><th class="r">{t('fig.share')}</th><th class="r">{t('fig.target')}</th></tr></thead>
                <tbody>
                  {PRIORITIES.map((p) => {
                    const n = f.byPriority[p] ?? 0;
                    return (
                      <tr>
                        <td><span class={`prio-chip prio-${p}`}>{priorityLabel(p)}</span></td>
                        <td class="r">{formatNumber(n, 0)}</td>
                        <td class="r">{prioTotal ? pct(n / prioTotal) : '—'}</td>
                        {/* ISA-18.2 gives one figure for medium and low together. */}
                        {p === 'low' ? null : <td class="r muted" rowSpan={p === 'medium' ? 2 : 1}>≈&nbsp;{pct(TARGET_SHARE[p]!)}</td>}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <div class="panel" data-testid="fig-chattering">
              <h2>{t('fig.chattering')}</h2>
              {f.chattering.length === 0 ? <p class="muted">{t('fig.nothing')}</p> : (
                <table class="plain">
                  <thead><tr><th>{t('alarm.alarmId')}</th><th class="r">{t('fig.bursts')}</th><th class="r">{t('fig.maxPerMinute')}</th></tr></thead>
                  <tbody>{f.chattering.map((c) => <tr><td>{c.ruleName}<div class="muted small mono">{c.area}</div></td><td class="r">{c.bursts}</td><td class="r">{c.maxPerMinute}</td></tr>)}</tbody>
                </table>
              )}
            </div>
            <div class="panel" data-testid="fig-stale">
              <h2>{t('fig.stale')}</h2>
              {f.stale.length === 0 ? <p class="muted">{t('fig.nothing')}</p> : (
                <table class="plain">
                  <thead><tr><th>{t('alarm.alarmId')}</th><th>{t('fig.since')}</th></tr></thead>
                  <tbody>{f.stale.map((s) => <tr><td>{s.ruleName}<div class="muted small mono">{s.area}</div></td><td class="small" title={formatDateTime(s.sinceTs)}>{formatAge(s.sinceTs, f.to)}</td></tr>)}</tbody>
                </table>
              )}
            </div>
          </div>
          <div class="panel" data-testid="fig-positions">
            <h2>{t('fig.positions')}</h2>
            <table class="plain">
              <thead><tr><th>{t('fig.position')}</th><th class="r">{t('fig.raises')}</th><th class="r">{t('fig.avgPer10')}</th><th class="r">{t('fig.maxPer10')}</th><th class="r">{t('fig.flood')}</th></tr></thead>
              <tbody>
                {f.positions.map((p) => (
                  <tr>
                    <td class="mono">{p.position}</td><td class="r">{formatNumber(p.raises, 0)}</td>
                    <td class={`r${p.per10MinAvg > 2 ? ' error' : ''}`}>{formatNumber(p.per10MinAvg, 2)}</td>
                    <td class={`r${p.per10MinMax > 10 ? ' error' : ''}`}>{p.per10MinMax}</td>
                    <td class="r">{pct(p.floodFraction)}</td>
                  </tr>
                ))}
                {f.positions.length === 0 ? <tr><td colSpan={5} class="muted">{t('fig.nothing')}</td></tr> : null}
              </tbody>
            </table>
          </div>
        </>
      ) : figs.error ? null : <p class="muted">{t('trend.loading')}</p>}
    </section>
  );
}
