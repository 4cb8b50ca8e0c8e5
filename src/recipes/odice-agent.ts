// Recipe `odice`'s learner: V-DICE with semi-gradient, true-gradient and ODICE's orthogonal-gradient value updates, weighted-BC policy, rollouts.
import { grad } from '../core/functional.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { pointMassStarts, pointMassStep, POINT_MASS, type OfflineDataset } from '../data/offline-rl.js';
import { permutation } from '../data/random.js';
import { Sequential } from '../nn/containers.js';
import { LayerNorm } from '../nn/normalization.js';
import { Linear } from '../nn/linear.js';
import { ReLU, Tanh } from '../nn/activation.js';
import { indexSelect, narrow } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import { Adam } from '../optim/adam.js';
import { orthogonalPart } from '../optim/surgery.js';

/** The value-update rule of an arm. */
export type OdiceArm = 'semi' | 'true' | 'orthogonal';
/** Every arm. */
export const ODICE_ARMS: readonly OdiceArm[] = ['semi', 'true', 'orthogonal'];

/** Hyper-parameters of one training run. */
export interface OdiceConfig {
  /** Gradient updates. */
  updates: number;
  /** Transitions per update. */
  batch: number;
  /** DICE's λ (weight of the f* term; 1 − λ weighs E[V(s)]). */
  lambda: number;
  /** η: weight of the backward term L_b. */
  eta: number;
  /** Discount. */
  gamma: number;
  /** EMA rate of the target value net. */
  tau: number;
  /** Learning rate of value and policy (Adam). */
  lr: number;
  /** Hidden width of the value and policy nets. */
  hidden: number;
}

/** Pearson χ² conjugate: ω* = max(δ/2 + 1, 0), f*(δ) = δ ω* − (ω* − 1)². */
export function fStar(delta: Tensor): Tensor {
  const w = delta.div(2).add(1).clamp(0, null);
  return delta.mul(w).sub(w.sub(1).pow(2));
}

/**
 * ODICE's combined gradient g = g_f + (g_b − c g_f), c = ⟨g_f, g_b⟩ / max(‖g_f‖², 1e-10) (odice.py
 * `orthogonal_true_g_update`); lists of per-parameter tensors are one flat vector.
 */
export function odiceGradient(gf: Tensor[], gb: Tensor[]): Tensor[] {
  const perp = orthogonalPart(gb, gf);
  return gf.map((g, i) => g.add(perp[i]));
}

/** cos(a, b) of two per-parameter gradient lists taken as flat vectors (host number). */
export function flatCosine(a: Tensor[], b: Tensor[]): number {
  const dot = (u: Tensor[], v: Tensor[]) => u.reduce((s, t, i) => s + t.mul(v[i]).sum().item(), 0);
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b) || 1e-300);
}

/** The tensors of one batch that the DICE value gradients are built from (all [batch]). */
export interface DiceTerms {
  /** Online V(s). */
  v: Tensor;
  /** Online V(s′). */
  v2: Tensor;
  /** Target-net V̄(s) (no gradient). */
  targetV: Tensor;
  /** Target-net V̄(s′) (no gradient). */
  targetV2: Tensor;
  /** Rewards. */
  r: Tensor;
  /** γ(1 − done). */
  gd: Tensor;
  /** DICE's λ. */
  lambda: number;
  /** η, the weight of L_b (ODICE's backward term; the true gradient has none). */
  eta: number;
}

/**
 * The forward part g_f (through −V(s)) and the backward part g_b (through γV(s′)) of an arm's DICE value
 * gradient; the graph of `terms` is kept. For 'true' both parts come from the online residual
 * δ = r + γV(s′) − V(s), so g_f + g_b is the true gradient of λE[f*(δ)] (the one that arm applies); for 'semi'
 * and 'orthogonal' they are ODICE's ∇L_f and ∇L_b, whose residuals hold the target net on the other side
 * (odice.py `orthogonal_true_g_update`).
 * @example const [gf, gb] = diceGradientParts('true', terms, V.parameters());
 */
export function diceGradientParts(arm: OdiceArm, t: DiceTerms, params: Tensor[]): [Tensor[], Tensor[]] {
  const online = arm === 'true';
  const fwd = t.r.add(t.gd.mul(online ? t.v2.detach() : t.targetV2)).sub(t.v);
  const bwd = t.r.add(t.gd.mul(t.v2)).sub(online ? t.v.detach() : t.targetV);
  const lf = fStar(fwd).mean().mul(t.lambda);
  const lb = fStar(bwd)
    .mean()
    .mul(t.lambda * (online ? 1 : t.eta));
  const gf = grad([lf], params, { retainGraph: true }) as Tensor[];
  const gb = grad([lb], params, { retainGraph: true }) as Tensor[];
  return [gf, gb];
}

function valueNet(h: number): Sequential {
  return new Sequential(
    new Linear(2, h),
    new LayerNorm(h),
    new ReLU(),
    new Linear(h, h),
    new LayerNorm(h),
    new ReLU(),
    new Linear(h, 1),
  );
}

/** What one training run measured. */
export interface OdiceRun {
  /** Mean return over the evaluation episodes from the nominal start distribution. */
  ret: number;
  /** Mean return with start noise 0.15 (partly out of distribution). */
  retNoisy: number;
  /** Fraction of the sampled updates where cos(g_f, g_b) < 0. */
  conflict: number;
  /** Largest |cos(g_f, g_b − c g_f)| seen (orthogonal arm; 0 otherwise). */
  maxPerpCos: number;
}

