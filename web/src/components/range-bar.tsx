/**
 * Where a reading sits in its engineering range (the catalog's min and max): a thin bar with a
 * mark, red when the reading is outside. Drawn only when the catalog states both ends: a range
 * taken from the data itself would always look comfortably in the middle.
 * @module
 */
import { formatNumber, t } from '../i18n/index.js';

/** Props of {@link RangeBar}. */
export interface RangeBarProps {
  value: number;
  min: number;
  max: number;
  unit: string;
}

/** The bar, or nothing when the range is empty or inverted. */
export function RangeBar({ value, min, max, unit }: RangeBarProps) {
  if (!(max > min) || !Number.isFinite(value)) return null;
  const f = (value - min) / (max - min);
  const out = f < 0 || f > 1;
  const label = t(out ? 'machine.outOfRange' : 'machine.range', { min: formatNumber(min), max: formatNumber(max), unit }).trim();
  return (
    <span class={`range-bar${out ? ' out' : ''}`} role="img" aria-label={label} title={label} data-testid="range-bar" data-out={out ? '1' : '0'}>
      <span class="range-mark" style={{ left: `${Math.min(1, Math.max(0, f)) * 100}%` }} />
    </span>
  );
}
