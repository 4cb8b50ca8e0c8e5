// Datasets, DataLoader (batching, seeded shuffle, dropLast, collate, transform, exact resume) and splits.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const { TensorDataset, DataLoader, Subset, randomSplit, trainValSplit, mapDataset } = gl.data;

function rowsDataset(n: number, d = 3): gl.data.TensorDataset {
  const x = gl.arange(n * d, undefined, 1, { dtype: 'float32' }).reshape([n, d]);
  const y = gl.arange(n);
  return new TensorDataset(x, y);
}

/** The label (= row index) sequence a loader hands out in one epoch. */
function epochOrder<B>(loader: gl.data.DataLoader<gl.Tensor[], B>): number[] {
  const out: number[] = [];
  for (const b of loader) {
    out.push(...((b.data as gl.Tensor[])[1].toArray() as number[]));
    b.dispose();
  }
  return out;
}

describe('TensorDataset', () => {
  it('get(i) returns the rows and the index; negative indices count from the end', () => {
    const ds = rowsDataset(4);
    const { example, index } = ds.get(-1);
    expect(index).toBe(3);
    expect(example[0].toArray()).toEqual([9, 10, 11]);
    expect(example[1].item()).toBe(3);
    expect(() => ds.get(4)).toThrow(gl.IndexOutOfRangeError);
  });

  it('rejects tensors that do not share dim 0', () => {
    expect(() => new TensorDataset(gl.zeros([3, 2]), gl.zeros([4]))).toThrow(/share dim 0.*\[3,2\], \[4\]/);
  });

  it('getBatch gathers rows on the js fast path and through indexSelect for non-contiguous tensors', () => {
    const x = gl.arange(12, undefined, 1, { dtype: 'float32' }).reshape([3, 4]);
    const idx = Int32Array.from([2, 0, 2]);
    const fast = new TensorDataset(x).getBatch(idx)[0];
    const slow = new TensorDataset(x.transpose(0, 1).contiguous().transpose(0, 1)).getBatch(idx)[0];
    const expected = [
      [8, 9, 10, 11],
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ];
    expect(fast.toArray()).toEqual(expected);
    expect(slow.toArray()).toEqual(expected);
  });
});

