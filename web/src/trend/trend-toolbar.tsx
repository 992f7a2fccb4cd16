/**
 * The trend's time controls: named ranges, pan, zoom out, back to now, and CSV export of what is
 * on screen.
 * @module
 */
import { t } from '../i18n/index.js';
import { toCsv, type TagSeries } from './trend-data.js';
import { RANGES, type TrendState } from './trend-range.js';

/** Props of {@link TrendToolbar}. */
export interface TrendToolbarProps {
  state: TrendState;
  from: number;
  to: number;
  series: readonly TagSeries[];
  /** The unit of a tag ('' when unknown), for the CSV header. */
  unitOf: (tag: string) => string;
  onChange: (next: TrendState, replace?: boolean) => void;
}

/** The named range closest to a span (going back to now keeps roughly the zoom level). */
function nearestRange(span: number) {
  return RANGES.reduce((a, b) => (Math.abs(Math.log(b.ms / span)) < Math.abs(Math.log(a.ms / span)) ? b : a)).id;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The toolbar. */
export function TrendToolbar({ state, from, to, series, unitOf, onChange }: TrendToolbarProps) {
  const span = to - from;
  const absolute = (a: number, b: number) => {
    const now = Date.now();
    // A window that reaches now becomes live again rather than freezing at the moment of the click.
    if (b >= now) onChange({ tags: state.tags, range: nearestRange(b - a) }, false);
    else onChange({ tags: state.tags, from: a, to: b }, false);
  };
  const stamp = new Date(from).toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return (
    <div class="toolbar" role="toolbar">
      <div class="seg" role="group" aria-label={t('trend.range')}>
        {RANGES.map((r) => (
          <button class={state.range === r.id ? 'on' : ''} data-testid={`range-${r.id}`} onClick={() => onChange({ tags: state.tags, range: r.id }, false)}>{t(`range.${r.id}`)}</button>
        ))}
      </div>
      <div class="seg">
        <button onClick={() => absolute(from - span / 2, to - span / 2)} title={t('trend.panLeft')} aria-label={t('trend.panLeft')} data-testid="pan-left">◀</button>
        <button onClick={() => absolute(from - span / 2, to + span / 2)} title={t('trend.zoomOut')} aria-label={t('trend.zoomOut')} data-testid="zoom-out">−</button>
        <button onClick={() => absolute(from + span / 2, to + span / 2)} title={t('trend.panRight')} aria-label={t('trend.panRight')} disabled={state.range !== undefined} data-testid="pan-right">▶</button>
        <button onClick={() => onChange({ tags: state.tags, range: nearestRange(span) }, false)} disabled={state.range !== undefined}>{t('trend.now')}</button>
      </div>
      <button class="btn" data-testid="csv" disabled={series.length === 0} onClick={() => download(`lightsout-trend-${stamp}.csv`, toCsv(series, from, to, unitOf))}>{t('trend.csv')}</button>
    </div>
  );
}
