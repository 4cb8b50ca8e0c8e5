// Convolution gradients written with unfold, fold and matmul, so they are themselves differentiable.
import type { Conv2dParams } from './primitives.js';
import { pfold, pmatmul, preshape, psum, ptransposeLast, punfold } from './prims.js';
import type { Tensor } from './tensor.js';

function geometry(p: Conv2dParams, kh: number, kw: number) {
  return { kernel: [kh, kw] as [number, number], stride: p.stride, padding: p.padding, dilation: p.dilation };
}

/** Gradient of conv2d with respect to its input: a transposed convolution of `g` with `w`. */
export function conv2dInputGrad(
  g: Tensor,
  w: Tensor,
  inputShape: readonly number[],
  p: Conv2dParams,
): Tensor {
  const [N, O, Ho, Wo] = g.shape;
  const [, Cg, kh, kw] = w.shape;
  const G = p.groups;
  const K = Cg * kh * kw;
  const wg = ptransposeLast(preshape(w, [G, O / G, K])); // [G, K, Og]
  const gg = preshape(g, [N, G, O / G, Ho * Wo]); // [N, G, Og, L]
  const cols = preshape(pmatmul(wg, gg), [N, G * K, Ho * Wo]);
  return pfold(cols, { ...geometry(p, kh, kw), outputSize: [inputShape[2], inputShape[3]] });
}

/** Gradient of conv2d with respect to its weight: correlation of the unfolded input with `g`. */
export function conv2dWeightGrad(
  x: Tensor,
  g: Tensor,
  weightShape: readonly number[],
  p: Conv2dParams,
): Tensor {
  const [N, O, Ho, Wo] = g.shape;
  const [, Cg, kh, kw] = weightShape;
  const G = p.groups;
  const K = Cg * kh * kw;
  const cols = preshape(punfold(x, { ...geometry(p, kh, kw), padValue: 0 }), [N, G, K, Ho * Wo]);
  const gg = preshape(g, [N, G, O / G, Ho * Wo]);
  const gw = psum(pmatmul(gg, ptransposeLast(cols)), [0], false); // [G, Og, K]
  return preshape(gw, weightShape);
}
