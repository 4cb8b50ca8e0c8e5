// PNG rendering: tensors to RGB, colour maps, overlays, grids, and fast-png round trips (decoded back and compared pixel by pixel).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-png-');

describe('gl.png', () => {
  it('maps a grey tensor linearly to bytes and round-trips through PNG', () => {
    const x = gl.tensor(
      [
        [0, 0.5],
        [1, 2],
      ],
      { dtype: 'float64' },
    );
    const img = gl.png.imageFromTensor(x, { range: [0, 1] });
    expect(Array.from(img.data)).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255, 255, 255, 255]);
    const back = decode(gl.png.encodeImagePng(img));
    expect([back.width, back.height, back.channels, back.depth]).toEqual([2, 2, 3, 8]);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
    // default range: min..max
    expect(Array.from(gl.png.imageFromTensor(x).data.subarray(9, 12))).toEqual([255, 255, 255]);
  });

  it('colour maps hit their anchors; heatmap signs and symmetric range', () => {
    expect(gl.png.colorAt('viridis', 0)).toEqual([68, 1, 84]);
    expect(gl.png.colorAt('viridis', 1)).toEqual([253, 231, 37]);
    expect(gl.png.colorAt('bwr', 0.5)).toEqual([255, 255, 255]);
    expect(gl.png.colorAt('hot', 0.75)).toEqual([255, 255, 0]);
    const m = gl.tensor([[-1, 0, 1]], { dtype: 'float64' });
    const all = gl.png.heatmap(m, { outlierPercent: 0 });
    expect(Array.from(all.data)).toEqual([0, 0, 255, 255, 255, 255, 255, 0, 0]);
    const abs = gl.png.heatmap(m, { sign: 'absolute', colormap: 'gray', outlierPercent: 0 });
    expect(Array.from(abs.data)).toEqual([255, 255, 255, 0, 0, 0, 255, 255, 255]);
    const neg = gl.png.heatmap(m, { sign: 'negative', colormap: 'gray', outlierPercent: 0 });
    expect(Array.from(neg.data)).toEqual([255, 255, 255, 0, 0, 0, 0, 0, 0]);
  });

  it('overlay blends, upscale repeats pixels, imageGrid lays images out with padding', () => {
    const a = { width: 1, height: 1, data: new Uint8Array([0, 100, 200]) };
    const b = { width: 1, height: 1, data: new Uint8Array([200, 100, 0]) };
    expect(Array.from(gl.png.overlay(a, b, 0.25).data)).toEqual([50, 100, 150]);
    const up = gl.png.upscale(a, 2);
    expect([up.width, up.height]).toEqual([2, 2]);
    expect(Array.from(up.data)).toEqual([0, 100, 200, 0, 100, 200, 0, 100, 200, 0, 100, 200]);
    const grid = gl.png.imageGrid([a, b, a], { cols: 2, pad: 1, background: 9 });
    expect([grid.width, grid.height]).toEqual([5, 5]);
    expect(Array.from(grid.data.subarray((1 * 5 + 1) * 3, (1 * 5 + 1) * 3 + 3))).toEqual([0, 100, 200]);
    expect(Array.from(grid.data.subarray((1 * 5 + 3) * 3, (1 * 5 + 3) * 3 + 3))).toEqual([200, 100, 0]);
    expect(Array.from(grid.data.subarray((3 * 5 + 3) * 3, (3 * 5 + 3) * 3 + 3))).toEqual([9, 9, 9]);
  });

  it('saveImagePng writes a batch as a grid file', () => {
    const dir = tempDir();
    const file = join(dir, 'sub', 'batch.png');
    gl.saveImagePng(file, gl.rand([3, 1, 4, 5]), { range: [0, 1], cols: 3, scale: 2 });
    expect(existsSync(file)).toBe(true);
    const png = decode(new Uint8Array(readFileSync(file)));
    expect([png.width, png.height]).toEqual([(3 * 5 + 4 * 2) * 2, (4 + 2 * 2) * 2]);
    // a folder where the file's parent should be is a FileError naming the file
    expect(() => gl.saveImagePng(join(file, 'x.png'), gl.zeros([2, 2]))).toThrow(
      /saveImagePng: cannot write .*batch.png\/x.png/,
    );
  });

  it('bad input gets named errors', () => {
    expect(() => gl.png.imageFromTensor(gl.zeros([2, 3, 3]))).toThrow(
      /expected an \[H, W\], \[1, H, W\] or \[3, H, W\] tensor, got \[2,3,3\]/,
    );
    expect(() => gl.png.colorAt('jet' as never, 0)).toThrow(/unknown colour map "jet"/);
    const a = { width: 1, height: 1, data: new Uint8Array(3) };
    const b = { width: 2, height: 1, data: new Uint8Array(6) };
    expect(() => gl.png.overlay(a, b)).toThrow(/images differ in size/);
    expect(() => gl.png.overlay(a, a, 2)).toThrow(/alpha must be in \[0, 1\]/);
    expect(() => gl.png.encodeImagePng({ width: 2, height: 2, data: new Uint8Array(3) })).toThrow(
      /3 bytes for a 2x2 RGB image/,
    );
    expect(() => gl.png.heatmap(gl.zeros([2, 2]), { sign: 'both' as never })).toThrow(/sign must be/);
  });
});
