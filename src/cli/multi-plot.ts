// ASCII plot of several series on shared axes, one marker character per series, with a legend.
import { ArgumentError } from '../core/errors.js';
import { formatNumber } from './format.js';

/** One line of a multi-series plot. */
export interface PlotSeries {
  label: string;
  xs: readonly number[];
  ys: readonly number[];
}

/** Options of `multiPlot`. */
export interface MultiPlotOptions {
  /** Columns of the plot area (default 60). */
  width?: number;
  /** Rows of the plot area (default 12). */
  height?: number;
  title?: string;
  /** Label under the x axis (default "x"). */
  xLabel?: string;
  /** Formats y-axis labels (default formatNumber with 3 digits). */
  formatY?: (v: number) => string;
}

/** Marker characters, one per series in order. */
export const MARKERS = ['*', 'o', '+', 'x', '#', '@', '%', '&', '=', '~'] as const;

/**
 * Plots every series on one grid: each series is drawn with its marker at every column between its
 * first and last point (linear interpolation between points); where series overlap the later one
 * shows. Non-finite points are left out. Returns the lines joined with "\n" (no trailing newline).
 * @example
 * multiPlot([{ label: 'bp', xs: [0, 1], ys: [0.5, 0.9] }, { label: 'ff', xs: [0, 1], ys: [0.3, 0.8] }], { width: 20, height: 5 });
 */
export function multiPlot(series: readonly PlotSeries[], options: MultiPlotOptions = {}): string {
  const width = options.width ?? 60;
  const height = options.height ?? 12;
  if (!Number.isInteger(width) || width < 2 || !Number.isInteger(height) || height < 2)
    throw new ArgumentError(`multiPlot: width and height must be integers >= 2, got ${width}x${height}`);
  if (series.length > MARKERS.length)
    throw new ArgumentError(`multiPlot: at most ${MARKERS.length} series, got ${series.length}`);
  const pts = series.map((s) => {
    if (s.xs.length !== s.ys.length)
      throw new ArgumentError(`multiPlot: series '${s.label}' has ${s.xs.length} xs and ${s.ys.length} ys`);
    const p: [number, number][] = [];
    s.xs.forEach((x, i) => {
      if (Number.isFinite(x) && Number.isFinite(s.ys[i])) p.push([x, s.ys[i]]);
    });
    return p.sort((a, b) => a[0] - b[0]);
  });
  const lines: string[] = [];
  if (options.title !== undefined) lines.push(options.title);
  const all = pts.flat();
  if (all.length === 0) {
    lines.push('(nothing to plot)');
    return lines.join('\n');
  }
  let [xmin, xmax, ymin, ymax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) {
    [xmin, xmax, ymin, ymax] = [Math.min(xmin, x), Math.max(xmax, x), Math.min(ymin, y), Math.max(ymax, y)];
  }
  if (ymin === ymax) [ymin, ymax] = [ymin - (Math.abs(ymin) * 0.1 || 1), ymax + (Math.abs(ymax) * 0.1 || 1)];
  const colOf = (x: number): number =>
    xmax === xmin ? 0 : Math.round(((x - xmin) / (xmax - xmin)) * (width - 1));
  const rowOf = (y: number): number => Math.round(((ymax - y) / (ymax - ymin)) * (height - 1));
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  pts.forEach((p, k) => {
    const mark = MARKERS[k];
    if (p.length === 1) grid[rowOf(p[0][1])][colOf(p[0][0])] = mark;
    for (let i = 1; i < p.length; i++) {
      const [[x0, y0], [x1, y1]] = [p[i - 1], p[i]];
      const [c0, c1] = [colOf(x0), colOf(x1)];
      for (let c = c0; c <= c1; c++) {
        const y = c1 === c0 ? y1 : y0 + ((y1 - y0) * (c - c0)) / (c1 - c0);
        grid[rowOf(y)][c] = mark;
      }
    }
  });
  const fmtY = options.formatY ?? ((v: number) => formatNumber(v, 3));
  const label = (row: number): string => fmtY(ymax - ((ymax - ymin) * row) / (height - 1));
  const mid = Math.round((height - 1) / 2);
  const labelled = new Map<number, string>([
    [0, label(0)],
    [mid, label(mid)],
    [height - 1, label(height - 1)],
  ]);
  const lw = Math.max(...[...labelled.values()].map((s) => s.length));
  for (let r = 0; r < height; r++)
    lines.push(`${(labelled.get(r) ?? '').padStart(lw)} |${grid[r].join('').trimEnd()}`);
  lines.push(`${' '.repeat(lw)} +${'-'.repeat(width)}`);
  const left = formatNumber(xmin, 6);
  const right = formatNumber(xmax, 6);
  const axis = xmax === xmin ? left : left.padEnd(Math.max(left.length + 1, width - right.length)) + right;
  lines.push(`${' '.repeat(lw + 2)}${axis}`);
  const xLabel = options.xLabel ?? 'x';
  lines.push(`${' '.repeat(lw + 2 + Math.max(0, Math.floor((width - xLabel.length) / 2)))}${xLabel}`);
  lines.push(`${' '.repeat(lw + 2)}${series.map((s, k) => `${MARKERS[k]} ${s.label}`).join('   ')}`);
  return lines.join('\n');
}
