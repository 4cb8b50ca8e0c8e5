// What backward keeps, per layer, against what PyTorch's autograd keeps for the same computation
// (test/fixtures/torch/saved.json, from generate_saved_fixtures.py): gradlab saves no more bytes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

interface TorchCase {
  name: string;
  inputs: Record<string, number | number[]>;
  saved: { shape: number[]; dtype: string; bytes: number; shared: boolean }[];
  totalBytes: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch/saved.json', import.meta.url), 'utf8'),
) as { torch: string; cases: TorchCase[] };
const torchCase = (name: string) => fixture.cases.find((c) => c.name === name)!;

const rnd = (shape: number[]) => gl.randn(shape).requiresGrad_();

/**
 * Each case: the gradlab computation (inputs of the fixture's shapes, float32 like PyTorch's). No case
 * needs an allowance: where the two differ, gradlab keeps less (attention's scale is a float32 0-d
 * tensor, 4 bytes, where PyTorch keeps a float64 one; BatchNorm keeps no running statistics).
 */
const CASES: { name: string; run: () => gl.Tensor }[] = [
  {
    name: 'linear',
    run: () => {
      const lin = new gl.nn.Linear(64, 32);
      return gl.sum(lin.forward(rnd([16, 64])));
    },
  },
  {
    name: 'conv2d',
    run: () => {
      const conv = new gl.nn.Conv2d(3, 8, 3, { padding: 1 });
      return gl.sum(conv.forward(rnd([4, 3, 16, 16])));
    },
  },
  {
    name: 'batchnorm2d',
    run: () => {
      const bn = new gl.nn.BatchNorm2d(8);
      return gl.sum(bn.forward(rnd([4, 8, 16, 16])));
    },
  },
  {
    name: 'layernorm',
    run: () => {
      const ln = new gl.nn.LayerNorm(32);
      return gl.sum(ln.forward(rnd([16, 10, 32])));
    },
  },
  { name: 'softmax', run: () => gl.sum(gl.softmax(rnd([8, 4, 17, 17]), -1)) },
  {
    name: 'attention',
    run: () => {
      const [q, k, v] = [rnd([2, 4, 17, 8]), rnd([2, 4, 17, 8]), rnd([2, 4, 17, 8])];
      const scores = gl.mul(gl.matmul(q, gl.transpose(k, -1, -2)), 1 / Math.sqrt(8));
      return gl.sum(gl.matmul(gl.softmax(scores, -1), v));
    },
  },
  {
    name: 'cross_entropy',
    run: () => {
      const target = gl.tensor(Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 10));
      return gl.crossEntropy(rnd([16, 10]), target);
    },
  },
];

describe('saved residuals against PyTorch (float32)', () => {
  beforeAll(() => useBackend('js'));
  afterAll(() => useBackend('js'));
  it('the fixture covers every case', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(CASES.map((c) => c.name).sort());
  });
  for (const c of CASES)
    it(`${c.name}: saves no more bytes than PyTorch ${fixture.torch}`, () => {
      const ref = torchCase(c.name);
      const got = gl.savedResiduals(c.run);
      expect(
        got.totalBytes,
        `gradlab saves:\n${got.toString()}\nPyTorch saves ${JSON.stringify(ref.saved)}`,
      ).toBeLessThanOrEqual(ref.totalBytes);
    });
});
