// Every primitive's batching rule against a loop over the batch: values, gradients through vmap (the
// physical tape) and per-example gradients inside vmap (vjp under vmap), with each input batched or shared.
import { beforeAll, describe, it } from 'vitest';
import * as gl from '../../../src/index.js';
import type { Primitive } from '../../../src/core/primitives.js';
import { testBackends, useBackend } from '../../helpers/backends.js';
import { CASES, type Case } from './cases.js';
import { computeCase, expectCloseValues, patterns } from './harness.js';

for (const backend of testBackends()) {
  describe(`batching rules on ${backend}`, () => {
    let dtype: gl.DType = 'float64';
    beforeAll(async () => {
      await useBackend(backend);
      dtype = gl.backendCapabilities().float64 ? 'float64' : 'float32';
    });
    for (const [prim, cases] of Object.entries(CASES) as [
      Primitive,
      Case<Primitive>[] | { dedicated: string },
    ][]) {
      if (!Array.isArray(cases)) continue;
      it(`${prim}`, () => {
        for (const c of cases)
          for (const p of patterns(c.ins.length)) {
            try {
              for (const cmp of computeCase(prim, c, p, dtype))
                expectCloseValues(cmp, cmp.got.dataSync(), cmp.want.dataSync());
            } catch (e) {
              (e as Error).message =
                `${prim} ${c.name ?? ''} batched=[${p.join(',')}]: ${(e as Error).message}`;
              throw e;
            }
          }
      });
    }
  });
}
