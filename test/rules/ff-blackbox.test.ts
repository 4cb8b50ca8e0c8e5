// gl.rules.blackBox and gl.rules.ffBlackbox (PhyFF): forward-only layers, the hand-computed local update, zero backward into the box.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { digits, quickRun } from './quick-task.js';

const L = gl.nn.Linear;

/** The largest absolute difference of two tensors. */
const diff = (a: gl.Tensor, b: gl.Tensor): number => gl.max(gl.abs(gl.sub(a, b))).item();

describe('gl.rules.blackBox', () => {
  it('runs forward without recording and throws BlackBoxGradError when differentiated', () => {
    const bb = gl.rules.blackBox((x) => gl.tanh(x), 'phys');
    const w = gl.tensor([[0.5, -1, 2]], { requiresGrad: true });
    const out = bb.forward(w);
    expect(diff(out, gl.tanh(gl.tensor([[0.5, -1, 2]])))).toBe(0);
    expect(() => gl.sum(out).backward()).toThrow(gl.rules.BlackBoxGradError);
    expect(() => gl.grad(gl.sum(bb.forward(w)), [w])).toThrow(/forward-only/);
    expect(bb.calls).toBe(2);
    expect(bb.backwardAttempts).toBe(2);
    // an input that needs no gradient: nothing is recorded, the output is a plain constant
    const c = bb.forward(gl.tensor([[1, 2]]));
    expect(c.requiresGrad).toBe(false);
    expect(c.gradFn).toBeNull();
  });

  it('backprop through a model holding a black box fails with the named error', async () => {
    gl.manualSeed(0);
    const bb = gl.rules.blackBox((x) => gl.relu(x));
    const model = new gl.nn.Sequential(new L(3, 4), bb, new L(4, 2));
    const learner = gl.rules.bp.create(model, { inputShape: [3], outputs: 2, kind: 'classification' });
    await expect(learner.step(gl.randn([4, 3]), gl.tensor([0, 1, 0, 1], { dtype: 'int32' }))).rejects.toThrow(
      gl.rules.BlackBoxGradError,
    );
    expect(bb.backwardAttempts).toBe(1);
  });
});

