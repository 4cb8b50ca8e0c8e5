// Image data for recipes: Fashion-MNIST when it is installed, else the embedded 8×8 digits (said so).
import * as fs from 'node:fs';
import { loadDataset } from '../../data/datasets.js';
import { take, type Split } from './train.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

/** Train/test splits (first nTrain / nTest examples, optionally some classes relabelled 0..k-1). */
export function imageData(
  nTrain: number,
  nTest: number,
  classes?: readonly number[],
): { name: string; size: number; train: Split; test: Split } {
  const fashion = fs.existsSync(FASHION);
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
