// gl.rules.ff: one step equals the forward-forward update written out by hand; local walks; wrong-label negatives; model checks.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';
import { digitsMlp, digitsTask, quickDigits } from './digits-task.js';

const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 2, kind: 'classification' };
const close = (a: gl.Tensor, b: gl.Tensor): void => {
  const [u, v] = [a.toArray() as number[][], b.toArray() as number[][]];
  expect(u.flat().length).toBe(v.flat().length);
  u.flat().forEach((x, i) => expect(x).toBeCloseTo(v.flat()[i], 5));
};

function twoLayers(seed: number): gl.nn.Sequential {
  gl.manualSeed(seed);
  return new gl.nn.Sequential(
    new gl.nn.Linear(4, 3),
    new gl.nn.ReLU(),
    new gl.nn.Linear(3, 3),
    new gl.nn.ReLU(),
  );
}

/** The FF layer loss written out: BCE with p(positive) = σ(g − θ), averaged over positives and negatives. */
function ffLossByHand(z: gl.Tensor, n: number, theta: number): gl.Tensor {
  const g = gl.mean(gl.mul(z, z), 1); // mean of squares
  const gPos = g.narrow(0, 0, n);
  const gNeg = g.narrow(0, n, n);
  const lPos = gl.log(gl.add(gl.exp(gl.sub(theta, gPos)), 1)); // -log σ(g⁺ − θ)
  const lNeg = gl.log(gl.add(gl.exp(gl.sub(gNeg, theta)), 1)); // -log(1 − σ(g⁻ − θ))
  return gl.div(gl.add(gl.sum(lPos), gl.sum(lNeg)), 2 * n);
}

