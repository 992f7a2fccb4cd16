/**
 * The alarm-rate chart of the figures screen (uPlot): alarms raised per 10 minutes as bars, the
 * ISA-18.2 guide lines at 1 (manageable) and 2 (too many) per 10 minutes, and the buckets in
 * flood (more than 10) shaded over the whole height with their bars in the fault colour. Time
 * labels in the viewer's language.
 * @module
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber, locale } from '../i18n/index.js';
import { cssVar } from '../theme.js';

/** Alarms per 10 min above which a bucket is a flood (ISA-18.2). */
export const FLOOD_PER_10_MIN = 10;
/** The guide lines. */
export const GUIDES = [1, 2] as const;
const BUCKET_S = 600;

/** Props of {@link FiguresChart}. */
export interface FiguresChartProps {
  series: ReadonlyArray<{ ts: number; raises: number }>;
  from: number;
  to: number;
  /** Theme and language: the chart is rebuilt when they change. */
  look: string;
}

function drawFlood(u: uPlot, series: FiguresChartProps['series'], el: HTMLElement): void {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.fillStyle = cssVar('--fault-bg') || 'rgba(240,82,79,.16)';
  let shaded = 0;
  for (const b of series) {
    if (b.raises <= FLOOD_PER_10_MIN) continue;
    shaded++;
    const x0 = u.valToPos(b.ts / 1000, 'x', true);
    const x1 = u.valToPos(b.ts / 1000 + BUCKET_S, 'x', true);
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
  }
  ctx.restore();
  // What was shaded, for tests (a canvas says nothing about itself).
  el.dataset.floodBuckets = String(shaded);
}

function drawGuides(u: uPlot): void {
  const ctx = u.ctx;
  const { left, width } = u.bbox;
  ctx.save();
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.lineWidth = devicePixelRatio;
  GUIDES.forEach((g, i) => {
    const y = u.valToPos(g, 'y', true);
    ctx.strokeStyle = i === 0 ? cssVar('--run') : cssVar('--idle');
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
  });
  ctx.restore();
}

/** The chart. */
export function FiguresChart(p: FiguresChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const data = useRef(p);
  data.current = p;
  useEffect(() => {
    const el = box.current!;
    const size = () => ({ width: Math.max(240, el.clientWidth), height: Math.max(180, el.clientHeight) });
    const grid = { stroke: cssVar('--grid'), width: 1 };
    const font = '12px system-ui, sans-serif';
    const fmt = new Intl.DateTimeFormat(locale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const opts: uPlot.Options = {
      ...size(),
      padding: [12, 16, 0, 0],
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: {
        // To the end of the last bucket: the current 10 minutes are drawn whole, not cut at "now".
        x: { time: true, range: () => [data.current.from / 1000, Math.max(data.current.to / 1000, (data.current.series.at(-1)?.ts ?? 0) / 1000 + BUCKET_S)] },
        // Always show the guide lines, however quiet the period.
        y: { range: (_u, _min, max) => [0, Math.max(3, Math.ceil(max * 1.1))] },
      },
      axes: [
        { stroke: cssVar('--muted'), grid, ticks: grid, font, space: 90, values: (_u, splits) => splits.map((s) => fmt.format(s * 1000)) },
        { stroke: cssVar('--muted'), grid, ticks: grid, font, size: 48, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000], values: (_u, v) => v.map((x) => formatNumber(x, 0)) },
      ],
      series: [{}, {
        label: 'raises', stroke: cssVar('--accent'), fill: `${cssVar('--accent')}88`, width: 1,
        paths: uPlot.paths.bars!({ size: [0.9, 40], align: 1 }), points: { show: false },
      }, {
        // The flood buckets' bars again, in the fault colour, over the others.
        label: 'flood', stroke: cssVar('--fault'), fill: cssVar('--fault'), width: 1,
        paths: uPlot.paths.bars!({ size: [0.9, 40], align: 1 }), points: { show: false },
      }],
      hooks: {
        drawAxes: [(u) => drawFlood(u, data.current.series, el)],
        draw: [(u) => { drawGuides(u); el.dataset.ready = 'true'; }],
      },
    };
    const u = new uPlot(opts, [
      p.series.map((b) => b.ts / 1000),
      p.series.map((b) => b.raises),
      p.series.map((b) => (b.raises > FLOOD_PER_10_MIN ? b.raises : null)),
    ], el);
    const ro = new ResizeObserver(() => u.setSize(size()));
    ro.observe(el);
    return () => { ro.disconnect(); u.destroy(); };
  }, [p.look, p.series, p.from, p.to]);
  return <div class="figures-chart" ref={box} data-testid="figures-chart" />;
}
