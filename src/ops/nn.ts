// Neural-network functions: softmax, dropout, embedding, normalization, convolution and pooling.
import { apply } from '../core/engine.js';
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { conv2dInputGrad } from '../core/conv-grad.js';
import type { Conv2dParams } from '../core/primitives.js';
import { normDim } from '../core/shape.js';
import { noGrad } from '../core/state.js';
import { releaseIntermediate, type Tensor } from '../core/tensor.js';
import { rand, type RandomOptions } from './creation.js';
import { add, div, ge, mul, ne, rsqrt, sub, where } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { flatten, indexSelect, reshape, slice, squeeze, stack, unsqueeze } from './shape.js';
import { ones } from './creation.js';
import { copyInto } from './inplace.js';
import { softmaxNode } from './softmax.js';
import { normalize } from './normalize.js';

/**
 * log(softmax(x)) along `dim`, computed stably.
 * @example gl.logSoftmax(gl.tensor([[1, 2, 3]]), -1).exp().sum(); // 1
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return apply('logSoftmax', [x], { dim: normDim('logSoftmax', dim, x.ndim) });
}

/**
 * exp(x) / sum(exp(x)) along `dim`; backward keeps only the result (as PyTorch does).
 * @example gl.softmax(logits, -1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxNode(x, normDim('softmax', dim, x.ndim));
}

/**
 * Zeroes elements with probability p and scales the rest by 1/(1-p) (identity when not training).
 * @example gl.dropout(h, 0.1, model.training)
 */
