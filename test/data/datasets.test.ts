// Named datasets: the embedded digits, an MNIST-layout folder, CIFAR-10 folders, Fashion-MNIST when
// installed (/usr/share/datasets/fashion-mnist), and the synthetic names.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const FIX = path.join(import.meta.dirname, '..', 'fixtures', 'data');

const sum = (t: gl.Tensor): number => (t.dataSync() as Float32Array).reduce((a, b) => a + b, 0);
const counts = (t: gl.Tensor, k: number): number[] => {
  const c = new Array(k).fill(0);
  for (const v of t.dataSync()) c[v]++;
  return c;
};

describe('embedded digits', () => {
  it('has the 1797 images of sklearn digits.csv.gz split 1437/360, stratified 36 per class in test', () => {
    const d = gl.data.loadDataset('embedded');
    expect(d.train.x.shape).toEqual([1437, 1, 8, 8]);
    expect(d.test.x.shape).toEqual([360, 1, 8, 8]);
    expect(d.train.y.dtype).toBe('int32');
    expect(d.numClasses).toBe(10);
    // Per-class counts and pixel total counted from digits.csv.gz (awk over the 65 columns).
    const all = counts(d.train.y, 10).map((c, i) => c + counts(d.test.y, 10)[i]);
    expect(all).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(counts(d.test.y, 10)).toEqual(new Array(10).fill(36));
    expect(Math.round((sum(d.train.x) + sum(d.test.x)) * 16)).toBe(561718);
    expect(Math.max(...d.train.x.dataSync())).toBe(1);
    expect(Math.min(...d.train.x.dataSync())).toBe(0);
  });

  it('flatten gives [n, 64]; the first csv row (a 0) is the first train image', () => {
    const d = gl.data.loadDigits({ flatten: true });
    expect(d.inputShape).toEqual([64]);
    // First line of digits.csv.gz: 0,0,5,13,9,1,0,0,0,0,13,15,... label 0.
    const first = (d.train.x.narrow(0, 0, 1).toArray() as number[][])[0].slice(0, 12).map((v) => v * 16);
    expect(first).toEqual([0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15]);
    expect(d.train.y.dataSync()[0]).toBe(0);
  });
});

describe('MNIST layout', () => {
  it('loads train (gzip) and t10k (raw) scaled to [0, 1]', () => {
    const d = gl.data.loadDataset('mnist', { path: path.join(FIX, 'mnist-tiny') });
    expect(d.train.x.shape).toEqual([6, 1, 3, 2]);
    expect(d.test.x.shape).toEqual([4, 1, 3, 2]);
    expect(d.inputShape).toEqual([1, 3, 2]);
    expect(d.train.y.toArray()).toEqual([0, 1, 2, 3, 4, 9]);
    // Test pixel k = (29k + 5) % 256 in the generator.
    const px = d.test.x.dataSync();
    expect(px[7]).toBeCloseTo(((29 * 7 + 5) % 256) / 255, 6);
    const flat = gl.data.loadMnistLike(path.join(FIX, 'mnist-tiny'), 'mnist', { flatten: true });
    expect(flat.train.x.shape).toEqual([6, 6]);
    expect(flat.inputShape).toEqual([6]);
  });

  it('names mismatched counts, missing files and missing paths', () => {
    expect(() => gl.data.loadMnistLike(path.join(FIX, 'mnist-mismatch'))).toThrow(
      /t10k-images-idx3-ubyte holds 4 images but .*t10k-labels-idx1-ubyte holds 3 labels/,
    );
    expect(() => gl.data.loadMnistLike(FIX)).toThrow(gl.FileError);
    expect(() => gl.data.loadMnistLike(FIX)).toThrow(/train-images-idx3-ubyte\[\.gz\] not found/);
    expect(() => gl.data.loadDataset('mnist')).toThrow(/needs a path/);
    expect(() => gl.data.loadDataset('fashion-mnist', { path: '/nonexistent/fm' })).toThrow(/does not exist/);
    expect(() => gl.data.loadDataset('imagenet')).toThrow(/unknown dataset "imagenet"/);
  });
});

describe('CIFAR-10 folder', () => {
  it('concatenates the five train batches (also from a cifar-10-batches-bin/ subfolder)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-cifar-'));
    const dir = path.join(root, 'cifar-10-batches-bin');
    fs.mkdirSync(dir);
    const rec = fs.readFileSync(path.join(FIX, 'cifar-tiny.bin'));
    for (const n of [
      'data_batch_1',
      'data_batch_2',
      'data_batch_3',
      'data_batch_4',
      'data_batch_5',
      'test_batch',
    ])
      fs.writeFileSync(path.join(dir, `${n}.bin`), rec);
    const d = gl.data.loadDataset('cifar10', { path: root });
    expect(d.train.x.shape).toEqual([15, 3, 32, 32]);
    expect(d.test.y.toArray()).toEqual([6, 9, 0]);
    expect(d.train.x.dataSync()[1]).toBeCloseTo(3 / 255, 6);
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), rec.subarray(0, 5000));
    expect(() => gl.data.loadCifar10(root)).toThrow(gl.FileFormatError);
    fs.rmSync(root, { recursive: true });
  });
});

describe.skipIf(!fs.existsSync(path.join(gl.data.FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')))(
  'Fashion-MNIST (installed)',
  () => {
    it('loads 60000/10000 images of 28x28 with 6000/1000 per class', () => {
      const d = gl.data.loadDataset('fashion-mnist');
      expect(d.train.x.shape).toEqual([60000, 1, 28, 28]);
      expect(d.test.x.shape).toEqual([10000, 1, 28, 28]);
      // Fashion-MNIST is balanced (zalandoresearch/fashion-mnist README).
      expect(counts(d.test.y, 10)).toEqual(new Array(10).fill(1000));
      expect(counts(d.train.y, 10)).toEqual(new Array(10).fill(6000));
      expect(d.classes[9]).toBe('Ankle boot');
    });
  },
);

describe('synthetic names', () => {
  it('split 80/20 and are seeded', () => {
    const a = gl.data.loadDataset('spirals', { n: 100, seed: 1 });
    expect(a.train.x.shape).toEqual([80, 2]);
    expect(a.test.y.shape).toEqual([20]);
    expect(a.numClasses).toBe(2);
    const b = gl.data.loadDataset('spirals', { n: 100, seed: 1 });
    expect(b.train.x.toArray()).toEqual(a.train.x.toArray());
    expect(gl.data.loadDataset('blobs', { n: 30 }).numClasses).toBe(3);
  });
});
