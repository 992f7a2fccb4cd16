/**
 * One value as an operator reads it: numbers in the locale's digits with their unit, booleans
 * and strings as they are, and quality shown beside it when it is not good.
 * @module
 */
import type { ApiPoint } from '../../../src/protocol/api-types.js';
import { formatNumber, t } from '../i18n/index.js';

/** The value of a point as text ('—' when there is none yet). */
export function valueText(p: ApiPoint | undefined): string {
  if (!p) return '—';
  if (typeof p.value === 'number') return formatNumber(p.value);
  if (typeof p.value === 'boolean') return p.value ? 'true' : 'false';
  return p.value;
}

/** A value with its unit; quality other than good is marked, never hidden. */
export function ValueText({ point, unit }: { point: ApiPoint | undefined; unit?: string }) {
  return (
    <span class={`value q-${point?.quality ?? 'none'}`} title={point ? t(`quality.${point.quality}`) : undefined}>
      <span class="num">{valueText(point)}</span>
      {unit && point ? <span class="unit">{unit}</span> : null}
    </span>
  );
}
