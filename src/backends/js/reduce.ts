// Reduction, scan and softmax kernels of the JS backend.
import type { Kernel, KernelFn, TensorView } from '../backend.js';
import type { ReduceOp, ReduceParams } from '../../core/primitives.js';
import { dataOf, splitOffsets } from './strided.js';

type Acc = { init: number; step: (acc: number, v: number) => number };

const accs: { [R in ReduceOp]: Acc } = {
  sum: { init: 0, step: (a, v) => a + v },
  prod: { init: 1, step: (a, v) => a * v },
  amax: { init: -Infinity, step: (a, v) => (v > a || v !== v ? v : a) },
  amin: { init: Infinity, step: (a, v) => (v < a || v !== v ? v : a) },
};

/** Reduces `dims` of the input; the output is contiguous with the reduced dims removed or kept as 1. */
export function reduceKernel(op: ReduceOp): KernelFn<ReduceParams> {
  const { init, step } = accs[op];
  return ([x], out, { dims }) => {
    const src = dataOf(x);
    const dst = dataOf(out);
    const { outer, inner } = splitOffsets(x, dims);
    const m = inner.length;
    for (let i = 0; i < outer.length; i++) {
      const base = outer[i];
      let acc = init;
      if (op === 'sum') for (let j = 0; j < m; j++) acc += src[base + inner[j]];
      else for (let j = 0; j < m; j++) acc = step(acc, src[base + inner[j]]);
      dst[out.offset + i] = acc;
    }
  };
}

/** Walks each lane along `dim`: calls fn(inputBase, inputStride, outputBase, outputStride, length). */
function forEachLane(
  x: TensorView,
  out: TensorView,
  dim: number,
  fn: (xb: number, xs: number, ob: number, os: number, len: number) => void,
): void {
  const xl = splitOffsets(x, [dim]).outer;
  const ol = splitOffsets(out, [dim]).outer;
  const len = x.shape[dim];
  for (let i = 0; i < xl.length; i++) fn(xl[i], x.strides[dim], ol[i], out.strides[dim], len);
}

function argKernel(
  better: (v: number, best: number) => boolean,
): KernelFn<{ dim: number; keepdim: boolean }> {
  return ([x], out, { dim }) => {
    const src = dataOf(x);
    const dst = dataOf(out);
    const lanes = splitOffsets(x, [dim]).outer;
    const len = x.shape[dim];
    const st = x.strides[dim];
    for (let i = 0; i < lanes.length; i++) {
      let best = src[lanes[i]];
      let bi = 0;
      for (let k = 1; k < len; k++) {
        const v = src[lanes[i] + k * st];
        if (best === best && (better(v, best) || v !== v)) {
          best = v;
          bi = k;
        }
      }
      dst[out.offset + i] = bi;
    }
  };
}
export const argmaxKernel = argKernel((v, b) => v > b);
export const argminKernel = argKernel((v, b) => v < b);

export const cumsumKernel: Kernel<'cumsum'> = ([x], out, { dim }) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  forEachLane(x, out, dim, (xb, xs, ob, os, len) => {
    let acc = 0;
    for (let k = 0; k < len; k++) {
      acc += src[xb + k * xs];
      dst[ob + k * os] = acc;
    }
  });
};

export const logSoftmaxKernel: Kernel<'logSoftmax'> = ([x], out, { dim }) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  forEachLane(x, out, dim, (xb, xs, ob, os, len) => {
    let m = -Infinity;
    for (let k = 0; k < len; k++) m = Math.max(m, src[xb + k * xs]);
    if (m === -Infinity) m = 0;
    let s = 0;
    for (let k = 0; k < len; k++) s += Math.exp(src[xb + k * xs] - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < len; k++) dst[ob + k * os] = src[xb + k * xs] - lse;
  });
};
