// GhostBatchNorm1d/2d equal BatchNorm applied to each chunk in turn (values, gradients, running statistics); eval ignores the ghost size.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const f64 = { dtype: 'float64' as const };

function maxDiff(a: gl.Tensor, b: gl.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  x.forEach((v, i) => (m = Math.max(m, Math.abs(v - y[i]))));
  return m;
}

/** Runs the ghost layer on x and a plain BN of the same state on each chunk; compares everything. */
function compare(
  ghost: gl.nn.BatchNorm1d | gl.nn.BatchNorm2d,
  plain: gl.nn.BatchNorm1d | gl.nn.BatchNorm2d,
  x0: gl.Tensor,
  size: number,
) {
  gl.noGrad(() => {
    const w = gl.randn([ghost.numFeatures], f64).add(1);
    const b = gl.randn([ghost.numFeatures], f64);
    ghost.weight!.copy_(w);
    plain.weight!.copy_(w);
    ghost.bias!.copy_(b);
    plain.bias!.copy_(b);
  });
  const cot = gl.randn(x0.shape, f64);
  const xa = x0.clone().requiresGrad_();
  const ya = ghost.forward(xa);
  ya.mul(cot).sum().backward();
  const xb = x0.clone().requiresGrad_();
  const parts: gl.Tensor[] = [];
  for (let s = 0; s < x0.shape[0]; s += size)
    parts.push(plain.forward(xb.narrow(0, s, Math.min(size, x0.shape[0] - s))));
  const yb = gl.cat(parts, 0);
  yb.mul(cot).sum().backward();
  expect(maxDiff(ya, yb)).toBeLessThan(1e-12);
  expect(maxDiff(xa.grad!, xb.grad!)).toBeLessThan(1e-12);
  expect(maxDiff(ghost.weight!.grad!, plain.weight!.grad!)).toBeLessThan(1e-12);
  expect(maxDiff(ghost.bias!.grad!, plain.bias!.grad!)).toBeLessThan(1e-12);
  expect(maxDiff(ghost.runningMean!, plain.runningMean!)).toBeLessThan(1e-12);
  expect(maxDiff(ghost.runningVar!, plain.runningVar!)).toBeLessThan(1e-12);
  expect(ghost.numBatchesTracked!.item()).toBe(plain.numBatchesTracked!.item());
}

describe('GhostBatchNorm', () => {
  it('1d: equals BatchNorm1d on each chunk of 4 (last chunk of 2), values, gradients and running stats', () => {
    gl.manualSeed(1);
    const x = gl.randn([10, 6], f64).mul(2).add(0.5);
    compare(
      new gl.nn.GhostBatchNorm1d(6, { virtualBatchSize: 4, ...f64 }),
      new gl.nn.BatchNorm1d(6, f64),
      x,
      4,
    );
  });

  it('2d: equals BatchNorm2d on each chunk, cumulative momentum too', () => {
    gl.manualSeed(2);
    const x = gl.randn([7, 3, 4, 4], f64);
    compare(
      new gl.nn.GhostBatchNorm2d(3, { virtualBatchSize: 3, momentum: null, ...f64 }),
      new gl.nn.BatchNorm2d(3, { momentum: null, ...f64 }),
      x,
      3,
    );
  });

  it('equals plain BatchNorm when the virtual batch holds the whole batch', () => {
    gl.manualSeed(3);
    const x = gl.randn([8, 5], f64);
    compare(
      new gl.nn.GhostBatchNorm1d(5, { virtualBatchSize: 8, ...f64 }),
      new gl.nn.BatchNorm1d(5, f64),
      x,
      8,
    );
  });

  it('eval output does not depend on the ghost size; a last chunk of one example is refused', () => {
    gl.manualSeed(4);
    const a = new gl.nn.GhostBatchNorm1d(5, { virtualBatchSize: 2, ...f64 });
    const b = new gl.nn.GhostBatchNorm1d(5, { virtualBatchSize: 16, ...f64 });
    b.loadStateDict(a.stateDict());
    gl.noGrad(() => a.runningVar!.copy_(gl.rand([5], f64).add(0.5)));
    b.loadStateDict(a.stateDict());
    a.eval();
    b.eval();
    const x = gl.randn([9, 5], f64);
    expect(maxDiff(a.forward(x), b.forward(x))).toBe(0);
    a.train();
    expect(() => a.forward(x)).toThrow(/more than 1 value per channel/);
    expect(() => new gl.nn.GhostBatchNorm2d(4, { virtualBatchSize: 0 })).toThrow(gl.ArgumentError);
  });
});
