// A representative subset of the batching rules on webgpu (SwiftShader where no GPU): values, gradients through
// vmap and per-example gradients against a loop over the batch, read asynchronously.
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as gl from '../../../src/index.js';
import type { Primitive } from '../../../src/core/primitives.js';
import { useBackend, webgpuUnavailable } from '../../helpers/backends.js';
import { CASES, type Case } from './cases.js';
import { computeCase, expectCloseValues, patterns } from './harness.js';

/**
 * Elementwise with broadcasting, a reduction, views, a dim op and gather with their gradients; matmul and
 * conv2d with per-example weights by value only (SwiftShader compiles every new kernel shape slowly).
 */
const SUBSET: Primitive[] = ['mul', 'sum', 'permute', 'expand', 'logSoftmax', 'gather', 'matmul', 'conv2d'];
const VALUES_ONLY: Primitive[] = ['matmul', 'conv2d'];

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
      // the first case, all inputs batched and (for several inputs) only the last one: SwiftShader compiles
      // every new kernel shape slowly, so the full matrix runs on js and native only
      const c = (CASES[prim] as Case<Primitive>[])[0];
      const all = patterns(c.ins.length);
      for (const p of c.ins.length > 1 ? [all[0], all[all.length - 1]] : all) {
        const cmps = computeCase(
          prim,
          { ...c, tol: Math.max(c.tol ?? 0, 1e-4) },
          p,
          'float32',
          !VALUES_ONLY.includes(prim),
        );
        for (const cmp of cmps) expectCloseValues(cmp, await cmp.got.data(), await cmp.want.data());
      }
    });
  }
});
