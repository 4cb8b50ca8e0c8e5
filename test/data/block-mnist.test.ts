// gl.data.blockMnist: the digit lands in the block signalTop says, the other block is the fixed square outline; bad shapes are named.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('gl.data.blockMnist', () => {
  const n = 40;
  const digits = gl.rand([n, 1, 28, 28], { generator: new gl.Generator(1) });
  const labels = gl.tensor(
    Int32Array.from({ length: n }, (_, i) => i % 2),
    { dtype: 'int32' },
  );

  it('stacks the digit and the null block, the digit on top where signalTop is 1', () => {
    const { x, y, signalTop } = gl.data.blockMnist(digits, labels, { seed: 3 });
    expect(x.shape).toEqual([n, 1, 56, 28]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(labels.dataSync()));
    const xs = x.dataSync();
    const ds = digits.dataSync();
    const top = signalTop.dataSync();
    const B = 28 * 28;
    let tops = 0;
    for (let k = 0; k < n; k++) {
      tops += top[k];
      const sig = xs.subarray(k * 2 * B + (top[k] ? 0 : B), k * 2 * B + (top[k] ? B : 2 * B));
      const nul = xs.subarray(k * 2 * B + (top[k] ? B : 0), k * 2 * B + (top[k] ? 2 * B : B));
      expect(Array.from(sig)).toEqual(Array.from(ds.subarray(k * B, (k + 1) * B)));
      // a 10×10 outline: 36 pixels of value 1, at rows/cols 9 and 18 of the block
      expect(Array.from(nul).reduce((a, v) => a + v, 0)).toBe(36);
      expect(nul[9 * 28 + 9]).toBe(1);
      expect(nul[13 * 28 + 13]).toBe(0);
    }
    expect(tops).toBeGreaterThan(0);
    expect(tops).toBeLessThan(n);
    // seeded: the same seed gives the same positions
    expect(Array.from(gl.data.blockMnist(digits, labels, { seed: 3 }).signalTop.dataSync())).toEqual(
      Array.from(top),
    );
  });

  it('names bad input', () => {
    expect(() => gl.data.blockMnist(gl.zeros([2, 3, 28, 28]), labels)).toThrow(gl.ShapeError);
    expect(() => gl.data.blockMnist(digits, gl.zeros([3], { dtype: 'int32' }))).toThrow(
      /expected labels \[40\]/,
    );
    expect(() => gl.data.blockMnist(digits, labels, { patchSize: 40 })).toThrow(
      /patchSize must be an integer in \[2, 28\], got 40/,
    );
  });
});
