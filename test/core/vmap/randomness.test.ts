// vmap's randomness option: 'error' refuses random ops, 'different' draws per example, 'same' once for all.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

type Tensor = gl.Tensor;
const x = gl.zeros([5, 4], { dtype: 'float64' });
const noise = (a: Tensor) => a.add(gl.randn([4], { dtype: 'float64' }));
const rowsEqual = (t: Tensor, i: number, j: number) =>
  gl
    .select(t, 0, i)
    .sub(gl.select(t, 0, j))
    .abs()
    .max()
    .item() === 0;

describe('vmap randomness', () => {
  it("'error' (the default) throws a VmapError on a random op", () => {
    expect(() => gl.vmap(noise)(x)).toThrow(gl.VmapError);
    expect(() => gl.vmap((a: Tensor) => gl.dropout(a, 0.5))(x)).toThrow(/randomness 'error'/);
  });

  it("'different' draws independently per example; 'same' draws one value for all", () => {
    const d = gl.vmap(noise, 0, 0, { randomness: 'different' })(x);
    expect(d.shape).toEqual([5, 4]);
    for (let i = 1; i < 5; i++) expect(rowsEqual(d, 0, i)).toBe(false);
    gl.manualSeed(3);
    const s = gl.vmap(noise, 0, 0, { randomness: 'same' })(x);
    for (let i = 1; i < 5; i++) expect(rowsEqual(s, 0, i)).toBe(true);
    gl.manualSeed(3);
    const plain = gl.randn([4], { dtype: 'float64' });
    expect(gl.select(s, 0, 0).sub(plain).abs().max().item()).toBe(0); // 'same' is the unbatched draw
  });

  it("'different' draws are standard normal over the batch, and advance the stream like one draw", () => {
    gl.manualSeed(4);
    const d = gl.vmap(noise, 0, 0, { randomness: 'different' })(gl.zeros([4000, 4], { dtype: 'float64' }));
    expect(Math.abs(d.mean().item())).toBeLessThan(0.05);
    expect(Math.abs(d.std().item() - 1)).toBeLessThan(0.05);
    const after = gl.randn([3], { dtype: 'float64' });
    gl.manualSeed(4);
    gl.randn([4], { dtype: 'float64' });
    expect(
      after
        .sub(gl.randn([3], { dtype: 'float64' }))
        .abs()
        .max()
        .item(),
    ).toBe(0);
  });

  it("nested: outer 'different', inner 'same' varies only along the outer batch", () => {
    const z = gl.zeros([3, 2, 4], { dtype: 'float64' });
    const r = gl.vmap(gl.vmap(noise, 0, 0, { randomness: 'same' }), 0, 0, { randomness: 'different' })(z);
    expect(r.shape).toEqual([3, 2, 4]);
    for (let i = 0; i < 3; i++) expect(rowsEqual(gl.select(r, 0, i), 0, 1)).toBe(true);
    expect(rowsEqual(r, 0, 1)).toBe(false);
  });

  it("'same' with chunks replays the draw in every chunk", () => {
    const s = gl.vmap(noise, 0, 0, { randomness: 'same', chunkSize: 2 })(x);
    for (let i = 1; i < 5; i++) expect(rowsEqual(s, 0, i)).toBe(true);
  });
});
