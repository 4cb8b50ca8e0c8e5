// PowerNorm against PyTorch implementations of the official code and of the paper's algorithm (fixtures from
// test/fixtures/generate_powernorm_fixtures.py): outputs, gradients, running ψ² and ν after each backward, masks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

interface FixtureTensor {
  shape: number[];
  dtype: 'float64' | 'bool';
  data: number[];
}
interface Step {
  x: FixtureTensor;
  padMask: FixtureTensor | null;
  cotangent: FixtureTensor;
  y: FixtureTensor;
  gradX: FixtureTensor;
  gradWeight: FixtureTensor;
  gradBias: FixtureTensor;
  runningPhi: FixtureTensor;
  emaGz: FixtureTensor;
}
interface Case {
  name: string;
  options: gl.nn.PowerNormOptions;
  numFeatures: number;
  weight: FixtureTensor;
  bias: FixtureTensor;
  steps: Step[];
  evalX: FixtureTensor;
  evalY: FixtureTensor;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch/powernorm.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const make = (t: FixtureTensor) =>
  t.dtype === 'bool'
    ? gl.tensor(t.data.map((v) => v !== 0)).reshape(t.shape)
    : gl.tensor(Float64Array.from(t.data)).reshape(t.shape);

function close(a: gl.Tensor | null, b: FixtureTensor, what: string): void {
  expect(a, what).not.toBeNull();
  expect(a!.shape, what).toEqual(b.shape);
  const got = a!.dataSync();
  let worst = 0;
  b.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v) / (1e-9 + Math.abs(v)))));
  expect(worst, what).toBeLessThan(1e-9);
}

function layerOf(c: Case): gl.nn.PowerNorm {
  const pn = new gl.nn.PowerNorm(c.numFeatures, c.options);
  gl.noGrad(() => {
    pn.weight!.copy_(make(c.weight));
    pn.bias!.copy_(make(c.bias));
  });
  return pn;
}

describe('PowerNorm against PyTorch', () => {
  for (const c of fixture.cases)
    it(c.name, () => {
      const pn = layerOf(c);
      c.steps.forEach((s, k) => {
        const x = make(s.x).requiresGrad_();
        pn.weight!.grad = null;
        pn.bias!.grad = null;
        const y = pn.forward(x, s.padMask ? make(s.padMask) : null);
        close(y, s.y, `${c.name} step ${k} y`);
        close(pn.runningPhi, s.runningPhi, `${c.name} step ${k} running_phi`);
        y.mul(make(s.cotangent)).sum().backward();
        close(x.grad, s.gradX, `${c.name} step ${k} dx`);
        close(pn.weight!.grad, s.gradWeight, `${c.name} step ${k} dweight`);
        close(pn.bias!.grad, s.gradBias, `${c.name} step ${k} dbias`);
        close(pn.emaGz, s.emaGz, `${c.name} step ${k} ema_gz after backward`);
      });
      pn.eval();
      close(pn.forward(make(c.evalX)), c.evalY, `${c.name} eval`);
    });
});

describe('PowerNorm mechanics', () => {
  const x = () => gl.randn([4, 5, 8], { dtype: 'float64' }).add(0.5);

  it('ν (ema_gz) changes only when backward runs, once per forward', () => {
    gl.manualSeed(3);
    const pn = new gl.nn.PowerNorm(8, { dtype: 'float64' });
    const before = Array.from(pn.emaGz.dataSync());
    const y = pn.forward(x().requiresGrad_());
    expect(Array.from(pn.emaGz.dataSync())).toEqual(before);
    y.mul(y).sum().backward();
    const after = Array.from(pn.emaGz.dataSync());
    expect(after).not.toEqual(before);
    gl.noGrad(() => pn.forward(x()));
    expect(Array.from(pn.emaGz.dataSync())).toEqual(after);
  });

  it('during warm-up with αᵦ = 1 the backward is autograd of γ·x/stopgrad(√(ψ_B² + eps)) + β', () => {
    gl.manualSeed(4);
    const pn = new gl.nn.PowerNorm(8, { dtype: 'float64', alphaBkw: 1, warmupIters: 5 });
    gl.noGrad(() => pn.weight!.copy_(gl.randn([8], { dtype: 'float64' })));
    const x0 = x();
    const cot = gl.randn([4, 5, 8], { dtype: 'float64' });
    const xa = x0.clone().requiresGrad_();
    pn.forward(xa).mul(cot).sum().backward();
    const xb = x0.clone().requiresGrad_();
    const psi = gl.noGrad(() => xb.mul(xb).reshape([-1, 8]).mean(0).add(1e-5).sqrt());
    xb.div(psi).mul(pn.weight!).add(pn.bias!).mul(cot).sum().backward();
    const a = xa.grad!.dataSync();
    const b = xb.grad!.dataSync();
    let worst = 0;
    b.forEach((v, i) => (worst = Math.max(worst, Math.abs(a[i] - v) / (1e-12 + Math.abs(v)))));
    expect(worst).toBeLessThan(1e-6);
  });

  it('eval output does not depend on the batch; padded tokens do not change the statistics', () => {
    gl.manualSeed(5);
    const pn = new gl.nn.PowerNorm(8, { dtype: 'float64' });
    const xs = x();
    pn.forward(xs);
    pn.eval();
    const whole = pn.forward(xs).dataSync();
    const part = pn.forward(xs.narrow(0, 1, 1)).dataSync();
    expect(Array.from(part)).toEqual(Array.from(whole.subarray(40, 80)));
    // training: changing padded entries leaves running ψ² unchanged
    const run = (fill: number) => {
      const m = new gl.nn.PowerNorm(8, { dtype: 'float64' });
      const mask = gl.tensor([false, false, true, true, true]).reshape([1, 5]).expand([4, 5]).contiguous();
      const v = gl.where(mask.reshape([4, 5, 1]), fill, xs);
      m.forward(v, mask);
      return Array.from(m.runningPhi.dataSync());
    };
    expect(run(100)).toEqual(run(-3));
  });

  it('rejects bad options and shapes with named errors', () => {
    expect(() => new gl.nn.PowerNorm(6, { groupNum: 4 })).toThrow(gl.ArgumentError);
    expect(() => new gl.nn.PowerNorm(6, { alphaFwd: 2 })).toThrow(/alphaFwd must be in \[0, 1\]/);
    const pn = new gl.nn.PowerNorm(6);
    expect(() => pn.forward(gl.zeros([2, 5]))).toThrow(gl.ShapeError);
    expect(() => pn.forward(gl.ones([2, 3, 6]), gl.zeros([3, 2]))).toThrow(/padMask/);
    expect(() => pn.forward(gl.ones([1, 2, 6]), gl.ones([1, 2]))).toThrow(/every token/);
  });
});