/** Trains V and the policy on the dataset with one arm's value update, then rolls the policy out. */
export function trainOdice(
  data: OfflineDataset,
  arm: OdiceArm,
  c: OdiceConfig,
  seed: number,
  episodes: number,
): OdiceRun {
  const V = valueNet(c.hidden);
  const Vt = valueNet(c.hidden);
  Vt.loadStateDict(V.stateDict());
  const pi = new Sequential(
    new Linear(2, c.hidden),
    new ReLU(),
    new Linear(c.hidden, c.hidden),
    new ReLU(),
    new Linear(c.hidden, 2),
    new Tanh(),
  );
  const params = V.parameters();
  const optV = new Adam(params, { lr: c.lr });
  const optP = new Adam(pi.parameters(), { lr: c.lr });
  const gen = new Generator(seed + 31);
  const n = data.states.shape[0];
  let perm = tensor(permutation(n, gen));
  let pos = 0;
  let conflicts = 0;
  let sampled = 0;
  let maxPerpCos = 0;
  for (let u = 0; u < c.updates; u++) {
    if (pos + c.batch > n) {
      perm.dispose();
      perm = tensor(permutation(n, gen));
      pos = 0;
    }
    const measure = u % 20 === 0;
    tidy(() => {
      const idx = narrow(perm, 0, pos, c.batch);
      const s = indexSelect(data.states, 0, idx);
      const a = indexSelect(data.actions, 0, idx);
      const r = indexSelect(data.rewards, 0, idx);
      const s2 = indexSelect(data.nextStates, 0, idx);
      const notDone = indexSelect(data.dones, 0, idx).neg().add(1);
      const [tS, tS2] = noGrad(() => [
        (Vt.forward(s) as Tensor).squeeze(1),
        (Vt.forward(s2) as Tensor).squeeze(1),
      ]);
      const v = (V.forward(s) as Tensor).squeeze(1);
      const v2 = (V.forward(s2) as Tensor).squeeze(1);
      const gd = notDone.mul(c.gamma);
      const terms: DiceTerms = { v, v2, targetV: tS, targetV2: tS2, r, gd, lambda: c.lambda, eta: c.eta };
      const deltaF = r.add(gd.mul(tS2)).sub(v); // forward residual: gradient through −V(s)
      const deltaT = r.add(gd.mul(v2)).sub(v); // the true residual: online V on both sides
      const lv = v.mean().mul(1 - c.lambda);
      let g: Tensor[];
      if (arm === 'semi') g = grad([fStar(deltaF).mean().mul(c.lambda).add(lv)], params) as Tensor[];
      else if (arm === 'true') {
        g = grad([fStar(deltaT).mean().mul(c.lambda).add(lv)], params, { retainGraph: measure }) as Tensor[];
        if (measure) {
          const [gf, gb] = diceGradientParts('true', terms, params);
          sampled++;
          if (flatCosine(gf, gb) < 0) conflicts++;
        }
      } else {
        const [gf, gb] = diceGradientParts('orthogonal', terms, params);
        const gv = grad([lv], params) as Tensor[];
        const comb = odiceGradient(gf, gb);
        if (measure) {
          const cf = flatCosine(gf, gb);
          sampled++;
          if (cf < 0) conflicts++;
          const perp = comb.map((t, i) => t.sub(gf[i])); // g − g_f = g_b − c g_f
          maxPerpCos = Math.max(maxPerpCos, Math.abs(flatCosine(gf, perp)));
        }
        g = comb.map((t, i) => t.add(gv[i]));
      }
      optV.zeroGrad();
      params.forEach((p, i) => (p.grad = g[i].detach()));
      optV.step();
      // policy extraction: weighted behaviour cloning, w = max(δ, 0) clipped at 100 (Pearson χ²), Gaussian of fixed σ;
      // δ is the residual the arm's value update used (odice.py: the online residual in true_g_update, δ_f otherwise)
      const w = noGrad(() => (arm === 'true' ? deltaT : deltaF).detach().clamp(0, 100));
      const mu = (pi.forward(s) as Tensor).mul(POINT_MASS.maxAction);
      optP.zeroGrad();
      mu.sub(a).pow(2).sum(1).mul(w).mean().backward();
      optP.step();
      noGrad(() => {
        const src = V.parameters();
        Vt.parameters().forEach((p, i) => p.copy_(p.mul(1 - c.tau).add(src[i].mul(c.tau))));
      });
    });
    pos += c.batch;
  }
  perm.dispose();
  const rollout = (noise: number, g: Generator) => {
    let s = pointMassStarts(episodes, g, noise);
    let total = 0;
    for (let t = 0; t < POINT_MASS.horizon; t++) {
      const a = noGrad(() =>
        Float64Array.from(
          (pi.forward(tensor(Float32Array.from(s)).reshape([episodes, 2])) as Tensor)
            .mul(POINT_MASS.maxAction)
            .dataSync(),
        ),
      );
      const step = pointMassStep(s, a, g);
      for (const rw of step.reward) total += rw;
      s = step.next;
    }
    return total / episodes;
  };
  return {
    ret: rollout(POINT_MASS.startNoise, new Generator(seed + 500)),
    retNoisy: rollout(0.15, new Generator(seed + 600)),
    conflict: sampled ? conflicts / sampled : 0,
    maxPerpCos,
  };
}
