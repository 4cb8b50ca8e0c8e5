// GBNN (paper 09): a one-hidden-layer network grown by gradient boosting, each stage a tiny MLP fitted to the functional gradient.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { Tensor, tidy, keep } from '../core/tensor.js';
import { rand, zeros } from '../ops/creation.js';
import { add, cast, clamp, div, mul, relu, sigmoid, sub, tanh } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { mseLoss } from '../ops/losses.js';
import { matmul } from '../ops/matmul.js';
import { softmax } from '../ops/nn.js';
import { mean, sum } from '../ops/reduce.js';
import { cat, flatten, indexSelect, narrow, oneHot, transpose } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import type { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Adam } from '../optim/adam.js';
import { taskLoss, requireParameters } from './bp.js';
import { measureStep } from './measure.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';
import { twoLayerNet, type TwoLayerActivation, type TwoLayerNet } from './two-layer.js';
import { RuleModelError } from './errors.js';

/** Options of the GBNN rule (paper defaults from GAA-UAM/GBNN `GBNN.py`, inner solver Adam instead of L-BFGS). */
export interface GbnnOptions extends CommonRuleOptions {
  /** Hidden units each boosting stage adds (J; default 1). The model's hidden width must be a multiple of it. */
  unitsPerStage?: number;
  /** Adam steps of each stage's fit to the residuals (default 200). */
  innerSteps?: number;
  /** Fraction of the batch each stage fits on, drawn without replacement (default 0.5). */
  subsample?: number;
  /** Shrinkage η multiplying the Newton step ρ (default 1). */
  shrinkage?: number;
  /** `lr` is the inner Adam's learning rate (default 0.01). */
  lr?: number;
}

/** One boosting stage: the tiny MLP's weights and its step size. */
export interface GbnnStage {
  /** Hidden weights [J, d]. */
  w1: Tensor;
  /** Hidden biases [J]. */
  b1: Tensor;
  /** Output weights [outputs, J] (before ρ). */
  w2: Tensor;
  /** Output biases [outputs] (before ρ). */
  b2: Tensor;
  /** The Newton step ρ (times the shrinkage). */
  rho: number;
}

/** A GBNN learner: each `step` adds one stage; `ensemble(x)` evaluates F₀ + Σ ρₘ fₘ(x) from the stages themselves. */
export interface GbnnLearner extends Learner {
  /** The stages fitted so far, in order. */
  readonly stages: readonly GbnnStage[];
  /** The initial prediction F₀ (zeros for classification, the first batch's mean target for regression). */
  readonly init: Tensor;
  /** The boosted ensemble's raw outputs, computed stage by stage (the model holds the same function, assembled). */
  ensemble(x: Tensor): Tensor;
  /** Whether every hidden unit of the model is in use (further steps change nothing). */
  readonly complete: boolean;
}

const act = (a: TwoLayerActivation, h: Tensor): Tensor =>
  a === 'sigmoid' ? sigmoid(h) : a === 'tanh' ? tanh(h) : relu(h);

/** Rows (dim 0) [start, start + block.shape[0]) of `t` replaced by `block`, as a new tensor. */
function spliceRows(t: Tensor, start: number, block: Tensor): Tensor {
  const n = t.shape[0];
  const end = start + block.shape[0];
  const parts = [
    start > 0 ? narrow(t, 0, 0, start) : null,
    block,
    end < n ? narrow(t, 0, end, n - end) : null,
  ];
  return cat(
    parts.filter((p): p is Tensor => p !== null),
    0,
  );
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 1)
    throw new ArgumentError(`gbnn: ${name} must be a positive integer, got ${v}`);
  return x;
}

