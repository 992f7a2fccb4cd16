/**
 * A sparkline: a small SVG line of a tag's recent values. SVG keeps dozens of them on one screen
 * cheap and crisp, and it scales with the table cell.
 * @module
 */

/** Props of {@link Sparkline}: `xs` and `ys` of equal length, `null` where there is no data. */
export interface SparklineProps {
  xs: readonly number[];
  ys: ReadonlyArray<number | null>;
  from: number;
  to: number;
  width?: number;
  height?: number;
  bad?: boolean;
}

/** The line; gaps (null) break it rather than being bridged. */
export function Sparkline({ xs, ys, from, to, width = 120, height = 28, bad }: SparklineProps) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ys) if (y !== null) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
  if (lo === Infinity) return <svg class="spark" width={width} height={height} aria-hidden="true" />;
  if (hi === lo) { hi += 1; lo -= 1; }
  const sx = (x: number) => ((x - from) / (to - from)) * (width - 2) + 1;
  const sy = (y: number) => height - 2 - ((y - lo) / (hi - lo)) * (height - 4);
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${sx(xs[i]!).toFixed(1)} ${sy(y).toFixed(1)}`;
    pen = true;
  }
  return (
    <svg class={`spark${bad ? ' spark-bad' : ''}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}
