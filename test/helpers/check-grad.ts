// Finite-difference gradient checking: first order (vjp against central differences), second order
// (the gradient of <grad, u> against central differences of the analytic first-order gradient), and
// forward/reverse consistency (<J t, u> from jvp equals <t, J^T u> from vjp).
import * as gl from '../../src/index.js';

type Tensor = gl.Tensor;
export type TensorFn = (...xs: Tensor[]) => Tensor;

export interface CheckGradOptions {
  /** 1 (default) checks first-order gradients; 2 also checks second-order ones. */
  order?: 1 | 2;
  /** Central-difference step (default 1e-6). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the private generator that draws the cotangents (default 1234). */
  seed?: number;
}

const DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-5 };

/** The tolerances in effect: options left undefined keep their defaults. */
function tolerances(opts: CheckGradOptions) {
  return {
    eps: opts.eps ?? DEFAULTS.eps,
    atol: opts.atol ?? DEFAULTS.atol,
    rtol: opts.rtol ?? DEFAULTS.rtol,
  };
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
  if (a.length !== b.length) throw new Error(`check-grad: dot of ${a.length} and ${b.length} elements`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A fresh float64 tensor of `shape` holding a copy of `data` (no tape, no shared storage). */
export function fromData(data: Float64Array, shape: readonly number[]): Tensor {
  return gl
    .tensor(Float64Array.from(data), { dtype: 'float64' })
    .reshape([...shape])
    .detach();
}

function fresh(t: Tensor, requiresGrad: boolean): Tensor {
  const x = fromData(f64(t), t.shape);
  return requiresGrad ? x.requiresGrad_() : x;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkInputs(inputs: readonly Tensor[]): void {
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64') throw new Error(`checkGrad: input ${i} must be float64, got ${x.dtype}`);
  });
}

/**
 * Compares analytic gradients `analytic` (one per input, null = not reached = zeros) with central
 * differences of the scalar `scalarAt(xs)`; throws a message naming input, element, both values.
 */
function compareWithFd(
  label: string,
  inputs: readonly Tensor[],
  analytic: readonly (Tensor | null)[],
  scalarAt: (xs: Tensor[]) => number,
  o: Required<Pick<CheckGradOptions, 'eps' | 'atol' | 'rtol'>>,
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
        const xs = inputs.map((xk, k) => (k === i ? fromData(data, xk.shape) : fromData(base[k], xk.shape)));
        return scalarAt(xs);
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
  if (bad) throw new Error(`${bad} gradient mismatch(es):\n  ${problems.join('\n  ')}`);
}

/** Gradients of sum(y * v) with respect to `leaves`; zeros (null) where y does not depend on them. */
function vjpOf(y: Tensor, v: Tensor, leaves: Tensor[], createGraph: boolean): (Tensor | null)[] {
  if (!y.requiresGrad) return leaves.map(() => null);
  return gl.grad([y], leaves, { gradOutputs: [v], allowUnused: true, createGraph });
}

function evalOutput(fn: TensorFn, xs: Tensor[]): Tensor {
  const y = fn(...xs);
  if (!(y instanceof gl.Tensor)) throw new Error('checkGrad: fn must return a tensor');
  if (y.dtype !== 'float64') throw new Error(`checkGrad: fn returned dtype ${y.dtype}; expected float64`);
  return y;
}

/**
 * Checks the gradient of sum(fn(...inputs) * v) for a fixed random cotangent v against central
 * finite differences; with { order: 2 } also the gradient of sum_i <grad_i, u_i> (createGraph)
 * against central differences of the first-order gradient.
 * @example checkGrad((a, b) => gl.mul(a, b), [a, b], { order: 2 });
 */
export function checkGrad(fn: TensorFn, inputs: readonly Tensor[], opts: CheckGradOptions = {}): void {
  checkInputs(inputs);
  const o = tolerances(opts);
  const gen = new gl.Generator(opts.seed ?? 1234);
  const y0 = gl.noGrad(() =>
    evalOutput(
      fn,
      inputs.map((x) => fresh(x, false)),
    ),
  );
  const v = gl.randn(y0.shape, { dtype: 'float64', generator: gen });
  const vData = f64(v);

  // first order
  const leaves = inputs.map((x) => fresh(x, true));
  const y = gl.enableGrad(() => evalOutput(fn, leaves));
  if (!sameShape(y.shape, y0.shape))
    throw new Error(`checkGrad: output shape changed between calls: [${y0.shape}] vs [${y.shape}]`);
  const g1 = vjpOf(y, v, leaves, false);
  compareWithFd('order 1', inputs, g1, (xs) => dot(f64(gl.noGrad(() => evalOutput(fn, xs))), vData), o);

  if ((opts.order ?? 1) < 2) return;

  // second order: s(x) = sum_i <d/dx_i sum(fn(x) * v), u_i>
  const us = inputs.map((x) => gl.randn(x.shape, { dtype: 'float64', generator: gen }));
  const uData = us.map(f64);
  const firstOrder = (xs: Tensor[]) => gl.enableGrad(() => vjpOf(evalOutput(fn, xs), v, xs, true));
  const leaves2 = inputs.map((x) => fresh(x, true));
  const gs = firstOrder(leaves2);
  const terms = gs
    .map((g, i) => (g ? gl.sum(gl.mul(g, us[i])) : null))
    .filter((t): t is Tensor => t !== null && t.requiresGrad);
  let g2: (Tensor | null)[] = leaves2.map(() => null);
  if (terms.length) {
    const s = terms.reduce((a, b) => gl.add(a, b));
    g2 = gl.grad([s], leaves2, { allowUnused: true });
  }
  compareWithFd(
    'order 2',
    inputs,
    g2,
    (xs) => {
      const ls = xs.map((x) => x.requiresGrad_());
      return firstOrder(ls).reduce((acc, g, i) => acc + (g ? dot(f64(g), uData[i]) : 0), 0);
    },
    o,
  );
}

/**
 * Checks forward against reverse mode: for random tangents t and cotangent u,
 * <jvp(fn, x, t), u> must equal <t, vjp(fn, x, u)>, and both must match the central difference
 * <(fn(x + eps t) - fn(x - eps t)) / 2eps, u>.
 */
export function checkJvpVjp(
  fn: TensorFn,
  inputs: readonly Tensor[],
  opts: Omit<CheckGradOptions, 'order'> = {},
): void {
  checkInputs(inputs);
  const o = tolerances(opts);
  const gen = new gl.Generator(opts.seed ?? 4321);
  const tangents = inputs.map((x) => gl.randn(x.shape, { dtype: 'float64', generator: gen }));
  const [y, jv] = gl.jvp(
    fn,
    inputs.map((x) => fresh(x, false)),
    tangents,
  );
  if (!sameShape(jv.shape, y.shape))
    throw new Error(`checkJvpVjp: jvp tangent has shape [${jv.shape}], output has [${y.shape}]`);
  const u = gl.randn(y.shape, { dtype: 'float64', generator: gen });
  const [, vjs] = gl.vjp(
    fn,
    inputs.map((x) => fresh(x, false)),
    [u],
  );
  vjs.forEach((g, i) => {
    if (!sameShape(g.shape, inputs[i].shape))
      throw new Error(
        `checkJvpVjp: vjp gradient ${i} has shape [${g.shape}], input has [${inputs[i].shape}]`,
      );
  });
  const uData = f64(u);
  const forward = dot(f64(jv), uData);
  const reverse = vjs.reduce((acc, g, i) => acc + dot(f64(g), f64(tangents[i])), 0);
  const shifted = (sgn: number) =>
    dot(
      f64(
        gl.noGrad(() =>
          fn(...inputs.map((x, i) => fromData(f64(gl.add(x, gl.mul(tangents[i], sgn * o.eps))), x.shape))),
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
  if (errs.length) throw new Error(`checkJvpVjp: ${errs.join('; ')}`);
}
