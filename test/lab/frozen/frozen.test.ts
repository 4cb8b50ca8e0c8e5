// LoRA (Linear, Conv2d, attention: gradients, merge/unmerge, freezing) and Ladder Side-Tuning (nothing of
// the frozen backbone is saved; only side parameters get gradients).
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const F = gl.lab.frozen;

function maxDiff(a: gl.Tensor, b: gl.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

const setRandom = (p: gl.Tensor) => gl.noGrad(() => p.copy_(gl.randn(p.shape).mul(0.2)));

describe('LoRA', () => {
  it('LoRALinear starts as the base layer and trains only A and B', () => {
    gl.manualSeed(0);
    const base = new gl.nn.Linear(6, 5);
    const x = gl.randn([3, 6]);
    const before = base.forward(x);
    const l = new F.LoRALinear(base, { rank: 2, alpha: 4 });
    expect(l.scale).toBe(2);
    expect(maxDiff(l.forward(x), before)).toBe(0);
    expect(l.parameters().filter((p) => p.requiresGrad)).toEqual([l.loraA, l.loraB]);
  });

  it('LoRALinear gradients equal those of the dense form W₀ + s·B·A', () => {
    gl.manualSeed(1);
    const l = new F.LoRALinear(new gl.nn.Linear(6, 5), { rank: 3, alpha: 6 });
    setRandom(l.loraB);
    const x = gl.randn([4, 6]);
    l.forward(x).tanh().sum().backward();
    const [ga, gb] = [l.loraA.grad!, l.loraB.grad!];
    const a = l.loraA.detach().requiresGrad_();
    const b = l.loraB.detach().requiresGrad_();
    const w = l.base.weight.add(b.matmul(a).mul(l.scale));
    x.matmul(w.transpose(0, 1)).add(l.base.bias!).tanh().sum().backward();
    expect(maxDiff(ga, a.grad!)).toBeLessThan(1e-5);
    expect(maxDiff(gb, b.grad!)).toBeLessThan(1e-5);
  });

  it('merge keeps the outputs and unmerge restores the base weight', () => {
    gl.manualSeed(2);
    const l = new F.LoRALinear(new gl.nn.Linear(8, 4), { rank: 2 });
    setRandom(l.loraB);
    const w0 = l.base.weight.clone();
    const x = gl.randn([3, 8]);
    const y = l.forward(x);
    l.merge();
    expect(maxDiff(l.forward(x), y)).toBeLessThan(1e-5);
    expect(maxDiff(l.base.weight, w0)).toBeGreaterThan(0);
    l.unmerge();
    expect(maxDiff(l.base.weight, w0)).toBeLessThan(1e-6);
    expect(maxDiff(l.forward(x), y)).toBeLessThan(1e-5);
  });

  it('LoRAConv2d: dense-form output, merge/unmerge', () => {
    gl.manualSeed(3);
    const conv = new gl.nn.Conv2d(3, 4, 3, { padding: 1, stride: 2 });
    const c = new F.LoRAConv2d(conv, { rank: 2 });
    const x = gl.randn([2, 3, 7, 7]);
    expect(maxDiff(c.forward(x), conv.forward(x))).toBeLessThan(1e-6);
    setRandom(c.loraB);
    const y = c.forward(x);
    const w = conv.weight.add(c.loraB.matmul(c.loraA).mul(c.scale).reshape(conv.weight.shape));
    expect(maxDiff(y, gl.conv2d(x, w, conv.bias, { stride: 2, padding: 1 }))).toBeLessThan(1e-5);
    c.merge();
    expect(maxDiff(c.forward(x), y)).toBeLessThan(1e-5);
    c.unmerge();
    expect(maxDiff(c.forward(x), y)).toBeLessThan(1e-5);
  });

  it('loraAttention adapts q/k/v and the output projection; merge keeps outputs', () => {
    gl.manualSeed(4);
    const mha = new gl.nn.MultiheadAttention(8, 2, { batchFirst: true });
    const x = gl.randn([2, 5, 8]);
    const [before] = mha.forward(x, x, x);
    const ad = F.loraAttention(mha, { rank: 2 });
    expect(maxDiff(mha.forward(x, x, x)[0], before)).toBeLessThan(1e-6);
    expect(mha.parameters().filter((p) => p.requiresGrad)).toHaveLength(4);
    setRandom(ad.inProj.loraB);
    setRandom(ad.outProj.loraB);
    const [y] = mha.forward(x, x, x);
    expect(maxDiff(y, before)).toBeGreaterThan(1e-3);
    y.sum().backward();
    expect(ad.inProj.loraA.grad).not.toBeNull();
    expect(mha.inProjBias!.grad).toBeNull();
    ad.merge();
    expect(maxDiff(mha.forward(x, x, x)[0], y)).toBeLessThan(1e-5);
    ad.unmerge();
    expect(maxDiff(mha.forward(x, x, x)[0], y)).toBeLessThan(1e-5);
  });

  it('applyLoRA freezes the model, adapts the chosen layers, and frozen first-layer ops save nothing', () => {
    gl.manualSeed(5);
    const net = new gl.nn.Sequential(new gl.nn.Linear(6, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
    const adapters = F.applyLoRA(net, { rank: 2 });
    expect(adapters).toHaveLength(2);
    const trainable = net.parameters().filter((p) => p.requiresGrad);
    expect(trainable).toHaveLength(4);
    const tl = gl.lab.memory.profile(() => (net.forward(gl.randn([4, 6])) as gl.Tensor).sum().backward(), {
      model: net,
    });
    // layer 0: the frozen base matmul on a constant input records nothing; only the adapter path saves
    const base0 = tl.events.filter((e) => e.kind === 'save' && e.scope === '0/base');
    expect(base0).toHaveLength(0);
    expect(tl.events.some((e) => e.kind === 'save' && e.scope === '0')).toBe(true);
    expect(() => new F.LoRALinear(new gl.nn.Linear(3, 3), { rank: 4 })).toThrow(gl.ArgumentError);
  });
});

describe('applyLoRA with a trainable new head', () => {
  it('leaves the named head fully trainable and adapter-free; it gets gradients and moves under Adam', () => {
    gl.manualSeed(7);
    const net = new gl.nn.Sequential(new gl.nn.Linear(6, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
    const head = net.at(2) as gl.nn.Linear;
    const before = head.weight.dataSync().slice();
    const adapters = F.applyLoRA(net, { rank: 2, trainable: ['2'] });
    expect(adapters).toHaveLength(1); // only layer 0 is adapted
    expect(net.at(2)).toBe(head); // the head was not wrapped
    expect(head.weight.requiresGrad && head.bias!.requiresGrad).toBe(true);
    const trainable = net.parameters().filter((p) => p.requiresGrad);
    expect(trainable).toHaveLength(4); // A, B of layer 0 + head weight and bias
    const opt = new gl.optim.Adam(trainable, { lr: 1e-2 });
    opt.zeroGrad();
    gl.crossEntropy(
      net.forward(gl.randn([5, 6])) as gl.Tensor,
      gl.tensor(Int32Array.from([0, 1, 2, 0, 1])),
    ).backward();
    expect(head.weight.grad).not.toBeNull();
    opt.step();
    expect(maxDiff(head.weight, gl.tensor(before).reshape(head.weight.shape))).toBeGreaterThan(1e-3);
  });

  it('without `trainable` the old behaviour stays: the head is adapted and its weight frozen', () => {
    gl.manualSeed(7);
    const net = new gl.nn.Sequential(new gl.nn.Linear(6, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
    F.applyLoRA(net, { rank: 2, filter: (p) => p !== '2' });
    expect((net.at(2) as gl.nn.Linear).weight.requiresGrad).toBe(false);
  });

  it('rejects a trainable path that names no submodule', () => {
    const net = new gl.nn.Sequential(new gl.nn.Linear(6, 8), new gl.nn.Linear(8, 3));
    expect(() => F.applyLoRA(net, { trainable: ['head'] })).toThrow(/not found: head/);
  });
});

describe('Ladder Side-Tuning', () => {
  function backbone() {
    gl.manualSeed(6);
    return [
      new gl.nn.Sequential(new gl.nn.Linear(12, 16), new gl.nn.ReLU()),
      new gl.nn.Sequential(new gl.nn.Linear(16, 16), new gl.nn.ReLU()),
    ];
  }

  it('saves nothing of the backbone and gives gradients only to side parameters', () => {
    const blocks = backbone();
    const lst = new F.LadderSideTuning(blocks, 12, [16, 16], { classes: 3, reduction: 4 });
    const x = gl.randn([5, 12]);
    const tl = gl.lab.memory.profile(
      () => gl.crossEntropy(lst.forward(x), gl.tensor([0, 1, 2, 0, 1], { dtype: 'int32' })).backward(),
      { model: lst },
    );
    expect(tl.events.filter((e) => e.scope.startsWith('backbone'))).toHaveLength(0);
    for (const b of blocks) for (const p of b.parameters()) expect(p.grad).toBeNull();
    const side = lst.sideParameters();
    expect(side.length).toBeGreaterThan(0);
    for (const p of side) expect(p.grad).not.toBeNull();
    // side width 16 / 4 = 4; gates start at μ = sigmoid(0) = 0.5
    expect(lst.up.inFeatures).toBe(4);
    expect(lst.gates.dataSync()[0]).toBe(0);
  });

  it('rejects mismatched widths', () => {
    expect(() => new F.LadderSideTuning(backbone(), 12, [16], { classes: 3 })).toThrow(gl.ArgumentError);
  });
});

describe('Ladder Side-Tuning without the input ladder', () => {
  it('starts the side state from the first block output and keeps less', () => {
    gl.manualSeed(7);
    const mk = () => [
      new gl.nn.Sequential(new gl.nn.Linear(64, 16), new gl.nn.ReLU()),
      new gl.nn.Sequential(new gl.nn.Linear(16, 16), new gl.nn.ReLU()),
    ];
    const x = gl.randn([8, 64]);
    const peak = (inputLadder: boolean) => {
      const lst = new F.LadderSideTuning(mk(), 64, [16, 16], { classes: 2, inputLadder });
      return gl.lab.memory.profile(() => lst.forward(x).sum().backward()).peak.bytes;
    };
    const withInput = peak(true);
    const without = peak(false);
    expect(new F.LadderSideTuning(mk(), 64, [16, 16], { classes: 2, inputLadder: false }).downs.length).toBe(
      2,
    );
    // the [8, 64] input is no longer saved by Down₀
    expect(withInput - without).toBeGreaterThanOrEqual(8 * 64 * 4);
  });
});

describe('BottleneckAdapter', () => {
  it('starts equal to the frozen block; only Down and Up get gradients; a trained Up changes the output', () => {
    gl.manualSeed(8);
    const block = new gl.nn.Sequential(new gl.nn.Linear(5, 6), new gl.nn.ReLU());
    const ad = new F.BottleneckAdapter(block, 6, 2);
    const x = gl.randn([3, 5]);
    expect(maxDiff(ad.forward(x), block.forward(x) as gl.Tensor)).toBe(0);
    (ad.forward(x) as gl.Tensor).sum().backward();
    const named = ad
      .namedParameters()
      .filter(([, p]) => p.grad !== null)
      .map(([n]) => n);
    expect(named.sort()).toEqual(['down.bias', 'down.weight', 'up.bias', 'up.weight']);
    setRandom(ad.up.weight);
    expect(maxDiff(ad.forward(x), block.forward(x) as gl.Tensor)).toBeGreaterThan(1e-4);
    expect(() => new F.BottleneckAdapter(block, 6, 0)).toThrow(gl.ArgumentError);
  });
});
