/**
 * Trends view: several tags on one chart over a named range (live, ending at now) or an absolute
 * window (zoomed or panned). Buckets are computed by the historian at one per two pixels of plot
 * width, so a year draws as fast as an hour. All state is in the URL.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiPoint } from '../../../src/protocol/api-types.js';
import { fetchBuckets } from '../api.js';
import { formatDateTime, formatDuration, formatNumber, t } from '../i18n/index.js';
import { useLiveValues, useNow } from '../live/use-live.js';
import { unitFor } from '../plant-model.js';
import { href, navigate, type Route } from '../router.js';
import { parentPrefix, useTagCatalog } from '../tag-catalog.js';
import { TagPicker } from '../trend/tag-picker.js';
import { TrendChart } from '../trend/trend-chart.js';
import { appendLive, plotColumns, seriesFromBuckets, type TagSeries } from '../trend/trend-data.js';
import { bucketsFor, parseTrendState, resolveWindow, trendParams, type TrendState } from '../trend/trend-range.js';
import { TrendLegend } from '../trend/trend-legend.js';
import { TrendToolbar } from '../trend/trend-toolbar.js';

function appendToSeries(all: TagSeries[], p: ApiPoint, from: number, bucketMs: number): void {
  const s = all.find((x) => x.tag === p.tag);
  if (s) appendLive(s, p, from, bucketMs);
}

/** The view. */
export function TrendsView({ route, timeZone, look }: { route: Route; timeZone: string | undefined; look: string }) {
  const st = parseTrendState(route.params);
  const tagsKey = st.tags.join('\n');
  const [widthPx, setWidthPx] = useState(0);
  const buckets = widthPx > 0 ? bucketsFor(widthPx) : 0;
  const series = useRef<TagSeries[]>([]);
  // Live points that arrive while history loads: folded in once it is there, so none is lost.
  const early = useRef<ApiPoint[]>([]);
  const [loaded, setLoaded] = useState({ id: 0, from: 0, to: 0, bucketMs: 1, errors: [] as string[], loading: false });
  const [version, setVersion] = useState(0);
  const [cursor, setCursor] = useState<number | null>(null);
  const now = useNow(1000);
  // One catalog request per machine among the pens (cached: a trend opened from a machine view reuses its list).
  const catalog = useTagCatalog(st.tags.map(parentPrefix));
  const units = st.tags.map((tag) => unitFor(tag, catalog));
  const descriptions = st.tags.map((tag) => catalog.get(tag)?.description);

  const go = (next: TrendState, replace = true) => navigate(href('trends', '', trendParams(next)), replace);

  useEffect(() => {
    if (buckets === 0 || st.tags.length === 0) return;
    const ctl = new AbortController();
    const win = resolveWindow(st, Date.now());
    early.current = [];
    setLoaded((l) => ({ ...l, loading: true }));
    void Promise.all(st.tags.map((tag) => fetchBuckets(tag, win.from, win.to, buckets, ctl.signal)
      .then((b) => ({ s: seriesFromBuckets(tag, b), err: '' }))
      .catch((e: Error) => ({ s: seriesFromBuckets(tag, []), err: ctl.signal.aborted ? '' : t('trend.error', { tag, message: e.message }) }))))
      .then((rs) => {
        if (ctl.signal.aborted) return;
        series.current = rs.map((r) => r.s);
        const bucketMs = (win.to - win.from) / buckets;
        if (win.live) for (const p of early.current) appendToSeries(series.current, p, Date.now() - (win.to - win.from), bucketMs);
        early.current = [];
        setLoaded((l) => ({ id: l.id + 1, from: win.from, to: win.to, bucketMs: (win.to - win.from) / buckets, errors: rs.map((r) => r.err).filter(Boolean), loading: false }));
      });
    return () => ctl.abort();
  }, [tagsKey, st.range, st.from, st.to, buckets]);

  const win = resolveWindow(st, now);
  const isLive = win.live;
  // A live window slides with the clock; an absolute one is exactly what was loaded.
  const from = isLive ? Math.max(loaded.from, win.from) : win.from;
  const to = isLive ? Math.max(loaded.to, now) : win.to;

  const onPoint = (p: ApiPoint) => {
    if (!isLive) return;
    if (loaded.loading || loaded.id === 0) {
      if (early.current.length < 50_000) early.current.push(p);
      return;
    }
    appendToSeries(series.current, p, Date.now() - (loaded.to - loaded.from), loaded.bucketMs);
    setVersion((v) => v + 1);
  };
  useLiveValues(isLive ? st.tags : [], onPoint);

  // Until the new pens are loaded, draw nothing rather than the old pens' data under new names.
  const data = useMemo(() => {
    const same = series.current.length === st.tags.length && series.current.every((x, i) => x.tag === st.tags[i]);
    return plotColumns(same ? series.current : st.tags.map((tag) => seriesFromBuckets(tag, [])), loaded.bucketMs);
  }, [loaded.id, version, tagsKey]);
  const onZoom = (a: number, b: number) => go({ tags: st.tags, from: Math.round(a), to: Math.round(b) });

  return (
    <section class="view trends-view" data-testid="trends-view">
      <div class="view-head">
        <h1>{t('trend.title')}</h1>
        {isLive ? <span class="live-pill">{t('trend.live')}</span> : <span class="muted">{formatDateTime(win.from, { timeZone })} – {formatDateTime(win.to, { timeZone })}</span>}
        <span class="spacer" />
        <TagPicker exclude={st.tags} onAdd={(tag) => go({ ...st, tags: [...st.tags, tag] }, false)} />
      </div>
      <TrendToolbar state={st} from={from} to={to} series={series.current} unitOf={(tag) => unitFor(tag, catalog)} onChange={go} />
      {st.tags.length === 0 ? <p class="empty muted">{t('trend.empty')}</p> : (
        <>
          <TrendLegend tags={st.tags} units={units} descriptions={descriptions} data={data} cursor={cursor} onRemove={(tag) => go({ ...st, tags: st.tags.filter((x) => x !== tag) }, false)} />
          <div class="chart-wrap">
            <TrendChart tags={st.tags} units={units} data={data} from={from} to={to} timeZone={timeZone} loadId={loaded.id} loading={loaded.loading} look={look}
              onZoom={onZoom} onWidth={setWidthPx} onCursor={setCursor} />
            {loaded.loading ? <div class="chart-note">{t('trend.loading')}</div> : loaded.id > 0 && data[0]!.length === 0 ? <div class="chart-note">{t('trend.noData')}</div> : null}
          </div>
          <div class="chart-foot muted small">
            <span>{t('trend.zoomHint')}</span>
            {buckets > 0 ? <span data-testid="bucket-info">{t('trend.buckets', { n: formatNumber(buckets, 0), per: formatDuration(loaded.bucketMs) })}</span> : null}
            {timeZone ? <span>{timeZone}</span> : null}
          </div>
          {loaded.errors.map((e) => <p class="error">{e}</p>)}
        </>
      )}
    </section>
  );
}
