// gl.rules.auglocal and gl.rules.dgl: depth schedule, sampled auxiliary nets, hand-computed updates, isolation, stats, errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { digits, quickRun } from './quick-task.js';

const task3: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
const L = gl.nn.Linear;
const R = gl.nn.ReLU;

function twoLayer(seed: number): gl.nn.Sequential {
  gl.manualSeed(seed);
  return new gl.nn.Sequential(new L(3, 4), new R(), new L(4, 2));
}

function mlp(seed: number, inp: number, width: number, hidden: number, out: number): gl.nn.Sequential {
  gl.manualSeed(seed);
  const layers: gl.nn.Module[] = [new L(inp, width), new R()];
  for (let i = 1; i < hidden; i++) layers.push(new L(width, width), new R());
  layers.push(new L(width, out));
  return new gl.nn.Sequential(...layers);
}

const x2 = () =>
  gl.tensor([
    [0.5, -1, 2],
    [1, 0.25, -0.5],
    [-0.3, 0.8, 0.1],
  ]);
const y2 = () => gl.tensor([1, 0, 1], { dtype: 'int32' });

describe('AugLocal depth schedule and sampling', () => {
  it('follows the official formula d_i = max(1, round(d(1 − i c/(K−2)) + i c/(K−2))) with Python rounding', () => {
    // K = 12, d = 3, c = 0.5: d_i = round(3 − 2·i/20), i = 0..10: 3, 2.9, 2.8, 2.7, 2.6, 2.5 (→ 2, half to even), 2.4 ... 2.0
    expect(gl.rules.auglocalDepths(12, 3, 0.5)).toEqual([3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2]);
    // K = 6, d = 5, c = 1: d_i = 5(1 − i/4) + i/4 = 5 − i
    expect(gl.rules.auglocalDepths(6, 5, 1)).toEqual([5, 4, 3, 2, 1]);
    // c = 0: constant depth; K = 2: one local module
    expect(gl.rules.auglocalDepths(5, 2, 0)).toEqual([2, 2, 2, 2]);
    expect(gl.rules.auglocalDepths(2, 3, 0.5)).toEqual([3]);
    expect(() => gl.rules.auglocalDepths(4, 0, 0.5)).toThrow(gl.ArgumentError);
    expect(() => gl.rules.auglocalDepths(4, 2, 1.5)).toThrow(gl.ArgumentError);
  });

  it('samples later blocks uniformly: round(l + (H − l − 1)/d · j), all of them when d covers them', () => {
    // H = 12 hidden blocks, block 0, d = 3: 11/3 · (1, 2, 3) = 3.67, 7.33, 11
    expect(gl.rules.auglocalSample(0, 12, 3)).toEqual([4, 7, 11]);
    expect(gl.rules.auglocalSample(8, 12, 5)).toEqual([9, 10, 11]);
    expect(gl.rules.auglocalSample(11, 12, 3)).toEqual([]);
  });

  it('builds each auxiliary net from fresh copies of the sampled blocks and the output block', () => {
    // 4 blocks (3 hidden + output), d = 3, c = 0.5: depths [3, 2, 2]; block 0 copies blocks 1, 2 + output
    // (3 Linear), block 1 copies block 2 + output (2 Linear), block 2 the output only (1 Linear)
    const model = mlp(1, 6, 8, 3, 3);
    const learner = gl.rules.auglocal.create(model, { inputShape: [6], outputs: 3, kind: 'classification' });
    const params = learner.parameters();
    expect(params.length).toBe(8 + (3 + 2 + 1) * 2);
    const modelIds = new Set(model.parameters());
    expect(params.slice(8).some((p) => modelIds.has(p))).toBe(false); // fresh weights, not shared
    learner.dispose();
  });
});

/** The step of a 2-layer model [Linear(3,4), ReLU] → [Linear(4,2)] with auxiliary head aux (Linear(4,2)), by hand. */
async function checkTwoLayerStep(rule: 'auglocal' | 'dgl'): Promise<void> {
  const a = twoLayer(3);
  const b = twoLayer(3);
  const learner = gl.rules[rule].create(a, task3, { lr: 0.1, optimizer: 'sgd' });
  const auxInit = learner
    .parameters()
    .slice(4)
    .map((p) => p.clone());
  expect(auxInit.map((p) => p.shape)).toEqual([[2, 4], [2]]);
  const { loss, stats } = await learner.step(x2(), y2());
  // by hand: block 1 trains on CE(aux(relu(W1 x + b1)), y); block 2 on CE(W2 h' + b2, y) with h' = h detached
  const [w1, b1, w2, b2] = b.parameters();
  const [wa, ba] = auxInit.map((p) => p.detach().requiresGrad_(true));
  const h = gl.relu(gl.add(gl.matmul(x2(), gl.transpose(w1, 0, 1)), b1));
  const l1 = gl.crossEntropy(gl.add(gl.matmul(h, gl.transpose(wa, 0, 1)), ba), y2());
  const l2 = gl.crossEntropy(gl.add(gl.matmul(h.detach(), gl.transpose(w2, 0, 1)), b2), y2());
  const g1 = gl.grad(l1, [w1, b1, wa, ba]).map((g) => g!);
  const g2 = gl.grad(l2, [w2, b2]).map((g) => g!);
  expect(loss).toBeCloseTo(l1.item() + l2.item(), 5);
  const want = [
    ...[w1, b1].map((p, i) => gl.sub(p, gl.mul(g1[i], 0.1))),
    ...[w2, b2].map((p, i) => gl.sub(p, gl.mul(g2[i], 0.1))),
    ...[wa, ba].map((p, i) => gl.sub(p, gl.mul(g1[i + 2], 0.1))),
  ];
  learner.parameters().forEach((p, i) => {
    expect(gl.max(gl.abs(gl.sub(p, want[i]))).item()).toBeLessThan(1e-6);
  });
  expect(stats.backwardCalls).toBe(2);
  expect(stats.paramsUpdated).toBe(6);
  expect(stats.forwardPasses).toBe(1);
  learner.dispose();
}