describe('gl.rules.ff', () => {
  it('one step equals the hand-written FF update of each layer (two classes: the wrong label is the other one)', async () => {
    const x = gl.tensor([
      [0.3, 0.9, 0.5, -1],
      [0.7, 0.1, 1.5, 0.25],
    ]);
    const y = gl.tensor([1, 0], { dtype: 'int32' });
    const a = twoLayers(4);
    const b = twoLayers(4);
    const theta = 0.5;
    const learner = gl.rules.ff.create(a, task, { lr: 0.1, optimizer: 'sgd', theta });
    const { loss, stats } = await learner.step(x, y);

    // by hand: positives carry the true label in the first 2 inputs, negatives the other label
    const pos = gl.tensor([
      [0, 1, 0.5, -1],
      [1, 0, 1.5, 0.25],
    ]);
    const neg = gl.tensor([
      [1, 0, 0.5, -1],
      [0, 1, 1.5, 0.25],
    ]);
    const [l1, l2] = [b.at(0) as gl.nn.Linear, b.at(2) as gl.nn.Linear];
    const rms = (t: gl.Tensor) => gl.div(t, gl.add(gl.sqrt(gl.mean(gl.mul(t, t), 1, true)), 1e-8));
    // layer 1's input: the overlaid examples divided by their root mean square
    const inp = rms(gl.cat([pos, neg], 0));
    const z1 = gl.relu(gl.add(gl.matmul(inp, l1.weight.t()), l1.bias!));
    const loss1 = ffLossByHand(z1, 2, theta);
    const [gw1, gb1] = gl.grad(loss1, [l1.weight, l1.bias!]);
    // layer 2's input: layer 1's activity, detached and divided by its root mean square
    const hn = rms(z1.detach());
    const z2 = gl.relu(gl.add(gl.matmul(hn, l2.weight.t()), l2.bias!));
    const loss2 = ffLossByHand(z2, 2, theta);
    const [gw2, gb2] = gl.grad(loss2, [l2.weight, l2.bias!]);

    expect(loss).toBeCloseTo(loss1.item() + loss2.item(), 5);
    close(a.at(0).parameters()[0], gl.sub(l1.weight, gl.mul(gw1!, 0.1)));
    close(a.at(0).parameters()[1], gl.sub(l1.bias!, gl.mul(gb1!, 0.1)));
    close(a.at(2).parameters()[0], gl.sub(l2.weight, gl.mul(gw2!, 0.1)));
    close(a.at(2).parameters()[1], gl.sub(l2.bias!, gl.mul(gb2!, 0.1)));
    // two FF layers and the rule's own linear head: three local backward walks, three forward passes
    expect(stats.backwardCalls).toBe(3);
    expect(stats.forwardPasses).toBe(3);
    expect(stats.paramsUpdated).toBe(6);
  });

  it("walks one layer's graph at a time: the largest walk and the saved bytes do not grow with depth", async () => {
    const x = gl.rand([8, 6]);
    const y = gl.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' });
    const t: gl.rules.TaskSpec = { inputShape: [6], outputs: 3, kind: 'classification' };
    const mk = (depth: number) =>
      new gl.nn.Sequential(
        ...Array.from({ length: depth }, () => [new gl.nn.Linear(6, 6), new gl.nn.ReLU()]).flat(),
      );
    const stats = async (rule: 'ff' | 'bp', depth: number) => {
      const m = mk(depth);
      if (rule === 'bp') m.append(new gl.nn.Linear(6, 3));
      return (await gl.rules.RULES[rule].create(m, t).step(x, y)).stats;
    };
    const [ff2, ff4, bp2, bp4] = [
      await stats('ff', 2),
      await stats('ff', 4),
      await stats('bp', 2),
      await stats('bp', 4),
    ];
    expect(ff4.backwardCalls).toBe(5);
    expect(ff4.largestBackwardOps).toBe(ff2.largestBackwardOps);
    expect(ff4.peakSavedBytes).toBe(ff2.peakSavedBytes);
    expect(bp4.largestBackwardOps).toBeGreaterThan(bp2.largestBackwardOps);
    expect(bp4.peakSavedBytes).toBeGreaterThan(bp2.peakSavedBytes);
  });

  it("passes: 'separate' makes the same update with two walks per layer and half the layer's saved bytes", async () => {
    const x = gl.rand([6, 8]);
    const y = gl.tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' });
    const t: gl.rules.TaskSpec = { inputShape: [8], outputs: 3, kind: 'classification' };
    const mk = () => {
      gl.manualSeed(5);
      return new gl.nn.Sequential(
        new gl.nn.Linear(8, 16),
        new gl.nn.ReLU(),
        new gl.nn.Linear(16, 16),
        new gl.nn.ReLU(),
      );
    };
    const [a, b] = [mk(), mk()];
    const opts = { lr: 0.1, optimizer: 'sgd' as const };
    const joint = await gl.rules.ff.create(a, t, { ...opts, generator: new gl.Generator(2) }).step(x, y);
    const sep = await gl.rules.ff
      .create(b, t, { ...opts, generator: new gl.Generator(2), passes: 'separate' })
      .step(x, y);
    expect(sep.loss).toBeCloseTo(joint.loss, 5);
    a.parameters().forEach((p, i) => close(p, b.parameters()[i]));
    expect(joint.stats.backwardCalls).toBe(3);
    expect(sep.stats.backwardCalls).toBe(5);
    expect(sep.stats.peakSavedBytes).toBeLessThan(joint.stats.peakSavedBytes);
  });

  it('negatives: strictly wrong labels by default, the permuted-label pitfall as an option', () => {
    const y = gl.tensor(
      Array.from({ length: 200 }, (_, i) => i % 10),
      { dtype: 'int32' },
    );
    const wrong = gl.rules.wrongLabels(y, 10, new gl.Generator(1));
    expect(gl.eq(wrong, y).sum().item()).toBe(0);
    expect(gl.amax(wrong).item()).toBeLessThan(10);
    expect(gl.amin(wrong).item()).toBeGreaterThanOrEqual(0);
    const perm = gl.rules.permutedLabels(y, new gl.Generator(1));
    expect([...(perm.toArray() as number[])].sort((p, q) => p - q)).toEqual(
      [...(y.toArray() as number[])].sort((p, q) => p - q),
    );
    expect(gl.eq(perm, y).sum().item()).toBeGreaterThan(0); // some "negatives" are positives
  });

  it('learns the digits in a quick run, in both prediction modes', async () => {
    const model = digitsMlp(1, [64], () => new gl.nn.ReLU());
    const learner = gl.rules.ff.create(model, digitsTask, {
      lr: 0.03,
      overlayValue: 3,
    }) as gl.rules.FFLearner;
    const acc = await quickDigits(learner, 3);
    expect(acc).toBeGreaterThan(0.3); // chance is 0.1
    const ds = gl.data.loadDataset('digits', { flatten: true });
    const head = gl
      .eq(gl.argmax(learner.scores(ds.test.x, 'head'), 1), ds.test.y)
      .float()
      .mean()
      .item();
    expect(head).toBeGreaterThan(0.3);
    expect(learner.predict(ds.test.x).shape).toEqual([ds.test.x.shape[0], 10]);
  });

  it('says what it needs before training', () => {
    const cls = { inputShape: [4], outputs: 2, kind: 'classification' } as const;
    const cases: [gl.nn.Module, gl.rules.TaskSpec, RegExp][] = [
      [twoLayers(0), { ...cls, kind: 'regression' }, /classification/],
      [new gl.nn.Linear(4, 3), cls, /Sequential.*got a Linear/],
      [
        new gl.nn.Sequential(new gl.nn.Linear(4, 3), new gl.nn.LayerNorm([3])),
        cls,
        /module 1 is a LayerNorm/,
      ],
      [
        new gl.nn.Sequential(new gl.nn.Linear(4, 3), new gl.nn.ReLU()),
        { ...cls, outputs: 4 },
        /more than 4 inputs/,
      ],
      [
        new gl.nn.Sequential(new gl.nn.Linear(5, 3), new gl.nn.ReLU()),
        cls,
        /takes 5 features but the task's inputs have 4/,
      ],
    ];
    for (const [m, t, msg] of cases) {
      const e = errorOf(() => gl.rules.ff.check(m, t));
      expect(e).toBeInstanceOf(gl.rules.RuleModelError);
      expect(e.message).toMatch(msg);
    }
  });
});
