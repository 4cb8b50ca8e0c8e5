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

/** The members of `gl.func`: torch.func's transforms under one name. */
export interface Func {
  /** A module run with other tensors as its parameters/buffers (`torch.func.functional_call`). */
  functionalCall: typeof functionalCall;
  /** Parameters and buffers of same-shaped models stacked along dim 0 (`torch.func.stack_module_state`). */
  stackModuleState: typeof stackModuleState;
  /** The Jacobian by reverse mode (`torch.func.jacrev`). */
  jacrev: typeof jacrev;
  /** The Jacobian by forward mode (`torch.func.jacfwd`). */
  jacfwd: typeof jacfwd;
  /** The Hessian, `jacfwd(jacrev(fn))` (`torch.func.hessian`). */
  hessian: typeof hessian;
  /** The batching transformation (`torch.func.vmap`), the same function as `gl.vmap`. */
  vmap: typeof vmap;
  /** Gradients of outputs with respect to inputs (`gl.grad`). */
  grad: typeof grad;
  /** A function's value and gradient (`gl.valueAndGrad`, JAX-style argnums). */
  valueAndGrad: typeof valueAndGrad;
  /** Outputs and input cotangents of a function (`gl.vjp`). */
  vjp: typeof vjp;
  /** Outputs and output tangent of a function (`gl.jvp`). */
  jvp: typeof jvp;
}

/**
 * The functional transforms under one name, as `torch.func` groups them.
 * @example const H = gl.func.hessian((x: gl.Tensor) => x.pow(3).sum())(gl.tensor([1, 2]));
 */
export const func: Func = {
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
