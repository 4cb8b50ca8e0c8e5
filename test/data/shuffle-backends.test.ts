// The README's training loop (shuffled DataLoader, Conv2d model, Adam, cosine schedule) on every backend
// present, and shuffles/splits/fit that give the same order on every backend (they draw on the host).
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

const backends = await allTestBackends();
const before = gl.getBackend();
afterAll(async () => {
  await gl.setBackend(before);
});

/** A tiny stand-in for Fashion-MNIST: 40 images 1x8x8 and int32 labels 0..9, the same on every backend. */
function tinyData(): { x: gl.Tensor; y: gl.Tensor } {
  const g = new gl.Generator(7);
  const x = gl.randn([40, 1, 8, 8], { generator: g });
  const y = gl.randint(0, 10, [40], { generator: g });
  return { x, y };
}

/** The label order of one shuffled epoch, read asynchronously (works on every backend). */
async function shuffledLabels(seed: number): Promise<number[]> {
  const y = gl.arange(25);
  const loader = new gl.data.DataLoader(new gl.data.TensorDataset(y), { batchSize: 10, shuffle: true, seed });
  const out: number[] = [];
  for (const b of loader) {
    out.push(...Array.from(await (b.data as gl.Tensor[])[0].data()));
    b.dispose();
  }
  return out;
}

describe.each(backends)('shuffled data on %s', (name) => {
  it("runs the README's training loop with a shuffled DataLoader", async () => {
    await useBackend(name);
    gl.manualSeed(0);
    const model = new gl.nn.Sequential(
      new gl.nn.Conv2d(1, 4, 3),
      new gl.nn.ReLU(),
      new gl.nn.MaxPool2d(2),
      new gl.nn.Flatten(),
      new gl.nn.Linear(4 * 3 * 3, 10),
    );
    const opt = new gl.optim.Adam(model.parameters(), { lr: 1e-2 });
    const sched = new gl.optim.CosineAnnealingLR(opt, 1000);
    const train = tinyData();
    const loader = new gl.data.DataLoader(new gl.data.TensorDataset(train.x, train.y), {
      batchSize: 16,
      shuffle: true,
      seed: 0,
    });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let last: gl.Tensor | null = null;
      for (const {
        data: [x, y],
      } of loader) {
        last?.dispose();
        last = gl.tidy(() => {
          opt.zeroGrad();
          const loss = gl.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
          return loss.detach();
        });
        sched.step();
      }
      losses.push(await last!.itemAsync());
      last!.dispose();
    }
    expect(loader.length).toBe(3);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
  });

  it('shuffles, splits and initializes in the same order as the host stream', async () => {
    await useBackend(name);
    const expected = Array.from(gl.data.permutation(25, new gl.Generator(3)));
    expect(await shuffledLabels(3)).toEqual(expected);
    const ds = new gl.data.TensorDataset(gl.arange(10));
    const [a] = gl.data.randomSplit(ds, [6, 4], { seed: 5 });
    expect(Array.from(a.indices)).toEqual(
      Array.from(gl.data.permutation(10, new gl.Generator(5)).slice(0, 6)),
    );
    const w = gl.nn.init.orthogonal(gl.zeros([3, 3]), { generator: new gl.Generator(2) });
    const wt = Array.from(await w.data());
    // Q is orthogonal: Q Q^T = I (float32 storage)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += wt[i * 3 + k] * wt[j * 3 + k];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 5);
      }
  });

  it('fit() shuffles while this backend is current (model and data on js)', async () => {
    await useBackend('js');
    gl.manualSeed(1);
    const model = new gl.nn.Sequential(new gl.nn.Flatten(), new gl.nn.Linear(64, 10));
    const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
    const train = tinyData();
    const loader = new gl.data.DataLoader(new gl.data.TensorDataset(train.x, train.y), {
      batchSize: 8,
      shuffle: true,
      seed: 4,
    });
    await useBackend(name);
    const result = await gl.train.fit(model, loader, { optimizer, epochs: 2 });
    expect(result.step).toBe(10);
  });
});

describe('host-side draws', () => {
  it('permutation uses the same stream as rand(float64) on the js backend', async () => {
    await useBackend('js');
    const u = gl.rand([12], { dtype: 'float64', generator: new gl.Generator(9) }).dataSync();
    const p = Array.from({ length: 12 }, (_, i) => i);
    for (let i = 11; i > 0; i--) {
      const j = Math.min(i, Math.floor(u[i] * (i + 1)));
      [p[i], p[j]] = [p[j], p[i]];
    }
    expect(Array.from(gl.data.permutation(12, new gl.Generator(9)))).toEqual(p);
  });
});
