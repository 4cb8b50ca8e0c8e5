// gradlab: the matmul workload — C = A·B for float32 [n, n] inputs, the result released each step.
import * as gl from '../../src/index.js';
import type { Prepared } from '../lib/protocol.js';
import { STREAM, uniform } from '../lib/prng.js';
import type { MatmulSpec } from '../lib/workloads.js';
import { fromArray, readScalar, andThen } from './train.js';

export function prepareMatmul(spec: MatmulSpec): Prepared {
  const { n, seed } = spec;
  const a = fromArray(uniform(seed, STREAM.a, n * n, -1, 1), [n, n]);
  const b = fromArray(uniform(seed, STREAM.b, n * n, -1, 1), [n, n]);
  let corner = 0;
  return {
    // one element read back: the product is done; tidy releases the product, the corner view is read and released
    step: () =>
      andThen(
        readScalar(gl.tidy(() => gl.matmul(a, b).narrow(0, 0, 1).narrow(1, 0, 1))),
        (v) => (corner = v),
      ),
    check: () => `C[0,0] = ${corner.toFixed(4)}`,
  };
}
