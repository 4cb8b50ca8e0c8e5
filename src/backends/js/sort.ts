// The argsort kernel of the JS backend (also the native backend's): a stable comparison sort per lane.
import type { Kernel } from '../backend.js';
import { liftScalar } from './reduce.js';
import { dataOf, splitOffsets } from './strided.js';

/**
 * Writes, for each lane along `dim`, the indices that sort it: ascending or descending, ties in index
 * order (stable), NaN after every number ascending and before every number descending (PyTorch's order).
 */
export const argsortKernel: Kernel<'argsort'> = ([x0], out0, { dim, descending }) => {
  const x = liftScalar(x0);
  const out = liftScalar(out0);
  const src = dataOf(x);
  const dst = dataOf(out);
  const len = x.shape[dim];
  if (len === 0) return;
  const xl = splitOffsets(x, [dim]).outer;
  const ol = splitOffsets(out, [dim]).outer;
  const xs = x.strides[dim];
  const os = out.strides[dim];
  const order = new Array<number>(len);
  const vals = new Float64Array(len);
  const sign = descending ? -1 : 1;
  const cmp = (a: number, b: number): number => {
    const va = vals[a];
    const vb = vals[b];
    if (va < vb) return -sign;
    if (va > vb) return sign;
    const na = va !== va;
    if (na !== (vb !== vb)) return na ? sign : -sign;
    return a - b;
  };
  for (let i = 0; i < xl.length; i++) {
    for (let k = 0; k < len; k++) {
      order[k] = k;
      vals[k] = src[xl[i] + k * xs];
    }
    order.sort(cmp);
    for (let k = 0; k < len; k++) dst[ol[i] + k * os] = order[k];
  }
};