describe('DataLoader', () => {
  it('batches in order without shuffle; the last batch is short unless dropLast', () => {
    const loader = new DataLoader(rowsDataset(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.data[0].shape)).toEqual([
      [4, 3],
      [4, 3],
      [2, 3],
    ]);
    expect(batches.map((b) => [...b.indices])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batches[2].data[0].toArray()).toEqual([
      [24, 25, 26],
      [27, 28, 29],
    ]);
    expect(batches.map((b) => [b.epoch, b.iteration])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    const dropped = new DataLoader(rowsDataset(10), { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].length).toBe(2);
  });

  it('shuffles with a seed: every epoch is a permutation, epochs differ, the same seed repeats', () => {
    const a = new DataLoader(rowsDataset(50), { batchSize: 8, shuffle: true, seed: 7 });
    const e0 = epochOrder(a);
    const e1 = epochOrder(a);
    expect([...e0].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const b = new DataLoader(rowsDataset(50), { batchSize: 8, shuffle: true, seed: 7 });
    expect(epochOrder(b)).toEqual(e0);
    expect(epochOrder(b)).toEqual(e1);
    const c = new DataLoader(rowsDataset(50), { batchSize: 8, shuffle: true, seed: 8 });
    expect(epochOrder(c)).not.toEqual(e0);
  });

  it('resumes mid-epoch exactly from state() (also across a JSON round trip)', () => {
    const full = new DataLoader(rowsDataset(30), { batchSize: 4, shuffle: true, seed: 3 });
    const reference = [...epochOrder(full), ...epochOrder(full), ...epochOrder(full)];

    const first = new DataLoader(rowsDataset(30), { batchSize: 4, shuffle: true, seed: 3 });
    const seen: number[] = [...epochOrder(first)];
    let saved: gl.data.DataLoaderState | null = null;
    for (const b of first) {
      seen.push(...(b.data[1].toArray() as number[]));
      if (b.iteration === 2) {
        saved = JSON.parse(JSON.stringify(first.state()));
        break;
      }
    }
    expect(saved).toMatchObject({ epoch: 1, iteration: 3 });

    const resumed = new DataLoader(rowsDataset(30), { batchSize: 4, shuffle: true, seed: 99 });
    resumed.loadState(saved!);
    seen.push(...epochOrder(resumed), ...epochOrder(resumed));
    expect(seen).toEqual(reference);
  });

  it('state() after a completed epoch points at the start of the next one', () => {
    const l = new DataLoader(rowsDataset(8), { batchSize: 4, shuffle: true, seed: 1 });
    epochOrder(l);
    const s = l.state();
    expect([s.epoch, s.iteration]).toEqual([1, 0]);
    const next = epochOrder(l);
    const r = new DataLoader(rowsDataset(8), { batchSize: 4, shuffle: true, seed: 1 }).loadState(s);
    expect(epochOrder(r)).toEqual(next);
  });

  it('uses collate and transform; default collate stacks per example for plain datasets', () => {
    const ds: gl.data.Dataset<{ v: gl.Tensor; k: number }> = {
      length: 5,
      get: (i) => ({ example: { v: gl.full([2], i), k: i * 10 }, index: i }),
    };
    const l = new DataLoader(ds, { batchSize: 2, transform: (b) => ({ ...b, v: b.v.mul(2) }) });
    const first = [...l][0].data;
    expect(first.v.toArray()).toEqual([
      [0, 0],
      [2, 2],
    ]);
    expect((first.k as unknown as gl.Tensor).toArray()).toEqual([0, 10]);
    const custom = new DataLoader(rowsDataset(5), {
      batchSize: 5,
      collate: (examples) => examples.length,
    });
    expect([...custom][0].data).toBe(5);
  });

  it('keeps memory flat over epochs when batches are disposed', () => {
    const l = new DataLoader(rowsDataset(64, 16), { batchSize: 8, shuffle: true, seed: 0 });
    for (const b of l) b.dispose();
    const before = gl.memory();
    for (let e = 0; e < 5; e++) for (const b of l) b.dispose();
    const after = gl.memory();
    expect(after.storages).toBe(before.storages);
    expect(after.bytes).toBe(before.bytes);
  });

  it('rejects bad options and states', () => {
    expect(() => new DataLoader(rowsDataset(3), { batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    const l = new DataLoader(rowsDataset(3), { shuffle: true });
    expect(() => l.loadState({ epoch: 0, iteration: 9, generator: null })).toThrow(/past the 3 batches/);
    expect(() => l.loadState({ epoch: 0, iteration: 1, generator: null })).toThrow(/no generator state/);
  });
});

describe('splits and subsets', () => {
  it('randomSplit by counts and fractions: disjoint, covering, seeded', () => {
    const ds = rowsDataset(10);
    const [a, b] = randomSplit(ds, [7, 3], { seed: 5 });
    expect([a.length, b.length]).toEqual([7, 3]);
    const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const [a2] = randomSplit(ds, [0.7, 0.3], { seed: 5 });
    expect([...a2.indices]).toEqual([...a.indices]);
    const [a3] = randomSplit(ds, [7, 3], { seed: 6 });
    expect([...a3.indices]).not.toEqual([...a.indices]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/summing to the dataset length 10/);
  });

  it('trainValSplit and Subset batches map back to the parent rows', () => {
    const ds = rowsDataset(20);
    const { train, val } = trainValSplit(ds, 0.25, { seed: 0 });
    expect([train.length, val.length]).toEqual([15, 5]);
    const [xb, yb] = new DataLoader(val, { batchSize: 5 })[Symbol.iterator]().next().value!.data;
    expect(yb.toArray()).toEqual([...val.indices]);
    expect(xb.toArray()).toEqual([...val.indices].map((i) => [3 * i, 3 * i + 1, 3 * i + 2]));
    const sub = new Subset(ds, [4, 2]);
    expect(sub.get(1).index).toBe(1);
    expect(sub.get(1).example[1].item()).toBe(2);
  });

  it('mapDataset applies a per-example function', () => {
    const m = mapDataset(rowsDataset(3), ([x, y]) => x.sum().add(y));
    expect(m.get(1).example.item()).toBe(3 + 4 + 5 + 1);
  });
});
