// gl.testing.checkGrad: passes on correct derivatives (first and second order, fwd and rev), fails with a
// GradientCheckError on a wrong custom gradient, and refuses what it cannot check in float64.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useBackend, webgpuUnavailable } from '../helpers/backends.js';

const x64 = (shape: number[], seed: number) =>
  gl.randn(shape, { dtype: 'float64', generator: new gl.Generator(seed) });

/** x^3 with a correct custom backward, and the same with a backward off by a factor (3x^2 written as 2x^2). */
const cube = gl.customGrad({
  forward(ctx, x: gl.Tensor) {
    ctx.save(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    return [g.mul(x!.mul(x!)).mul(3)];
  },
});
const wrongCube = gl.customGrad({
  forward(ctx, x: gl.Tensor) {
    ctx.save(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    return [g.mul(x!.mul(x!)).mul(2)];
  },
});
/** Right first derivative, wrong second: the backward's own derivative is cut (x detached). */
const cubeDetached = gl.customGrad({
  forward(ctx, x: gl.Tensor) {
    ctx.save(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const xd = x!.detach();
    return [g.mul(xd.mul(xd)).mul(3)];
  },
});

describe('gl.testing.checkGrad', () => {
  beforeAll(() => useBackend('js'));

  it('accepts correct derivatives: ops and a custom gradient, order 1 and 2, fwd and rev', () => {
    const a = x64([3, 4], 1);
    const b = x64([4, 2], 2);
    gl.testing.checkGrad((p, q) => gl.tanh(gl.matmul(p, q)), [a, b], { order: 2 });
    gl.testing.checkGrad((p) => cube(p), [x64([5], 3)], { order: 2, modes: ['rev'] });
    gl.testing.checkGrad((p) => cube(p), [x64([5], 3)], { order: 2, modes: ['fwd'] });
  });

  it('fails on a wrong custom gradient, in reverse and in forward mode, naming the element', () => {
    const x = x64([4], 4);
    expect(() => gl.testing.checkGrad((p) => wrongCube(p), [x], { modes: ['rev'] })).toThrow(
      gl.GradientCheckError,
    );
    expect(() => gl.testing.checkGrad((p) => wrongCube(p), [x], { modes: ['rev'] })).toThrow(
      /order 1 \(rev\): input 0 \(shape \[4\]\), element \d+ .*analytic .* vs numeric/,
    );
    expect(() => gl.testing.checkGrad((p) => wrongCube(p), [x], { modes: ['fwd'] })).toThrow(
      /order 1 \(fwd\): .*finite differences/,
    );
  });

  it('finds a second derivative that is wrong while the first is right', () => {
    const x = x64([3], 5);
    gl.testing.checkGrad((p) => cubeDetached(p), [x]); // order 1 passes
    expect(() => gl.testing.checkGrad((p) => cubeDetached(p), [x], { order: 2, modes: ['rev'] })).toThrow(
      /order 2 \(rev\)/,
    );
    expect(() => gl.testing.checkGrad((p) => cubeDetached(p), [x], { order: 2, modes: ['fwd'] })).toThrow(
      /order 2 \(fwd\)/,
    );
  });

  it('refuses float32 input and bad options with named errors', () => {
    expect(() => gl.testing.checkGrad((p) => p.mul(2), [gl.randn([2])])).toThrow(gl.DTypeError);
    const x = x64([2], 6);
    expect(() => gl.testing.checkGrad((p) => p.mul(2), [x], { order: 3 as 2 })).toThrow(gl.ArgumentError);
    expect(() => gl.testing.checkGrad((p) => p.mul(2), [x], { modes: [] })).toThrow(gl.ArgumentError);
    expect(() => gl.testing.checkGrad((p) => p.mul(2), [x], { eps: 0 })).toThrow(gl.ArgumentError);
  });
});

const gpuMissing = await webgpuUnavailable();
if (gpuMissing !== null) console.info(`checkGrad on webgpu skipped: ${gpuMissing}`);
describe.skipIf(gpuMissing !== null)('gl.testing.checkGrad on a backend without float64', () => {
  const before = gl.getBackend();
  afterAll(() => gl.setBackend(before));
  it('is a DTypeError naming the missing float64, never a looser check', async () => {
    await useBackend('webgpu');
    expect(() => gl.testing.checkGrad((p) => p.mul(2), [gl.randn([2])])).toThrow(
      /need float64, which this backend lacks/,
    );
  });
});
