// The probs/logits parameter pair shared by Bernoulli and Categorical: exactly one is given, the other is derived.
import type { Tensor } from '../core/tensor.js';
import { DistributionValueError } from './errors.js';

/** Either `probs` or `logits` (exactly one), as in PyTorch's Bernoulli and Categorical. */
export type ProbsOrLogits =
  | {
      /** Probabilities. */
      probs: Tensor | number;
      /** Not with probs. */
      logits?: never;
    }
  | {
      /** Log-odds (Bernoulli) or unnormalised log-probabilities (Categorical). */
      logits: Tensor | number;
      /** Not with logits. */
      probs?: never;
    };

/** Which of the two was given; throws DistributionValueError unless exactly one was. */
export function whichParam(dist: string, p: ProbsOrLogits | undefined): 'probs' | 'logits' {
  const hasP = p !== undefined && p !== null && p.probs !== undefined;
  const hasL = p !== undefined && p !== null && p.logits !== undefined;
  if (hasP === hasL)
    throw new DistributionValueError(
      `${dist}: expected exactly one of { probs } or { logits }, got ${hasP ? 'both' : 'neither'}`,
    );
  return hasP ? 'probs' : 'logits';
}
