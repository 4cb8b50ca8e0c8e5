// gl.rules.tpsgd: the hand-computed target-projection update, the greedy and shallow schedules, stats and errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { digits, quickRun } from './quick-task.js';

const L = gl.nn.Linear;
const task: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
const diff = (a: gl.Tensor, b: gl.Tensor): number => gl.max(gl.abs(gl.sub(a, b))).item();
const x = () =>
  gl.tensor([
    [0.5, -1, 2],
    [1, 0.25, -0.5],
    [-0.3, 0.8, 0.1],
  ]);
const y = () => gl.tensor([1, 0, 1], { dtype: 'int32' });

function twoLayer(seed: number): gl.nn.Sequential {
  gl.manualSeed(seed);
  return new gl.nn.Sequential(new L(3, 4), new gl.nn.Tanh(), new L(4, 2));
}

describe('gl.rules.tpsgd', () => {
  it('a step equals the hand-written local losses: MSE to tanh(y* B) for the hidden layer, CE for the output', async () => {
    const a = twoLayer(2);
    const b = twoLayer(2);
    const learner = gl.rules.tpsgd.create(a, task, {
      lr: 0.1,
      optimizer: 'sgd',
      generator: new gl.Generator(9),
    });
    const { loss, stats } = await learner.step(x(), y());
    // by hand: B ∈ R^{2×4} uniform in ±√(6/2) from Generator(9); t = tanh(onehot(y) B)
    const B = gl.mul(gl.sub(gl.mul(gl.rand([2, 4], { generator: new gl.Generator(9) }), 2), 1), Math.sqrt(3));
    const t = gl.tanh(
      gl.matmul(
        gl.tensor([
          [0, 1],
          [1, 0],
          [0, 1],
        ]),
        B,
      ),
    );
    const [w1, b1, w2, b2] = b.parameters();
    const h = gl.tanh(gl.add(gl.matmul(x(), gl.transpose(w1, 0, 1)), b1));
    const l1 = gl.mean(gl.mul(gl.sub(h, t), gl.sub(h, t)));
    const l2 = gl.crossEntropy(gl.add(gl.matmul(h.detach(), gl.transpose(w2, 0, 1)), b2), y());
    const g1 = gl.grad(l1, [w1, b1]).map((g) => g!);
    const g2 = gl.grad(l2, [w2, b2]).map((g) => g!);
    const want = [
      gl.sub(w1, gl.mul(g1[0], 0.1)),
      gl.sub(b1, gl.mul(g1[1], 0.1)),
      gl.sub(w2, gl.mul(g2[0], 0.1)),
      gl.sub(b2, gl.mul(g2[1], 0.1)),
    ];
    learner.parameters().forEach((p, i) => expect(diff(p, want[i])).toBeLessThan(1e-6));
    expect(loss).toBeCloseTo(l1.item() + l2.item(), 5);
    expect(stats.backwardCalls).toBe(2);
    expect(stats.paramsUpdated).toBe(4);
    expect(stats.forwardPasses).toBe(1);
    learner.dispose();
  });

  it('the L1 local loss is mean |h − t|', async () => {
    const a = twoLayer(4);
    const b = twoLayer(4);
    const learner = gl.rules.tpsgd.create(a, task, {
      lr: 0.1,
      optimizer: 'sgd',
      loss: 'l1',
      generator: new gl.Generator(1),
    });
    await learner.step(x(), y());
    const B = gl.mul(gl.sub(gl.mul(gl.rand([2, 4], { generator: new gl.Generator(1) }), 2), 1), Math.sqrt(3));
    const t = gl.tanh(
      gl.matmul(
        gl.tensor([
          [0, 1],
          [1, 0],
          [0, 1],
        ]),
        B,
      ),
    );
    const [w1, b1] = b.parameters();
    const h = gl.tanh(gl.add(gl.matmul(x(), gl.transpose(w1, 0, 1)), b1));
    const [gw] = gl.grad(gl.mean(gl.abs(gl.sub(h, t))), [w1, b1]).map((g) => g!);
    expect(diff(a.parameters()[0], gl.sub(w1, gl.mul(gw, 0.1)))).toBeLessThan(1e-6);
  });

  it('greedy trains one layer at a time (output last); shallow trains the output layer only', async () => {
    const greedy = gl.rules.tpsgd.create(twoLayer(0), task, { schedule: 'greedy', stepsPerLayer: 2 });
    const updated: number[] = [];
    const walks: number[] = [];
    for (let s = 0; s < 5; s++) {
      const { stats } = await greedy.step(x(), y());
      updated.push(stats.paramsUpdated);
      walks.push(stats.backwardCalls);
    }
    expect(updated).toEqual([2, 2, 2, 2, 2]);
    expect(walks).toEqual([1, 1, 1, 1, 1]);
    const m = twoLayer(0);
    const before = m.parameters().map((p) => p.clone());
    const shallow = gl.rules.tpsgd.create(m, task, { schedule: 'shallow' });
    const { stats } = await shallow.step(x(), y());
    expect(stats.paramsUpdated).toBe(2);
    expect(diff(m.parameters()[0], before[0])).toBe(0);
    expect(diff(m.parameters()[2], before[2])).toBeGreaterThan(0);
    expect(() => gl.rules.tpsgd.create(twoLayer(0), task, { schedule: 'greedy' })).toThrow(/stepsPerLayer/);
  });

  it('saves about one layer per walk, and learns the digits above chance', async () => {
    const data = digits();
    const t10: gl.rules.TaskSpec = { inputShape: [64], outputs: 10, kind: 'classification' };
    const mlp = (hidden = 2) => {
      gl.manualSeed(0);
      const layers: gl.nn.Module[] = [];
      for (let i = 0; i < hidden; i++) layers.push(new L(64, 64), new gl.nn.Tanh());
      return new gl.nn.Sequential(...layers, new L(64, 10));
    };
    const xb = gl.narrow(data.train.x, 0, 0, 64).clone(); // a copy: a saved view would count the whole storage
    const yb = gl.narrow(data.train.y, 0, 0, 64);
    // 5 hidden layers: backprop keeps every layer's input and activation, tpSGD one layer's and its local loss's
    const bp = (await gl.rules.bp.create(mlp(5), t10).step(xb, yb)).stats;
    const tp = (await gl.rules.tpsgd.create(mlp(5), t10).step(xb, yb)).stats;
    expect(tp.backwardCalls).toBe(6);
    expect(tp.peakSavedBytes).toBeLessThan(bp.peakSavedBytes / 2);
    expect(tp.largestBackwardOps).toBeLessThan(bp.largestBackwardOps);
    expect(await quickRun(gl.rules.tpsgd.create(mlp(), t10, { lr: 3e-3 }), data, 60)).toBeGreaterThan(0.6);
  });

  it('says what it needs before training', () => {
    const check = (m: gl.nn.Module) => () => gl.rules.tpsgd.check(m, task);
    expect(check(new L(3, 2))).toThrow(/gl.nn.Sequential/);
    expect(check(new gl.nn.Sequential(new L(3, 4), new gl.nn.LayerNorm(4), new L(4, 2)))).toThrow(
      /LayerNorm/,
    );
    expect(
      check(new gl.nn.Sequential(new L(3, 4), new gl.nn.Tanh(), new L(4, 2), new gl.nn.Softmax(-1))),
    ).toThrow(/output Linear must give the logits/);
    expect(check(new gl.nn.Sequential(new L(3, 2)))).toThrow(gl.rules.RuleModelError);
  });
});