describe('gl.rules.ffBlackbox (PhyFF)', () => {
  // two classes, three inputs: [box1 = tanh] → Linear(5, 4) → [box2 = square] → Linear(4, 3)
  const task: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };
  const x = () =>
    gl.tensor([
      [0.5, -1, 2],
      [1, 0.25, -0.5],
      [-0.3, 0.8, 0.1],
    ]);
  const y = () => gl.tensor([1, 0, 1], { dtype: 'int32' });
  function model(seed: number) {
    gl.manualSeed(seed);
    const box1 = gl.rules.blackBox((t) => gl.tanh(t), 'box1');
    const box2 = gl.rules.blackBox((t) => gl.mul(t, t), 'box2');
    return { box1, box2, net: new gl.nn.Sequential(box1, new L(5, 4), box2, new L(4, 3)) };
  }

  it('a step equals the hand-written goodness losses and two SGD (momentum 0.9) inner steps per layer', async () => {
    const a = model(5);
    const b = model(5);
    const learner = gl.rules.ffBlackbox.create(a.net, task, {
      lr: 0.1,
      optimizer: 'sgd',
      innerSteps: 2,
      theta: 5,
      generator: new gl.Generator(7),
    });
    const callsBefore = [a.box1.calls, a.box2.calls]; // create() probed the model once
    const { loss, stats } = await learner.step(x(), y());

    // by hand. Goodness vectors: v_k ~ N(0, 1) of the layer's width, unit norm, drawn in layer order.
    const gen = new gl.Generator(7);
    const v = [4, 3].map((n) => {
      const r = gl.randn([n], { generator: gen });
      return gl.div(r, gl.norm(r));
    });
    // labels prepended as C = 2 features: one-hot × the row's largest input; with 2 classes the wrong label is 1 − y
    const rowMax = [2, 1, 0.8];
    const overlay = (labels: number[]) =>
      gl.tensor(
        (x().toArray() as number[][]).map((row, i) => [
          ...(labels[i] === 0 ? [rowMax[i], 0] : [0, rowMax[i]]),
          ...(row as number[]),
        ]),
      );
    const cos = (h: gl.Tensor, vk: gl.Tensor) =>
      gl.div(gl.sum(gl.mul(gl.abs(h), vk), -1), gl.add(gl.norm(gl.abs(h), 2, -1), 1e-8));
    // loss(W, b) = mean softplus(−5 (cos(|W p⁺ + b|, v) − cos(|W p⁻ + b|, v)))
    const layerLoss = (w: gl.Tensor, bias: gl.Tensor, pp: gl.Tensor, pn: gl.Tensor, vk: gl.Tensor) => {
      const lin = (p: gl.Tensor) => gl.add(gl.matmul(p, gl.transpose(w, 0, 1)), bias);
      return gl.mean(gl.softplus(gl.mul(gl.sub(cos(lin(pp), vk), cos(lin(pn), vk)), -5)));
    };
    let pp = gl.tanh(overlay([1, 0, 1]));
    let pn = gl.tanh(overlay([0, 1, 0]));
    const lastLosses: number[] = [];
    const [l1, l2] = [b.net.at(1) as gl.nn.Linear, b.net.at(3) as gl.nn.Linear];
    const handWalks: number[] = [];
    const stopWatch = gl.onBackward((info) => handWalks.push(info.nodes));
    const trained = [l1, l2].map((lin, k) => {
      let w = lin.weight.detach();
      let bias = lin.bias!.detach();
      let bufW: gl.Tensor | null = null;
      let bufB: gl.Tensor | null = null;
      for (let s = 0; s < 2; s++) {
        const wv = w.requiresGrad_(true);
        const bv = bias.requiresGrad_(true);
        const l = layerLoss(wv, bv, pp, pn, v[k]);
        const [gw, gb] = gl.grad(l, [wv, bv]).map((g) => g!);
        bufW = bufW ? gl.add(gl.mul(bufW, 0.9), gw) : gw; // SGD momentum 0.9: buf = 0.9 buf + g (buf = g first)
        bufB = bufB ? gl.add(gl.mul(bufB, 0.9), gb) : gb;
        w = gl.sub(wv, gl.mul(bufW, 0.1)).detach();
        bias = gl.sub(bv, gl.mul(bufB, 0.1)).detach();
        if (s === 1) lastLosses.push(l.item());
      }
      // the next layer sees box2(W p + b) of the trained layer, for both streams
      const out = (p: gl.Tensor) => gl.add(gl.matmul(p, gl.transpose(w, 0, 1)), bias);
      const [hp, hn] = [out(pp), out(pn)];
      pp = gl.mul(hp, hp);
      pn = gl.mul(hn, hn);
      return [w, bias];
    });
    stopWatch();
    const got = learner.parameters();
    expect(got.length).toBe(4);
    expect(diff(got[0], trained[0][0])).toBeLessThan(1e-6);
    expect(diff(got[1], trained[0][1])).toBeLessThan(1e-6);
    expect(diff(got[2], trained[1][0])).toBeLessThan(1e-6);
    expect(diff(got[3], trained[1][1])).toBeLessThan(1e-6);
    expect(loss).toBeCloseTo((lastLosses[0] + lastLosses[1]) / 2, 5);

    // zero backward walks reach the boxes; each runs once per stream (positive, negative)
    expect(a.box1.backwardAttempts + a.box2.backwardAttempts).toBe(0);
    expect([a.box1.calls - callsBefore[0], a.box2.calls - callsBefore[1]]).toEqual([2, 2]);
    expect(stats.backwardCalls).toBe(4); // 2 layers × 2 inner steps
    expect(stats.forwardPasses).toBe(2);
    expect(stats.paramsUpdated).toBe(4);
    // a walk covers one Linear and its goodness only: no larger than one hand-written layer loss's walk
    // (which adds the bias in a separate op; Linear fuses it into the matmul where the backend can)
    expect(handWalks).toHaveLength(4);
    expect(stats.largestBackwardOps).toBeGreaterThan(Math.max(...handWalks) / 2);
    expect(stats.largestBackwardOps).toBeLessThanOrEqual(Math.max(...handWalks));
    learner.dispose();
  });

  it('predict scores every label by the summed goodness; learns the digits above chance with two black boxes', async () => {
    const data = digits();
    gl.manualSeed(0);
    const m1 = gl.mul(gl.randn([74, 96]), 1 / Math.sqrt(74));
    const m2 = gl.mul(gl.randn([64, 96]), 1 / Math.sqrt(64));
    const box1 = gl.rules.blackBox((t) => gl.tanh(gl.matmul(t, m1)), 'phys1');
    const box2 = gl.rules.blackBox((t) => gl.tanh(gl.matmul(t, m2)), 'phys2');
    const net = new gl.nn.Sequential(box1, new L(96, 64), box2, new L(96, 64));
    const task: gl.rules.TaskSpec = { inputShape: [64], outputs: 10, kind: 'classification' };
    const learner = gl.rules.ffBlackbox.create(net, task, { lr: 3e-3, innerSteps: 3 });
    const scores = learner.predict(gl.narrow(data.test.x, 0, 0, 5));
    expect(scores.shape).toEqual([5, 10]);
    expect(await quickRun(learner, data, 40)).toBeGreaterThan(0.3);
    expect(box1.backwardAttempts + box2.backwardAttempts).toBe(0);
  });

  it('says what it needs before training', () => {
    const reg: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'regression' };
    const img: gl.rules.TaskSpec = { inputShape: [1, 2, 2], outputs: 2, kind: 'classification' };
    const check =
      (m: gl.nn.Module, t: gl.rules.TaskSpec = task) =>
      () =>
        gl.rules.ffBlackbox.check(m, t);
    expect(check(model(0).net, reg)).toThrow(/classification task/);
    expect(check(model(0).net, img)).toThrow(/flat inputs/);
    expect(check(new L(5, 2))).toThrow(/gl.nn.Sequential/);
    expect(check(new gl.nn.Sequential(new L(5, 4), new gl.nn.ReLU()))).toThrow(/must end with a Linear/);
    expect(check(new gl.nn.Sequential(new gl.nn.LayerNorm(5), new L(5, 2)))).toThrow(
      /trains Linear layers only/,
    );
    // the label features make the model's input C + D = 5 wide
    expect(check(new gl.nn.Sequential(new L(3, 2)))).toThrow(gl.rules.RuleModelError);
    expect(check(new gl.nn.Sequential(new L(5, 2)))).not.toThrow();
  });
});
