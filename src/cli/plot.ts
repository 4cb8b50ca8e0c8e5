// ASCII line plot of a series (a loss curve) with y-axis labels, an x axis and its labels.
import { ArgumentError } from '../core/errors.js';
import { formatNumber } from './format.js';

/** Options of `asciiPlot`. */
export interface PlotOptions {
  /** Columns of the plot area (without the y labels). Default 60. */
  width?: number;
  /** Rows of the plot area. Default 12. */
  height?: number;
  /** Logarithmic y axis (values ≤ 0 are left out). Default false. */
  logY?: boolean;
  /** Line above the plot. */
  title?: string;
  /** Label centred under the x axis. Default "step". */
  xLabel?: string;
}

/**
 * Plots `ys` against `xs` in ASCII. Each column shows the mean of the points that fall in it
 * (`*`), and the y axis spans those means; columns between two data columns are interpolated (`.`), and steep moves are joined by
 * `:` so the curve reads as a line. Non-finite values (and ≤ 0 ones on a log axis) are left out
 * and counted in a note. Returns the lines joined with "\n" (no trailing newline).
 *
 * @example
 * console.log(asciiPlot([0, 1, 2, 3], [2.3, 1.1, 0.7, 0.5], { width: 20, height: 5, title: 'loss' }));
 */
export function asciiPlot(xs: readonly number[], ys: readonly number[], options: PlotOptions = {}): string {
  const width = options.width ?? 60;
  const height = options.height ?? 12;
  if (xs.length !== ys.length) {
    throw new ArgumentError(
      `asciiPlot: xs and ys must have the same length, got ${xs.length} and ${ys.length}`,
    );
  }
  if (!Number.isInteger(width) || width < 2 || !Number.isInteger(height) || height < 2) {
    throw new ArgumentError(`asciiPlot: width and height must be integers >= 2, got ${width}x${height}`);
  }
  const logY = options.logY ?? false;
  const pts: [number, number][] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!Number.isFinite(x) || !Number.isFinite(y) || (logY && y <= 0)) continue;
    pts.push([x, logY ? Math.log10(y) : y]);
  }
  const lines: string[] = [];
  if (options.title !== undefined) lines.push(options.title);
  const skipped = xs.length - pts.length;
  if (pts.length === 0) {
    lines.push(`(nothing to plot: ${xs.length === 0 ? 'no values' : `${skipped} values, none plottable`})`);
    return lines.join('\n');
  }

  let [xmin, xmax] = [Infinity, -Infinity];
  for (const [x] of pts) {
    xmin = Math.min(xmin, x);
    xmax = Math.max(xmax, x);
  }
  // Mean y of the points falling in each column; the y range is that of the plotted means.
  const sum = new Float64Array(width);
  const count = new Int32Array(width);
  for (const [x, y] of pts) {
    const c = xmax === xmin ? 0 : Math.round(((x - xmin) / (xmax - xmin)) * (width - 1));
    sum[c] += y;
    count[c]++;
  }
  let [ymin, ymax] = [Infinity, -Infinity];
  for (let c = 0; c < width; c++) {
    if (count[c] === 0) continue;
    ymin = Math.min(ymin, sum[c] / count[c]);
    ymax = Math.max(ymax, sum[c] / count[c]);
  }
  if (ymin === ymax) {
    const pad = ymin === 0 ? 1 : Math.abs(ymin) * 0.1;
    ymin -= pad;
    ymax += pad;
  }
  const rowOf = (y: number): number => Math.round(((ymax - y) / (ymax - ymin)) * (height - 1));
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  let prevCol = -1;
  let prevRow = 0;
  for (let c = 0; c < width; c++) {
    if (count[c] === 0) continue;
    const r = rowOf(sum[c] / count[c]);
    if (prevCol >= 0) {
      // Interpolated columns between two data columns.
      for (let k = prevCol + 1; k < c; k++) {
        grid[Math.round(prevRow + ((r - prevRow) * (k - prevCol)) / (c - prevCol))][k] = '.';
      }
      // A steep move between neighbouring data columns: join it with ':'.
      if (c === prevCol + 1)
        for (let k = Math.min(r, prevRow) + 1; k < Math.max(r, prevRow); k++) grid[k][c] = ':';
    }
    grid[r][c] = '*';
    prevCol = c;
    prevRow = r;
  }

  const label = (row: number): string => {
    const v = ymax - ((ymax - ymin) * row) / (height - 1);
    return formatNumber(logY ? 10 ** v : v, 3);
  };
  const labelled = new Map<number, string>([
    [0, label(0)],
    [Math.round((height - 1) / 2), label(Math.round((height - 1) / 2))],
    [height - 1, label(height - 1)],
  ]);
  const lw = Math.max(...[...labelled.values()].map((s) => s.length));
  for (let r = 0; r < height; r++) {
    lines.push(`${(labelled.get(r) ?? '').padStart(lw)} |${grid[r].join('').trimEnd()}`);
  }
  lines.push(`${' '.repeat(lw)} +${'-'.repeat(width)}`);
  const left = formatNumber(xmin, 6);
  const right = formatNumber(xmax, 6);
  let axis = left;
  if (xmax !== xmin) {
    const mid = formatNumber((xmin + xmax) / 2, 6);
    const midAt = Math.round(width / 2 - mid.length / 2);
    if (midAt > left.length + 1 && midAt + mid.length < width - right.length - 1) {
      axis = axis.padEnd(midAt) + mid;
    }
    axis = axis.padEnd(Math.max(axis.length + 1, width - right.length)) + right;
  }
  lines.push(`${' '.repeat(lw + 2)}${axis}`);
  const xLabel = options.xLabel ?? 'step';
  const note =
    skipped > 0
      ? `  (${skipped} value${skipped === 1 ? '' : 's'} left out: ${logY ? 'non-finite or <= 0' : 'non-finite'})`
      : '';
  lines.push(`${' '.repeat(lw + 2 + Math.max(0, Math.floor((width - xLabel.length) / 2)))}${xLabel}${note}`);
  return lines.join('\n');
}
