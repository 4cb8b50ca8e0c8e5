// Text formatting helpers: numbers, durations, tables and the choice of key metrics.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, keyMetrics, table, truncate } from '../../src/cli/format.js';

describe('format', () => {
  it('formatNumber keeps 4 significant digits and switches to exponents at the extremes', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(1234.56)).toBe('1235');
    expect(formatNumber(123456)).toBe('123456');
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
    expect(formatNumber(2.5e9)).toBe('2.5e9');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-inf');
  });

  it('formatDuration', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(7_380_000)).toBe('2h03m');
    expect(formatDuration(-1)).toBe('-');
  });

  it('table aligns columns and does not pad the last one', () => {
    expect(table(['ID', 'STATUS', 'M'], [['k7m2xq', 'ok', 'loss 1']])).toBe(
      'ID      STATUS  M\nk7m2xq  ok      loss 1\n',
    );
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
  });

  it('keyMetrics: numeric results first, else last metrics with acc and loss first', () => {
    expect(keyMetrics({ note: 'x', testLoss: 0.3, testAcc: 0.9 }, { loss: 1 })).toEqual([
      ['testAcc', 0.9],
      ['testLoss', 0.3],
    ]);
    expect(keyMetrics(null, { lr: 0.1, loss: 1, acc: 0.5, gradNorm: 2 })).toEqual([
      ['acc', 0.5],
      ['loss', 1],
      ['lr', 0.1],
    ]);
  });
});
