// gl.testing: tools for checking code built on gradlab (gradient checks of custom gradients).
export { checkGrad } from './check-grad.js';
export type { CheckGradOptions, TensorFn } from './check-grad.js';
