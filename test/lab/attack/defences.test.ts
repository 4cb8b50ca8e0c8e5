// Defences: PGD adversarial training as a Trainer option, distillation losses and soft labels, the float32 saturation effect.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

function loader(n = 16): gl.data.DataLoader<gl.Tensor[], [gl.Tensor, gl.Tensor]> {
  const gen = new gl.Generator(1);
  const x = gl.rand([n, 4], { generator: gen });
  const y = gl.tensor(
    Array.from({ length: n }, (_, i) => i % 2),
    { dtype: 'int32' },
  );
  return new gl.data.DataLoader(new gl.data.TensorDataset(x, y), { batchSize: 8 });
}

describe('adversarial training (Trainer option)', () => {
  it('the model trains on what `adversarial` returns; evaluation stays clean', async () => {
    class Probe extends gl.nn.Module {
      lin = new gl.nn.Linear(4, 2);
      seen: { training: boolean; sum: number }[] = [];
      override forward(x: gl.Tensor): gl.Tensor {
        this.seen.push({ training: this.training, sum: x.sum().item() });
        return this.lin.forward(x);
      }
    }
    const model = new Probe();
    const calls: boolean[] = [];
    const trainer = new gl.train.Trainer({
      model,
      optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }),
      adversarial: (m, x) => {
        calls.push(m.training);
        return gl.zerosLike(x); // stands for an attack: the training forward must see these inputs
      },
    });
    await trainer.fit(loader(), { epochs: 1, evalData: loader() });
    expect(calls).toEqual([true, true]); // once per training batch, called in training mode
    const train = model.seen.filter((s) => s.training);
    const evals = model.seen.filter((s) => !s.training);
    expect(train.map((s) => s.sum)).toEqual([0, 0]);
    expect(evals.every((s) => s.sum > 0)).toBe(true);
  });

  it('pgdTraining runs PGD on the current weights and restores training mode', async () => {
    const model = new gl.nn.Sequential(
      new gl.nn.Linear(4, 8),
      new gl.nn.Dropout(0.5),
      new gl.nn.Linear(8, 2),
    );
    let modes: boolean[] = [];
    const attack = gl.attacks.pgdTraining({
      eps: 0.1,
      alpha: 0.05,
      steps: 2,
      generator: new gl.Generator(0),
    });
    const adversarial = (m: gl.nn.Module, x: gl.Tensor, y: gl.Tensor) => {
      const adv = attack(m, x, y);
      modes.push(m.training);
      const d = gl.sub(adv, x).abs().max().item();
      expect(d).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(d).toBeGreaterThan(0);
      return adv;
    };
    const r = await gl.train.fit(model, loader(), {
      optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }),
      epochs: 1,
      adversarial,
    });
    expect(r.step).toBe(2);
    expect(modes).toEqual([true, true]);
    modes = [];
  });

  it('a rule other than bp refuses the option', () => {
    const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 2));
    expect(() => new gl.train.Trainer({ model, rule: 'dfa', adversarial: (_m, x) => x })).toThrow(
      /adversarial training needs backprop/,
    );
  });
});

describe('defensive distillation', () => {
  it('temperatureLoss: hard labels → CE of z / T; soft labels → soft-target CE at T', () => {
    const z = gl.tensor([
      [2, -1, 0.5],
      [0, 3, -2],
    ]);
    const y = gl.tensor([0, 1], { dtype: 'int32' });
    const loss = gl.attacks.temperatureLoss(4);
    expect(loss(z, y).item()).toBeCloseTo(gl.crossEntropy(z.div(4), y).item(), 6);
    const soft = gl.softmax(
      gl.tensor([
        [1, 0, 0],
        [0, 2, 1],
      ]),
      1,
    );
    expect(loss(z, soft).item()).toBeCloseTo(
      gl.attacks.softTargetCrossEntropy(z, soft, { temperature: 4 }).item(),
      6,
    );
    // with one-hot soft labels the soft-target CE is the plain CE
    const onehot = gl.tensor([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(loss(z, onehot).item()).toBeCloseTo(gl.crossEntropy(z.div(4), y).item(), 6);
    expect(() => gl.attacks.temperatureLoss(0)).toThrow(gl.attacks.AttackOptionError);
    expect(() => gl.attacks.softTargetCrossEntropy(z, y)).toThrow(gl.ShapeError);
  });

  it('softLabels: softmax(teacher(x) / T), in eval mode, without gradients', () => {
    const teacher = new gl.nn.Sequential(new gl.nn.Linear(3, 3), new gl.nn.Dropout(0.9));
    const x = gl.rand([5, 3], { generator: new gl.Generator(2) });
    const s = gl.attacks.softLabels(teacher, x, 10);
    expect(teacher.training).toBe(true);
    expect(s.requiresGrad).toBe(false);
    const ref = teacher.eval().forward(x).div(10).softmax(1);
    expect(Array.from(s.dataSync())).toEqual(Array.from(ref.dataSync()));
  });

  it('the float32 saturation effect: input gradients of a confident (distilled-like) net are exactly 0 in float32, not in float64', () => {
    // logits scaled as a net trained at T = 100 and deployed at T = 1: margins of a few hundred
    const w = [
      [60, -40, 10],
      [-50, 45, -20],
      [5, -5, 30],
    ];
    const x = [
      [0.9, 0.1, 0.5],
      [0.2, 0.8, 0.4],
      [0.1, 0.3, 0.9],
      [0.7, 0.2, 0.1],
    ];
    const frac = (dtype: 'float32' | 'float64') => {
      const W = gl.tensor(w, { dtype });
      const f = (t: gl.Tensor) => gl.matmul(t, W.t()).mul(20); // logit margins 180 to 720: exp(−180) underflows float32 (min 1.4e-45), exp(−720) not float64 (min 4.9e-324)
      const xt = gl.tensor(x, { dtype });
      const y = f(xt).argmax(1);
      return gl.attacks.zeroFraction(gl.attacks.inputGradient(f, xt, (z) => gl.crossEntropy(z, y)));
    };
    expect(frac('float32')).toBe(1);
    expect(frac('float64')).toBe(0);
  });
});