export function dropout(x: Tensor, p = 0.5, training = true, opts: RandomOptions = {}): Tensor {
  if (p < 0 || p > 1) throw new ArgumentError(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = ge(rand(x.shape, { generator: opts.generator, dtype: x.dtype }), p);
  return mul(where(keep, x, 0), 1 / (1 - p));
}

/**
 * Rows of `weight` picked by int32 `indices` (any shape); rows equal to paddingIdx get no gradient.
 * @example gl.embedding(tokens, table)
 */
export function embedding(indices: Tensor, weight: Tensor, opts: { paddingIdx?: number } = {}): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be 2-D, got ${fmtShape(weight.shape)}`);
  let rows = indexSelect(weight, 0, flatten(indices));
  if (opts.paddingIdx !== undefined) {
    const pad = unsqueeze(ne(flatten(indices), opts.paddingIdx), 1);
    rows = where(pad, rows, rows.detach());
  }
  return reshape(rows, [...indices.shape, weight.shape[1]]);
}

/**
 * Normalizes over the last dims given by `normalizedShape`, then scales and shifts.
 * @example gl.layerNorm(x, [512], gamma, beta)
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: { eps?: number } = {},
): Tensor {
  const k = normalizedShape.length;
  if (x.shape.slice(x.ndim - k).join() !== normalizedShape.join())
    throw new ShapeError(
      `layerNorm: input ${fmtShape(x.shape)} does not end with normalizedShape ${fmtShape(normalizedShape)}`,
    );
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  return normalize(x, dims, weight ?? null, bias ?? null, opts.eps ?? 1e-5).y;
}

/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Use batch statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch statistics in the running ones (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalization over all dims but 1. In training it uses batch statistics and updates the
 * running ones in place (unbiased variance, as PyTorch); otherwise it uses the running ones.
 * @example gl.batchNorm(x, runningMean, runningVar, gamma, beta, { training: true })
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  if (x.ndim < 2)
    throw new ShapeError(`batchNorm: expected at least 2 dims [N, C, ...], got ${fmtShape(x.shape)}`);
  const C = x.shape[1];
  const shape = x.shape.map((d, i) => (i === 1 ? C : 1));
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const eps = opts.eps ?? 1e-5;
  if (opts.training) {
    const w = weight ? reshape(weight, shape) : null;
    const b = bias ? reshape(bias, shape) : null;
    const { y, stats } = normalize(x, dims, w, b, eps);
    const n = x.numel / C;
    const m = opts.momentum ?? 0.1;
    noGrad(() => {
      const { mean: mu, variance: v } = stats;
      if (runningMean) copyInto(runningMean, add(mul(runningMean, 1 - m), mul(reshape(mu, [C]), m)));
      if (runningVar)
        copyInto(runningVar, add(mul(runningVar, 1 - m), mul(reshape(v, [C]), (m * n) / Math.max(n - 1, 1))));
    });
    return y;
  }
  if (!runningMean || !runningVar)
    throw new ArgumentError('batchNorm: running statistics are required when training is false');
  const mu = reshape(runningMean, shape);
  const v = reshape(runningVar, shape);
  let y = mul(sub(x, mu), rsqrt(add(v, eps)));
  if (weight) y = mul(y, reshape(weight, shape));
  if (bias) y = add(y, reshape(bias, shape));
  return y;
}

type Pair = number | readonly [number, number];
const pair = (v: Pair | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** Options of conv2d (and conv1d, whose pairs have one entry). */
export interface ConvOptions {
  /** Step of the window, one number or [h, w] (default 1). */
  stride?: Pair;
  /** Zeros added on each side, one number or [h, w] (default 0). */
  padding?: Pair;
  /** Spacing of the kernel elements, one number or [h, w] (default 1). */
  dilation?: Pair;
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
}

function convParams(op: string, o: ConvOptions): Conv2dParams {
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new ArgumentError(`${op}: groups must be a positive integer, got ${groups}`);
  const p = { stride: pair(o.stride, 1), padding: pair(o.padding, 0), dilation: pair(o.dilation, 1), groups };
  if (p.stride.some((s) => s < 1) || p.dilation.some((s) => s < 1) || p.padding.some((s) => s < 0))
    throw new ArgumentError(`${op}: stride and dilation must be >= 1 and padding >= 0`);
  return p;
}

function addBias(y: Tensor, b: Tensor | null | undefined, spatial: number): Tensor {
  if (!b) return y;
  const out = add(y, reshape(b, [b.shape[0], ...Array(spatial).fill(1)]));
  releaseIntermediate(y); // the bias-free result: made here, reached by nothing else
  return out;
}

/**
 * 2-D convolution (cross-correlation) of x [N,C,H,W] with w [O, C/groups, kh, kw].
 * @example gl.conv2d(x, w, b, { stride: 1, padding: 1 })
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: ConvOptions = {}): Tensor {
  const batched = x.ndim === 4;
  const xin = x.ndim === 3 ? unsqueeze(x, 0) : x;
  const y = addBias(apply('conv2d', [xin, w], convParams('conv2d', opts)), b, 2);
  return batched ? y : squeeze(y, 0);
}

/**
 * 1-D convolution of x [N,C,L] with w [O, C/groups, k].
 * @example gl.conv1d(gl.randn([2, 3, 10]), gl.randn([4, 3, 5]), null, { padding: 2 }).shape; // [2, 4, 10]
 */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null, opts: ConvOptions = {}): Tensor {
  if (x.ndim !== 3 || w.ndim !== 3)
    throw new ShapeError(
      `conv1d: expected x [N,C,L] and w [O,C/g,k], got ${fmtShape(x.shape)} and ${fmtShape(w.shape)}`,
    );
  const first = (v: Pair | undefined, d: number) => (v === undefined ? d : typeof v === 'number' ? v : v[0]);
  const p = convParams('conv1d', {
    stride: [1, first(opts.stride, 1)],
    padding: [0, first(opts.padding, 0)],
    dilation: [1, first(opts.dilation, 1)],
    groups: opts.groups,
  });
  const y = apply('conv2d', [unsqueeze(x, 2), unsqueeze(w, 2)], p);
  return addBias(squeeze(y, 2), b, 1);
}

/** Options of convTranspose2d: those of conv2d and outputPadding. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra rows and columns added to one side of the output, one number or [h, w] (default 0). */
  outputPadding?: Pair;
}

/**
 * Transposed 2-D convolution of x [N, Cin, H, W] with w [Cin, Cout/groups, kh, kw].
 * @example gl.convTranspose2d(x, w, null, { stride: 2 })
 */
export function convTranspose2d(
  x: Tensor,
  w: Tensor,
  b?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  if (x.ndim !== 4 || w.ndim !== 4)
    throw new ShapeError(
      `convTranspose2d: expected 4-D x and w, got ${fmtShape(x.shape)} and ${fmtShape(w.shape)}`,
    );
  const p = convParams('convTranspose2d', opts);
  const op = pair(opts.outputPadding, 0);
  if (x.shape[1] !== w.shape[0])
    throw new ShapeError(
      `convTranspose2d: input channels ${x.shape[1]} differ from weight.shape[0] ${w.shape[0]}`,
    );
  const [N, , H, W] = x.shape;
  const [, Cg, kh, kw] = w.shape;
  const Hout = (H - 1) * p.stride[0] - 2 * p.padding[0] + p.dilation[0] * (kh - 1) + op[0] + 1;
  const Wout = (W - 1) * p.stride[1] - 2 * p.padding[1] + p.dilation[1] * (kw - 1) + op[1] + 1;
  return addBias(conv2dInputGrad(x, w, [N, Cg * p.groups, Hout, Wout], p), b, 2);
}

/** Options of the pooling functions (maxPool2d, avgPool2d). */
export interface PoolOptions {
  /** Step of the window, one number or [h, w] (default: the kernel size). */
  stride?: Pair;
  /** Padding on each side, one number or [h, w] (default 0). */
  padding?: Pair;
  /** Spacing of the window elements, one number or [h, w] (default 1). */
  dilation?: Pair;
  /** avgPool2d: count padded elements in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

/** Validated window geometry of a pooling call; `xin` is x with a batch dim added when it had none. */
function poolGeometry(op: string, x: Tensor, kernelSize: Pair, opts: PoolOptions) {
  const batched = x.ndim === 4;
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new ShapeError(`${op}: expected [N,C,H,W] or [C,H,W], got ${fmtShape(x.shape)}`);
  const xin = batched ? x : unsqueeze(x, 0);
  const kernel = pair(kernelSize, 1);
  const stride = pair(opts.stride, 0).map((s, i) => (s === 0 ? kernel[i] : s)) as [number, number];
  const padding = pair(opts.padding, 0);
  const dilation = pair(opts.dilation, 1);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1])
    throw new ArgumentError(
      `${op}: padding should be at most half of the kernel size, got padding ${padding} for kernel ${kernel}`,
    );
  return { batched, xin, window: { kernel, stride, padding, dilation } };
}

function pool(op: string, x: Tensor, kernelSize: Pair, opts: PoolOptions, padValue: number) {
  const { batched, xin, window } = poolGeometry(op, x, kernelSize, opts);
  const { kernel, stride, padding, dilation } = window;
  const [N, C, H, W] = xin.shape;
  const Ho = Math.floor((H + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) / stride[0]) + 1;
  const Wo = Math.floor((W + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) / stride[1]) + 1;
  const geometry = { ...window, padValue };
  const cols = reshape(apply('unfold', [xin], geometry), [N, C, kernel[0] * kernel[1], Ho * Wo]);
  const finish = (y: Tensor) => {
    const out = reshape(y, [N, C, Ho, Wo]);
    return batched ? out : squeeze(out, 0);
  };
  return { cols, finish, geometry, xin };
}

/**
 * Max pooling over kh x kw windows (stride defaults to the kernel size); padded positions count as
 * -Infinity. One fused kernel forward (`maxPool2d`) and backward (`maxPool2dGrad`): the gradient goes
 * to the first maximum of each window in row-major order (to the first NaN where a window holds one).
 * @example gl.maxPool2d(gl.randn([1, 3, 8, 8]), 2).shape; // [1, 3, 4, 4]
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: PoolOptions = {}): Tensor {
  const { batched, xin, window } = poolGeometry('maxPool2d', x, kernelSize, opts);
  const y = apply('maxPool2d', [xin], window);
  return batched ? y : squeeze(y, 0);
}

/**
 * Average pooling over kh x kw windows.
 * @example gl.avgPool2d(gl.ones([1, 1, 4, 4]), 2).shape; // [1, 1, 2, 2]
 */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: PoolOptions = {}): Tensor {
  const { cols, finish, geometry, xin } = pool('avgPool2d', x, kernelSize, opts, 0);
  if (opts.countIncludePad ?? true) return finish(mean(cols, 2));
  const counts = sum(
    reshape(apply('unfold', [ones([1, 1, xin.shape[2], xin.shape[3]], { dtype: x.dtype })], geometry), [
      1,
      1,
      cols.shape[2],
      cols.shape[3],
    ]),
    2,
  );
  return finish(div(sum(cols, 2), counts));
}

/**
 * Average pooling to a fixed output size (PyTorch's window rule: floor(i*H/out) .. ceil((i+1)*H/out)).
 * @example gl.adaptiveAvgPool2d(gl.randn([2, 3, 8, 8]), [1, 1]).shape; // [2, 3, 1, 1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  const [oh, ow] = pair(outputSize, 1);
  const [H, W] = x.shape.slice(-2);
  if (H % oh === 0 && W % ow === 0) return avgPool2d(x, [H / oh, W / ow]);
  const hDim = x.ndim - 2;
  const rows: Tensor[] = [];
  for (let i = 0; i < oh; i++) {
    const hs = Math.floor((i * H) / oh);
    const he = Math.ceil(((i + 1) * H) / oh);
    const band = slice(x, hDim, hs, he);
    const cells: Tensor[] = [];
    for (let j = 0; j < ow; j++) {
      const ws = Math.floor((j * W) / ow);
      const we = Math.ceil(((j + 1) * W) / ow);
      cells.push(mean(slice(band, hDim + 1, ws, we), [hDim, hDim + 1]));
    }
    rows.push(stack(cells, -1));
  }
  return stack(rows, -2);
}
