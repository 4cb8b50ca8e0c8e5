// gl.explain against plain-PyTorch implementations of each method's definition on fixed weights
// (test/fixtures/generate_explain_fixtures.py → test/fixtures/torch/explain.json), float64 on the js and native backends.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { testBackends, useBackend } from '../../helpers/backends.js';
import { Cnn, Mlp, Smooth, fixture, maxRelErr, t } from './models.js';

const TOL = 1e-10;
const C = fixture.cases;

for (const backend of testBackends()) {
  describe(`explain fixtures on ${backend}`, () => {
    let cnn: Cnn;
    let mlp: Mlp;
    let x: gl.Tensor;
    let xm: gl.Tensor;
    beforeAll(async () => {
      await useBackend(backend);
      cnn = new Cnn();
      mlp = new Mlp();
      x = t(C.cnn.x);
      xm = t(C.mlp.x);
    });
    const target = () => C.cnn.target as number[];

    it('Saliency and InputXGradient', () => {
      expect(
        maxRelErr(new gl.explain.Saliency(cnn).attribute(x, { target: target() }), C.cnn.saliency),
      ).toBeLessThan(TOL);
      const tgt = gl.tensor(target(), { dtype: 'int32' });
      expect(
        maxRelErr(new gl.explain.InputXGradient(cnn).attribute(x, { target: tgt }), C.cnn.inputXGradient),
      ).toBeLessThan(TOL);
    });

    it('IntegratedGradients (gausslegendre and riemann_trapezoid, deltas, internal batching)', () => {
      const ig = new gl.explain.IntegratedGradients(cnn);
      const r = ig.attribute(x, { target: target(), nSteps: 20, returnConvergenceDelta: true });
      expect(maxRelErr(r.attributions, C.cnn.ig_gl20_zero.attr)).toBeLessThan(TOL);
      expect(maxRelErr(r.delta, C.cnn.ig_gl20_zero.delta)).toBeLessThan(TOL);
      const r2 = ig.attribute(x, {
        target: target(),
        nSteps: 10,
        method: 'riemann_trapezoid',
        baselines: t(C.cnn.baseline),
        internalBatchSize: 3,
        returnConvergenceDelta: true,
      });
      expect(maxRelErr(r2.attributions, C.cnn.ig_trap10_base.attr)).toBeLessThan(TOL);
      expect(maxRelErr(r2.delta, C.cnn.ig_trap10_base.delta)).toBeLessThan(TOL);
    });

    it('GuidedBackprop and Deconvolution: functional relu, and one ReLU module used twice', () => {
      expect(
        maxRelErr(new gl.explain.GuidedBackprop(cnn).attribute(x, { target: target() }), C.cnn.guided),
      ).toBeLessThan(TOL);
      expect(
        maxRelErr(new gl.explain.Deconvolution(cnn).attribute(x, { target: target() }), C.cnn.deconv),
      ).toBeLessThan(TOL);
      expect(
        maxRelErr(new gl.explain.GuidedBackprop(mlp).attribute(xm, { target: C.mlp.target }), C.mlp.guided),
      ).toBeLessThan(TOL);
      expect(
        maxRelErr(new gl.explain.Deconvolution(mlp).attribute(xm, { target: C.mlp.target }), C.mlp.deconv),
      ).toBeLessThan(TOL);
      // the guided map differs from the plain gradient here, so the rule really ran on both ReLU calls
      const plain = new gl.explain.Saliency(mlp).attribute(xm, { target: C.mlp.target, abs: false });
      expect(maxRelErr(plain, C.mlp.guided)).toBeGreaterThan(1e-3);
    });

    it('DeepLift (rescale; max-pool rule; zero and random baselines; reused module; softplus, elu, sigmoid)', () => {
      const dl = new gl.explain.DeepLift(cnn);
      for (const [name, base] of [
        ['deeplift_zero', undefined],
        ['deeplift_base', t(C.cnn.baseline)],
      ] as const) {
        const r = dl.attribute(x, { target: target(), baselines: base, returnConvergenceDelta: true });
        expect(maxRelErr(r.attributions, C.cnn[name].attr)).toBeLessThan(TOL);
        expect(Math.max(...Array.from(r.delta.dataSync(), Math.abs))).toBeLessThan(1e-12);
      }
      const rm = new gl.explain.DeepLift(mlp).attribute(xm, {
        target: C.mlp.target,
        returnConvergenceDelta: true,
      });
      expect(maxRelErr(rm.attributions, C.mlp.deeplift_zero.attr)).toBeLessThan(TOL);
      const rs = new gl.explain.DeepLift(new Smooth()).attribute(t(C.smooth.x), {
        target: C.smooth.target,
        baselines: t(C.smooth.baseline),
        returnConvergenceDelta: true,
      });
      expect(maxRelErr(rs.attributions, C.smooth.deeplift_base.attr)).toBeLessThan(TOL);
      expect(Math.max(...Array.from(rs.delta.dataSync(), Math.abs))).toBeLessThan(1e-12);
    });

    it('LayerGradCam and GradCam at conv2', () => {
      expect(
        maxRelErr(
          new gl.explain.LayerGradCam(cnn, cnn.conv2).attribute(x, { target: target() }),
          C.cnn.layerGradCam,
        ),
      ).toBeLessThan(TOL);
      expect(
        maxRelErr(new gl.explain.GradCam(cnn, cnn.conv2).attribute(x, { target: target() }), C.cnn.gradCam),
      ).toBeLessThan(TOL);
    });

    it('Occlusion (3x3 windows, stride 2: some pixels uncovered; 2x2 stride 2)', () => {
      const occ = new gl.explain.Occlusion(cnn);
      expect(
        maxRelErr(
          occ.attribute(x, { target: target(), slidingWindowShapes: [1, 3, 3], strides: [1, 2, 2] }),
          C.cnn.occlusion_w3_s2,
        ),
      ).toBeLessThan(TOL);
      expect(
        maxRelErr(
          occ.attribute(x, {
            target: target(),
            slidingWindowShapes: [1, 2, 2],
            strides: 2,
            perturbationsPerEval: 5,
          }),
          C.cnn.occlusion_w2_s2,
        ),
      ).toBeLessThan(TOL);
    });

    it('NormGrad equals the brute-force norm of a virtual 1x1 conv weight gradient per location', () => {
      const ng = new gl.explain.NormGrad(cnn, cnn.conv2);
      expect(maxRelErr(ng.attribute(x, { target: target() }), C.cnn.normgrad_bruteforce)).toBeLessThan(TOL);
    });
  });
}
