// gl.condense: the DC/DCC matching losses differentiate (double backward) as finite differences say; the distance
// against a loop written from DC's distance_wb; condense lowers the matching loss; bad options are named errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const C = 2;
function tinyNet(): gl.nn.Module {
  gl.manualSeed(7);
  return gl.condense.convNet({ inputShape: [1, 3, 3], classes: C, width: 2, depth: 1, dtype: 'float64' });
}

function realBatches(gen: gl.Generator): gl.condense.ClassBatch[] {
  return Array.from({ length: C }, (_, c) => ({
    x: gl.randn([3, 1, 3, 3], { dtype: 'float64', generator: gen }),
    y: gl.full([3], c, { dtype: 'int32' }),
  }));
}

describe('dataset condensation (gl.condense)', () => {
  const gen = new gl.Generator(11);
  const net = tinyNet();
  const real = realBatches(gen);
  const S0 = gl.randn([C, 1, 3, 3], { dtype: 'float64', generator: gen });

  for (const mode of ['dc', 'dcc'] as const)
    it(`${mode}: ∂D/∂S by double backward equals central finite differences (float64, 1e-6 relative)`, () => {
      const f = (S: gl.Tensor) =>
        gl.condense.gradientMatchLoss(
          net,
          Array.from({ length: C }, (_, c) => ({
            x: S.narrow(0, c, 1),
            y: gl.full([1], c, { dtype: 'int32' }),
          })),
          real,
          mode,
        );
      gl.testing.checkGrad(f, [S0], { modes: ['rev'], rtol: 1e-6, atol: 1e-10, eps: 1e-5 });
      // parameters' .grad is never touched
      for (const p of net.parameters()) expect(p.grad).toBeNull();
    });

  it('matchDistance is Σ over layers and output rows of 1 − cos (DC distance_wb); 1-D gradients add 0', () => {
    const a = [
      gl.randn([2, 3, 2, 2], { dtype: 'float64', generator: gen }),
      gl.randn([4, 5], { dtype: 'float64', generator: gen }),
      gl.randn([4], { dtype: 'float64', generator: gen }),
    ];
    const b = a.map((t) => gl.randn(t.shape, { dtype: 'float64', generator: gen }));
    let expected = 0;
    for (let l = 0; l < 2; l++) {
      const rows = a[l].shape[0];
      const len = a[l].numel / rows;
      const x = a[l].dataSync();
      const y = b[l].dataSync();
      for (let r = 0; r < rows; r++) {
        let dot = 0,
          nx = 0,
          ny = 0;
        for (let k = r * len; k < (r + 1) * len; k++) {
          dot += x[k] * y[k];
          nx += x[k] * x[k];
          ny += y[k] * y[k];
        }
        expected += 1 - dot / (Math.sqrt(nx) * Math.sqrt(ny) + 1e-6);
      }
    }
    expect(gl.condense.matchDistance(a, b).item()).toBeCloseTo(expected, 12);
    expect(gl.condense.matchDistance(a, a).item()).toBeCloseTo(0, 5); // 1 − ‖a‖²/(‖a‖² + 1e-6) per row
  });

  it('condense (one fixed network, ipc 1) lowers the DC matching loss', () => {
    const xs = gl.cat(
      real.map((r) => r.x),
      0,
    );
    const ys = gl.cat(
      real.map((r) => r.y),
      0,
    );
    const fixed = tinyNet();
    const out = gl.condense.condense({ x: xs, y: ys }, C, {
      mode: 'dc',
      ipc: 1,
      iterations: 30,
      batchReal: 3,
      makeNet: () => fixed,
      lrImg: 0.1,
      seed: 1,
    });
    expect(out.x.shape).toEqual([C, 1, 3, 3]);
    expect(Array.from(out.y.dataSync())).toEqual([0, 1]);
    expect(out.losses[out.losses.length - 1]).toBeLessThan(0.7 * out.losses[0]); // 1.77 → 1.13 at this seed;
  });

  it('names bad options', () => {
    const xs = gl.cat(
      real.map((r) => r.x),
      0,
    );
    const ys = gl.cat(
      real.map((r) => r.y),
      0,
    );
    const base = { mode: 'dc' as const, ipc: 1, iterations: 1, batchReal: 2, makeNet: tinyNet };
    expect(() => gl.condense.condense({ x: xs, y: ys }, C, { ...base, ipc: 0 })).toThrow(
      gl.condense.CondenseOptionError,
    );
    expect(() => gl.condense.condense({ x: xs, y: ys }, C, { ...base, ipc: 4 })).toThrow(
      /class 0 has 3 real images, fewer than ipc = 4/,
    );
    expect(() => gl.condense.condense({ x: xs, y: ys }, 1, base)).toThrow(/label 1 .* outside \[0, 1\)/);
    expect(() => gl.condense.condense({ x: xs, y: ys }, C, { ...base, lrImg: -1 })).toThrow(
      /lrImg must be a positive number, got -1/,
    );
    expect(() => gl.condense.gradientMatchLoss(net, [], real, 'dc')).toThrow(gl.condense.CondenseOptionError);
    expect(() => gl.condense.convNet({ inputShape: [1, 2, 2], classes: 2, width: 2, depth: 2 })).toThrow(
      /pools the 2×2 input below 1×1/,
    );
  });
});
