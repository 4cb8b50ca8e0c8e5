// gradlab: the shared SGD training step and the seeded parameter/input builders used by the MLP, CNN and epoch workloads.
import * as gl from '../../src/index.js';
import { labels, param, STREAM, uniform } from '../lib/prng.js';

/** A float32 tensor of the given shape holding `data`. */
export const fromArray = (data: Float32Array | Int32Array, shape: number[]): gl.Tensor =>
  gl.tensor(data, { dtype: data instanceof Int32Array ? 'int32' : 'float32' }).reshape(shape);

/** Layer `i`'s weight (shape `shape`) and bias ([shape[biasDim]]) with ±1/sqrt(fanIn) uniform init, requiring grad. */
export function layer(
  seed: number,
  i: number,
  shape: number[],
  fanIn: number,
  biasSize: number,
): gl.Tensor[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = fromArray(param(seed, STREAM.weight(i), n, fanIn), shape).requiresGrad_();
  const b = fromArray(param(seed, STREAM.bias(i), biasSize, fanIn), [biasSize]).requiresGrad_();
  return [w, b];
}

/** The synthetic batch: inputs uniform in [0, 1) of `shape`, labels in [0, classes). */
export function batch(seed: number, shape: number[], classes: number): { x: gl.Tensor; y: gl.Tensor } {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    x: fromArray(uniform(seed, STREAM.x, n, 0, 1), shape),
    y: fromArray(labels(seed, STREAM.y, shape[0], classes), [shape[0]]),
  };
}

/** (Not named `then`: a module exporting `then` is thenable, and dynamic import would call it.) `v` passed to `f`, at once when `v` is a value, once it resolves when it is a promise (async-only backends). */
export function andThen<T, U>(v: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/**
 * The value of a one-element tensor, which is then released: read synchronously where the backend can
 * (js, native: the CPU benchmark is unchanged), asynchronously on async-only backends (webgpu).
 */
export function readScalar(t: gl.Tensor): number | Promise<number> {
  if (t.storage.backend.capabilities.syncRead) {
    const v = t.item();
    t.dispose();
    return v;
  }
  return t.itemAsync().finally(() => t.dispose());
}

const optimizers = new WeakMap<readonly gl.Tensor[], gl.optim.SGD>();

/**
 * One SGD step through gl.optim.SGD (as the torch peer uses torch.optim.SGD): loss, backward, step, and
 * zeroGrad, which frees the gradients; every other temporary is released by tidy. Returns the loss read
 * back to the host (a promise on webgpu).
 * @example const loss = await sgdStep(params, 0.01, () => gl.crossEntropy(model(x), y));
 */
export function sgdStep(
  params: readonly gl.Tensor[],
  lr: number,
  lossFn: () => gl.Tensor,
): number | Promise<number> {
  let opt = optimizers.get(params);
  if (!opt) optimizers.set(params, (opt = new gl.optim.SGD([...params], { lr })));
  const o = opt;
  const loss = gl.tidy(() => {
    const loss = lossFn();
    loss.backward();
    o.step();
    o.zeroGrad();
    return loss;
  });
  return readScalar(loss);
}
