// DeepFool (Moosavi-Dezfooli et al. 2016), L2, with torchattacks' semantics: linearise, step to the nearest boundary, overshoot.
import { grad } from '../../core/functional.js';
import { enableGrad, noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { tensor } from '../../ops/tensor-like.js';
import {
  attackForward,
  nonNegative,
  positiveInt,
  withEvalMode,
  type AttackModel,
  type CommonAttackOptions,
} from './model.js';

/** Options of `deepfool`. */
export interface DeepFoolOptions extends CommonAttackOptions {
  /** Maximum linearisation steps (default 50). */
  steps?: number;
  /** Each step is scaled by 1 + overshoot (default 0.02). */
  overshoot?: number;
}

/**
 * DeepFool: while an example is still classified as its label, linearise the logits, find the class k whose
 * linearised boundary is nearest (|f_k − f_y| / ‖∇f_k − ∇f_y‖₂) and step onto it, scaled by 1 + overshoot and
 * clamped to [0, 1] (torchattacks' per-step update). Needs one backward pass per class per step and reads
 * the Jacobian on the host (a backend with synchronous reads: js, native).
 * @example const xAdv = gl.attacks.deepfool(model, x, y, { steps: 50, overshoot: 0.02 });
 */
export function deepfool(model: AttackModel, x: Tensor, y: Tensor, opts: DeepFoolOptions = {}): Tensor {
  const op = 'deepfool';
  const steps = positiveInt(op, 'steps', opts.steps ?? 50);
  const overshoot = nonNegative(op, 'overshoot', opts.overshoot ?? 0.02);
  const f = attackForward(op, model, x, y, opts);
  const n = x.shape[0];
  const C = f.classes;
  const D = x.numel / n;
  const labels = y.dataSync();
  const cur = Float64Array.from(x.dataSync());
  const active = new Uint8Array(n).fill(1);
  withEvalMode(model, () => {
    for (let s = 0; s < steps; s++) {
      const leaf = tensor(cur, { dtype: x.dtype, shape: x.shape }).requiresGrad_();
      const { z, jac } = enableGrad(() => {
        const out = f(leaf);
        const rows: Float64Array[] = [];
        for (let k = 0; k < C; k++) {
          const [g] = grad([out.narrow(1, k, 1).sum()], [leaf], { retainGraph: k < C - 1 });
          rows.push(Float64Array.from(g!.dataSync()));
          g!.dispose();
        }
        return { z: Float64Array.from(out.detach().dataSync()), jac: rows };
      });
      leaf.dispose();
      let any = false;
      for (let i = 0; i < n; i++) {
        if (!active[i]) continue;
        const zi = z.subarray(i * C, (i + 1) * C);
        let pred = 0;
        for (let k = 1; k < C; k++) if (zi[k] > zi[pred]) pred = k;
        if (pred !== labels[i]) {
          active[i] = 0;
          continue;
        }
        any = true;
        const l = labels[i];
        let bestK = -1;
        let bestV = Infinity;
        let bestNorm2 = 0;
        for (let k = 0; k < C; k++) {
          if (k === l) continue;
          let n2 = 0;
          for (let j = 0; j < D; j++) {
            const d = jac[k][i * D + j] - jac[l][i * D + j];
            n2 += d * d;
          }
          const v = Math.abs(zi[k] - zi[l]) / Math.sqrt(n2);
          if (v < bestV) [bestV, bestK, bestNorm2] = [v, k, n2];
        }
        if (bestK < 0 || !(bestNorm2 > 0)) {
          active[i] = 0;
          continue;
        }
        const scale = ((1 + overshoot) * Math.abs(zi[bestK] - zi[l])) / bestNorm2;
        for (let j = 0; j < D; j++) {
          const v = cur[i * D + j] + scale * (jac[bestK][i * D + j] - jac[l][i * D + j]);
          cur[i * D + j] = Math.min(1, Math.max(0, v));
        }
      }
      if (!any) break;
    }
  });
  return noGrad(() => tensor(cur, { dtype: x.dtype, shape: x.shape }));
}
