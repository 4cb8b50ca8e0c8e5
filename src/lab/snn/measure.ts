// Measurements of time-unrolled training: saved bytes per T, backward work, and a per-step backward that keeps the temporal route.
import { ArgumentError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { crossEntropy } from '../../ops/losses.js';
import { add, mul } from '../../ops/elementwise.js';
import { profile } from '../memory/profile.js';
import { resetNeurons, timeStep, type SpikingNet, type TimeStepOptions } from './train.js';

/**
 * Peak saved bytes (memory timeline) of one training step at each T in `Ts`; gradients are cleared after.
 * @example gl.lab.snn.savedBytesPerT(net, x, y, 'sltt', [2, 4, 6, 12]); // flat in T for SLTT
 */
export function savedBytesPerT(
  net: SpikingNet,
  x: Tensor,
  y: Tensor,
  method: 'bptt' | 'sltt',
  Ts: readonly number[],
): number[] {
  if (Ts.length === 0) throw new ArgumentError('savedBytesPerT: no T given');
  return Ts.map((T) => {
    const tl = profile(() => timeStep(net, x, y, { T, method }));
    net.zeroGrad({ setToNone: true });
    return tl.peak.bytes;
  });
}

/**
 * Backward work of one training step: the saved entries backward nodes consume (released while
 * backward runs), and how many of those backward passes' nodes read them. Each recorded op that
 * saved something is one such entry set, so for the same network the count is proportional to the
 * backward ops run: SLTT-K's is K/T of SLTT's.
 * @example gl.lab.snn.backwardWork(net, x, y, { T: 6, method: 'sltt-k', K: 2, generator: g });
 */
export function backwardWork(net: SpikingNet, x: Tensor, y: Tensor, opts: TimeStepOptions): number {
  const tl = profile(() => timeStep(net, x, y, opts));
  net.zeroGrad({ setToNone: true });
  return tl.events.filter((e) => e.kind === 'release' && e.phase === 'backward').length;
}

/**
 * The control of SLTT's detach: per-step backward right after each step's forward, like SLTT, but with
 * the membrane state NOT detached (each backward retains and re-traverses the history). Its summed
 * gradient equals BPTT's, so a check that SLTT's detach matters must fail for it.
 * @example gl.lab.snn.perStepWithoutDetach(net, x, y, 6); // grads ≈ BPTT's
 */
export function perStepWithoutDetach(net: SpikingNet, x: Tensor, y: Tensor, T: number): void {
  if (!Number.isInteger(T) || T < 1)
    throw new ArgumentError(`perStepWithoutDetach: T must be a positive integer, got ${T}`);
  resetNeurons(net, false);
  const losses: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const l = crossEntropy(net.step(x), y).div(T);
    if (t < T - 1) {
      l.backward(null, { retainGraph: true });
      losses.push(l);
    } else {
      // the last backward also walks the earlier losses with weight 0 (adding exactly 0 to every
      // gradient) so that it releases the whole retained graph: nothing stays saved after the call
      losses.reduce((acc, e) => add(acc, mul(e, 0)), l).backward();
    }
  }
}
