// APGD-CE (Croce & Hein 2020), L∞: PGD with momentum and a step size halved at checkpoints when progress stalls.
import { defaultGenerator, type Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { rand } from '../../ops/creation.js';
import { maximum, minimum, where } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/losses.js';
import { tensor } from '../../ops/tensor-like.js';
import {
  attackForward,
  inputGradient,
  nonNegative,
  positive,
  positiveInt,
  withEvalMode,
  type AttackModel,
  type CommonAttackOptions,
} from './model.js';

/** Options of `apgd`. */
export interface ApgdOptions extends CommonAttackOptions {
  /** L∞ radius (default 8/255). */
  eps?: number;
  /** Iterations (default 10, torchattacks' default; AutoAttack uses 100). */
  steps?: number;
  /** Fraction of improving steps below which the step size is halved at a checkpoint (default 0.75). */
  rho?: number;
  /** The stream of the random start (default gl.defaultGenerator). */
  generator?: Generator;
}

/**
 * Auto-PGD on the cross-entropy (one restart), as the reference implementation in torchattacks / AutoAttack:
 * random start in the ε-ball, step size 2ε, momentum 0.75, checkpoints at 22%, then every max(22% − 3%·k, 6%)
 * of the steps where the step size is halved (and the iterate reset to the best point) for the examples whose
 * loss rose in fewer than ρ of the steps since the last checkpoint or did not improve. Returns, per example,
 * the first point found that is misclassified, else the clean input. Reads per-example losses on the host
 * (a backend with synchronous reads: js, native).
 * @example const xAdv = gl.attacks.apgd(model, x, y, { eps: 8 / 255, steps: 100, generator: new gl.Generator(0) });
 */
export function apgd(model: AttackModel, x: Tensor, y: Tensor, opts: ApgdOptions = {}): Tensor {
  const op = 'apgd';
  const eps = nonNegative(op, 'eps', opts.eps ?? 8 / 255);
  const steps = positiveInt(op, 'steps', opts.steps ?? 10);
  const rho = positive(op, 'rho', opts.rho ?? 0.75);
  const generator = opts.generator ?? defaultGenerator;
  const f = attackForward(op, model, x, y, opts);
  const n = x.shape[0];
  const rowShape = [n, ...x.shape.slice(1).map(() => 1)];
  const x0 = x.detach();
  const nIter2 = Math.max(Math.floor(0.22 * steps), 1);
  const nIterMin = Math.max(Math.floor(0.06 * steps), 1);
  const sizeDecr = Math.max(Math.floor(0.03 * steps), 1);
  const lo = noGrad(() => x0.sub(eps).clamp(0, 1));
  const hi = noGrad(() => x0.add(eps).clamp(0, 1));
  const project = (t: Tensor) => minimum(maximum(t, lo), hi);
  const rows = (m: Uint8Array) => tensor(m, { dtype: 'bool' }).reshape(rowShape);
  return withEvalMode(model, () => {
    const lossGrad = (t: Tensor) => {
      let losses: Float64Array = new Float64Array(0);
      let pred: Int32Array | Float32Array | Float64Array | Uint8Array = new Int32Array(0);
      const g = inputGradient(f, t, (z) => {
        const l = crossEntropy(z, y, { reduction: 'none' });
        losses = Float64Array.from(l.detach().dataSync());
        pred = z.detach().argmax(1).dataSync() as Int32Array;
        return l.sum();
      });
      return { g, losses, pred };
    };
    const labels = y.dataSync();
    let adv = noGrad(() => {
      const t = rand(x0.shape, { dtype: x0.dtype, generator }).mul(2).sub(1);
      const m = t.abs().reshape([n, -1]).amax(1).reshape(rowShape);
      return x0.add(t.div(m).mul(eps)).clamp(0, 1);
    });
    let { g, losses, pred } = lossGrad(adv);
    const fooled = new Uint8Array(n);
    let bestAdv = x0.clone();
    const update = (p: ArrayLike<number>, point: Tensor) => {
      const m = new Uint8Array(n);
      let any = false;
      for (let i = 0; i < n; i++)
        if (!fooled[i] && p[i] !== labels[i]) {
          fooled[i] = m[i] = 1;
          any = true;
        }
      if (any) {
        const next = noGrad(() => where(rows(m), point, bestAdv));
        bestAdv.dispose();
        bestAdv = next;
      }
    };
    update(pred, adv);
    let xBest = adv.clone();
    let gBest = g.clone();
    const lossBest = Float64Array.from(losses);
    const stepSize = new Float64Array(n).fill(2 * eps);
    let old = adv.clone();
    let k = nIter2;
    let counter = 0;
    const history: Float64Array[] = [];
    let lossBestLastCheck = Float64Array.from(lossBest);
    let reducedLastCheck = new Uint8Array(n);
    for (let i = 0; i < steps; i++) {
      const a = i > 0 ? 0.75 : 1.0;
      const next = noGrad(() => {
        const grad2 = adv.sub(old);
        const ss = tensor(stepSize, { dtype: x0.dtype }).reshape(rowShape);
        const x1 = project(adv.add(g.sign().mul(ss)));
        return project(adv.add(x1.sub(adv).mul(a)).add(grad2.mul(1 - a)));
      });
      old.dispose();
      old = adv;
      adv = next;
      g.dispose();
      ({ g, losses, pred } = lossGrad(adv));
      update(pred, adv);
      history.push(Float64Array.from(losses));
      const better = new Uint8Array(n);
      let anyBetter = false;
      for (let e = 0; e < n; e++)
        if (losses[e] > lossBest[e]) {
          better[e] = 1;
          lossBest[e] = losses[e];
          anyBetter = true;
        }
      if (anyBetter) {
        const [xb, gb] = noGrad(() => [where(rows(better), adv, xBest), where(rows(better), g, gBest)]);
        xBest.dispose();
        gBest.dispose();
        [xBest, gBest] = [xb, gb];
      }
      counter++;
      if (counter === k) {
        const halve = new Uint8Array(n);
        let anyHalve = false;
        for (let e = 0; e < n; e++) {
          let rises = 0;
          for (let c = 0; c < k; c++) {
            const j = i - c;
            if (j >= 1 && history[j][e] > history[j - 1][e]) rises++;
          }
          const oscillating = rises <= k * rho;
          const noImprovement = !reducedLastCheck[e] && lossBestLastCheck[e] >= lossBest[e];
          halve[e] = oscillating || noImprovement ? 1 : 0;
          if (halve[e]) {
            stepSize[e] /= 2;
            anyHalve = true;
          }
        }
        reducedLastCheck = halve;
        lossBestLastCheck = Float64Array.from(lossBest);
        if (anyHalve) {
          const [xa, ga] = noGrad(() => [where(rows(halve), xBest, adv), where(rows(halve), gBest, g)]);
          adv.dispose();
          g.dispose();
          [adv, g] = [xa, ga];
        }
        counter = 0;
        k = Math.max(k - sizeDecr, nIterMin);
      }
    }
    for (const t of [adv, old, g, xBest, gBest, lo, hi]) t.dispose();
    return bestAdv;
  });
}
