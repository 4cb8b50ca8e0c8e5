// The gradient-matching losses of DC (class-wise) and DCC (all classes jointly, contrastive), differentiable in the synthetic images.
import { grad } from '../../core/functional.js';
import { enableGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import type { Module } from '../../nn/module.js';
import { add, div } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/losses.js';
import { cat } from '../../ops/shape.js';
import { matchDistance } from './distance.js';
import { CondenseOptionError } from './errors.js';

/** One class's images and labels (int32, all equal to the class). */
export interface ClassBatch {
  /** Images [n, C, H, W]. */
  x: Tensor;
  /** Labels [n] (int32). */
  y: Tensor;
}

/** Which matching: 'dc' sums per-class distances; 'dcc' matches one gradient on all synthetic images to the class-averaged real one. */
export type MatchMode = 'dc' | 'dcc';

function lossGrads(net: Module, params: Tensor[], b: ClassBatch, createGraph: boolean): Tensor[] {
  // the parameter gradients are needed even under noGrad (e.g. when only the loss value is wanted)
  const g = enableGrad(() =>
    grad([crossEntropy(net.forward(b.x) as Tensor, b.y)], params, { createGraph, allowUnused: true }),
  );
  return g.map((t, i) => {
    if (!t) throw new CondenseOptionError(`gradientMatchLoss: parameter ${i} does not affect the loss`);
    return createGraph ? t : t.detach();
  });
}

/**
 * The gradient-matching loss for one network, a function of the synthetic images (keep them requiring grad):
 * - 'dc': Σ_c D(∇_θ CE(θ; S_c), ∇_θ CE(θ; T_c)) (Zhao et al. 2021);
 * - 'dcc': D(∇_θ CE(θ; ∪_c S_c), (1/C) Σ_c ∇_θ CE(θ; T_c)) (Lee et al. 2022, DCC main.py),
 * with D = matchDistance. The synthetic gradients are taken with createGraph, so differentiating the result
 * with respect to the synthetic images is a double backward through the network; the real gradients are detached.
 * Parameters' `.grad` is never touched. `syn[c]` and `real[c]` hold class c.
 * @example
 * const net = new gl.nn.Sequential(new gl.nn.Flatten(), new gl.nn.Linear(16, 2));
 * const S = gl.randn([2, 1, 4, 4], { requiresGrad: true }); // one synthetic image per class
 * const synPerClass = [0, 1].map((c) => ({ x: S.narrow(0, c, 1), y: gl.tensor([c], { dtype: 'int32' }) }));
 * const realPerClass = [0, 1].map((c) => ({ x: gl.randn([3, 1, 4, 4]), y: gl.tensor([c, c, c], { dtype: 'int32' }) }));
 * const loss = gl.condense.gradientMatchLoss(net, synPerClass, realPerClass, 'dcc');
 * const [gS] = gl.grad([loss], [S]); // [2, 1, 4, 4]
 */
export function gradientMatchLoss(
  net: Module,
  syn: readonly ClassBatch[],
  real: readonly ClassBatch[],
  mode: MatchMode,
): Tensor {
  if (syn.length !== real.length || syn.length === 0)
    throw new CondenseOptionError(
      `gradientMatchLoss: expected one synthetic and one real batch per class, got ${syn.length} and ${real.length}`,
    );
  if (mode !== 'dc' && mode !== 'dcc')
    throw new CondenseOptionError(`gradientMatchLoss: mode must be 'dc' or 'dcc', got '${String(mode)}'`);
  const params = net.parameters() as Tensor[];
  if (mode === 'dc') {
    let loss: Tensor | null = null;
    for (let c = 0; c < syn.length; c++) {
      const gReal = lossGrads(net, params, real[c], false);
      const gSyn = lossGrads(net, params, syn[c], true);
      const d = matchDistance(gSyn, gReal);
      loss = loss ? add(loss, d) : d;
    }
    return loss!;
  }
  let gReal: Tensor[] | null = null;
  for (const r of real) {
    const g = lossGrads(net, params, r, false);
    gReal = gReal ? gReal.map((t, i) => add(t, g[i])) : g;
  }
  const avg = gReal!.map((t) => div(t, real.length));
  const all: ClassBatch = {
    x: cat(
      syn.map((s) => s.x),
      0,
    ),
    y: cat(
      syn.map((s) => s.y),
      0,
    ),
  };
  return matchDistance(lossGrads(net, params, all, true), avg);
}
