// Image data for recipes: Fashion-MNIST when it is installed, else the embedded 8×8 digits (said so).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../data/datasets.js';
import { readIdx } from '../../data/readers/idx.js';
import { tensor } from '../../ops/tensor-like.js';
import { take, type Split } from './train.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

/** Quick runs read only the 10k test file (4 MB) and split it: train from the front, test from the back. */
function fashionTestFileOnly(
  nTrain: number,
  nTest: number,
  classes?: readonly number[],
): { train: Split; test: Split } {
  const img = readIdx(path.join(FASHION, 't10k-images-idx3-ubyte.gz'), { ndim: 3, type: 'uint8' });
  const lbl = readIdx(path.join(FASHION, 't10k-labels-idx1-ubyte.gz'), { ndim: 1, type: 'uint8' });
  const px = img.data as Uint8Array;
  const ys = lbl.data as Uint8Array;
  const half = ys.length / 2;
  const part = (from: number, to: number): Split => {
    const x = new Float32Array((to - from) * 784);
    for (let i = 0; i < x.length; i++) x[i] = px[from * 784 + i] / 255;
    return {
      x: tensor(x).reshape([to - from, 1, 28, 28]),
      y: tensor(Int32Array.from(ys.subarray(from, to))),
    };
  };
  const tr = part(0, half);
  const te = part(half, ys.length);
  return { train: take(tr, nTrain, classes), test: take(te, nTest, classes) };
}

/** Train/test splits (first nTrain / nTest examples, optionally some classes relabelled 0..k-1). */
export function imageData(
  nTrain: number,
  nTest: number,
  classes?: readonly number[],
  quick = false,
): { name: string; size: number; train: Split; test: Split } {
  const fashion = fs.existsSync(FASHION);
  if (fashion && quick)
    return {
      name: 'fashion-mnist (quick: both splits from the 10k test file)',
      size: 28,
      ...fashionTestFileOnly(nTrain, nTest, classes),
    };
  const ds = loadDataset(fashion ? 'fashion-mnist' : 'embedded');
  const out = {
    name: fashion ? 'fashion-mnist' : 'embedded digits (Fashion-MNIST not installed)',
    size: fashion ? 28 : 8,
    train: take(ds.train, nTrain, classes),
    test: take(ds.test, nTest, classes),
  };
  for (const t of [ds.train.x, ds.train.y, ds.test.x, ds.test.y]) t.dispose();
  return out;
}
