/**
 * The uPlot chart of a trend: per tag an avg line over its min/max band, each tag on its own
 * y scale (a speed in rpm and a temperature share one time axis but not one y axis) labelled with
 * its unit, time labels
 * in the plant's zone and the viewer's language. Dragging selects a window to zoom into; the
 * view fetches new buckets for it. Marks `data-ready` and `performance.mark('trend-drawn')` once
 * data is drawn, for tests and the benchmark.
 * @module
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber, locale } from '../i18n/index.js';
import { cssVar } from '../theme.js';

/** Pen colours, distinguishable on dark and light backgrounds and for common colour blindness. */
export const PEN_COLOURS = ['#4aa3ff', '#f5a524', '#2fbf71', '#e05dd9', '#56d4dd', '#ff6b6b', '#b3a1ff', '#c0c060'];

/** Props of {@link TrendChart}. */
export interface TrendChartProps {
  tags: readonly string[];
  /** Unit of each pen ('' when unknown): the label of its y axis. */
  units: readonly string[];
  /** uPlot columns (see plotColumns). */
  data: Array<Array<number | null>>;
  from: number;
  to: number;
  timeZone: string | undefined;
  /** Bumps when the data is a fresh load (not a live append): marks it drawn once. */
  loadId: number;
  /** A load is under way: `data-ready` is cleared until its data is drawn. */
  loading: boolean;
  onZoom: (from: number, to: number) => void;
  onWidth: (cssPx: number) => void;
  onCursor: (idx: number | null) => void;
  /** Called after each draw (internal: marks a fresh load as drawn). */
  onDraw?: (u: uPlot) => void;
  /** Theme and language, so axes re-colour and re-label. */
  look: string;
}

const PAD_RIGHT = 28;
const Y_TICKS_PX = 60;
// Reserved even when a pen's unit is unknown: uPlot sizes an axis by whether it has a label,
// and the plot width must not depend on the catalog having answered (see plotWidth).
const Y_LABEL_PX = 16;
const Y_AXIS_PX = Y_TICKS_PX + Y_LABEL_PX;
const MAX_Y_AXES = 4;

/**
 * Width of the plotting area for a chart box `boxPx` wide. Computed, not measured: uPlot hides
 * the y axes while there is no data, so a measured width would shrink once data arrives and cost
 * a second fetch.
 */
export function plotWidth(boxPx: number, tags: number): number {
  return boxPx - PAD_RIGHT - Y_AXIS_PX * Math.min(tags, MAX_Y_AXES);
}

function timeLabels(timeZone: string | undefined) {
  return (_u: uPlot, splits: number[], _ax: number, _space: number, incr: number): string[] => {
    const sub = incr < 60;
    const day = incr >= 86_400;
    const f = new Intl.DateTimeFormat(locale(), day ? { month: 'short', day: 'numeric', timeZone } : { hour: '2-digit', minute: '2-digit', second: sub ? '2-digit' : undefined, timeZone });
    const d = new Intl.DateTimeFormat(locale(), { month: 'short', day: 'numeric', timeZone });
    let lastDay = '';
    return splits.map((s) => {
      const ms = s * 1000;
      const label = f.format(ms);
      if (day) return label;
      const dd = d.format(ms);
      const out = dd !== lastDay && lastDay !== '' ? `${label}\n${dd}` : label;
      lastDay = dd;
      return out;
    });
  };
}

