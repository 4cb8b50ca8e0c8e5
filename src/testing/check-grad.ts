// gl.testing.checkGrad: derivatives of a function against central finite differences, in float64 (as JAX's check_grads).
import { backendCapabilities } from '../core/backend-registry.js';
import { ArgumentError, DTypeError, GradientCheckError } from '../core/errors.js';
import { grad, jvp, vjp } from '../core/functional.js';
import { Generator } from '../core/random/generator.js';
import { enableGrad, noGrad } from '../core/state.js';
import { Tensor } from '../core/tensor.js';
import { randn } from '../ops/creation.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { cat, reshape } from '../ops/shape.js';
import { fromTypedArray } from '../ops/tensor-like.js';

/** A function of tensors to one tensor, as checkGrad takes it. */
export type TensorFn = (...xs: Tensor[]) => Tensor;

/** How checkGrad checks: which derivatives, and how closely. */
export interface CheckGradOptions {
  /** 1 (default) checks first derivatives; 2 also checks second derivatives (of the first-order gradient). */
  order?: 1 | 2;
  /**
   * 'rev' checks reverse mode (vjp) against finite differences; 'fwd' checks forward mode (jvp)
   * against finite differences and against vjp (<J t, u> = <t, J^T u>). Default both, as JAX.
   */
  modes?: readonly ('fwd' | 'rev')[];
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Seed of the private generator that draws tangents and cotangents (default 1234). */
  seed?: number;
}

interface Tol {
  eps: number;
  atol: number;
  rtol: number;
}

/** Row-major multi-index of flat element `i` of `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = shape[d] === 0 ? 0 : i % shape[d];
    i = shape[d] === 0 ? 0 : Math.floor(i / shape[d]);
  }
  return idx;
}

function f64(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new ArgumentError(`checkGrad: dot of ${a.length} and ${b.length} elements`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A fresh float64 tensor of `shape` holding a copy of `data` (no tape, no shared storage). */
export function fromData(data: Float64Array, shape: readonly number[]): Tensor {
  return fromTypedArray(Float64Array.from(data), [...shape], 'float64').detach();
}

function fresh(t: Tensor, requiresGrad: boolean): Tensor {
  const x = fromData(f64(t), t.shape);
  return requiresGrad ? x.requiresGrad_() : x;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function checkInputs(who: string, inputs: readonly Tensor[]): void {
  if (!Array.isArray(inputs) || inputs.some((x) => !(x instanceof Tensor)))
    throw new ArgumentError(`${who}: args must be an array of tensors`);
  const caps = backendCapabilities();
  if (!caps.float64 || inputs.some((x) => !x.storage.backend.capabilities.float64))
    throw new DTypeError(
      `${who}: finite differences need float64, which this backend lacks; run the check on a backend with float64 (gl.backendCapabilities().float64)`,
    );
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64') throw new DTypeError(`${who}: input ${i} must be float64, got ${x.dtype}`);
  });
}

/**
 * Compares analytic gradients (one per input, null = not reached = zeros) with central differences
 * of the scalar `scalarAt(xs)`; throws a GradientCheckError naming input, element and both values.
 */
function compareWithFd(
  label: string,
  inputs: readonly Tensor[],
  analytic: readonly (Tensor | null)[],
  scalarAt: (xs: Tensor[]) => number,
  o: Tol,
): void {
  const problems: string[] = [];
  let bad = 0;
  const base = inputs.map(f64);
  inputs.forEach((x, i) => {
    const g = analytic[i];
    if (g && !sameShape(g.shape, x.shape)) {
      problems.push(
        `${label}: input ${i}: gradient has shape [${g.shape}] but the input has shape [${x.shape}]`,
      );
      bad++;
      return;
    }
    if (g && g.dtype !== 'float64') {
      problems.push(`${label}: input ${i}: gradient has dtype ${g.dtype}, expected float64`);
      bad++;
      return;
    }
    const ga = g ? f64(g) : new Float64Array(base[i].length);
    for (let j = 0; j < base[i].length; j++) {
      const at = (delta: number) => {
        const data = Float64Array.from(base[i]);
        data[j] += delta;
        return scalarAt(inputs.map((xk, k) => fromData(k === i ? data : base[k], xk.shape)));
      };
      const num = (at(o.eps) - at(-o.eps)) / (2 * o.eps);
      const an = ga[j];
      const ok =
        Number.isFinite(an) && Number.isFinite(num) && Math.abs(an - num) <= o.atol + o.rtol * Math.abs(num);
      if (!ok) {
        bad++;
        if (problems.length < 6)
          problems.push(
            `${label}: input ${i} (shape [${x.shape}]), element ${j} (index [${unravel(j, x.shape)}]): ` +
              `analytic ${an} vs numeric ${num} (diff ${Math.abs(an - num).toExponential(2)})`,
          );
      }
    }
  });
  if (bad) throw new GradientCheckError(`${bad} gradient mismatch(es):\n  ${problems.join('\n  ')}`);
}

