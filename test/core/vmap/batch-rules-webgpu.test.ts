// A representative subset of the batching rules on webgpu (SwiftShader where no GPU): values, gradients through
// vmap and per-example gradients against a loop over the batch, read asynchronously.
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as gl from '../../../src/index.js';
import type { Primitive } from '../../../src/core/primitives.js';
import { useBackend, webgpuUnavailable } from '../../helpers/backends.js';
import { CASES, type Case } from './cases.js';
import { computeCase, expectCloseValues, patterns } from './harness.js';

/** Elementwise with broadcasting, a reduction, matmul, views, a dim op, gather, conv with per-example weights, pooling. */
const SUBSET: Primitive[] = [
  'mul',
  'exp',
  'where',
  'sum',
  'matmul',
  'reshape',
  'permute',
  'expand',
  'logSoftmax',
  'gather',
  'cat',
  'conv2d',
  'maxPool2d',
];

const why = await webgpuUnavailable();
describe.skipIf(why !== null)(`batching rules on webgpu${why ? ` (skipped: ${why})` : ''}`, () => {
  let before: gl.BackendName;
  beforeAll(async () => {
    before = gl.getBackend() as gl.BackendName;
    await useBackend('webgpu');
  });
  afterAll(async () => {
    await gl.setBackend(before);
  });
  for (const prim of SUBSET) {
    it(prim, async () => {
      const cases = CASES[prim] as Case<Primitive>[];
      for (const c of cases)
        for (const p of patterns(c.ins.length)) {
          const cmps = computeCase(prim, { ...c, tol: Math.max(c.tol ?? 0, 1e-4) }, p, 'float32');
          for (const cmp of cmps) expectCloseValues(cmp, await cmp.got.data(), await cmp.want.data());
        }
    });
  }
});
