// Errors of gl.distributions: parameters outside their constraint, values outside the support, rsample where none exists.
import { ArgumentError, GradlabError } from '../core/errors.js';

/** A distribution parameter or a value breaks its constraint (a non-positive scale, probabilities outside [0, 1], ...). */
export class DistributionValueError extends ArgumentError {}

/** `rsample()` on a distribution without a reparametrised sampler (Categorical, Bernoulli). */
export class NotReparametrizableError extends GradlabError {}