/** Gradients of sum(y * v) with respect to `leaves`; zeros (null) where y does not depend on them. */
function vjpOf(y: Tensor, v: Tensor, leaves: Tensor[], createGraph: boolean): (Tensor | null)[] {
  if (!y.requiresGrad) return leaves.map(() => null);
  return grad([y], leaves, { gradOutputs: [v], allowUnused: true, createGraph });
}

function evalOutput(fn: TensorFn, xs: Tensor[]): Tensor {
  const y = fn(...xs);
  if (!(y instanceof Tensor)) throw new ArgumentError('checkGrad: fn must return a tensor');
  if (y.dtype !== 'float64')
    throw new DTypeError(`checkGrad: fn returned dtype ${y.dtype}; expected float64`);
  return y;
}

/** Reverse mode: vjp against finite differences (and, for order 2, the gradient of <grad, u>). */
function checkRev(fn: TensorFn, inputs: readonly Tensor[], order: 1 | 2, o: Tol, gen: Generator): void {
  const y0 = noGrad(() =>
    evalOutput(
      fn,
      inputs.map((x) => fresh(x, false)),
    ),
  );
  const v = randn(y0.shape, { dtype: 'float64', generator: gen });
  const vData = f64(v);
  const leaves = inputs.map((x) => fresh(x, true));
  const y = enableGrad(() => evalOutput(fn, leaves));
  if (!sameShape(y.shape, y0.shape))
    throw new GradientCheckError(
      `checkGrad: output shape changed between calls: [${y0.shape}] vs [${y.shape}]`,
    );
  const g1 = vjpOf(y, v, leaves, false);
  compareWithFd('order 1 (rev)', inputs, g1, (xs) => dot(f64(noGrad(() => evalOutput(fn, xs))), vData), o);
  if (order < 2) return;
  // second order: s(x) = sum_i <d/dx_i sum(fn(x) * v), u_i>
  const us = inputs.map((x) => randn(x.shape, { dtype: 'float64', generator: gen }));
  const uData = us.map(f64);
  const firstOrder = (xs: Tensor[]) => enableGrad(() => vjpOf(evalOutput(fn, xs), v, xs, true));
  const leaves2 = inputs.map((x) => fresh(x, true));
  const terms = firstOrder(leaves2)
    .map((g, i) => (g ? sum(mul(g, us[i])) : null))
    .filter((t): t is Tensor => t !== null && t.requiresGrad);
  const g2: (Tensor | null)[] = terms.length
    ? grad([terms.reduce((a, b) => add(a, b))], leaves2, { allowUnused: true })
    : leaves2.map(() => null);
  compareWithFd(
    'order 2 (rev)',
    inputs,
    g2,
    (xs) =>
      firstOrder(xs.map((x) => x.requiresGrad_())).reduce(
        (acc, g, i) => acc + (g ? dot(f64(g), uData[i]) : 0),
        0,
      ),
    o,
  );
}

