// Gradient surgery: orthogonalPart is orthogonal to the reference and keeps the rest; projectConflicting projects only conflicts.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const f64 = (v: number[], shape?: number[]) => gl.tensor(v, { dtype: 'float64', shape });
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('gradient surgery', () => {
  it('orthogonalPart: ⟨g⊥, ref⟩ = 0 and g − g⊥ is parallel to ref', () => {
    const g = [1, 2, -3, 0.5];
    const r = [0.5, -1, 2, 1];
    const out = Array.from(gl.optim.orthogonalPart(f64(g), f64(r)).dataSync());
    expect(Math.abs(dot(out, r))).toBeLessThan(1e-14);
    const diff = g.map((v, i) => v - out[i]);
    const k = diff[0] / r[0];
    diff.forEach((v, i) => expect(v).toBeCloseTo(k * r[i], 14));
  });

  it('lists of per-parameter tensors are one flat vector', () => {
    const g = [f64([1, 2], [2]), f64([3, -1, 0, 2], [2, 2])];
    const r = [f64([-1, 0.5], [2]), f64([1, 1, -2, 0], [2, 2])];
    const flat = Array.from(
      gl.optim
        .orthogonalPart(gl.cat(g.map((t) => t.reshape([-1]))), gl.cat(r.map((t) => t.reshape([-1]))))
        .dataSync(),
    );
    const parts = gl.optim.orthogonalPart(g, r).flatMap((t) => Array.from(t.dataSync()));
    parts.forEach((v, i) => expect(v).toBeCloseTo(flat[i], 14));
  });

  it('projectConflicting projects when ⟨g, ref⟩ < 0 and leaves g alone otherwise', () => {
    const r = f64([1, 0, 0]);
    expect(Array.from(gl.optim.projectConflicting(f64([-2, 1, 3]), r).dataSync())).toEqual([0, 1, 3]);
    expect(Array.from(gl.optim.projectConflicting(f64([2, 1, 3]), r).dataSync())).toEqual([2, 1, 3]);
    // a zero reference leaves g unchanged
    expect(Array.from(gl.optim.orthogonalPart(f64([2, 1]), f64([0, 0])).dataSync())).toEqual([2, 1]);
  });

  it('mismatched structures are an ArgumentError', () => {
    expect(() => gl.optim.orthogonalPart(f64([1, 2]), f64([1, 2, 3]))).toThrow(gl.ArgumentError);
  });
});
