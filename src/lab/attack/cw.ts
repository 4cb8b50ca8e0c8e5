// Carlini–Wagner L2 (2017): tanh reparametrisation, Adam on the inputs, margin loss on logits, binary search over c.
import { grad } from '../../core/functional.js';
import { enableGrad, noGrad } from '../../core/state.js';
import { Tensor, tidy } from '../../core/tensor.js';
import { where } from '../../ops/elementwise.js';
import { tensor } from '../../ops/tensor-like.js';
import { oneHot } from '../../ops/shape.js';
import {
  nonNegative,
  positive,
  positiveInt,
  attackForward,
  withEvalMode,
  type AttackModel,
  type CommonAttackOptions,
} from './model.js';
import { resolveTargets, type TargetOptions } from './targets.js';

/** Options of `cw`. */
export interface CwOptions extends CommonAttackOptions, TargetOptions {
  /** The trade-off constant c of ‖δ‖² + c·f (the starting value of the binary search; default 1). */
  c?: number;
  /** Confidence κ: the margin the adversarial logit must win by (default 0). */
  kappa?: number;
  /** Adam iterations per binary-search step (default 50). */
  steps?: number;
  /** Adam's learning rate on the tanh-space variable (default 0.01). */
  lr?: number;
  /**
   * Binary-search steps over c (default 1: a fixed c, as torchattacks' CW). With more, each example's c is
   * multiplied by 10 while the attack fails and bisected once it succeeds (Carlini's l2_attack.py).
   */
  binarySearchSteps?: number;
  /** Stop an inner run when the total cost has not decreased over a tenth of the steps (default true). */
  abortEarly?: boolean;
}

const BIG = 1e10;

/**
 * The Carlini–Wagner L2 attack: minimises ‖x′ − x‖²₂ + c · max(Z_y − max_{i≠y} Z_i, −κ) over
 * x′ = ½(tanh(w) + 1) with Adam on w (targeted: max(max_{i≠t} Z_i − Z_t, −κ)), keeping per example the
 * successful x′ of smallest L2 distance; examples never fooled are returned unchanged. With
 * `binarySearchSteps > 1` it searches c per example as Carlini's reference code does. Reads per-example
 * values on the host every step (needs a backend with synchronous reads: js, native).
 * @example
 * const xAdv = gl.attacks.cw(model, x, y, { c: 0.1, steps: 300, binarySearchSteps: 5 });
 */
export function cw(model: AttackModel, x: Tensor, y: Tensor, opts: CwOptions = {}): Tensor {
  const op = 'cw';
  const c0 = positive(op, 'c', opts.c ?? 1);
  const kappa = nonNegative(op, 'kappa', opts.kappa ?? 0);
  const steps = positiveInt(op, 'steps', opts.steps ?? 50);
  const lr = positive(op, 'lr', opts.lr ?? 0.01);
  const searches = positiveInt(op, 'binarySearchSteps', opts.binarySearchSteps ?? 1);
  const abortEarly = opts.abortEarly ?? true;
  const f = attackForward(op, model, x, y, opts);
  const target = resolveTargets(op, model, f, x, y, opts.target, opts.generator);
  const n = x.shape[0];
  const labels = target ?? y;
  const mask = noGrad(() => oneHot(labels, f.classes).bool());
  const x0 = x.detach();
  const rowShape = [n, ...x.shape.slice(1).map(() => 1)];
  const cs = new Float64Array(n).fill(c0);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n).fill(BIG);
  const bestL2 = new Float64Array(n).fill(BIG);
  let best = x0.clone();
  // w₀ = atanh(2x − 1), pulled inside (−1, 1) so that pixels at 0 or 1 stay finite (Carlini's 1.999999 factor)
  const w0 = noGrad(() => {
    const u = x0
      .mul(2)
      .sub(1)
      .mul(1 - 1e-6);
    return u.add(1).div(u.neg().add(1)).log().mul(0.5);
  });
  withEvalMode(model, () => {
    for (let b = 0; b < searches; b++) {
      const cT = tensor(cs, { dtype: x.dtype });
      let w = w0.clone();
      let m = w.mul(0);
      let v = w.mul(0);
      let prev = Infinity;
      const won = new Uint8Array(n);
      const every = Math.max(Math.floor(steps / 10), 1);
      for (let t = 1; t <= steps; t++) {
        const out = tidy(() => {
          const wl = w.detach().requiresGrad_();
          const [adv, l2, margin, cost, g] = enableGrad(() => {
            const a = wl.tanh().add(1).mul(0.5);
            const d = a.sub(x0);
            const l2s = d.mul(d).reshape([n, -1]).sum(1);
            const z = f(a);
            const real = where(mask, z, 0).sum(1);
            const other = where(mask, -Infinity, z).amax(1);
            // margin ≤ −κ means the attack has succeeded with confidence κ
            const mg = target ? other.sub(real) : real.sub(other);
            const loss = l2s.sum().add(mg.clamp(-kappa, null).mul(cT).sum());
            const [gw] = grad([loss], [wl]);
            return [a.detach(), l2s.detach(), mg.detach(), loss.detach(), gw!];
          });
          // Adam (PyTorch's form) on w
          const mN = m.mul(0.9).add(g.mul(0.1));
          const vN = v.mul(0.999).add(g.mul(g).mul(0.001));
          const denom = vN
            .sqrt()
            .div(Math.sqrt(1 - 0.999 ** t))
            .add(1e-8);
          const wN = w.sub(mN.div(denom).mul(lr / (1 - 0.9 ** t)));
          return [adv, l2, margin, cost, mN, vN, wN];
        });
        const [adv, l2, margin, cost, mN, vN, wN] = out;
        m.dispose();
        v.dispose();
        w.dispose();
        [m, v, w] = [mN, vN, wN];
        const l2h = l2.dataSync();
        const mh = margin.dataSync();
        const improve = new Uint8Array(n);
        let any = false;
        for (let i = 0; i < n; i++) {
          if (mh[i] <= -kappa) {
            won[i] = 1;
            if (l2h[i] < bestL2[i]) {
              bestL2[i] = l2h[i];
              improve[i] = 1;
              any = true;
            }
          }
        }
        if (any) {
          const next = noGrad(() => where(tensor(improve, { dtype: 'bool' }).reshape(rowShape), adv, best));
          best.dispose();
          best = next;
        }
        const costNow = cost.item();
        for (const tt of [adv, l2, margin, cost]) tt.dispose();
        if (abortEarly && t % every === 0) {
          if (costNow > prev) break;
          prev = costNow;
        }
      }
      for (const tt of [w, m, v, cT]) tt.dispose();
      for (let i = 0; i < n; i++) {
        if (won[i]) {
          upper[i] = Math.min(upper[i], cs[i]);
          cs[i] = (lower[i] + upper[i]) / 2;
        } else {
          lower[i] = Math.max(lower[i], cs[i]);
          cs[i] = upper[i] < BIG / 10 ? (lower[i] + upper[i]) / 2 : cs[i] * 10;
        }
      }
    }
  });
  w0.dispose();
  mask.dispose();
  return best;
}
