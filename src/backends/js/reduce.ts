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

/** A 0-d view seen as one lane of length 1 (ops along dim 0 of a scalar). */
export function liftScalar(v: TensorView): TensorView {
  return v.shape.length === 0 ? { ...v, shape: [1], strides: [1] } : v;
}

/** Walks each lane along `dim`: calls fn(inputBase, inputStride, outputBase, outputStride, length). */
function forEachLane(
  x0: TensorView,
  out0: TensorView,
  dim: number,
  fn: (xb: number, xs: number, ob: number, os: number, len: number) => void,
): void {
  const x = liftScalar(x0);
  const out = liftScalar(out0);
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

/** out = g - exp(y) * sum(g) along each lane: logSoftmax's backward in one pass over the lane. */
export const logSoftmaxGradKernel: Kernel<'logSoftmaxGrad'> = ([g0, y0], out0, { dim }) => {
  const [g, y, out] = [g0, y0, out0].map(liftScalar);
  const gd = dataOf(g);
  const yd = dataOf(y);
  const dst = dataOf(out);
  const gLanes = splitOffsets(g, [dim]).outer;
  const yl = splitOffsets(y, [dim]).outer;
  const ol = splitOffsets(out, [dim]).outer;
  const len = g.shape[dim];
  const gs = g.strides[dim];
  const ys = y.strides[dim];
  const os = out.strides[dim];
  for (let i = 0; i < ol.length; i++) {
    const gb = gLanes[i];
    const yb = yl[i];
    const ob = ol[i];
    let s = 0;
    for (let k = 0; k < len; k++) s += gd[gb + k * gs];
    for (let k = 0; k < len; k++) dst[ob + k * os] = gd[gb + k * gs] - Math.exp(yd[yb + k * ys]) * s;
  }
};
