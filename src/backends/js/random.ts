// The random-fill kernel of the JS backend (Philox, identical to every other backend's stream).
import type { Kernel } from '../backend.js';
import { philoxFill } from '../../core/random/philox.js';
import { dataOf } from './strided.js';

export const randomKernel: Kernel<'random'> = (_inputs, out, { key, counter, dist }) => {
  let n = 1;
  for (const d of out.shape) n *= d;
  const dst = dataOf(out).subarray(out.offset, out.offset + n);
  philoxFill(dst, key, counter, dist);
};
