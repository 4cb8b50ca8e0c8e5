// gl.rules.gbnn: the assembled network equals the boosted ensemble, a stage's Newton step and F₀ follow the paper's
// formulas written out here, boosting beats chance, and models it cannot grow are refused by name.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

function mlp(d: number, h: number, k: number, act: gl.nn.Module = new gl.nn.Sigmoid()): gl.nn.Sequential {
  gl.manualSeed(0);
  return new gl.nn.Sequential(new gl.nn.Linear(d, h), act, new gl.nn.Linear(h, k));
}

const blobs = () => gl.data.blobs(120, { centers: 3, dim: 4, std: 1.0, box: 4, seed: 1 });
const maxAbs = (a: gl.Tensor, b: gl.Tensor) => gl.amax(gl.abs(gl.sub(a, b))).item();

describe('gl.rules.gbnn', () => {
  it('the assembled network equals the ensemble F₀ + Σ ρₘ fₘ (≤ 1e-5), and a full model stops growing', async () => {
    const { x, y } = blobs();
    const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
    const learner = gl.rules.gbnn.create(mlp(4, 6, 3), task, { unitsPerStage: 2, innerSteps: 10 });
    for (let m = 0; m < 3; m++) {
      const { stats } = await learner.step(x, y);
      expect(stats.paramsUpdated).toBe(4);
      expect(stats.backwardCalls).toBe(10);
    }
    expect(learner.stages.length).toBe(3);
    expect(learner.complete).toBe(true);
    expect(maxAbs(learner.predict(x), learner.ensemble(x))).toBeLessThanOrEqual(1e-5);
    const { stats } = await learner.step(x, y);
    expect(stats.paramsUpdated).toBe(0);
  });

  it('a classification stage: Newton step ρ = Σ f·r / Σ f²·p(1−p), written into the next units', async () => {
    const { x, y } = blobs();
    const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
    const model = mlp(4, 4, 3, new gl.nn.Tanh());
    const learner = gl.rules.gbnn.create(model, task, { unitsPerStage: 2, innerSteps: 5, shrinkage: 0.5 });
    await learner.step(x, y);
    const F = learner.predict(x); // after stage 1: F₀ (0) + ρ₁ f₁
    await learner.step(x, y);
    const s = learner.stages[1];
    // by hand: f = tanh(x W1ᵀ + b1) W2ᵀ + b2, residual r = onehot(y) − softmax(F), p = softmax(F)
    const f = gl.add(
      gl.matmul(gl.tanh(gl.add(gl.matmul(x, gl.transpose(s.w1, 0, 1)), s.b1)), gl.transpose(s.w2, 0, 1)),
      s.b2,
    );
    const p = gl.softmax(F, 1);
    const r = gl.sub(gl.cast(gl.oneHot(y, 3), 'float32'), p);
    const rho = gl.sum(gl.mul(f, r)).item() / gl.sum(gl.mul(gl.mul(f, f), gl.mul(p, gl.sub(1, p)))).item();
    expect(s.rho).toBeCloseTo(0.5 * rho, 5);
    // the model's units 2..3 hold the stage: hidden rows = W1, output columns = ρ·W2
    const lin = [...model].filter((m): m is gl.nn.Linear => m instanceof gl.nn.Linear);
    expect(maxAbs(gl.narrow(lin[0].weight, 0, 2, 2), s.w1)).toBe(0);
    expect(maxAbs(gl.narrow(lin[1].weight, 1, 2, 2), gl.mul(s.w2, s.rho))).toBeLessThan(1e-7);
  });

  it('regression: F₀ is the mean target, ρ = 1 (times the shrinkage), and the training error falls', async () => {
    const { x, y } = gl.data.polynomialRegression(100, { degree: 3, seed: 2, noise: 0.05 });
    const task: gl.rules.TaskSpec = { inputShape: [1], outputs: 1, kind: 'regression' };
    const learner = gl.rules.gbnn.create(mlp(1, 8, 1), task, { innerSteps: 30, lr: 0.05 });
    const first = await learner.step(x, y);
    expect(learner.init.toArray()).toEqual([gl.mean(y).item()]);
    expect(first.loss).toBeCloseTo(gl.mseLoss(gl.zerosLike(y), y).item(), 6); // before F₀ the model outputs 0
    expect(learner.stages[0].rho).toBe(1);
    for (let m = 1; m < 6; m++) await learner.step(x, y);
    const mse = gl.mseLoss(learner.predict(x), y).item();
    expect(mse).toBeLessThan(0.5 * gl.variance(y, null, { correction: 0 }).item());
  });

  it('boosting beats chance on 3 blobs', async () => {
    const { x, y } = blobs();
    const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
    const learner = gl.rules.gbnn.create(mlp(4, 6, 3), task, { innerSteps: 20, lr: 0.05 });
    for (let m = 0; m < 6; m++) await learner.step(x, y);
    const acc = gl.mean(gl.cast(gl.eq(gl.argmax(learner.predict(x), 1), y), 'float32')).item();
    expect(acc).toBeGreaterThan(0.6); // chance: 1/3
  });

  it('refuses models it cannot grow (RuleModelError)', () => {
    const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
    gl.manualSeed(0);
    const deep = new gl.nn.Sequential(
      new gl.nn.Linear(4, 5),
      new gl.nn.ReLU(),
      new gl.nn.Linear(5, 5),
      new gl.nn.ReLU(),
      new gl.nn.Linear(5, 3),
    );
    expect(() => gl.rules.gbnn.create(deep, task)).toThrow(gl.rules.RuleModelError);
    expect(() => gl.rules.gbnn.create(deep, task)).toThrow(/one-hidden-layer network/);
    expect(() => gl.rules.gbnn.create(mlp(4, 5, 2), task)).toThrow(
      /last Linear has 2 outputs, the task has 3/,
    );
    expect(() => gl.rules.gbnn.create(mlp(3, 5, 3), task)).toThrow(
      /takes 3 features, the task's inputs have 4/,
    );
    expect(() => gl.rules.gbnn.create(mlp(4, 5, 3), task, { unitsPerStage: 2 })).toThrow(
      /not a multiple of unitsPerStage 2/,
    );
    expect(() => gl.rules.gbnn.create(mlp(4, 5, 3, new gl.nn.GELU()), task)).toThrow(gl.rules.RuleModelError);
    expect(() =>
      gl.rules.gbnn.check(mlp(4, 5, 3), { inputShape: [2, 2], outputs: 3, kind: 'classification' }),
    ).toThrow(/needs a Flatten first/);
  });
});
