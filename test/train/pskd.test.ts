// PS-KD (gl.train.SelfDistillation and the Trainer's selfDistillation option) against PyTorch 1.13.
// Fixtures: test/fixtures/torch/pskd.json, written by test/fixtures/generate_pskd_fixtures.py
// (rerun: /usr/bin/python3 test/fixtures/generate_pskd_fixtures.py), which follows the official PS-KD code.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import type { Batch } from '../../src/data/dataloader.js';

interface Fixture {
  softTarget: {
    logits: number[];
    labels: number[];
    past: number[];
    alpha: number;
    soft: number[];
    loss: number;
    grad: number[];
  };
  training: {
    x: number[];
    y: number[];
    n: number;
    d: number;
    classes: number;
    epochs: number;
    batch: number;
    alphaT: number;
    lr: number;
    orders: number[][];
    w0: number[];
    b0: number[];
    w: number[];
    b: number[];
    losses: number[];
    bank: number[];
  };
}

const fx = JSON.parse(
  readFileSync(new URL('../fixtures/torch/pskd.json', import.meta.url), 'utf8'),
) as Fixture;

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** A loader over the fixture's examples in its listed per-epoch orders (what torch's script iterates). */
function fixtureLoader(t: Fixture['training']) {
  const x = gl.tensor(t.x, { shape: [t.n, t.d] });
  const y = gl.tensor(t.y, { dtype: 'int32' });
  let epoch = 0;
  let next = 0;
  const perEpoch = Math.ceil(t.n / t.batch);
  return {
    length: perEpoch,
    *[Symbol.iterator](): Iterator<Batch<unknown>> {
      while (next < perEpoch) {
        const it = next++;
        const idx = Int32Array.from(t.orders[epoch].slice(it * t.batch, (it + 1) * t.batch));
        const ix = gl.tensor(idx, { dtype: 'int32' });
        const data = [x.indexSelect(0, ix), y.indexSelect(0, ix)];
        yield { data, indices: idx, epoch, iteration: it, dispose: () => data.forEach((d) => d.dispose()) };
      }
      epoch++;
      next = 0;
    },
    state: () => ({ epoch, iteration: next, generator: null }) as never,
    loadState: (s: { epoch: number; iteration: number }) => {
      epoch = s.epoch;
      next = s.iteration;
    },
  };
}

function fixtureModel(t: Fixture['training']): gl.nn.Linear {
  const m = new gl.nn.Linear(t.d, t.classes);
  m.loadStateDict(
    new Map([
      ['weight', gl.tensor(t.w0, { shape: [t.classes, t.d] })],
      ['bias', gl.tensor(t.b0)],
    ]),
  );
  return m;
}

describe('PS-KD soft targets and their cross-entropy gradient', () => {
  it('equals PyTorch on one batch (softmax(z) − ỹ over the batch)', () => {
    const s = fx.softTarget;
    const B = s.labels.length;
    const K = s.logits.length / B;
    // the bank rows come from a previous visit: write them with record(log(past)) so softmax gives them back
    const pskd = new gl.train.SelfDistillation({ examples: B, epochs: 10, alphaT: 1 });
    const idx = Int32Array.from({ length: B }, (_, i) => i);
    pskd.record(gl.tensor(s.past, { shape: [B, K] }).log(), idx);
    // α_t = α_T (t + 1) / T: α_T = 1, T = 10 → epoch 2 gives the fixture's α = 0.3
    expect(pskd.alpha(2)).toBeCloseTo(s.alpha, 12);
    const soft = pskd.targets(gl.tensor(s.labels, { dtype: 'int32' }), idx, 2, K);
    expect(maxAbs(soft.dataSync(), s.soft)).toBeLessThan(1e-6);
    const z = gl.tensor(s.logits, { shape: [B, K] }).requiresGrad_();
    const loss = gl.crossEntropy(z, soft);
    const [g] = gl.grad([loss], [z]);
    expect(Math.abs(loss.item() - s.loss)).toBeLessThan(1e-5);
    expect(maxAbs(g!.dataSync(), s.grad)).toBeLessThan(1e-6);
  });

  it('uses the one-hot label for an example not yet visited', () => {
    const pskd = new gl.train.SelfDistillation({ examples: 4, epochs: 2 });
    pskd.record(gl.tensor([[5, 0, 0]]), Int32Array.of(1));
    const soft = pskd.targets(gl.tensor([2, 0], { dtype: 'int32' }), Int32Array.of(0, 1), 1, 3);
    const p = gl.softmax(gl.tensor([[5, 0, 0]]), 1).dataSync();
    const a = 0.8; // α_T · 2 / 2
    const want = [0, 0, 1, 1 - a + a * p[0], a * p[1], a * p[2]];
    expect(maxAbs(soft.dataSync(), want)).toBeLessThan(1e-6);
  });
});

