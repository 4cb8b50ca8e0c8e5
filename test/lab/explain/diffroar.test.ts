// gl.explain.roarMask and diffRoar: the kept features follow |attribution| (hand-worked example from the definition);
// a perfect ranking of a one-feature task gives DiffROAR = acc(top) − acc(bottom) > 0, the mask fills with the mean.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

describe('DiffROAR', () => {
  it('roarMask keeps the k most (top) or least (bottom) |attributed| features of each example', () => {
    const x = gl.tensor([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const a = gl.tensor([
      [0.1, -5, 2, 0],
      [1, 1, 3, 0],
    ]);
    // |a| row 0 ranks 1 > 2 > 0 > 3; row 1 ranks 2 > 0 = 1 (lower index first) > 3
    expect(gl.explain.roarMask(x, a, 0.5, 'top', -1).toArray()).toEqual([
      [-1, 2, 3, -1],
      [5, -1, 7, -1],
    ]);
    expect(gl.explain.roarMask(x, a, 0.5, 'bottom', -1).toArray()).toEqual([
      [1, -1, -1, 4],
      [-1, 6, -1, 8],
    ]);
    expect(gl.explain.roarMask(x, a, 0.25, 'top', 0).toArray()).toEqual([
      [0, 2, 0, 0],
      [0, 0, 7, 0],
    ]);
    expect(() => gl.explain.roarMask(x, a, 1.5, 'top', 0)).toThrow(gl.explain.ExplainError);
    expect(() => gl.explain.roarMask(x, gl.zeros([2, 3]), 0.5, 'top', 0)).toThrow(
      /must have the inputs' shape/,
    );
  });

  it('diffRoar masks train and test by their own attributions and reports top − bottom', async () => {
    // label = [x0 > 0]; the "model" reads feature 0 only, so it is right when feature 0 survives the mask
    const gen = new gl.Generator(5);
    const mk = (n: number) => {
      const x = gl.randn([n, 4], { generator: gen });
      const y = gl.tensor(
        Int32Array.from(
          x.dataSync().filter((_, i) => i % 4 === 0),
          (v) => (v > 0 ? 1 : 0),
        ),
        { dtype: 'int32' },
      );
      const attr = gl.tensor(Array.from({ length: n }, () => [1, 0, 0, 0])); // a perfect ranking
      return { x, y, attr };
    };
    const seen: string[] = [];
    const rows = await gl.explain.diffRoar(mk(50), mk(200), {
      fractions: [0.25],
      maskValue: 0,
      fit: (train, arm) => {
        seen.push(`${arm.keep}:${train.x.shape}`);
        return (x) => gl.cat([gl.zeros([x.shape[0], 1]), x.narrow(1, 0, 1)], 1);
      },
    });
    expect(seen).toEqual(['top:50,4', 'bottom:50,4']);
    expect(rows[0].top).toBe(1);
    expect(rows[0].bottom).toBeLessThan(0.7); // feature 0 is masked to 0: the model says class 0 for everyone
    expect(rows[0].diffRoar).toBeCloseTo(rows[0].top - rows[0].bottom, 12);
    await expect(gl.explain.diffRoar(mk(4), mk(4), { fractions: [], fit: () => (x) => x })).rejects.toThrow(
      gl.explain.ExplainError,
    );
  });
});