/**
 * Gradient-boosted neural network (Emami & Martínez-Muñoz, IEEE Access 2023): stage m fits a tiny MLP with J hidden
 * units to the pseudo-residuals (y − F for MSE; onehot(y) − softmax(F) for cross-entropy) on a random half of the
 * batch, scales it by the Newton step ρₘ (1 for regression; Σ f·r / Σ f²·p(1−p) for classification) and writes it
 * into the next J hidden units of the model, so that the model always is the assembled network F₀ + Σ ρₘ fₘ.
 * The model must be `Sequential([Flatten,] Linear(d, H), Sigmoid|Tanh|ReLU, Linear(H, outputs))`; it is reset to
 * F₀ at creation (output weights 0), and `H / unitsPerStage` steps use it up.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(64, 20), new gl.nn.Sigmoid(), new gl.nn.Linear(20, 10));
 * const learner = gl.rules.gbnn.create(model, { inputShape: [64], outputs: 10, kind: 'classification' });
 * for (let m = 0; m < 20; m++) await learner.step(x, y); // 20 stages of 1 unit
 */
export const gbnn: Omit<LearningRule<GbnnOptions>, 'create'> & {
  /** A GBNN learner for `model` (checked first; its weights are reset to F₀). */
  create(model: Module, task: TaskSpec, options?: GbnnOptions): GbnnLearner;
} = {
  name: 'gbnn',
  summary: 'gradient boosting of tiny MLPs on functional gradients, assembled into one wide network',
  source: '09',
  check(model: Module, task: TaskSpec): void {
    requireParameters('gbnn', model);
    twoLayerNet('gbnn', model, task, ['sigmoid', 'tanh', 'relu']);
  },
  create(model: Module, task: TaskSpec, options: GbnnOptions = {}): GbnnLearner {
    gbnn.check(model, task);
    const net: TwoLayerNet = twoLayerNet('gbnn', model, task, ['sigmoid', 'tanh', 'relu']);
    const J = positiveInt('unitsPerStage', options.unitsPerStage, 1);
    if (net.units % J !== 0)
      throw new RuleModelError(`gbnn: the hidden width ${net.units} is not a multiple of unitsPerStage ${J}`);
    const innerSteps = positiveInt('innerSteps', options.innerSteps, 200);
    const frac = options.subsample ?? 0.5;
    if (!(frac > 0 && frac <= 1))
      throw new ArgumentError(`gbnn: subsample must lie in (0, 1], got ${options.subsample}`);
    const eta = options.shrinkage ?? 1;
    if (!(Number.isFinite(eta) && eta > 0))
      throw new ArgumentError(`gbnn: shrinkage must be > 0, got ${options.shrinkage}`);
    const lr = options.lr ?? 0.01;
    if (!(Number.isFinite(lr) && lr > 0)) throw new ArgumentError(`gbnn: lr must be > 0, got ${options.lr}`);
    const gen = options.generator ?? new Generator(0);
    const params = [net.hidden.weight, net.hidden.bias!, net.output.weight, net.output.bias!];
    const dtype = net.hidden.weight.dtype;
    const d = net.inFeatures;
    const K = task.outputs;
    // the model starts as F₀ = 0: unused units have zero weights in and out
    noGrad(() => params.forEach((p) => copyInto(p, 0)));
    const init = keep(tensor(new Array<number>(K).fill(0), { dtype }));
    const stages: GbnnStage[] = [];
    const maxStages = net.units / J;
    const flat = (x: Tensor) => (x.ndim === 2 ? x : flatten(x, 1));
    const targetsOf = (y: Tensor) => (task.kind === 'classification' ? cast(oneHot(y, K), dtype) : y);

    /** Fits one tiny MLP to residuals r on rows `idx` of x by Adam; returns its weights (detached). */
    function fitStage(x: Tensor, r: Tensor, idx: Tensor) {
      const xs = indexSelect(x, 0, idx);
      const rs = indexSelect(r, 0, idx);
      const bound1 = 1 / Math.sqrt(d);
      const bound2 = 1 / Math.sqrt(J);
      const u = (shape: number[], b: number) =>
        new Parameter(sub(mul(rand(shape, { generator: gen, dtype }), 2 * b), b));
      const w1 = u([J, d], bound1);
      const b1 = u([J], bound1);
      const w2 = u([K, J], bound2);
      const b2 = u([K], bound2);
      const opt = new Adam([w1, b1, w2, b2], { lr });
      for (let i = 0; i < innerSteps; i++) {
        tidy(() => {
          opt.zeroGrad();
          const f = add(
            matmul(act(net.activation, add(matmul(xs, transpose(w1, 0, 1)), b1)), transpose(w2, 0, 1)),
            b2,
          );
          mseLoss(f, rs).backward();
          opt.step();
        });
      }
      return { w1: w1.detach(), b1: b1.detach(), w2: w2.detach(), b2: b2.detach() };
    }

    const stageOut = (s: Omit<GbnnStage, 'rho'>, x: Tensor) =>
      add(
        matmul(act(net.activation, add(matmul(x, transpose(s.w1, 0, 1)), s.b1)), transpose(s.w2, 0, 1)),
        s.b2,
      );

    const learner: GbnnLearner = {
      rule: 'gbnn',
      get stages() {
        return stages;
      },
      get init() {
        return init;
      },
      get complete() {
        return stages.length >= maxStages;
      },
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(params, async (fwd) => {
          const xf = flat(x);
          const F = noGrad(() => model.forward(x) as Tensor);
          fwd.add();
          const loss = noGrad(() => taskLoss(task, F, y));
          if (stages.length >= maxStages) return loss;
          const n = xf.shape[0];
          const t = targetsOf(y);
          if (stages.length === 0 && task.kind === 'regression') {
            // F₀ = mean target (GBNN's model0 for regression), on the first batch
            const m = noGrad(() => mean(t, 0));
            copyInto(init, m);
            noGrad(() => copyInto(net.output.bias!, m));
          }
          const F0 = noGrad(() => model.forward(x) as Tensor);
          const p = task.kind === 'classification' ? noGrad(() => softmax(F0, 1)) : null;
          const r = noGrad(() => sub(t, p ?? F0));
          // subsample without replacement: the first ⌈sub·n⌉ of a random permutation
          const perm = await permutation(rand([n], { generator: gen, dtype: 'float32' }));
          const idx = tensor(perm.slice(0, Math.max(1, Math.ceil(frac * n))), { dtype: 'int32' });
          const s = fitStage(xf, r, idx);
          fwd.add(innerSteps + 1);
          const rhoT = noGrad(() => {
            const f = stageOut(s, xf);
            if (p === null) return tensor(1, { dtype });
            const num = sum(mul(f, r));
            const den = sum(mul(mul(f, f), mul(p, sub(1, p))));
            return div(num, clamp(den, 1e-12));
          });
          const rho = eta * (await rhoT.itemAsync());
          const at = stages.length * J;
          noGrad(() => {
            copyInto(net.hidden.weight, spliceRows(net.hidden.weight, at, s.w1));
            copyInto(net.hidden.bias!, spliceRows(net.hidden.bias!, at, s.b1));
            const w2T = transpose(net.output.weight, 0, 1); // [H, K]
            copyInto(
              net.output.weight,
              transpose(spliceRows(w2T, at, transpose(mul(s.w2, rho), 0, 1)), 0, 1),
            );
            copyInto(net.output.bias!, add(net.output.bias!, mul(s.b2, rho)));
          });
          stages.push({ ...s, rho });
          return loss;
        });
        const loss = await value.itemAsync();
        return { loss, stats };
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      ensemble(x: Tensor): Tensor {
        return noGrad(() => {
          const xf = flat(x);
          let out: Tensor = add(zeros([xf.shape[0], K], { dtype }), init);
          for (const s of stages) out = add(out, mul(stageOut(s, xf), s.rho));
          return out;
        });
      },
      parameters: () => params,
      dispose(): void {
        for (const s of stages) [s.w1, s.b1, s.w2, s.b2].forEach((t) => t.dispose());
        stages.length = 0;
      },
    };
    return learner;
  },
};

/** The indices 0..n−1 sorted by the random keys (a uniform random permutation), read back from the device. */
async function permutation(keys: Tensor): Promise<number[]> {
  const k = await keys.data();
  return Array.from(k.keys()).sort((a, b) => k[a] - k[b] || a - b);
}
