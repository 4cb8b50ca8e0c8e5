// gl.distributions: Normal, Categorical, Bernoulli, Gamma, Dirichlet with PyTorch's shapes and names, seeded draws.
export { Distribution, type DistributionOptions, type SampleOptions } from './distribution.js';
export { DistributionValueError, NotReparametrizableError } from './errors.js';
export type { ProbsOrLogits } from './probs.js';
export { Normal } from './normal.js';
export { Bernoulli } from './bernoulli.js';
export { Categorical } from './categorical.js';
export { Gamma } from './gamma.js';
export { Dirichlet } from './dirichlet.js';
export { standardGammaGrad } from './gamma-grad.js';
export { lgammaPositive as lgamma, digammaPositive as digamma } from './special.js';
