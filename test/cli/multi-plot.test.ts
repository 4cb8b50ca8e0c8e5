// multiPlot: several series on shared axes, one marker each, the later series on top where they cross.
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/errors.js';
import { multiPlot } from '../../src/cli/multi-plot.js';

describe('multiPlot', () => {
  it('draws each series with its marker, interpolated between points, on shared axes', () => {
    // a rises from (0, 0) to (2, 1), b falls from (0, 1) to (2, 0): they cross in the middle column,
    // where b (drawn later) shows
    const text = multiPlot(
      [
        { label: 'a', xs: [0, 2], ys: [0, 1] },
        { label: 'b', xs: [0, 2], ys: [1, 0] },
      ],
      { width: 3, height: 3 },
    );
    expect(text.split('\n')).toEqual([
      '  1 |o *',
      '0.5 | o',
      '  0 |* o',
      '    +---',
      '     0 2',
      '      x',
      '     * a   o b',
    ]);
  });

  it('leaves out non-finite points and refuses bad sizes and mismatched series', () => {
    const text = multiPlot([{ label: 'a', xs: [0, 1, 2], ys: [0, NaN, 1] }], { width: 3, height: 3 });
    expect(text.split('\n').slice(0, 3)).toEqual(['  1 |  *', '0.5 | *', '  0 |*']);
    expect(multiPlot([{ label: 'a', xs: [], ys: [] }], { title: 't' })).toBe('t\n(nothing to plot)');
    expect(() => multiPlot([{ label: 'a', xs: [0], ys: [] }])).toThrow(ArgumentError);
    expect(() => multiPlot([], { width: 1 })).toThrow(ArgumentError);
  });
});
