// gl.attacks on a linear model whose minimal L2 and L∞ perturbations are known in closed form; modes, .grad, bad input.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

// two classes, logits z = W x; the margin z_y − z_other is linear in x, so the minimal L2 perturbation that flips
// the decision is |m| / ‖w_y − w_o‖₂ and the minimal L∞ one is |m| / ‖w_y − w_o‖₁ (when the [0, 1] box does not bind)
const W = [
  [1, -1, 0.5, 0],
  [-1, 1, 0, 0.5],
];
const X = [
  [0.55, 0.45, 0.5, 0.5],
  [0.4, 0.6, 0.5, 0.45],
  [0.52, 0.5, 0.48, 0.5],
  [0.45, 0.5, 0.55, 0.6],
];

function linear(): gl.nn.Linear {
  const m = new gl.nn.Linear(4, 2, { bias: false });
  m.loadStateDict(new Map([['weight', gl.tensor(W)]]));
  return m;
}

/** Labels (the clean predictions), and the closed-form minimal L2 and L∞ distances to the boundary. */
function closedForm(): { y: number[]; l2: number[]; linf: number[] } {
  const y: number[] = [];
  const l2: number[] = [];
  const linf: number[] = [];
  for (const x of X) {
    const z = W.map((w) => w.reduce((s, v, j) => s + v * x[j], 0));
    const c = z[0] > z[1] ? 0 : 1;
    const d = W[c].map((v, j) => v - W[1 - c][j]);
    const m = Math.abs(z[0] - z[1]);
    y.push(c);
    l2.push(m / Math.hypot(...d));
    linf.push(m / d.reduce((s, v) => s + Math.abs(v), 0));
  }
  return { y, l2, linf };
}

const rowsOf = (t: gl.Tensor) => t.toArray() as number[][];
const dist = (a: number[], b: number[], p: 2 | 'inf') =>
  p === 2 ? Math.hypot(...a.map((v, j) => v - b[j])) : Math.max(...a.map((v, j) => Math.abs(v - b[j])));

