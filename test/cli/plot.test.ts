// ASCII plot: geometry (rows, columns, labels), aggregation into columns, and degenerate series.
import { describe, expect, it } from 'vitest';
import { asciiPlot } from '../../src/cli/plot.js';
import { ArgumentError } from '../../src/core/errors.js';

/** The plot rows (between the optional title and the x axis), without their labels. */
function body(text: string, height: number, titled = false): string[] {
  const lines = text.split('\n');
  return lines.slice(titled ? 1 : 0, (titled ? 1 : 0) + height).map((l) => l.slice(l.indexOf('|') + 1));
}

describe('asciiPlot', () => {
  it('draws a decreasing line from the top-left to the bottom-right with labelled axes', () => {
    const xs = [0, 1, 2, 3, 4];
    const ys = [5, 4, 3, 2, 1];
    const text = asciiPlot(xs, ys, { width: 5, height: 5, title: 'loss' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('loss');
    expect(lines).toHaveLength(1 + 5 + 3);
    expect(body(text, 5, true)).toEqual(['*', ' *', '  *', '   *', '    *']);
    expect(lines[1].startsWith('5 |')).toBe(true);
    expect(lines[3].startsWith('3 |')).toBe(true);
    expect(lines[5].startsWith('1 |')).toBe(true);
    expect(lines[6]).toBe('  +-----');
    expect(lines[7].trim().split(/\s+/)).toEqual(['0', '4']);
    expect(lines[8].trim()).toBe('step');
  });

  it('averages the points that fall in one column and interpolates gaps', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const ys = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    // 9 points into 3 columns, column = round(x / 8 * 2): x 0,1 -> 0; 2..5 -> 1; 6,7,8 -> 2.
    // Column means 1.5, 4.5, 8: the y axis spans [1.5, 8] over rows 13 (bottom) .. 0 (top).
    const text = asciiPlot(xs, ys, { width: 3, height: 14 });
    const rows = body(text, 14);
    const rowOf = (col: number) => rows.findIndex((r) => r[col] === '*');
    expect(rowOf(2)).toBe(0);
    expect(rowOf(0)).toBe(13);
    expect(rowOf(1)).toBe(Math.round(((8 - 4.5) / (8 - 1.5)) * 13));
    const sparse = body(asciiPlot([0, 10], [0, 10], { width: 11, height: 11 }), 11);
    expect(sparse[0][10]).toBe('*');
    expect(sparse[10][0]).toBe('*');
    expect(sparse[5][5]).toBe('.');
  });

  it('joins steep moves between neighbouring columns with ":"', () => {
    const rows = body(asciiPlot([0, 1], [10, 0], { width: 2, height: 5 }), 5);
    expect(rows.map((r) => r.padEnd(2))).toEqual(['* ', ' :', ' :', ' :', ' *']);
  });

  it('handles a constant series, a single point, and leaves out non-finite values with a note', () => {
    const flat = body(asciiPlot([0, 1, 2], [3, 3, 3], { width: 3, height: 5 }), 5);
    expect(flat[2]).toBe('***');
    expect(body(asciiPlot([7], [1], { width: 4, height: 3 }), 3)[1]).toBe('*');
    const text = asciiPlot([0, 1, 2, 3], [1, NaN, Infinity, 2], { width: 4, height: 3 });
    expect(text).toContain('(2 values left out: non-finite)');
    expect(asciiPlot([], [])).toBe('(nothing to plot: no values)');
    expect(asciiPlot([0], [NaN])).toBe('(nothing to plot: 1 values, none plottable)');
  });

  it('log scale: labels in the original units, values <= 0 left out', () => {
    const text = asciiPlot([0, 1, 2, 3], [100, 10, 1, 0], { width: 3, height: 3, logY: true });
    const lines = text.split('\n');
    expect(lines[0].startsWith('100 |*')).toBe(true);
    expect(lines[1].startsWith(' 10 |')).toBe(true);
    expect(lines[2].startsWith('  1 |')).toBe(true);
    expect(text).toContain('1 value left out: non-finite or <= 0');
  });

  it('keeps every line within the requested width', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const text = asciiPlot(
      xs,
      xs.map((i) => Math.exp(-i / 100) + 0.01 * Math.sin(i)),
      { width: 50, height: 10 },
    );
    const lw = text.split('\n')[0].indexOf('|') - 1;
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(lw + 2 + 50);
  });

  it('rejects mismatched lengths and tiny sizes', () => {
    expect(() => asciiPlot([1, 2], [1])).toThrow(ArgumentError);
    expect(() => asciiPlot([1], [1], { width: 1 })).toThrow(ArgumentError);
  });
});
