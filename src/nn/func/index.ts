// gl.func: torch.func's functional API (functionalCall, stackModuleState, jacrev, jacfwd, hessian, vmap, grad helpers).
import { grad, jvp, valueAndGrad, vjp } from '../../core/functional.js';
import { vmap } from '../../core/vmap/index.js';
import { functionalCall, stackModuleState } from './functional-call.js';
import { hessian, jacfwd, jacrev } from './jac.js';

export { functionalCall, stackModuleState, type NamedTensors } from './functional-call.js';
export { jacrev, jacfwd, hessian, type JacOptions } from './jac.js';
export {
  perExampleGrads,
  PerExampleError,
  type PerExampleGrads,
  type PerExampleStats,
  type PerExampleOptions,
  type PerExampleLoss,
  type PerExampleTarget,
} from './per-example.js';

/**
 * The functional transforms under one name, as `torch.func` groups them.
 * @example const H = gl.func.hessian((x: gl.Tensor) => x.pow(3).sum())(gl.tensor([1, 2]));
 */
export const func = {
  functionalCall,
  stackModuleState,
  jacrev,
  jacfwd,
  hessian,
  vmap,
  grad,
  valueAndGrad,
  vjp,
  jvp,
};
