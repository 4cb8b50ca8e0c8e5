// Mechanism checks of Mesa (paper notes 02 (c), (d)) and of any saved-tensor policy: head-wise vs one group, rounding bias, gradient error.
import { ArgumentError } from '../../core/errors.js';
import { manualSeed } from '../../core/random/generator.js';
import type { SavedTensorHooks } from '../../core/saved.js';
import { savedTensorHooks } from '../../core/saved.js';
import type { Tensor } from '../../core/tensor.js';
import { randn } from '../../ops/creation.js';
import { tensor } from '../../ops/tensor-like.js';
import { Mesa, type MesaOptions } from './mesa.js';

/**
 * ‖a − b‖ / ‖b‖ over lists of tensors of equal shapes, as one flat vector.
 * @example gl.lab.memory.relativeError([gl.tensor([1, 2.02])], [gl.tensor([1, 2])]); // ≈ 0.0089
 */
export function relativeError(a: readonly Tensor[], b: readonly Tensor[]): number {
  if (a.length !== b.length) throw new ArgumentError(`relativeError: ${a.length} vs ${b.length} tensors`);
  let num = 0;
  let den = 0;
  a.forEach((t, k) => {
    const x = t.dataSync();
    const y = b[k].dataSync();
    if (x.length !== y.length)
      throw new ArgumentError(`relativeError: tensor ${k} sizes ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length; i++) {
      num += (x[i] - y[i]) ** 2;
      den += y[i] ** 2;
    }
  });
  return Math.sqrt(num / den);
}

/**
 * Relative error of the gradients of `params` after `step()` run under `policy` (a saved-tensor
 * hooks object such as a Mesa policy; it packs what the step's forward saves) against the same step run
 * plainly. Identical ops in identical order give bit-identical gradients, so a policy that stores
 * activations exactly (a no-op quantizer) gives 0.
 * @example gl.lab.memory.policyGradientError(() => loss(model.forward(x)), model.parameters(), gl.lab.memory.mesa());
 */
export function policyGradientError(
  step: () => Tensor,
  params: readonly Tensor[],
  policy: SavedTensorHooks,
): number {
  const grads = (p: SavedTensorHooks | null): Tensor[] => {
    for (const t of params) t.grad = null;
    const loss = p ? (p instanceof Mesa ? p.run(step) : savedTensorHooks(p, step)) : step();
    loss.backward();
    const out = params.map((t) => {
      if (!t.grad) throw new ArgumentError('policyGradientError: a parameter got no gradient from the step');
      return t.grad;
    });
    for (const t of params) t.grad = null;
    return out;
  };
  const exact = grads(null);
  return relativeError(grads(policy), exact);
}

/**
 * Paper notes 02 assertion (c): on the attention score product q·kᵀ of [B, H, N, D] tensors whose
 * per-head q scales differ 10× (0.3, 1, 3, 0.3), the relative error of k's gradient (which reads the
 * saved q) with head-wise groups (G = H) and with one group, both 8-bit, round to nearest.
 * @example const { ratio } = gl.lab.memory.headwiseVsOneGroup(2); // ≤ 0.7 expected
 */
export function headwiseVsOneGroup(seed = 2): {
  /** Relative error of k's gradient with one group per head. */
  perHead: number;
  /** Relative error of k's gradient with a single group. */
  oneGroup: number;
  /** perHead / oneGroup. */
  ratio: number;
} {
  manualSeed(seed);
  const x = randn([2, 4, 6, 8]).requiresGrad_();
  const k0 = randn([2, 4, 6, 8]).requiresGrad_();
  const headScale = tensor([0.3, 1, 3, 0.3]).reshape([1, 4, 1, 1]);
  const w = randn([2, 4, 6, 6]);
  const block = () => x.mul(headScale).matmul(k0.mul(1).transpose(-1, -2)).mul(w).sum();
  const opts: MesaOptions = { stochastic: false, emaDecay: 0 };
  const perHead = policyGradientError(block, [k0], new Mesa({ ...opts, groupDim: 1 }));
  const oneGroup = policyGradientError(block, [k0], new Mesa({ ...opts, groupDim: 1, groups: 1 }));
  return { perHead, oneGroup, ratio: perHead / oneGroup };
}

/**
 * Paper notes 02 assertion (d): the largest |mean of `draws` dequantisations − x| over the elements
 * of a fixed [4, 16] activation, in units of each channel's quantisation step (LSB). Stochastic
 * rounding is unbiased (→ 0 as draws grow); round to nearest has a fixed bias of up to 0.5 LSB.
 * @example gl.lab.memory.roundingBias({ stochastic: true }); // < 0.05 with 2,000 draws
 */
export function roundingBias(opts: { stochastic: boolean; draws?: number; seed?: number }): number {
  const draws = opts.draws ?? 2000;
  manualSeed(opts.seed ?? 3);
  const x = randn([4, 16]).requiresGrad_().mul(1);
  const m = new Mesa({ emaDecay: 0, seed: 11, stochastic: opts.stochastic });
  const acc = new Float64Array(x.numel);
  for (let k = 0; k < draws; k++) {
    const y = m.unpack(m.run(() => m.pack(x))).dataSync();
    for (let i = 0; i < y.length; i++) acc[i] += y[i] / draws;
  }
  const xs = x.dataSync();
  let worst = 0;
  for (let c = 0; c < 16; c++) {
    const col = [0, 1, 2, 3].map((r) => xs[r * 16 + c]);
    const lsb = (Math.max(...col) - Math.min(...col)) / 255;
    for (let r = 0; r < 4; r++) worst = Math.max(worst, Math.abs(acc[r * 16 + c] - xs[r * 16 + c]) / lsb);
  }
  return worst;
}