describe('attacks on a linear model (closed-form distances)', () => {
  const x = gl.tensor(X);
  const cf = closedForm();
  const y = gl.tensor(cf.y, { dtype: 'int32' });

  it('C&W-L2 with binary search finds the minimal L2 perturbation within 5%', () => {
    const m = linear();
    const adv = gl.attacks.cw(m, x, y, { c: 0.1, steps: 100, lr: 0.01, binarySearchSteps: 6 });
    const pred = rowsOf(m.forward(adv)).map((r) => (r[0] > r[1] ? 0 : 1));
    rowsOf(adv).forEach((a, i) => {
      expect(pred[i]).not.toBe(cf.y[i]);
      const d = dist(a, X[i], 2);
      expect(d).toBeGreaterThanOrEqual(cf.l2[i] * (1 - 1e-4)); // nothing beats the closed form
      expect(d).toBeLessThanOrEqual(cf.l2[i] * 1.05);
    });
  });

  it('C&W with a c too small to cross returns the clean inputs', () => {
    const adv = gl.attacks.cw(linear(), x, y, { c: 1e-4, steps: 50 });
    expect(Array.from(adv.dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it('DeepFool steps onto the boundary in one step: distance = (1 + overshoot) × closed form', () => {
    const adv = gl.attacks.deepfool(linear(), x, y, { overshoot: 0.02 });
    rowsOf(adv).forEach((a, i) => expect(dist(a, X[i], 2) / cf.l2[i]).toBeCloseTo(1.02, 4));
  });

  it('FGSM, PGD and APGD fool exactly the examples whose L∞ distance is below ε', () => {
    const eps = 0.03;
    const expected = cf.linf.map((d) => d < eps);
    expect(expected.some(Boolean) && !expected.every(Boolean)).toBe(true); // the ε splits the batch
    const m = linear();
    for (const adv of [
      gl.attacks.fgsm(m, x, y, { eps }),
      gl.attacks.pgd(m, x, y, { eps, alpha: eps / 4, steps: 10, generator: new gl.Generator(1) }),
      gl.attacks.apgd(m, x, y, { eps, steps: 20, generator: new gl.Generator(2) }),
    ]) {
      const pred = rowsOf(m.forward(adv)).map((r) => (r[0] > r[1] ? 0 : 1));
      expect(pred.map((p, i) => p !== cf.y[i])).toEqual(expected);
      rowsOf(adv).forEach((a, i) => expect(dist(a, X[i], 'inf')).toBeLessThanOrEqual(eps + 1e-6));
    }
  });

  it('L2 PGD stays in the L2 ball and fools the examples closer than ε', () => {
    const eps = 0.06;
    const m = linear();
    const adv = gl.attacks.pgd(m, x, y, {
      eps,
      norm: '2',
      alpha: 0.02,
      steps: 20,
      generator: new gl.Generator(3),
    });
    const pred = rowsOf(m.forward(adv)).map((r) => (r[0] > r[1] ? 0 : 1));
    expect(pred.map((p, i) => p !== cf.y[i])).toEqual(cf.l2.map((d) => d < eps));
    rowsOf(adv).forEach((a, i) => expect(dist(a, X[i], 2)).toBeLessThanOrEqual(eps + 1e-6));
  });

  it('the robustness report counts successes and norms', () => {
    const eps = [0.01, 0.03, 0.2];
    const r = gl.attacks.robustnessReport(linear(), x, y, { attack: 'fgsm', eps });
    expect(r.cleanAccuracy).toBe(1);
    r.rows.forEach((row, k) => {
      const fooled = cf.linf.filter((d) => d < eps[k]).length;
      expect(row.successRate).toBe(fooled / X.length);
      expect(row.robustAccuracy).toBe(1 - fooled / X.length);
      if (fooled > 0) expect(row.medianLinf).toBeCloseTo(eps[k], 5);
      else expect(row.meanL2).toBeNaN();
    });
  });
});

describe('attack hygiene', () => {
  /** Records the mode the model ran in; dropout in train mode would make attacks random. */
  class Probe extends gl.nn.Module {
    lin = linear();
    modes: boolean[] = [];
    override forward(x: gl.Tensor): gl.Tensor {
      this.modes.push(this.training);
      return this.lin.forward(x);
    }
  }
  const x = gl.tensor(X);
  const y = gl.tensor(closedForm().y, { dtype: 'int32' });

  it('attacks run the model in eval mode, restore its mode and leave parameters’ .grad alone', () => {
    const m = new Probe();
    const w = m.lin.weight;
    w.grad = gl.full([2, 4], 7);
    for (const run of [
      () => gl.attacks.fgsm(m, x, y, { eps: 0.1 }),
      () => gl.attacks.pgd(m, x, y, { eps: 0.1, steps: 2 }),
      () => gl.attacks.cw(m, x, y, { steps: 3 }),
      () => gl.attacks.deepfool(m, x, y, { steps: 2 }),
      () => gl.attacks.apgd(m, x, y, { steps: 3 }),
    ]) {
      m.train();
      m.modes = [];
      run();
      expect(m.modes.length).toBeGreaterThan(0);
      expect(m.modes.every((t) => t === false)).toBe(true);
      expect(m.training).toBe(true);
      expect(Array.from(w.grad!.dataSync())).toEqual(new Array(8).fill(7));
    }
  });

  it('normalization is applied inside the model call', () => {
    const m = linear();
    const seen: number[][] = [];
    const f = (t: gl.Tensor) => {
      seen.push(Array.from(t.dataSync()));
      return m.forward(t);
    };
    gl.attacks.fgsm(f, x, y, { eps: 0.1, normalization: { mean: 0.5, std: 0.25 } });
    expect(seen[0][0]).toBeCloseTo((0.55 - 0.5) / 0.25, 6);
  });

  it('targeted modes: given, least-likely and random targets', () => {
    const f = (t: gl.Tensor) =>
      gl
        .matmul(
          t,
          gl.tensor([
            [1, 0, -1],
            [0, 1, -1],
            [0, 0, 0],
            [0, 0, 0],
          ]),
        )
        .add(gl.tensor([0, 0, 0.5]));
    const yy = gl.tensor([0, 1, 0, 1], { dtype: 'int32' });
    const fw = gl.attacks.attackForward('t', f, x, yy, {});
    const ll = gl.attacks.resolveTargets('t', f, fw, x, yy, 'leastLikely')!;
    expect(Array.from(ll.dataSync())).toEqual([2, 2, 2, 2]); // the third logit, 0.5 − x₀ − x₁, is the smallest
    const r1 = gl.attacks.resolveTargets('t', f, fw, x, yy, 'random', new gl.Generator(5))!;
    const r2 = gl.attacks.resolveTargets('t', f, fw, x, yy, 'random', new gl.Generator(5))!;
    expect(Array.from(r1.dataSync())).toEqual(Array.from(r2.dataSync()));
    Array.from(r1.dataSync()).forEach((t, i) => expect(t).not.toBe([0, 1, 0, 1][i]));
    // a large targeted FGSM step reaches the least-likely class of this model
    const adv = gl.attacks.fgsm(f, x, yy, { eps: 1, target: 'leastLikely' });
    expect(Array.from(f(adv).argmax(1).dataSync())).toEqual([2, 2, 2, 2]);
  });

  it('bad input is a named error', () => {
    const m = linear();
    expect(() => gl.attacks.fgsm(m, x, y, { eps: -0.1 })).toThrow(gl.attacks.AttackOptionError);
    expect(() => gl.attacks.pgd(m, x, y, { steps: 0 })).toThrow(/steps must be an integer >= 1, got 0/);
    expect(() => gl.attacks.cw(m, x, y, { steps: -1 })).toThrow(gl.attacks.AttackOptionError);
    expect(() => gl.attacks.pgd(m, x, y, { norm: '1' as '2' })).toThrow(gl.attacks.AttackOptionError);
    const bad = gl.tensor([0, 1, 2, 0], { dtype: 'int32' });
    expect(() => gl.attacks.fgsm(m, x, bad)).toThrow(gl.attacks.AttackLabelError);
    expect(() => gl.attacks.fgsm(m, x, bad)).toThrow(/labels must lie in \[0, 2\).*got 2 at position 2/);
    expect(() => gl.attacks.fgsm(m, x, gl.tensor([0, 1], { dtype: 'int32' }))).toThrow(
      gl.attacks.AttackLabelError,
    );
    expect(() => gl.attacks.fgsm((t) => t.sum(1), x, y)).toThrow(gl.attacks.ModelOutputError);
    expect(() => gl.attacks.fgsm(m, x.mul(3), y)).toThrow(gl.attacks.AttackInputError);
    expect(() => gl.attacks.fgsm(m, x, y, { target: gl.tensor([5, 0, 0, 0], { dtype: 'int32' }) })).toThrow(
      /target labels must lie in \[0, 2\)/,
    );
    expect(() => gl.attacks.robustnessReport(m, x, y, { attack: 'nope' as 'pgd' })).toThrow(
      /unknown attack 'nope'/,
    );
  });
});
