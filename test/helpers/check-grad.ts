// The op suites' gradient checks: thin wrappers over the public gl.testing.checkGrad (src/testing/check-grad.ts),
// reverse mode (first/second order) and forward-vs-reverse consistency as separate calls.
import * as gl from '../../src/index.js';
import { fromData } from '../../src/testing/check-grad.js';

export { fromData };
export type TensorFn = gl.testing.TensorFn;

/** Options of the suites' checks: gl.testing.checkGrad's, without `modes`. */
export type CheckGradOptions = Omit<gl.testing.CheckGradOptions, 'modes'>;

/**
 * Reverse mode against finite differences (first order, and second with { order: 2 }).
 * @example checkGrad((a, b) => gl.mul(a, b), [a, b], { order: 2 });
 */
export function checkGrad(fn: TensorFn, inputs: readonly gl.Tensor[], opts: CheckGradOptions = {}): void {
  gl.testing.checkGrad(fn, inputs, { ...opts, modes: ['rev'] });
}

/** Forward against reverse mode: <jvp(fn, x, t), u> = <t, vjp(fn, x, u)> = the central difference. */
export function checkJvpVjp(
  fn: TensorFn,
  inputs: readonly gl.Tensor[],
  opts: Omit<CheckGradOptions, 'order'> = {},
): void {
  gl.testing.checkGrad(fn, inputs, { seed: 4321, ...opts, order: 1, modes: ['fwd'] });
}