describe('gl.rules.auglocal / gl.rules.dgl steps', () => {
  it('auglocal: a step equals the hand-written local losses and their SGD update', async () => {
    await checkTwoLayerStep('auglocal');
  });

  it('dgl: a step equals the hand-written local losses and their SGD update', async () => {
    await checkTwoLayerStep('dgl');
  });

  it('one backward per block, each walking a small sub-graph, and saved bytes about one block', async () => {
    const task: gl.rules.TaskSpec = { inputShape: [16], outputs: 4, kind: 'classification' };
    gl.manualSeed(0);
    const x = gl.randn([64, 16]);
    const y = gl.randint(0, 4, [64]);
    const stats: Record<string, gl.rules.StepStats> = {};
    for (const rule of ['bp', 'dgl', 'auglocal'] as const) {
      const learner = gl.rules[rule].create(
        mlp(0, 16, 32, 8, 4),
        task,
        rule === 'auglocal' ? { depth: 1 } : {},
      );
      stats[rule] = (await learner.step(x, y)).stats;
      learner.dispose();
    }
    expect(stats.bp.backwardCalls).toBe(1);
    expect(stats.dgl.backwardCalls).toBe(9);
    expect(stats.auglocal.backwardCalls).toBe(9);
    expect(stats.dgl.paramsUpdated).toBe(18 + 16);
    // 9 blocks: a local walk covers one block and its head, backprop the whole graph
    expect(stats.dgl.largestBackwardOps).toBeLessThan(stats.bp.largestBackwardOps / 2);
    // backprop keeps all 9 blocks' tensors; DGL about one block and its head (less than two ninths)
    expect(stats.dgl.peakSavedBytes).toBeLessThan((2 * stats.bp.peakSavedBytes) / 9);
    // auglocal with d = 1: block + one copied block + output copy
    expect(stats.auglocal.peakSavedBytes).toBeLessThan(stats.bp.peakSavedBytes / 2);
    expect(stats.auglocal.peakSavedBytes).toBeGreaterThan(stats.dgl.peakSavedBytes);
  });

  it('learns the digits well above chance (MLP), and dgl trains a small CNN', async () => {
    const data = digits();
    const task: gl.rules.TaskSpec = { inputShape: [64], outputs: 10, kind: 'classification' };
    for (const rule of ['auglocal', 'dgl'] as const) {
      const learner = gl.rules[rule].create(mlp(0, 64, 32, 2, 10), task, { lr: 3e-3 });
      expect(await quickRun(learner, data, 60)).toBeGreaterThan(0.6);
    }
    const images = digits(false);
    gl.manualSeed(0);
    const cnn = new gl.nn.Sequential(
      new gl.nn.Conv2d(1, 4, 3, { padding: 1 }),
      new R(),
      new gl.nn.MaxPool2d(2),
      new gl.nn.Conv2d(4, 8, 3, { padding: 1 }),
      new R(),
      new gl.nn.Flatten(),
      new L(8 * 4 * 4, 10),
    );
    const imgTask: gl.rules.TaskSpec = { inputShape: [1, 8, 8], outputs: 10, kind: 'classification' };
    const learner = gl.rules.auglocal.create(cnn, imgTask, { lr: 3e-3 });
    expect(learner.parameters().length).toBe(6 + 4 + 2); // aux 0: conv copy + output copy; aux 1: output copy
    expect(await quickRun(learner, images, 40)).toBeGreaterThan(0.4);
  });
});

describe('what AugLocal and DGL need', () => {
  const task: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
  class Custom extends gl.nn.Module {
    fc = new L(3, 2);
    override forward(x: gl.Tensor): gl.Tensor {
      return this.fc.forward(x);
    }
  }
  it('refuses models it cannot split, before training', () => {
    for (const rule of [gl.rules.auglocal, gl.rules.dgl]) {
      expect(() => rule.check(new Custom(), task)).toThrow(/needs a gl.nn.Sequential/);
      expect(() => rule.check(new gl.nn.Sequential(new L(3, 2)), task)).toThrow(
        /at least 2 layers with parameters/,
      );
      expect(() => rule.check(new gl.nn.Sequential(new L(3, 4), new R(), new L(4, 5)), task)).toThrow(
        /must end in \[N, 2\]/,
      );
      expect(() => rule.check(new gl.nn.Sequential(new L(5, 4), new R(), new L(4, 2)), task)).toThrow(
        gl.rules.RuleModelError,
      );
    }
  });

  it('check() leaves the global random stream untouched', () => {
    const model = new gl.nn.Sequential(new L(3, 4), new R(), new L(4, 4), new R(), new L(4, 2));
    gl.manualSeed(11);
    gl.rules.auglocal.check(model, task);
    const after = gl.randn([3]).toArray();
    gl.manualSeed(11);
    expect(gl.randn([3]).toArray()).toEqual(after);
  });

  it('auglocal names a layer it cannot copy into an auxiliary net; dgl trains that model', () => {
    const model = new gl.nn.Sequential(
      new L(3, 4),
      new gl.nn.LayerNorm(4),
      new L(4, 4),
      new R(),
      new L(4, 2),
    );
    expect(() => gl.rules.auglocal.create(model, task)).toThrow(/cannot rebuild a fresh LayerNorm/);
    expect(() => gl.rules.dgl.create(model, task).dispose()).not.toThrow();
  });
});
