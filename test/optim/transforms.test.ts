// Gradient transforms (clip by value, noise, hooks, chain) and gradient accumulation.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const f64 = (data: number[]) => gl.tensor(data, { dtype: 'float64', requiresGrad: true });
const withGrad = (p: gl.Tensor, g: number[]) => {
  p.grad = gl.tensor(g, { dtype: p.dtype });
  return p;
};

describe('gradient transforms', () => {
  it('clipGradValue clamps every element; clipByValue does it inside step()', () => {
    const p = withGrad(f64([0, 0, 0]), [-2, 0.3, 5]);
    gl.optim.clipGradValue([p], 1);
    expect([...p.grad!.dataSync()]).toEqual([-1, 0.3, 1]);
    const q = withGrad(f64([0, 0, 0]), [-2, 0.3, 5]);
    new gl.optim.SGD([q], { lr: 1, transforms: [gl.optim.clipByValue(0.5)] }).step();
    expect([...q.dataSync()]).toEqual([0.5, -0.3, -0.5]);
  });

  it('clipGradNorm works on gradients that are broadcast views (x.sum() backward)', () => {
    const x = gl.zeros([3, 4], { dtype: 'float64', requiresGrad: true });
    x.sum().backward(); // gradient: ones, as a stride-0 view
    const total = gl.optim.clipGradNorm([x], 1);
    expect(total).toBeCloseTo(Math.sqrt(12), 12);
    expect(gl.norm(x.grad!).item()).toBeCloseTo(1, 5);
  });

  it('clipByNorm exposes the norm it measured', () => {
    const p = withGrad(f64([0, 0]), [3, 4]);
    const clip = gl.optim.clipByNorm(1);
    new gl.optim.SGD([p], { lr: 1, transforms: [clip] }).step();
    expect(clip.lastNorm).toBe(5);
    expect([...p.dataSync()].map((v) => +v.toFixed(6))).toEqual([-0.6, -0.8]);
  });

  it('clipGradNorm with errorIfNonfinite throws GradError on an infinite norm', () => {
    const p = withGrad(f64([0, 0]), [Infinity, 1]);
    expect(() => gl.optim.clipGradNorm([p], 1, { errorIfNonfinite: true })).toThrow(gl.GradError);
  });

  it('addGradNoise adds std * N(0, 1) drawn from the given generator', () => {
    const p = withGrad(f64([0, 0, 0, 0]), [1, 2, 3, 4]);
    gl.optim.addGradNoise([p], 0.5, { generator: new gl.Generator(7) });
    const z = gl.randn([4], { dtype: 'float64', generator: new gl.Generator(7) }).dataSync();
    expect([...p.grad!.dataSync()]).toEqual([1, 2, 3, 4].map((g, i) => g + 0.5 * z[i]));
  });

  it('gradNoise decays as std / (1 + t)^decay and is reproducible from its seed', () => {
    const run = () => {
      const p = f64([0, 0, 0]);
      const noise = gl.optim.gradNoise(1, { decay: 1, seed: 3 });
      const seen: number[][] = [];
      for (let t = 0; t < 3; t++) {
        withGrad(p, [0, 0, 0]);
        noise.apply([p]);
        seen.push([...p.grad!.dataSync()]);
      }
      return seen;
    };
    const a = run();
    expect(run()).toEqual(a);
    // the draws are those of Generator(3), scaled by 1, 1/2, 1/3
    const g = new gl.Generator(3);
    const z = [0, 1, 2].map(() => [...gl.randn([3], { dtype: 'float64', generator: g }).dataSync()]);
    expect(a).toEqual(z.map((zs, t) => zs.map((v) => v * (1 / (1 + t)))));
  });

  it('gradHook may replace a gradient or drop it (the parameter then stays put)', () => {
    const a = withGrad(f64([1, 1]), [1, 1]);
    const b = withGrad(f64([1, 1]), [1, 1]);
    const hook = gl.optim.gradHook((g, p) => (p === b ? null : g.mul(3)));
    new gl.optim.SGD([a, b], { lr: 0.1, transforms: [hook] }).step();
    expect([...a.dataSync()].map((v) => +v.toFixed(12))).toEqual([0.7, 0.7]);
    expect([...b.dataSync()]).toEqual([1, 1]);
    expect(b.grad).toBeNull();
  });

  it('chain applies its transforms left to right and saves their states', () => {
    const p = withGrad(f64([0, 0]), [3, 4]);
    const order: string[] = [];
    const t = gl.optim.chain(
      gl.optim.gradHook(() => void order.push('first')),
      gl.optim.clipByNorm(1),
      gl.optim.gradHook((g) => (order.push(`second saw ${gl.norm(g).item().toFixed(6)}`), g)),
      gl.optim.gradNoise(0, { seed: 1 }),
    );
    t.apply([p]);
    expect(order).toEqual(['first', 'second saw 1.000000']);
    expect(t.name).toBe('chain(gradHook, clipByNorm, gradHook, gradNoise)');
    const state = t.stateDict!();
    expect(state).toEqual([null, null, null, { calls: 1, key: [1, 0], counter: expect.any(Number) }]);
    t.loadStateDict!(state);
    expect(() => gl.optim.chain({} as never)).toThrow(gl.ArgumentError);
  });

  it('the noise position is part of the optimizer state, so a resumed run draws the same noise', () => {
    const make = () => {
      const p = f64([1, -1]);
      return {
        p,
        opt: new gl.optim.SGD([p], { lr: 0.1, transforms: [gl.optim.gradNoise(0.1, { seed: 5 })] }),
      };
    };
    const stepOnce = (r: ReturnType<typeof make>) => {
      r.opt.zeroGrad();
      r.p.pow(2).sum().backward();
      r.opt.step();
    };
    const a = make();
    for (let k = 0; k < 3; k++) stepOnce(a);
    const b = make();
    gl.noGrad(() => b.p.copy_(a.p));
    b.opt.loadStateDict(a.opt.stateDict());
    for (let k = 0; k < 3; k++) {
      stepOnce(a);
      stepOnce(b);
    }
    expect([...b.p.dataSync()]).toEqual([...a.p.dataSync()]);
  });
});

