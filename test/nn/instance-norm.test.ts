// InstanceNorm2d beyond the PyTorch fixtures (test/nn/torch-fixtures.test.ts): second derivatives against
// finite differences, bad input, state-dict keys and the eval path with running statistics.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('InstanceNorm2d', () => {
  const gen = new gl.Generator(3);

  it('second derivatives (input and affine parameters) match finite differences in float64', () => {
    const norm = new gl.nn.InstanceNorm2d(2, { affine: true, dtype: 'float64' });
    const x = gl.randn([1, 2, 2, 3], { dtype: 'float64', generator: gen });
    const w = gl.randn([2], { dtype: 'float64', generator: gen });
    const b = gl.randn([2], { dtype: 'float64', generator: gen });
    const f = (xx: gl.Tensor, ww: gl.Tensor, bb: gl.Tensor): gl.Tensor => {
      // a nonlinearity after the norm so that second derivatives are not trivially zero
      return (gl.func.functionalCall(norm, { weight: ww, bias: bb }, xx) as gl.Tensor).tanh();
    };
    gl.testing.checkGrad(f, [x, w, b], { order: 2, modes: ['rev'] });
  });

  it('names bad input: wrong channels or rank, one spatial element, bad momentum', () => {
    const norm = new gl.nn.InstanceNorm2d(3);
    expect(() => norm.forward(gl.zeros([2, 4, 3, 3]))).toThrow(gl.ShapeError);
    expect(() => norm.forward(gl.zeros([2, 3, 3]))).toThrow(/expected \[N, 3, H, W\] or \[3, H, W\]/);
    expect(() => norm.forward(gl.zeros([2, 3]))).toThrow(gl.ShapeError);
    expect(() => norm.forward(gl.zeros([2, 3, 1, 1]))).toThrow(gl.ArgumentError);
    expect(() => new gl.nn.InstanceNorm2d(3, { momentum: 2 })).toThrow(gl.ArgumentError);
    expect(() => new gl.nn.InstanceNorm2d(0)).toThrow(gl.ArgumentError);
  });

  it('has PyTorch state-dict keys; eval with running statistics is (x - mean) / sqrt(var + eps)', () => {
    expect([...new gl.nn.InstanceNorm2d(2).stateDict().keys()]).toEqual([]);
    const norm = new gl.nn.InstanceNorm2d(2, { affine: true, trackRunningStats: true, dtype: 'float64' });
    expect([...norm.stateDict().keys()]).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    gl.noGrad(() => {
      norm.runningMean!.copy_(gl.tensor([1, -2], { dtype: 'float64' }));
      norm.runningVar!.copy_(gl.tensor([4, 0.25], { dtype: 'float64' }));
    });
    norm.eval();
    const x = gl.randn([1, 2, 2, 2], { dtype: 'float64', generator: gen });
    const y = norm.forward(x).dataSync();
    const xs = x.dataSync();
    xs.forEach((v, i) => {
      const c = i < 4 ? 0 : 1;
      const [m, v2] = c === 0 ? [1, 4] : [-2, 0.25];
      expect(y[i]).toBeCloseTo((v - m) / Math.sqrt(v2 + 1e-5), 12);
    });
  });
});
