// Recipe `attribution`'s measurements: tag mass of IG and occlusion, NAP (dead maps, class-group maps), linear agreement.
import type { Tensor } from '../core/tensor.js';
import { rand } from '../ops/creation.js';
import { tensor } from '../ops/tensor-like.js';
import { Sequential } from '../nn/containers.js';
import { Flatten, Linear } from '../nn/linear.js';
import { DeepLift } from '../lab/explain/deeplift.js';
import { InputXGradient, Saliency } from '../lab/explain/gradient.js';
import { IntegratedGradients } from '../lab/explain/integrated-gradients.js';
import { Occlusion } from '../lab/explain/perturbation.js';
import { onTag } from './common/tagged-images.js';

/** Mean over images of Σ_tag |a| / Σ |a| (attributions [n, c, h, w] on the host). */
export function tagMassFraction(a: ArrayLike<number>, shape: readonly number[], size: number): number {
  const per = shape[0] * shape[1] * shape[2];
  const n = a.length / per;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    let tag = 0;
    let all = 0;
    for (let p = 0; p < per; p++) {
      const v = Math.abs(a[i * per + p]);
      all += v;
      if (onTag(p, shape, size)) tag += v;
    }
    acc += all > 0 ? tag / all : 0;
  }
  return n > 0 ? acc / n : 0;
}

/** IG (baseline 0, Gauss–Legendre) and occlusion (tag-sized windows, half-tag strides, baseline 0) tag mass. */
export async function tagMasses(
  model: Sequential,
  x: Tensor,
  target: number[],
  shape: readonly number[],
  size: number,
  nSteps: number,
): Promise<{ ig: number; occlusion: number }> {
  const ig = new IntegratedGradients(model).attribute(x, { target, nSteps, internalBatchSize: 512 });
  const step = Math.max(1, Math.floor(size / 2));
  const occ = new Occlusion(model).attribute(x, {
    target,
    slidingWindowShapes: [shape[0], size, size],
    strides: [shape[0], step, step],
    perturbationsPerEval: 16,
  });
  const out = {
    ig: tagMassFraction(await ig.data(), shape, size),
    occlusion: tagMassFraction(await occ.data(), shape, size),
  };
  ig.dispose();
  occ.dispose();
  return out;
}

/**
 * Percent of dead maps in one recorded layer ([n, ...shape] host values): a conv map (channel) is dead
 * when max − min ≤ 1e-30 within every image (the official NAP code's test); a fully connected unit, whose
 * map is one number, when it is constant over all images.
 */
export function deadPercent(values: Float32Array, shape: readonly number[], n: number): number {
  const units = shape[0];
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let isDead = true;
    if (per === 1) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = values[i * units + u];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      isDead = hi - lo <= 1e-30;
    } else {
      for (let i = 0; i < n && isDead; i++) {
        let lo = Infinity;
        let hi = -Infinity;
        const base = (i * units + u) * per;
        for (let p = 0; p < per; p++) {
          lo = Math.min(lo, values[base + p]);
          hi = Math.max(hi, values[base + p]);
        }
        if (hi - lo > 1e-30) isDead = false;
      }
    }
    if (isDead) dead++;
  }
  return (100 * dead) / units;
}

/**
 * Neuron activation profile of a conv layer ([n, C, h, w] host values): the mean map per class group
 * minus the mean over groups, normalised by the largest |value| of the layer. For `group`, the top `k`
 * maps by mean |normalised value| and the location (row, column) of each one's largest |value|.
 */
export function classGroupProfile(
  values: Float32Array,
  shape: readonly number[],
  labels: ArrayLike<number>,
  groups: number,
  group: number,
  k: number,
): { top: { channel: number; row: number; col: number; meanAbs: number }[] } {
  const [C, h, w] = shape;
  const per = C * h * w;
  const sums = new Float64Array(groups * per);
  const counts = new Float64Array(groups);
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i];
    counts[g]++;
    for (let p = 0; p < per; p++) sums[g * per + p] += values[i * per + p];
  }
  const present = [...counts.keys()].filter((g) => counts[g] > 0);
  const nap = new Float64Array(groups * per);
  let maxAbs = 0;
  for (let p = 0; p < per; p++) {
    let m = 0;
    for (const g of present) m += sums[g * per + p] / counts[g] / present.length;
    for (const g of present) {
      const v = sums[g * per + p] / counts[g] - m;
      nap[g * per + p] = v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
  }
  const maps = Array.from({ length: C }, (_, c) => {
    let s = 0;
    let best = 0;
    let bestAt = 0;
    for (let q = 0; q < h * w; q++) {
      const v = Math.abs(nap[group * per + c * h * w + q]) / (maxAbs || 1);
      s += v;
      if (v > best) {
        best = v;
        bestAt = q;
      }
    }
    return { channel: c, row: Math.floor(bestAt / w), col: bestAt % w, meanAbs: s / (h * w) };
  });
  maps.sort((a, b) => b.meanAbs - a.meanAbs);
  return { top: maps.slice(0, k) };
}

/**
 * For a linear model f = Wx + b (float64), the largest |difference| from x ⊙ ∇f of: x ⊙ saliency ⊙ sign(∇f),
 * IG (baseline 0), DeepLift (baseline 0) and occlusion (1-feature windows, baseline 0), on n random inputs
 * of shape [c, h, w] with targets 0..n−1 (mod 10).
 */
export async function linearAgreement(shape: readonly number[], n: number): Promise<number> {
  const model = new Sequential(
    new Flatten(),
    new Linear(
      shape.reduce((a, b) => a * b, 1),
      10,
    ),
  ).double();
  const x = rand([n, ...shape], { dtype: 'float64' });
  const target = Array.from({ length: n }, (_, i) => i % 10);
  const ixg = new InputXGradient(model).attribute(x, { target });
  const sal = new Saliency(model).attribute(x, { target });
  const grad = new Saliency(model).attribute(x, { target, abs: false });
  const salSign = x.mul(sal).mul(grad.sign());
  const ig = new IntegratedGradients(model).attribute(x, { target, baselines: 0 });
  const dl = new DeepLift(model).attribute(x, { target, baselines: 0 });
  const occ = new Occlusion(model).attribute(x, {
    target,
    slidingWindowShapes: shape.map(() => 1),
    baselines: 0,
    perturbationsPerEval: 64,
  });
  const ref = await ixg.data();
  let worst = 0;
  for (const t of [salSign, ig, dl, occ]) {
    const v = await t.data();
    for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i] - ref[i]));
  }
  for (const t of [x, ixg, sal, grad, salSign, ig, dl, occ]) t.dispose();
  return worst;
}

/** Rows `idx` of host images [n, ...shape] as a tensor [idx.length, ...shape]. */
export function rows(pixels: Float32Array, shape: readonly number[], idx: readonly number[]): Tensor {
  const per = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(idx.length * per);
  idx.forEach((i, j) => out.set(pixels.subarray(i * per, (i + 1) * per), j * per));
  return tensor(out).reshape([idx.length, ...shape]);
}
