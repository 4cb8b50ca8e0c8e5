// IDX, CIFAR-10 and CSV readers on the sample files of test/fixtures/data (generate_data_fixtures.py),
// including corrupt ones: each error is a named FileError / FileFormatError naming the file.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';

const FIX = path.join(import.meta.dirname, '..', 'fixtures', 'data');
const f = (name: string): string => path.join(FIX, name);
// The generator's pixel formulas.
const IMG = Array.from({ length: 60 }, (_, k) => (37 * k + 11) % 256);

describe('IDX', () => {
  it('reads raw and gzip files with the same result', () => {
    for (const name of ['images-idx3-ubyte', 'images-idx3-ubyte.gz']) {
      const a = gl.data.readIdx(f(name), { ndim: 3, type: 'uint8' });
      expect(a.type).toBe('uint8');
      expect(a.shape).toEqual([5, 4, 3]);
      expect([...a.data]).toEqual(IMG);
    }
    expect([...gl.data.readIdx(f('labels-idx1-ubyte')).data]).toEqual([3, 0, 9, 1, 7]);
  });

  it('decodes big-endian int32 and float32 elements', () => {
    expect([...gl.data.readIdx(f('int32-idx1')).data]).toEqual([-2, 70000, 5]);
    const fl = gl.data.readIdx(f('float32-idx2'));
    expect(fl.shape).toEqual([2, 2]);
    expect([...fl.data]).toEqual([0.5, -1.25, 3, Math.fround(1e-3)]);
  });

  it('names wrong magic numbers, truncation, extra bytes, broken gzip and missing files', () => {
    const cases: [string, gl.data.IdxOptions, RegExp][] = [
      ['bad-magic-idx3-ubyte', {}, /wrong magic number 0x504b0304, expected 0x0000TTNN/],
      ['labels-idx1-ubyte', { ndim: 3, type: 'uint8' }, /wrong magic number 0x00000801, expected 0x00000803/],
      ['truncated-idx3-ubyte.gz', {}, /truncated: shape \[5,4,3\] of uint8 needs 76 bytes, the file has 69/],
      ['extra-idx1-ubyte', {}, /wrong size: shape \[5\] of uint8 needs 13 bytes, the file has 17/],
      ['truncated-gzip-idx3-ubyte.gz', {}, /is not a valid gzip stream/],
    ];
    for (const [name, opts, msg] of cases) {
      const e = errorOf(() => gl.data.readIdx(f(name), opts));
      expect(e, name).toBeInstanceOf(gl.FileFormatError);
      expect(e).toBeInstanceOf(gl.GradlabError);
      expect(e.name).toBe('FileFormatError');
      expect(e.message).toContain(f(name));
      expect(e.message).toMatch(msg);
    }
    const missing = errorOf(() => gl.data.readIdx(f('nope-idx1-ubyte')));
    expect(missing).toBeInstanceOf(gl.FileError);
    expect(missing).not.toBeInstanceOf(gl.FileFormatError);
    expect(missing.name).toBe('FileError');
    expect(missing.message).toMatch(/nope-idx1-ubyte: no such file/);
  });
});

describe('CIFAR-10 binary', () => {
  it('reads labels and channel-planar pixels', () => {
    const b = gl.data.readCifar10(f('cifar-tiny.bin'));
    expect(b.count).toBe(3);
    expect([...b.labels]).toEqual([6, 9, 0]);
    expect(b.images.length).toBe(3 * 3072);
    // Pixel k of record r is (r + 3k) % 256 in the generator.
    expect([b.images[0], b.images[1], b.images[3072 + 5], b.images[2 * 3072 + 3071]]).toEqual([
      0,
      3,
      (1 + 15) % 256,
      (2 + 3 * 3071) % 256,
    ]);
  });

  it('names truncated files and bad labels', () => {
    const t = errorOf(() => gl.data.readCifar10(f('cifar-truncated.bin')));
    expect(t).toBeInstanceOf(gl.FileFormatError);
    expect(t.message).toMatch(
      /cifar-truncated\.bin: size 9119 bytes is not a positive multiple of the 3073-byte record/,
    );
    const l = errorOf(() => gl.data.readCifar10(f('cifar-bad-label.bin')));
    expect(l.message).toMatch(/cifar-bad-label\.bin: record 1 has label 12, expected 0\.\.9/);
  });
});

describe('CSV', () => {
  it('detects a header, skips blank lines, parses exponents', () => {
    const t = gl.data.readCsv(f('numbers-header.csv'));
    expect(t.columns).toEqual(['x', 'y', 'label']);
    expect([t.rows, t.cols]).toEqual([3, 3]);
    expect([...t.data]).toEqual([0.5, -1, 0, 1e-3, 2.25, 1, 3, 4, 2]);
  });

  it('reads CRLF files without header; header: true forces one', () => {
    const t = gl.data.readCsv(f('numbers-noheader.csv'));
    expect(t.columns).toBeNull();
    expect([...t.data]).toEqual([1, 2, 3, 4, 5, 6]);
    const h = gl.data.readCsv(f('numbers-noheader.csv'), { header: true });
    expect(h.columns).toEqual(['1', '2', '3']);
    expect(h.rows).toBe(1);
    expect([...gl.data.parseCsv('1;nan;-inf\n', { delimiter: ';' }).data]).toEqual([1, NaN, -Infinity]);
  });

  it('names ragged rows and non-numbers with line and column', () => {
    expect(errorOf(() => gl.data.readCsv(f('ragged.csv'))).message).toMatch(
      /ragged\.csv: line 3 has 1 fields, expected 2/,
    );
    const e = errorOf(() => gl.data.readCsv(f('not-number.csv')));
    expect(e).toBeInstanceOf(gl.FileFormatError);
    expect(e.message).toMatch(/not-number\.csv: line 2, column 2: "abc" is not a number/);
    expect(() => gl.data.parseCsv('\n\n')).toThrow(/no data/);
  });
});