/** Forward mode: <jvp t, u> against <t, vjp u> and against the central difference along t. */
function checkFwd(fn: TensorFn, inputs: readonly Tensor[], o: Tol, gen: Generator, label: string): void {
  const tangents = inputs.map((x) => randn(x.shape, { dtype: 'float64', generator: gen }));
  const [y, jv] = jvp(
    fn,
    inputs.map((x) => fresh(x, false)),
    tangents,
  );
  if (!sameShape(jv.shape, y.shape))
    throw new GradientCheckError(`${label}: jvp tangent has shape [${jv.shape}], output has [${y.shape}]`);
  const u = randn(y.shape, { dtype: 'float64', generator: gen });
  const [, vjs] = vjp(
    fn,
    inputs.map((x) => fresh(x, false)),
    [u],
  );
  vjs.forEach((g, i) => {
    if (!sameShape(g.shape, inputs[i].shape))
      throw new GradientCheckError(
        `${label}: vjp gradient ${i} has shape [${g.shape}], input has [${inputs[i].shape}]`,
      );
  });
  const uData = f64(u);
  const forward = dot(f64(jv), uData);
  const reverse = vjs.reduce((acc, g, i) => acc + dot(f64(g), f64(tangents[i])), 0);
  const shifted = (sgn: number) =>
    dot(
      f64(
        noGrad(() =>
          fn(...inputs.map((x, i) => fromData(f64(add(x, mul(tangents[i], sgn * o.eps))), x.shape))),
        ),
      ),
      uData,
    );
  const numeric = (shifted(1) - shifted(-1)) / (2 * o.eps);
  const close = (a: number, b: number) =>
    Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= o.atol + o.rtol * Math.abs(b);
  const errs: string[] = [];
  if (!close(forward, reverse))
    errs.push(`<J t, u> from jvp = ${forward} but <t, J^T u> from vjp = ${reverse}`);
  if (!close(forward, numeric))
    errs.push(`<J t, u> from jvp = ${forward} but finite differences give ${numeric}`);
  if (!close(reverse, numeric))
    errs.push(`<t, J^T u> from vjp = ${reverse} but finite differences give ${numeric}`);
  if (errs.length) throw new GradientCheckError(`${label}: ${errs.join('; ')}`);
}

/**
 * Checks the derivatives of `fn` at `args` against central finite differences, as JAX's
 * `check_grads`: reverse mode (vjp for a random cotangent), forward mode (jvp for random tangents,
 * also against vjp), and with `order: 2` the second derivatives. Everything runs in float64 (the
 * args must be float64 tensors on a backend with float64; otherwise a DTypeError says so, rather than
 * loosening the tolerances). A mismatch throws a GradientCheckError naming the input, the element and
 * both values. Researchers writing custom gradients (gl.customGrad) check them with it.
 * @example
 * const x = gl.randn([3, 4], { dtype: 'float64' });
 * gl.testing.checkGrad((a) => gl.tanh(a).sum(1), [x], { order: 2 });
 */
export function checkGrad(fn: TensorFn, args: readonly Tensor[], opts: CheckGradOptions = {}): void {
  if (typeof fn !== 'function') throw new ArgumentError('checkGrad: fn must be a function of tensors');
  checkInputs('checkGrad', args);
  const order = opts.order ?? 1;
  if (order !== 1 && order !== 2)
    throw new ArgumentError(`checkGrad: order must be 1 or 2, got ${String(order)}`);
  const modes = opts.modes ?? ['fwd', 'rev'];
  if (modes.length === 0 || modes.some((m) => m !== 'fwd' && m !== 'rev'))
    throw new ArgumentError(
      `checkGrad: modes must be a non-empty list of 'fwd' and 'rev', got ${JSON.stringify(modes)}`,
    );
  const o: Tol = { eps: opts.eps ?? 1e-6, atol: opts.atol ?? 1e-5, rtol: opts.rtol ?? 1e-5 };
  for (const [k, v] of Object.entries(o))
    if (!(v > 0)) throw new ArgumentError(`checkGrad: ${k} must be a positive number, got ${v}`);
  const gen = new Generator(opts.seed ?? 1234);
  if (modes.includes('rev')) checkRev(fn, args, order, o, gen);
  if (modes.includes('fwd')) {
    checkFwd(fn, args, o, gen, 'order 1 (fwd)');
    if (order === 2) {
      // forward mode over the first-order gradient: x -> vjp(fn, x, v) with a fixed cotangent v
      const y0 = noGrad(() =>
        evalOutput(
          fn,
          args.map((x) => fresh(x, false)),
        ),
      );
      const v = randn(y0.shape, { dtype: 'float64', generator: gen });
      const gradFn: TensorFn = (...xs) => {
        // (finite differences call it on plain tensors: make them leaves so there is a gradient to take)
        const ls = xs.map((x) => (x.requiresGrad ? x : x.detach().requiresGrad_()));
        const gs = enableGrad(() => vjpOf(evalOutput(fn, ls), v, ls, true));
        return cat(
          gs.map((g, i) => reshape(g ?? mul(ls[i], 0), [-1])),
          0,
        );
      };
      checkFwd(gradFn, args, o, gen, 'order 2 (fwd)');
    }
  }
}
