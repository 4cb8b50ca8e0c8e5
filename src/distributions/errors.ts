// Errors of gl.distributions: parameters outside their constraint, values outside the support, rsample where none exists.
import { ArgumentError, GradlabError } from '../core/errors.js';

/**
 * A distribution parameter or a value breaks its constraint (a non-positive scale, probabilities outside [0, 1], ...).
 * @example
 * try {
 *   new gl.distributions.Normal(0, -1);
 * } catch (e) {
 *   if (e instanceof gl.distributions.DistributionValueError) console.log(e.message); // Normal: scale must be positive ...
 * }
 */
export class DistributionValueError extends ArgumentError {}

/**
 * `rsample()` on a distribution without a reparametrised sampler (Categorical, Bernoulli).
 * @example
 * try {
 *   new gl.distributions.Categorical({ probs: gl.tensor([0.5, 0.5]) }).rsample();
 * } catch (e) {
 *   if (e instanceof gl.distributions.NotReparametrizableError) console.log(e.message); // use sample() or a score-function estimator
 * }
 */
export class NotReparametrizableError extends GradlabError {}
