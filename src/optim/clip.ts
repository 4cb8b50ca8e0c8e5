// Gradient clipping and noise as plain functions over parameters (like torch.nn.utils.clip_grad_norm_).
import { ArgumentError, BackendError, GradError } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { keep, tidy, type Tensor } from '../core/tensor.js';
import { randn, zeros } from '../ops/creation.js';
import { add, cast, clamp, div, mul } from '../ops/elementwise.js';
import { amax, norm } from '../ops/reduce.js';
import { stack } from '../ops/shape.js';
import { nonNegative } from './validate.js';

/** Options of clipGradNorm. */
export interface ClipGradNormOptions {
  /** The p of the p-norm: 2 (default), 1, Infinity ('inf') or any p > 0. */
  normType?: number | 'inf';
  /** Throw a GradError when the total norm is NaN or Inf (default false). */
  errorIfNonfinite?: boolean;
}

const withGrad = (params: Iterable<Tensor> | Tensor): Tensor[] =>
  (Symbol.iterator in params ? [...params] : [params]).filter((p) => p.grad !== null);

/** The norm order p of the options, checked. */
function normOrder(op: string, maxNorm: number, opts: ClipGradNormOptions): number {
  nonNegative(op, 'maxNorm', maxNorm);
  const p = opts.normType === 'inf' ? Infinity : (opts.normType ?? 2);
  if (typeof p !== 'number' || !(p > 0))
    throw new ArgumentError(`${op}: invalid normType: expected a number > 0 or 'inf', got ${opts.normType}`);
  return p;
}

/** The p-norm of the per-gradient p-norms (computed in `dtype`): the norm of all gradients as one vector. */
function totalNorm(ps: readonly Tensor[], p: number, dtype: 'float32' | 'float64'): Tensor {
  const norms = stack(ps.map((q) => cast(norm(q.grad!, p), dtype)));
  return p === Infinity ? amax(norms) : norm(norms, p);
}

/**
 * Scales the gradients of `params` so that their total norm (the norm of all of them taken as
 * one vector) is at most `maxNorm`, multiplying by `maxNorm / (total + 1e-6)` when it is larger;
 * returns the total norm before clipping (computed in float64). Gradients are replaced, not written
 * in place. Returning a number needs a synchronous read, so on webgpu use `clipGradNormTensor`.
 * @example const norm = gl.optim.clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): number {
  const p = normOrder('clipGradNorm', maxNorm, opts);
  const ps = withGrad(params);
  if (ps.length === 0) return 0;
  if (ps.some((q) => !q.storage.backend.capabilities.syncRead))
    throw new BackendError(
      `clipGradNorm: returning the norm as a number needs a synchronous read, which ${ps.find((q) => !q.storage.backend.capabilities.syncRead)!.device} cannot do; use gl.optim.clipGradNormTensor (the norm stays a tensor: 'await norm.itemAsync()' when you need it)`,
    );
  return noGrad(() =>
    tidy(() => {
      const total = totalNorm(ps, p, 'float64').item();
      if (opts.errorIfNonfinite && !Number.isFinite(total))
        throw new GradError(
          `clipGradNorm: the total norm of order ${p} of the gradients is ${total}; pass errorIfNonfinite: false to clip anyway`,
        );
      const coef = maxNorm / (total + 1e-6);
      if (coef < 1) for (const q of ps) q.grad = keep(mul(q.grad!, coef));
      return total;
    }),
  );
}

/**
 * `clipGradNorm` without reading anything back, as `torch.nn.utils.clip_grad_norm_` does it: the
 * total norm stays a 0-d tensor on the gradients' device (float64 when every gradient is float64,
 * else float32) and every gradient is multiplied by `min(1, maxNorm / (total + 1e-6))` on the device.
 * Works on every backend and is the one to use on webgpu. The returned tensor is the caller's to
 * dispose (or let an enclosing `tidy` do it). The gradients are replaced by scaled ones and the old
 * gradient tensors released at once, as `optimizer.zeroGrad()` releases those it drops (so device
 * memory does not wait for the garbage collector). `errorIfNonfinite` reads the norm, so on webgpu it is
 * refused: check `Number.isFinite(await norm.itemAsync())` yourself when you need it.
 * With no gradients it returns a float32 zero.
 * @example const norm = gl.optim.clipGradNormTensor(model.parameters(), 1.0); // no GPU sync
 * console.log(await norm.itemAsync()); norm.dispose();
 */
export function clipGradNormTensor(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): Tensor {
  const p = normOrder('clipGradNormTensor', maxNorm, opts);
  const ps = withGrad(params);
  if (ps.length === 0) return keep(zeros([]));
  const async = ps.find((q) => !q.storage.backend.capabilities.syncRead);
  if (opts.errorIfNonfinite && async)
    throw new ArgumentError(
      `clipGradNormTensor: errorIfNonfinite needs to read the norm before clipping, which ${async.device} cannot do synchronously; leave it off and check 'Number.isFinite(await norm.itemAsync())' instead`,
    );
  const dtype = ps.every((q) => q.grad!.dtype === 'float64') ? 'float64' : 'float32';
  return noGrad(() =>
    tidy(() => {
      const total = totalNorm(ps, p, dtype);
      if (opts.errorIfNonfinite) {
        const t = total.item();
        if (!Number.isFinite(t))
          throw new GradError(
            `clipGradNormTensor: the total norm of order ${p} of the gradients is ${t}; pass errorIfNonfinite: false to clip anyway`,
          );
      }
      const coef = clamp(div(maxNorm, add(total, 1e-6)), null, 1);
      // replaced, not scaled in place: autograd may give two parameters the same gradient tensor
      const dropped = new Set<Tensor>();
      for (const q of ps) {
        dropped.add(q.grad!);
        q.grad = keep(mul(q.grad!, cast(coef, q.grad!.dtype)));
      }
      for (const g of dropped) g.dispose();
      return keep(total);
    }),
  );
}

/**
 * Clamps every gradient element of `params` to [-clipValue, clipValue] (gradients are replaced).
 * @example gl.optim.clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  nonNegative('clipGradValue', 'clipValue', clipValue);
  const ps = withGrad(params);
  noGrad(() => tidy(() => ps.forEach((q) => (q.grad = keep(clamp(q.grad!, -clipValue, clipValue))))));
}

/**
 * Adds Gaussian noise of standard deviation `std` to every gradient of `params`, drawn from
 * `generator` (the default stream when omitted).
 * @example gl.optim.addGradNoise(params, 0.01, { generator: new gl.Generator(1) });
 */
export function addGradNoise(
  params: Iterable<Tensor> | Tensor,
  std: number,
  opts: { generator?: Generator } = {},
): void {
  nonNegative('addGradNoise', 'std', std);
  const ps = withGrad(params);
  noGrad(() =>
    tidy(() =>
      ps.forEach((q) => {
        const g = q.grad!;
        q.grad = keep(add(g, randn(g.shape, { dtype: g.dtype, generator: opts.generator }), { alpha: std }));
      }),
    ),
  );
}