describe('Trainer selfDistillation', () => {
  it('trains a linear model as the official PS-KD loop does (weights, losses and bank equal PyTorch)', async () => {
    const t = fx.training;
    const model = fixtureModel(t);
    const losses: number[] = [];
    const trainer = new gl.train.Trainer({
      model,
      optimizer: new gl.optim.SGD(model.parameters(), { lr: t.lr }),
      selfDistillation: { examples: t.n, epochs: t.epochs, alphaT: t.alphaT },
      callbacks: [{ onStepEnd: (info) => void losses.push(info.metrics.loss) }],
    });
    await trainer.fit(fixtureLoader(t), { epochs: t.epochs });
    expect(maxAbs(losses, t.losses)).toBeLessThan(1e-5);
    expect(maxAbs(model.weight.dataSync(), t.w)).toBeLessThan(1e-5);
    expect(maxAbs(model.bias!.dataSync(), t.b)).toBeLessThan(1e-5);
    expect(maxAbs(trainer.selfDistillation!.bank!.dataSync(), t.bank)).toBeLessThan(1e-5);
  });

  it('saves the bank in checkpoints: a resumed run ends where the uninterrupted one does', async () => {
    const t = fx.training;
    const dir = mkdtempSync(path.join(tmpdir(), 'pskd-'));
    try {
      const whole = fixtureModel(t);
      await new gl.train.Trainer({
        model: whole,
        optimizer: new gl.optim.SGD(whole.parameters(), { lr: t.lr }),
        selfDistillation: { examples: t.n, epochs: t.epochs, alphaT: t.alphaT },
      }).fit(fixtureLoader(t), { epochs: t.epochs });
      const first = fixtureModel(t);
      const loader = fixtureLoader(t);
      await new gl.train.Trainer({
        model: first,
        optimizer: new gl.optim.SGD(first.parameters(), { lr: t.lr }),
        selfDistillation: { examples: t.n, epochs: t.epochs, alphaT: t.alphaT },
        checkpoint: { dir },
      }).fit(loader, { epochs: 2 });
      const resumed = fixtureModel(t);
      await new gl.train.Trainer({
        model: resumed,
        optimizer: new gl.optim.SGD(resumed.parameters(), { lr: t.lr }),
        selfDistillation: { examples: t.n, epochs: t.epochs, alphaT: t.alphaT },
      }).fit(fixtureLoader(t), { epochs: t.epochs, resumeFrom: dir });
      expect(Array.from(resumed.weight.dataSync())).toEqual(Array.from(whole.weight.dataSync()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options with named errors', () => {
    expect(() => new gl.train.SelfDistillation({ examples: 0, epochs: 3 })).toThrow(gl.ArgumentError);
    expect(() => new gl.train.SelfDistillation({ examples: 5, epochs: 3, alphaT: 1.5 })).toThrow(
      /alphaT must be in \[0, 1\]/,
    );
    const pskd = new gl.train.SelfDistillation({ examples: 5, epochs: 3 });
    expect(() => pskd.targets(gl.tensor([0.5]), Int32Array.of(0), 0, 2)).toThrow(/labels must be int32/);
    expect(() => pskd.alpha(-1)).toThrow(gl.ArgumentError);
    const model = new gl.nn.Linear(2, 2);
    expect(
      () =>
        new gl.train.Trainer({
          model,
          rule: 'dfa',
          selfDistillation: { examples: 5, epochs: 3 },
        }),
    ).toThrow(/needs backprop/);
  });
});
