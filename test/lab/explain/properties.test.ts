// gl.explain's properties and Captum argument semantics: completeness, summation-to-delta, the linear-model agreement,
// tuple inputs, broadcast baselines, additional forward args, noise tunnels, ablation masks, layer methods, errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { Cnn, Smooth, fixture, t } from './models.js';

const maxAbs = (x: gl.Tensor) => Math.max(...Array.from(x.dataSync(), Math.abs));
const diff = (a: gl.Tensor, b: gl.Tensor) => maxAbs(a.sub(b));

describe('gl.explain properties', () => {
  beforeAll(() => gl.setBackend('js'));
  const x = () => t(fixture.cases.cnn.x);
  const target = fixture.cases.cnn.target as number[];

  it('IG completeness gap shrinks with steps, and equals completenessGap', () => {
    const cnn = new Cnn();
    const ig = new gl.explain.IntegratedGradients(cnn);
    // ReLU and max-pool kinks on the path make the error fall slowly (about 1/n) for this piecewise-smooth net
    const gaps = [4, 64].map((n) =>
      maxAbs(ig.attribute(x(), { target, nSteps: n, returnConvergenceDelta: true }).delta),
    );
    expect(gaps[1]).toBeLessThan(gaps[0] / 5);
    // a C1 net (softplus, elu, sigmoid; elu's second derivative jumps at 0): faster, about 1/n²
    const smooth = new Smooth();
    const xs = t(fixture.cases.smooth.x);
    const sg = [6, 24].map((n) =>
      maxAbs(
        new gl.explain.IntegratedGradients(smooth).attribute(xs, {
          target: [0, 1, 2],
          nSteps: n,
          returnConvergenceDelta: true,
        }).delta,
      ),
    );
    expect(sg[1]).toBeLessThan(sg[0] / 5);
    expect(sg[1]).toBeLessThan(1e-3);
    const r = ig.attribute(x(), {
      target,
      nSteps: 8,
      method: 'riemann_middle',
      returnConvergenceDelta: true,
    });
    expect(diff(r.delta, gl.explain.completenessGap(cnn, x(), r.attributions, { target }))).toBeLessThan(
      1e-12,
    );
  });

  it('every IG method integrates a quadratic path exactly where its rule is exact', () => {
    // f(x) = sum(x^2): ∇f = 2x, IG with baseline 0 is x^2 for any exact rule; gausslegendre and trapezoid/middle are exact for linear integrands
    const f = (v: gl.Tensor) => v.mul(v).sum(1);
    const xs = gl.tensor([[1, -2, 3]], { dtype: 'float64' });
    for (const method of ['gausslegendre', 'riemann_trapezoid', 'riemann_middle'] as const)
      expect(
        diff(new gl.explain.IntegratedGradients(f).attribute(xs, { method, nSteps: 5 }), xs.mul(xs)),
      ).toBeLessThan(1e-12);
    const left = new gl.explain.IntegratedGradients(f).attribute(xs, { method: 'riemann_left', nSteps: 4 });
    expect(diff(left, xs.mul(xs).mul(0.75))).toBeLessThan(1e-12); // 2 * mean(0, .25, .5, .75) = 0.75
  });

  it('Gauss-Legendre nodes and weights integrate degree 2n-1 polynomials', () => {
    const { nodes, weights } = gl.explain.gaussLegendre(7);
    for (let d = 0; d <= 13; d++) {
      const q = nodes.reduce((s, z, i) => s + weights[i] * z ** d, 0);
      expect(q).toBeCloseTo(d % 2 ? 0 : 2 / (d + 1), 13);
    }
  });

  it('DeepLift summation-to-delta through softmax, a Sequential with fused-able Linear+ReLU, leakyRelu and clamp', () => {
    gl.manualSeed(3);
    const model = new gl.nn.Sequential(
      new gl.nn.Linear(5, 7),
      new gl.nn.ReLU(),
      new gl.nn.Linear(7, 4),
    ).double();
    const f = (v: gl.Tensor) => gl.softmax(gl.clamp(gl.leakyRelu(model.forward(v), 0.1), -0.5, 0.8), -1);
    const xs = gl.randn([6, 5], { dtype: 'float64' });
    const r = new gl.explain.DeepLift(f).attribute(xs, {
      target: [0, 1, 2, 3, 0, 1],
      baselines: gl.randn([1, 5], { dtype: 'float64' }),
      returnConvergenceDelta: true,
    });
    expect(maxAbs(r.delta)).toBeLessThan(1e-12);
    // and the guided/deeplift rules reached the Sequential's relu (fusion is off inside overrides)
    const guided = new gl.explain.GuidedBackprop(model).attribute(xs, { target: 0 });
    const plain = new gl.explain.Saliency(model).attribute(xs, { target: 0, abs: false });
    expect(diff(guided, plain)).toBeGreaterThan(1e-6);
  });

  it('DeepLift names an unsupported nonlinearity instead of using the plain gradient', () => {
    const xs = gl.randn([2, 3], { dtype: 'float64' });
    const amax = (v: gl.Tensor) => v.amax(1);
    expect(() => new gl.explain.DeepLift(amax).attribute(xs)).toThrow(
      gl.explain.UnsupportedNonlinearityError,
    );
    expect(() => new gl.explain.DeepLift(amax).attribute(xs)).toThrow(/no rule for the primitive 'amax'/);
    const ln = new gl.nn.LayerNorm([3]).double();
    ln.train();
    expect(() =>
      new gl.explain.DeepLift(ln.forward.bind(ln) as never).attribute(xs, { target: 0 } as never),
    ).toThrow(/custom-gradient functions with no DeepLift rule: normalize/);
  });

  it('DeepLiftShap averages DeepLift over baselines; deltas per (example, baseline)', () => {
    const cnn = new Cnn();
    const bases = gl.randn([3, 1, 8, 8], { dtype: 'float64' }).mul(0.1);
    const r = new gl.explain.DeepLiftShap(cnn).attribute(x(), {
      baselines: bases,
      target,
      returnConvergenceDelta: true,
    });
    expect(r.delta.shape).toEqual([6]);
    expect(maxAbs(r.delta)).toBeLessThan(1e-12);
    const dl = new gl.explain.DeepLift(cnn);
    let mean = gl.zeros([2, 1, 8, 8], { dtype: 'float64' });
    for (let k = 0; k < 3; k++)
      mean = mean.add(dl.attribute(x(), { target, baselines: bases.narrow(0, k, 1) }));
    expect(diff(r.attributions, mean.div(3))).toBeLessThan(1e-12);
  });

  it('for a linear model saliency·sign, x⊙∇, IG(0), DeepLift(0) and Occlusion(1) agree to 1e-6 (paper 11, iii)', () => {
    gl.manualSeed(11);
    const lin = new gl.nn.Linear(12, 3).double();
    const f = (v: gl.Tensor) => lin.forward(v.reshape([v.shape[0], 12]));
    const xs = gl.randn([4, 1, 3, 4], { dtype: 'float64' });
    const tg = [0, 1, 2, 1];
    const grad = new gl.explain.Saliency(f).attribute(xs, { target: tg, abs: false });
    const sal = new gl.explain.Saliency(f).attribute(xs, { target: tg }).mul(grad.sign()).mul(xs);
    const all = [
      sal,
      new gl.explain.InputXGradient(f).attribute(xs, { target: tg }),
      new gl.explain.IntegratedGradients(f).attribute(xs, { target: tg, nSteps: 7 }),
      new gl.explain.DeepLift(f).attribute(xs, { target: tg }),
      new gl.explain.Occlusion(f).attribute(xs, { target: tg, slidingWindowShapes: [1, 1, 1] }),
    ];
    for (const a of all.slice(1)) expect(diff(a, all[0])).toBeLessThan(1e-6);
  });

  it("a tensor target (never read back) gives the array target's IG, chunked or not", () => {
    const cnn = new Cnn();
    const ig = new gl.explain.IntegratedGradients(cnn);
    const a = ig.attribute(x(), { target, nSteps: 6, internalBatchSize: 5 });
    const b = ig.attribute(x(), {
      target: gl.tensor(target, { dtype: 'int32' }),
      nSteps: 6,
      internalBatchSize: 5,
    });
    expect(diff(a, b)).toBe(0);
    const occ = (tg: gl.explain.Target) =>
      new gl.explain.Occlusion(cnn).attribute(x(), {
        target: tg,
        slidingWindowShapes: [1, 4, 4],
        strides: 4,
        perturbationsPerEval: 3,
      });
    expect(diff(occ(target), occ(gl.tensor(target, { dtype: 'int32' })))).toBe(0);
  });

  it('tuple inputs, broadcast and numeric baselines, additionalForwardArgs', () => {
    const f = (a: gl.Tensor, b: gl.Tensor, scale: gl.Tensor, k: number) => a.mul(b).sum(1).mul(scale).mul(k);
    const a = gl.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    const b = gl.tensor(
      [
        [5, 6],
        [7, 8],
      ],
      { dtype: 'float64' },
    );
    const scale = gl.tensor([1, -1], { dtype: 'float64' });
    const ig = new gl.explain.IntegratedGradients(f);
    const r = ig.attribute([a, b], {
      baselines: [0, gl.tensor([[1, 1]], { dtype: 'float64' })],
      additionalForwardArgs: [scale, 2],
      nSteps: 6,
      internalBatchSize: 5,
      returnConvergenceDelta: true,
    });
    expect(Array.isArray(r.attributions)).toBe(true);
    expect(r.attributions.map((x) => x.shape)).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(maxAbs(r.delta)).toBeLessThan(1e-12); // bilinear integrand: exact
    const sal = new gl.explain.Saliency(f).attribute([a, b], {
      additionalForwardArgs: [scale, 2],
      abs: false,
    });
    expect(diff(sal[0], b.mul(scale.reshape([2, 1])).mul(2))).toBe(0);
  });

  it('NoiseTunnel: smoothgrad is the mean, smoothgrad_sq the mean square, vargrad their difference', () => {
    const f = (v: gl.Tensor) => v.pow(3).sum(1);
    const xs = gl.tensor([[0.5, -1]], { dtype: 'float64' });
    const run = (ntType: gl.explain.NoiseTunnelType) =>
      new gl.explain.NoiseTunnel(new gl.explain.Saliency(f)).attribute(xs, {
        ntType,
        ntSamples: 4,
        stdevs: 0.1,
        abs: false,
        generator: new gl.Generator(5),
      });
    const [m, sq, v] = [run('smoothgrad'), run('smoothgrad_sq'), run('vargrad')];
    expect(diff(v, sq.sub(m.mul(m)))).toBeLessThan(1e-12);
    // the same noise by hand
    const g = new gl.Generator(5);
    let acc = gl.zeros([1, 2], { dtype: 'float64' });
    for (let k = 0; k < 4; k++) {
      const n = xs.add(gl.randn([1, 2], { dtype: 'float64', generator: g }).mul(0.1));
      acc = acc.add(n.mul(n).mul(3));
    }
    expect(diff(m, acc.div(4))).toBeLessThan(1e-12);
    expect(() =>
      new gl.explain.NoiseTunnel(new gl.explain.Saliency(f)).attribute(xs, { ntType: 'bad' as never }),
    ).toThrow(/ntType must be smoothgrad\|smoothgrad_sq\|vargrad/);
  });

  it('NoiseTunnel drawBaselineFromDistrib: each example and noisy copy gets a baseline drawn from the set', () => {
    // linear f: IG(x, b) = w ⊙ (x − b) exactly, so the smoothgrad of IG is w ⊙ (x̃ − b) averaged over the draws
    const w = gl.tensor([[2, -1, 0.5]], { dtype: 'float64' });
    const f = (v: gl.Tensor) => v.mul(w).sum(1);
    const xs = gl.tensor(
      [
        [1, 2, 3],
        [0, -1, 4],
        [2, 2, 2],
        [1, 0, 1],
      ],
      { dtype: 'float64' },
    );
    const refs = gl.tensor(
      [
        [0, 0, 0],
        [1, 1, 1],
        [-2, 3, 5],
      ],
      { dtype: 'float64' },
    );
    const nt = new gl.explain.NoiseTunnel(new gl.explain.IntegratedGradients(f));
    const opts = { ntSamples: 6, stdevs: 0.1, nSteps: 4, generator: new gl.Generator(9) };
    const got = nt.attribute(xs, { ...opts, baselines: refs, drawBaselineFromDistrib: true });
    // by hand: per copy, the noise, then one row index per example, from the same stream
    const g = new gl.Generator(9);
    let acc = gl.zeros([4, 3], { dtype: 'float64' });
    const picked = new Set<number>();
    for (let k = 0; k < 6; k++) {
      const noisy = xs.add(gl.randn([4, 3], { dtype: 'float64', generator: g }).mul(0.1));
      const idx = gl.randint(0, 3, [4], { dtype: 'int32', generator: g });
      Array.from(idx.dataSync()).forEach((i) => picked.add(i));
      acc = acc.add(noisy.sub(gl.indexSelect(refs, 0, idx)).mul(w));
    }
    expect(picked.size).toBeGreaterThan(1); // the draws differ (else the test could not tell them apart)
    expect(diff(got, acc.div(6))).toBeLessThan(1e-12);
    // off (the default): the baselines pass unchanged (one per example here)
    const same = nt.attribute(xs, { ...opts, stdevs: 0, baselines: refs.narrow(0, 0, 1).expand([4, 3]) });
    expect(diff(same, xs.mul(w))).toBeLessThan(1e-12);
    expect(() => nt.attribute(xs, { ...opts, drawBaselineFromDistrib: true })).toThrow(
      /drawBaselineFromDistrib needs baselines as one tensor \[K, \.\.\.\] per input \(1\), got none/,
    );
    expect(() =>
      nt.attribute(xs, {
        ...opts,
        baselines: gl.zeros([3, 2], { dtype: 'float64' }),
        drawBaselineFromDistrib: true,
      }),
    ).toThrow(/baselines\[0\] must be \[K, 3\] with K ≥ 1 \(input 0 is \[4, 3\]\), got \[3, 2\]/);
  });

  it('GradientShap with one baseline and no noise is a one-point IG estimate; its mean over samples converges to IG', () => {
    const f = (v: gl.Tensor) => v.pow(2).sum(1);
    const xs = gl.tensor([[1, 2, -1]], { dtype: 'float64' });
    const gs = new gl.explain.GradientShap(f).attribute(xs, {
      baselines: gl.zeros([1, 3], { dtype: 'float64' }),
      nSamples: 400,
      generator: new gl.Generator(2),
    });
    // E[2αx ⊙ x] = x² with α ~ U(0,1): Monte Carlo error ~ 1/sqrt(12·400)·2x² ≈ 0.03·x²
    expect(diff(gs, xs.mul(xs))).toBeLessThan(0.25);
  });

  it('FeatureAblation with a featureMask gives every feature of a group the group’s output change', () => {
    const f = (v: gl.Tensor) => v.sum(1).mul(v.select(1, 0));
    const xs = gl.tensor([[1, 2, 3, 4]], { dtype: 'float64' });
    const mask = gl.tensor([[0, 0, 1, 1]], { dtype: 'int32' });
    const a = new gl.explain.FeatureAblation(f).attribute(xs, { featureMask: mask });
    // f = 10; without group 0: 0; without group 1: 3 → [10, 10, 7, 7]
    expect(Array.from(a.dataSync())).toEqual([10, 10, 7, 7]);
    expect(() =>
      new gl.explain.FeatureAblation(f).attribute(xs, {
        featureMask: gl.tensor([[0, 1]], { dtype: 'int32' }),
      }),
    ).toThrow(/does not broadcast/);
  });

  it('LayerIntegratedGradients is complete in the layer; NormGrad phases match their closed forms', () => {
    const smooth = new Smooth();
    const xs = t(fixture.cases.smooth.x);
    const lig = new gl.explain.LayerIntegratedGradients(smooth, smooth.l2).attribute(xs, {
      target: [0, 1, 2],
      nSteps: 24,
    });
    expect(lig.shape).toEqual([3, 5]);
    const idx = gl.tensor([0, 1, 2], { dtype: 'int32' }).reshape([3, 1]);
    const dF = smooth
      .forward(xs)
      .gather(1, idx)
      .sub(smooth.forward(gl.zerosLike(xs)).gather(1, idx))
      .reshape([3]);
    expect(maxAbs(lig.sum(1).sub(dF))).toBeLessThan(1e-3); // C1 path: see the IG test
    const cnn = new Cnn();
    const { activation: a, gradient: g } = gl.explain.layerGradient(cnn, cnn.conv2, x(), { target });
    const ng = new gl.explain.NormGrad(cnn, cnn.conv2);
    const explicit = gl.explain.NormGrad.extract(a, g, 'conv1x1');
    expect(diff(ng.attribute(x(), { target }), explicit.mul(explicit).sum(1, true).sqrt())).toBeLessThan(
      1e-12,
    );
    expect(diff(ng.attribute(x(), { target, phase2: 'sum' }), explicit.sum(1, true))).toBeLessThan(1e-12);
    expect(
      diff(ng.attribute(x(), { target, phase1: 'scaling', phase2: 'sum' }), a.mul(g).sum(1, true)),
    ).toBeLessThan(1e-12);
    expect(
      diff(
        ng.attribute(x(), { target, phase1: 'scaling', phase2: 'filter_norm' }),
        a.mul(g).relu().pow(2).sum(1, true).sqrt(),
      ),
    ).toBeLessThan(1e-12);
    expect(
      diff(ng.attribute(x(), { target, phase1: 'bias', phase2: 'norm' }), g.pow(2).sum(1, true).sqrt()),
    ).toBeLessThan(1e-12);
    // conv3x3 + norm = ‖unfold₃(x)_u‖·‖g_u‖
    const c33 = ng.attribute(x(), { target, phase1: 'conv3x3' });
    const cols = gl.explain.NormGrad.extract(a, gl.onesLike(g), 'conv3x3_depthwise'); // the 3x3 columns of x
    expect(diff(c33, cols.pow(2).sum(1, true).sqrt().mul(g.pow(2).sum(1, true).sqrt()))).toBeLessThan(1e-12);
    expect(ng.attribute(x(), { target, phase1: 'conv3x3_depthwise', phase2: 'max' }).shape).toEqual([
      2, 1, 4, 4,
    ]);
    expect(() => ng.attribute(x(), { phase1: 'nope' as never, target })).toThrow(/phase1 must be/);
    const combined = gl.explain.combineMaps(
      [ng.attribute(x(), { target }), new gl.explain.LayerGradCam(cnn, cnn.conv1).attribute(x(), { target })],
      [8, 8],
    );
    expect(combined.shape).toEqual([2, 1, 8, 8]);
    expect(Math.max(...combined.dataSync())).toBeLessThanOrEqual(1);
  });

  it('metaSaliency restores the weights and changes the map', () => {
    const cnn = new Cnn();
    const before = cnn.parameters().map((p) => p.clone());
    const sal = () => new gl.explain.NormGrad(cnn, cnn.conv2).attribute(x(), { target });
    const plain = sal();
    const meta = gl.explain.metaSaliency(cnn, x(), sal, { target, lr: 0.5 });
    expect(diff(meta, plain)).toBeGreaterThan(1e-6);
    cnn.parameters().forEach((p, i) => expect(diff(p, before[i])).toBe(0));
  });

  it('infidelity is zero for exact linear attributions; sensitivityMax is zero for a constant map', () => {
    const w = gl.tensor([[1, -2, 3]], { dtype: 'float64' });
    const f = (v: gl.Tensor) => v.mul(w).sum(1);
    const xs = gl.tensor(
      [
        [0.3, 0.1, -0.2],
        [1, 2, 3],
      ],
      { dtype: 'float64' },
    );
    const attr = new gl.explain.InputXGradient(f).attribute(xs);
    const g = new gl.Generator(1);
    const inf = gl.explain.infidelity(
      f,
      (v) => v.map((q) => gl.randn(q.shape, { dtype: 'float64', generator: g })),
      xs,
      new gl.explain.Saliency(f).attribute(xs, { abs: false }),
    );
    expect(maxAbs(inf)).toBeLessThan(1e-20);
    const infBad = gl.explain.infidelity(
      f,
      (v) => v.map((q) => gl.randn(q.shape, { dtype: 'float64', generator: g })),
      xs,
      attr.mul(0),
    );
    expect(Math.min(...infBad.dataSync())).toBeGreaterThan(0);
    const s = gl.explain.sensitivityMax((v) => [new gl.explain.Saliency(f).attribute(v[0])], [xs], {
      generator: g,
    });
    expect(maxAbs(s)).toBe(0);
  });

  it('model randomisation: gradient maps decorrelate; Spearman of a monotone map is 1', () => {
    expect(gl.explain.spearman([1, 2, 3, 4], [10, 20, 35, 36])).toBe(1);
    expect(gl.explain.spearman([1, 2, 3], [10, 30, 20])).toBeCloseTo(0.5, 12);
    const cnn = new Cnn();
    const rho = gl.explain.modelRandomisationCheck(
      cnn,
      () => new gl.explain.Saliency(cnn).attribute(x(), { target }),
      {
        generator: new gl.Generator(4),
      },
    );
    expect(rho).toHaveLength(2);
    for (const r of rho) expect(r).toBeLessThan(0.9);
    // restored
    expect(
      maxAbs(new gl.explain.Saliency(cnn).attribute(x(), { target }).sub(t(fixture.cases.cnn.saliency))),
    ).toBeLessThan(1e-12);
  });

  it('bad input gets named errors', () => {
    const cnn = new Cnn();
    const sal = new gl.explain.Saliency(cnn);
    expect(() => sal.attribute(x())).toThrow(/target is required when the forward returns \[2,3\]/);
    expect(() => sal.attribute(x(), { target: [1] })).toThrow(
      /expected 2 indices \(one per example\), got 1/,
    );
    expect(() => sal.attribute(x(), { target: 7 })).toThrow(/target 7 is out of range for 3 classes/);
    expect(() => sal.attribute(x(), { target: -1 })).toThrow(gl.explain.ExplainError);
    expect(() => sal.attribute(x(), { target: gl.tensor([0, 1]) })).toThrow(
      /expected an int32 tensor, got float32/,
    );
    expect(() => sal.attribute(x(), { target: gl.tensor([0, 9], { dtype: 'int32' }) })).toThrow(
      gl.IndexOutOfRangeError,
    );
    expect(() => sal.attribute([] as never)).toThrow(/non-empty array of tensors/);
    const ig = new gl.explain.IntegratedGradients(cnn);
    expect(() => ig.attribute(x(), { target, baselines: gl.zeros([3, 1, 8, 8]) })).toThrow(
      /does not broadcast to the input's \[2,1,8,8\]/,
    );
    expect(() => ig.attribute(x(), { target, method: 'simpson' as never })).toThrow(
      /method must be riemann_left/,
    );
    expect(() => ig.attribute(x(), { target, nSteps: 0 })).toThrow(/nSteps: expected a positive integer/);
    expect(() =>
      new gl.explain.Occlusion(cnn).attribute(x(), { target, slidingWindowShapes: [1, 9, 9] }),
    ).toThrow(/does not fit/);
    expect(() => new gl.explain.LayerGradCam(cnn, new gl.nn.ReLU()).attribute(x(), { target })).toThrow(
      /the layer ran 0 times/,
    );
  });
});