function options(p: TrendChartProps, width: number, height: number, state: { from: number; to: number }): uPlot.Options {
  const grid = { stroke: cssVar('--grid'), width: 1 };
  const axisStroke = cssVar('--muted');
  const font = '12px system-ui, sans-serif';
  const series: uPlot.Series[] = [{}];
  const axes: uPlot.Axis[] = [{ stroke: axisStroke, grid, ticks: grid, font, values: timeLabels(p.timeZone), space: 80 }];
  const bands: uPlot.Band[] = [];
  const scales: uPlot.Scales = { x: { time: true, range: () => [state.from / 1000, state.to / 1000] } };
  p.tags.forEach((tag, i) => {
    const colour = PEN_COLOURS[i % PEN_COLOURS.length]!;
    const scale = `y${i}`;
    scales[scale] = { auto: true };
    // Avg line: uPlot's default point markers appear only when points are sparse (a lone bucket stays visible).
    series.push({ label: tag, scale, stroke: colour, width: 1.5, spanGaps: false, points: { size: 4, fill: colour } });
    series.push({ label: `${tag} min`, scale, stroke: 'transparent', width: 0, spanGaps: false, points: { show: false } });
    series.push({ label: `${tag} max`, scale, stroke: 'transparent', width: 0, spanGaps: false, points: { show: false } });
    bands.push({ series: [3 + i * 3, 2 + i * 3], fill: `${colour}33` });
    if (i < MAX_Y_AXES) {
      axes.push({
        scale, side: i % 2 ? 1 : 3, stroke: colour, grid: i === 0 ? grid : { show: false }, ticks: { show: false }, font, size: Y_TICKS_PX,
        label: p.units[i] ?? '', labelSize: Y_LABEL_PX, labelFont: font, labelGap: 0, values: (_u, v) => v.map((x) => formatNumber(x)),
      });
    }
  });
  return {
    width, height, series, axes, bands, scales,
    // Fixed padding and axis sizes: see plotWidth.
    padding: [12, PAD_RIGHT, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    hooks: {
      setSelect: [(u) => {
        const { left, width: w } = u.select;
        if (w > 4) p.onZoom(u.posToVal(left, 'x') * 1000, u.posToVal(left + w, 'x') * 1000);
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      }],
      setCursor: [(u) => p.onCursor(u.cursor.idx ?? null)],
      draw: [(u) => p.onDraw?.(u)],
    },
  };
}

/** The chart; re-created when the tags, units, zone or look change, otherwise only fed new data. */
export function TrendChart(p: TrendChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const state = useRef({ from: p.from, to: p.to });
  const props = useRef(p);
  props.current = p;
  const drawnLoad = useRef(-1);
  // Mutated, not replaced: uPlot's x range function holds this object from creation.
  state.current.from = p.from;
  state.current.to = p.to;
  const pendingMark = useRef(false);
  // uPlot draws in a microtask after setData: mark only once the pixels are really there.
  const markDrawn = (u: uPlot) => {
    if (!box.current) return;
    // The window actually drawn, in ms (tests check that a zoom really changed the axis).
    box.current.dataset.xFrom = String(Math.round((u.scales.x!.min ?? 0) * 1000));
    box.current.dataset.xTo = String(Math.round((u.scales.x!.max ?? 0) * 1000));
    if (!pendingMark.current) return;
    pendingMark.current = false;
    box.current.dataset.ready = 'true';
    box.current.dataset.loadId = String(drawnLoad.current);
    performance.mark('trend-drawn');
  };

  useEffect(() => {
    const el = box.current!;
    const size = () => ({ width: Math.max(200, el.clientWidth), height: Math.max(200, el.clientHeight) });
    // Callbacks go through props.current so the plot need not be rebuilt when a parent re-renders.
    const live: TrendChartProps = { ...p, onZoom: (a, b) => props.current.onZoom(a, b), onCursor: (i) => props.current.onCursor(i), onWidth: (w) => props.current.onWidth(w), onDraw: markDrawn };
    const u = new uPlot(options(live, size().width, size().height, state.current), p.data as uPlot.AlignedData, el);
    plot.current = u;
    props.current.onWidth(plotWidth(size().width, p.tags.length));
    const ro = new ResizeObserver(() => {
      u.setSize(size());
      props.current.onWidth(plotWidth(size().width, props.current.tags.length));
    });
    ro.observe(el);
    return () => { ro.disconnect(); u.destroy(); plot.current = null; };
  }, [p.tags.join('\n'), p.units.join('\n'), p.timeZone, p.look]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const hasData = p.data.length > 1 && p.data[0]!.length > 0;
    if (hasData && drawnLoad.current !== p.loadId) {
      drawnLoad.current = p.loadId;
      pendingMark.current = true;
    }
    u.setData(p.data as uPlot.AlignedData, true);
  }, [p.data, p.from, p.to]);

  useEffect(() => {
    if (p.loading && box.current) box.current.dataset.ready = 'false';
  }, [p.loading]);

  return <div class="trend-chart" ref={box} data-testid="trend-chart" />;
}