describe('GradientAccumulator', () => {
  // loss over a batch of 4 rows = mean of the per-row losses: accumulating 4 single-row backward
  // passes, averaged, equals one step on the whole batch
  const X = [
    [1, 2],
    [-1, 0.5],
    [0.3, -2],
    [2, 1],
  ];
  const rowLoss = (w: gl.Tensor, rows: number[][]) =>
    gl.tensor(rows, { dtype: 'float64' }).matmul(w).sub(1).pow(2).mean();

  it('N micro-batches then one averaged step equal one step on the full batch', () => {
    const w1 = f64([0.5, -0.5]);
    const full = new gl.optim.SGD([w1], { lr: 0.1, momentum: 0.9 });
    const w2 = f64([0.5, -0.5]);
    const opt2 = new gl.optim.SGD([w2], { lr: 0.1, momentum: 0.9 });
    const acc = new gl.optim.GradientAccumulator(opt2, 4);
    for (let epoch = 0; epoch < 3; epoch++) {
      full.zeroGrad();
      rowLoss(w1, X).backward();
      full.step();
      const stepped = X.map((row) => {
        rowLoss(w2, [row]).backward();
        return acc.step();
      });
      expect(stepped).toEqual([false, false, false, true]);
      expect(w2.grad).toBeNull(); // zeroGrad after the real step
    }
    const a = w1.dataSync();
    const b = w2.dataSync();
    for (let i = 0; i < 2; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-12);
    expect(opt2.stepCount).toBe(3);
  });

  it('flush() steps on a partial accumulation, dividing by the micro-batches actually seen', () => {
    const w = f64([0, 0]);
    const acc = new gl.optim.GradientAccumulator(new gl.optim.SGD([w], { lr: 1 }), 4);
    expect(acc.flush()).toBe(false);
    w.sum().backward();
    w.sum().mul(3).backward(); // summed gradient 4, over 2 micro-batches: 2
    expect(acc.step()).toBe(false);
    expect(acc.step()).toBe(false);
    expect(acc.stateDict()).toEqual({ count: 2 });
    expect(acc.flush()).toBe(true);
    expect([...w.dataSync()]).toEqual([-2, -2]);
    expect(acc.count).toBe(0);
  });

  it('average: false steps on the plain sum', () => {
    const w = f64([0]);
    const acc = new gl.optim.GradientAccumulator(new gl.optim.SGD([w], { lr: 1 }), 2, { average: false });
    w.sum().backward();
    acc.step();
    w.sum().backward();
    acc.step();
    expect(w.item()).toBe(-2);
  });
});
