// gl.rules snnk: random-feature kernel estimates whose error shrinks with m, orthogonal rows, the closed-form bundled
// layer equal to a ridge solution written out here, the SNNK layer's parameter count, and the models it refuses.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const R = gl.rules;

/** 200 pairs x, w in R^8 with norms ≤ 0.8 (so f(xᵀw) stays away from 0 for cos). */
function pairs(seed: number) {
  const g = new gl.Generator(seed);
  const unit = (t: gl.Tensor) => gl.div(t, gl.norm(t, 2, 1, true));
  const x = gl.mul(unit(gl.randn([200, 8], { generator: g, dtype: 'float64' })), 0.8);
  const w = gl.mul(unit(gl.randn([200, 8], { generator: g, dtype: 'float64' })), 0.8);
  return { x, w };
}

function meanRelError(
  kind: 'exp' | 'cos',
  m: number,
  projection: gl.rules.ProjectionKind,
  seed: number,
): number {
  const { x, w } = pairs(seed);
  const G = R.randomProjection(m, 8, projection, new gl.Generator(seed + 100), 'float64');
  const est = gl.sum(gl.mul(R.features(kind, 'input', x, G), R.features(kind, 'weight', w, G)), 1);
  const exact = R.exactKernel(kind, x, w);
  return gl.mean(gl.div(gl.abs(gl.sub(est, exact)), gl.abs(exact))).item();
}

describe('SNNK random features', () => {
  it('kernel estimates of exp and cos improve with m (16 → 256, averaged over 3 seeds)', () => {
    for (const kind of ['exp', 'cos'] as const)
      for (const projection of ['gaussian', 'orthogonal'] as const) {
        const err = (m: number) =>
          [0, 1, 2].reduce((s, k) => s + meanRelError(kind, m, projection, k), 0) / 3;
        const e16 = err(16);
        const e256 = err(256);
        // Monte-Carlo error ∝ m^(-1/2): 16× more features → 4× smaller; asserted with slack as ≥ 2×
        expect(e256).toBeLessThan(e16 / 2);
      }
  });

  it('orthogonal projections: rows orthogonal within a block of d, norms chi-distributed', () => {
    const G = R.randomProjection(8, 8, 'orthogonal', new gl.Generator(3), 'float64');
    const gram = gl.matmul(G, gl.transpose(G, 0, 1));
    const off = gl.sub(gram, gl.mul(gram, gl.eye(8, 8, { dtype: 'float64' })));
    expect(gl.amax(gl.abs(off)).item()).toBeLessThan(1e-9);
  });

  it('the bundled rule writes the ridge solution (ΦᵀΦ + λI)⁻¹ΦᵀY of every batch seen so far', async () => {
    const { x, y } = gl.data.blobs(60, { centers: 3, dim: 4, std: 1, box: 3, seed: 5 });
    gl.manualSeed(0);
    const model = new gl.nn.Sequential(new gl.nn.Linear(4, 12), new gl.nn.ReLU(), new gl.nn.Linear(12, 3));
    const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
    const learner = R.snnk.create(model, task, { ridge: 0.5 });
    const a = await learner.step(gl.narrow(x, 0, 0, 30), gl.narrow(y, 0, 0, 30));
    await learner.step(gl.narrow(x, 0, 30, 30), gl.narrow(y, 0, 30, 30));
    expect(a.stats.backwardCalls).toBe(0);
    // by hand, with the normal equations of all 60 examples, solved as an ordinary linear system
    const lin = [...model].filter((m): m is gl.nn.Linear => m instanceof gl.nn.Linear);
    const phi = gl.cat([gl.relu(lin[0].forward(x)), gl.ones([60, 1])], 1).double();
    const Y = gl.cast(gl.oneHot(y, 3), 'float64');
    const A = gl.add(
      gl.matmul(gl.transpose(phi, 0, 1), phi),
      gl.mul(gl.eye(13, 13, { dtype: 'float64' }), 0.5),
    );
    const B = gl.matmul(gl.transpose(phi, 0, 1), Y);
    // check A·W = B for the model's W (residual relative to B)
    const W = gl.cat([gl.transpose(lin[1].weight, 0, 1), gl.unsqueeze(lin[1].bias!, 0)], 0).double();
    const res = gl.amax(gl.abs(gl.sub(gl.matmul(A, W), B))).item() / gl.amax(gl.abs(B)).item();
    expect(res).toBeLessThan(1e-5);
    const acc = gl.mean(gl.cast(gl.eq(gl.argmax(learner.predict(x), 1), y), 'float32')).item();
    expect(acc).toBeGreaterThan(0.7); // chance: 1/3
  });

  it('SnnkLinear: out·m trainable weights instead of out·(d + 1), forward shape', () => {
    const layer = new R.SnnkLinear(64, 256, { features: 16, generator: new gl.Generator(0) });
    const trainable = layer.parameters().reduce((s, p) => s + p.numel, 0);
    expect(trainable).toBe(256 * 16);
    expect(layer.forward(gl.randn([5, 64])).shape).toEqual([5, 256]);
  });

  it('refuses models it cannot bundle (RuleModelError)', () => {
    gl.manualSeed(0);
    const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
    const tanh = new gl.nn.Sequential(new gl.nn.Linear(4, 12), new gl.nn.Tanh(), new gl.nn.Linear(12, 3));
    expect(() => R.snnk.create(tanh, task)).toThrow(gl.rules.RuleModelError);
    expect(() => R.snnk.create(new gl.nn.Linear(4, 3), task)).toThrow(/one-hidden-layer network/);
  });
});
