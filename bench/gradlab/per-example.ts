// gradlab: per-example gradients of the MLP's cross-entropy — gl.perExampleGrads' fast path, its vmap path, or a loop of single-example backward calls.
import * as gl from '../../src/index.js';
import type { Prepared } from '../lib/protocol.js';
import type { PerExampleSpec } from '../lib/workloads.js';
import { mlpModel } from './models.js';
import { andThen, batch } from './train.js';

/**
 * One step computes every parameter's per-example gradients for the batch; the check is the summed squared
 * per-example gradient of the first layer's weight (the same number on every method and in PyTorch).
 */
export function preparePerExample(spec: PerExampleSpec): Prepared {
  const net = mlpModel(spec.sizes, spec.seed);
  const { x, y } = batch(spec.seed, [spec.batch, spec.sizes[0]], spec.sizes[spec.sizes.length - 1]);
  const loss = (out: gl.Tensor, t: gl.Tensor | null) => gl.crossEntropy(out, t!);
  const params = net.parameters();
  let check = 0;
  // the step ends with a read of the check (on webgpu: once the device has run it)
  const finish = (g: gl.Tensor) => {
    const sq = g.mul(g).sum();
    return andThen(sq.data(), (v) => {
      check = (v as ArrayLike<number>)[0];
    });
  };
  // as the standalone per-example bench and a PyTorch user write it: nothing released by hand
  const step =
    spec.method === 'loop'
      ? () => {
          const per: gl.Tensor[][] = params.map(() => []);
          for (let k = 0; k < spec.batch; k++) {
            net.zeroGrad();
            loss(net.forward(x.narrow(0, k, 1)) as gl.Tensor, y.narrow(0, k, 1)).backward();
            params.forEach((p, j) => per[j].push(p.grad!.clone()));
          }
          return finish(gl.stack(per[0]));
        }
      : () =>
          finish(
            gl.perExampleGrads(net, loss, x, y, { method: spec.method as 'fast' | 'vmap' }).grads['0.weight'],
          );
  return {
    step,
    check: () => `sum of squared per-example grads of layer 1's weight ${check.toPrecision(6)}`,
    dispose: () => [x, y, ...params].forEach((t) => t.dispose()),
  };
}
