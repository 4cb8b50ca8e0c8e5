// gl.rules convex-admm: exact patterns by hand, a certified duality gap on a tiny problem, the recovered ReLU network's
// objective equal to the convex one, the rule beating chance, and the models it refuses.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const R = gl.rules;

describe('convex two-layer ReLU by ADMM', () => {
  it('exact patterns of 1-D data, listed by hand', async () => {
    // x = 0, 1, 2, 3: a unit is active on x ≥ t or on x ≤ t; all-zero dropped → 7 distinct patterns
    const xb = R.withBias(gl.tensor([[0], [1], [2], [3]], { dtype: 'float64' }));
    const D = await R.activationPatterns(xb, { kind: 'exact' });
    const cols = (gl.transpose(D, 0, 1).toArray() as number[][]).map((c) => c.join('')).sort();
    expect(cols).toEqual(['0001', '0011', '0111', '1000', '1100', '1110', '1111']);
  });

  it('tiny problem: the certified gap closes, the certificate bounds every feasible objective, recovery is exact', async () => {
    const { x, y } = gl.data.moons(24, { noise: 0.1, seed: 3 });
    const xd = x.double();
    const yd = gl.sub(gl.mul(y.double(), 2), 1);
    const beta = 0.1;
    const patterns = { kind: 'sampled', count: 6, generator: new gl.Generator(1) } as const;
    const short = await R.solveConvexRelu(xd, yd, {
      patterns: { ...patterns, generator: new gl.Generator(1) },
      beta,
      iterations: 20,
    });
    const sol = await R.solveConvexRelu(xd, yd, { patterns, beta, iterations: 800 });
    // the certificate holds at feasible points; at a violation ≤ 1e-5 the gap may dip below 0 by that order only
    expect(sol.constraintViolation).toBeLessThan(1e-5);
    expect(sol.relativeGap).toBeLessThan(1e-3);
    expect(sol.relativeGap).toBeGreaterThan(-1e-5);
    // weak duality: the bound lies below the objective of every feasible point: the zero network's ½‖y‖², the solution's
    expect(sol.dualBound).toBeLessThanOrEqual(0.5 * 24);
    expect(short.relativeGap).toBeGreaterThan(sol.relativeGap);
    // recovery: Σ αₖ ReLU(x̃ᵀhₖ) with hₖ = u/√‖u‖, αₖ = ±√‖u‖ has the same weight-decayed objective (β/2 (‖h‖² + α²) = β‖u‖)
    const { hidden, alpha } = await R.recoverRelu(sol.groups);
    expect(hidden.shape[0]).toBe(sol.activeGroups);
    const relu = R.reluObjective(xd, yd, hidden, alpha, beta);
    expect(Math.abs(relu - sol.objective) / sol.objective).toBeLessThan(1e-3);
  });

  it('the rule fits a two-class task into a plain Linear-ReLU-Linear model, without backward walks', async () => {
    const { x, y } = gl.data.blobs(60, { centers: 2, dim: 3, std: 1.5, box: 3, seed: 4 });
    gl.manualSeed(0);
    const model = new gl.nn.Sequential(new gl.nn.Linear(3, 20), new gl.nn.ReLU(), new gl.nn.Linear(20, 2));
    const task: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
    const learner = R.convexAdmm.create(model, task, { patterns: 10, beta: 0.01, iterations: 100 });
    const { loss, stats } = await learner.step(x, y);
    expect(stats.backwardCalls).toBe(0);
    expect(stats.paramsUpdated).toBe(4);
    expect(loss).toBe(learner.solution!.objective);
    const acc = gl.mean(gl.cast(gl.eq(gl.argmax(learner.predict(x), 1), y), 'float32')).item();
    expect(acc).toBeGreaterThan(0.8); // chance: 0.5
  });

  it('refuses what it cannot solve (RuleModelError)', () => {
    gl.manualSeed(0);
    const net = (h: number, k: number, act: gl.nn.Module = new gl.nn.ReLU()) =>
      new gl.nn.Sequential(new gl.nn.Linear(3, h), act, new gl.nn.Linear(h, k));
    const two: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
    expect(() => R.convexAdmm.create(net(20, 3), { ...two, outputs: 3 })).toThrow(
      /classification with 2 classes, got classification with 3/,
    );
    expect(() => R.convexAdmm.create(net(20, 2, new gl.nn.Sigmoid()), two)).toThrow(gl.rules.RuleModelError);
    expect(() => R.convexAdmm.create(net(10, 2), two, { patterns: 6 })).toThrow(
      /6 patterns need up to 12 hidden units, the model has 10/,
    );
    expect(() => R.convexAdmm.create(net(20, 2), two, { patterns: 'exact' })).toThrow(
      /one input feature, the task has 3/,
    );
  });
});
