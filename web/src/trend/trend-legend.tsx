/**
 * The pens of a trend: colour, tag, the value under the cursor (or the latest drawn) with its
 * unit, and a button to remove the pen.
 * @module
 */
import { formatNumber, t } from '../i18n/index.js';
import { tagLabel } from '../plant-model.js';
import { PEN_COLOURS } from './trend-chart.js';

/** Props of {@link TrendLegend}. */
export interface TrendLegendProps {
  tags: readonly string[];
  /** Unit of each pen ('' when unknown), in the order of `tags`. */
  units: readonly string[];
  /** Description of each pen from the catalog, shown on hover. */
  descriptions: ReadonlyArray<string | undefined>;
  data: ReadonlyArray<ReadonlyArray<number | null>>;
  cursor: number | null;
  onRemove: (tag: string) => void;
}

function lastValue(col: ReadonlyArray<number | null> | undefined): number | null {
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null) return col[i]!;
  return null;
}

/** The legend. */
export function TrendLegend({ tags, units, descriptions, data, cursor, onRemove }: TrendLegendProps) {
  return (
    <ul class="legend" data-testid="trend-legend">
      {tags.map((tag, i) => {
        const avg = data[1 + i * 3];
        const v = cursor !== null ? avg?.[cursor] ?? null : lastValue(avg);
        const parts = tag.split('/');
        const unit = units[i] ?? '';
        return (
          <li key={tag}>
            <span class="swatch" style={{ background: PEN_COLOURS[i % PEN_COLOURS.length] }} />
            <span class="pen-name" title={descriptions[i] ? `${tag}\n${descriptions[i]}` : tag}>
              <span class="muted">{parts.slice(-2, -1).join('')} · </span>{tagLabel(parts[parts.length - 1]!)}
            </span>
            <span class="pen-value">{v === null ? '—' : formatNumber(v)}</span>
            {unit ? <span class="pen-unit muted" data-testid="pen-unit">{unit}</span> : null}
            <button class="icon-btn small" aria-label={t('trend.remove', { tag })} onClick={() => onRemove(tag)}>×</button>
          </li>
        );
      })}
    </ul>
  );
}
