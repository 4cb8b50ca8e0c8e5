// lgamma and digamma for positive arguments, written as composites of primitives so autodiff gives their derivatives.
import type { Tensor } from '../core/tensor.js';
import { add, div, log, mul, sub } from '../ops/elementwise.js';

/** Arguments are shifted up by this many steps before the asymptotic series (error below 1e-11 at z ≥ 8). */
const SHIFT = 8;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log Γ(x) for x > 0: Stirling's series at z = x + 8, with log Γ(x) = log Γ(x + 8) − Σₖ log(x + k), k = 0…7.
 * Its gradient (by autodiff through the series) is digamma to the same accuracy. Not defined for x ≤ 0.
 * @example gl.distributions.lgamma(gl.tensor([0.5, 3])); // [log √π, log 2]
 */
export function lgammaPositive(x: Tensor): Tensor {
  let shiftLog: Tensor = log(x);
  for (let k = 1; k < SHIFT; k++) shiftLog = add(shiftLog, log(add(x, k)));
  const z = add(x, SHIFT);
  const iz = div(1, z);
  const iz2 = mul(iz, iz);
  // 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷)
  const series = mul(iz, add(1 / 12, mul(iz2, add(-1 / 360, mul(iz2, add(1 / 1260, mul(iz2, -1 / 1680)))))));
  const stirling = add(sub(mul(sub(z, 0.5), log(z)), z), add(series, HALF_LOG_2PI));
  return sub(stirling, shiftLog);
}

/**
 * ψ(x) = d/dx log Γ(x) for x > 0: the asymptotic series at z = x + 8, with ψ(x) = ψ(x + 8) − Σₖ 1/(x + k).
 * @example gl.distributions.digamma(gl.tensor([1])); // [-0.5772…] (−γ)
 */
export function digammaPositive(x: Tensor): Tensor {
  let shift: Tensor = div(1, x);
  for (let k = 1; k < SHIFT; k++) shift = add(shift, div(1, add(x, k)));
  const z = add(x, SHIFT);
  const iz = div(1, z);
  const iz2 = mul(iz, iz);
  // log z − 1/(2z) − 1/(12z²) + 1/(120z⁴) − 1/(252z⁶) + 1/(240z⁸) − 1/(132z¹⁰)
  const tail = mul(
    iz2,
    add(-1 / 12, mul(iz2, add(1 / 120, mul(iz2, add(-1 / 252, mul(iz2, add(1 / 240, mul(iz2, -1 / 132)))))))),
  );
  return sub(add(sub(log(z), mul(iz, 0.5)), tail), shift);
}
