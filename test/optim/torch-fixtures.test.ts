// gl.optim against PyTorch 1.13: optimizer trajectories, schedule lr sequences and clip_grad_norm_.
// Fixtures: test/fixtures/torch/optim.json, written by test/fixtures/generate_optim_fixtures.py
// (rerun: /usr/bin/python3 test/fixtures/generate_optim_fixtures.py).
// Optimizer trajectories run on every backend present (webgpu included, read asynchronously), since
// fused optimizer kernels differ per backend. Tolerances: float64 trajectories 1e-13 relative (formulas are PyTorch's, op for op; only the
// rounding of fused multiply-adds may differ; measured max 3.5e-16), float32 ones 2e-5; lrs 1e-12.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import {
  buildSchedule,
  fixture,
  fixtureLoss,
  initParams,
  makeOptimizer,
  maxRelErr,
  momenta,
  scheduleOptimizer,
} from './helpers.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

const backends = await allTestBackends();
const before = gl.getBackend();
afterAll(async () => {
  await gl.setBackend(before);
});

/** The parameter values, read asynchronously (every backend). */
const values = async (t: gl.Tensor) => Array.from(await t.data());

// every backend, fused optimizer kernels included; float64 cases where the backend has float64 (each
// float64 case has a float32 twin, `<name>_as_f32`, that runs everywhere)
for (const backend of backends) {
  const float64 = gl.backendCapabilities(backend).float64;
  describe(`optimizers match torch.optim trajectories on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    const cases = fixture.optimizers.filter((c) => float64 || c.dtype !== 'float64');
    if (cases.length < fixture.optimizers.length)
      console.info(
        `optim fixtures on ${backend}: ${fixture.optimizers.length - cases.length} float64 cases skipped (no float64; their float32 twins run)`,
      );
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const params = initParams(c);
      const opt = makeOptimizer(c, params);
      const tol = c.dtype === 'float64' ? 1e-13 : 2e-5;
      for (const [step, expected] of c.trajectory.entries()) {
        opt.zeroGrad();
        fixtureLoss(c, params).backward();
        opt.step();
        for (const [i, p] of params.entries()) {
          const err = maxRelErr(await values(p), expected[i]);
          if (err > tol) throw new Error(`${c.name}: step ${step + 1}, param ${i}: error ${err}`);
        }
        expect(params[2].grad).toBeNull();
      }
      // the parameter without a gradient has no state and did not move
      expect(opt.state.has(params[2])).toBe(false);
      expect(await values(params[2])).toEqual(await values(gl.tensor(c.init[2].data, { dtype: c.dtype })));
    });
  });
}

describe('schedules match torch.optim.lr_scheduler', () => {
  beforeAll(() => gl.setBackend(before));
  it.each(fixture.schedules.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const opt = scheduleOptimizer(c.optimizer);
    const sched = buildSchedule(c.spec, opt);
    const lrs = [opt.paramGroups.map((g) => g.lr)];
    const ms = [momenta(opt)];
    for (let k = 0; k < c.lrs.length - 1; k++) {
      if (c.spec.kind === 'ReduceLROnPlateau') (sched as gl.optim.ReduceLROnPlateau).step(c.spec.metrics![k]);
      else (sched as { step(): void }).step();
      lrs.push(opt.paramGroups.map((g) => g.lr));
      ms.push(momenta(opt));
      expect(sched.getLastLr()).toEqual(lrs[lrs.length - 1]);
    }
    expect(maxRelErr(lrs.flat(), c.lrs.flat())).toBeLessThan(1e-12);
    expect(maxRelErr(ms.flat(), c.momenta.flat())).toBeLessThan(1e-12);
  });
});

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  beforeAll(() => gl.setBackend(before)); // returns a number: the default (synchronous) backend
  it.each(fixture.clipGradNorm.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const params = c.grads.map((g) => {
      const p = gl.zeros(g.shape, { dtype: c.dtype, requiresGrad: true });
      p.grad = gl.tensor(g.data, { dtype: c.dtype }).reshape(g.shape);
      return p;
    });
    const tol = c.dtype === 'float64' ? 1e-12 : 1e-6;
    const total = gl.optim.clipGradNorm(params, c.maxNorm, { normType: c.normType });
    expect(Math.abs(total - c.totalNorm) / c.totalNorm).toBeLessThan(tol);
    params.forEach((p, i) => expect(maxRelErr(p.grad!.dataSync(), c.clipped[i])).toBeLessThan(tol));
  });
});
