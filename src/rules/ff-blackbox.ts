// PhyFF ('ff-blackbox'): model-free forward-forward; each digital Linear trains on a cosine goodness of its own output.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { Tensor, tidy } from '../core/tensor.js';
import { randn } from '../ops/creation.js';
import { abs, add, div, mul, neg, softplus, sub } from '../ops/elementwise.js';
import { amax, mean, norm, sum } from '../ops/reduce.js';
import { cat, oneHot, stack } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import { Sequential } from '../nn/containers.js';
import { wrongLabels } from './ff-parts.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { BaseHyper } from '../optim/types.js';
import { RuleModelError } from './errors.js';
import { layerName, probeShape, runLayers } from './local-blocks.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/** PhyFF's options. */
export interface PhyFFOptions extends CommonRuleOptions {
  /** Margin scale θ of the loss softplus(−θ(g⁺ − g⁻)) (default 5, the optics code). */
  theta?: number;
  /** Optimizer steps per layer and batch on that layer's loss (default 5). */
  innerSteps?: number;
}

/** One PhyFF layer: parameter-free (black-box) layers, then the trainable Linear whose output is scored. */
interface PhyBlock {
  pre: Module[];
  linear: Linear;
}

/** Splits a Sequential into blocks each ending in a Linear (the only layer kind with parameters PhyFF trains). */
function phyBlocks(model: Module, task: TaskSpec): PhyBlock[] {
  const rule = 'ff-blackbox';
  if (task.kind !== 'classification')
    throw new RuleModelError(
      `${rule}: scores every label, so it needs a classification task, got ${task.kind}`,
    );
  if (task.inputShape.length !== 1)
    throw new RuleModelError(
      `${rule}: needs flat inputs [N, D] (the labels are prepended as C extra features), got [N, ${task.inputShape.join(', ')}]`,
    );
  if (!(model instanceof Sequential))
    throw new RuleModelError(
      `${rule}: needs a gl.nn.Sequential of black boxes and Linear layers, got ${layerName(model)}`,
    );
  const blocks: PhyBlock[] = [];
  let pre: Module[] = [];
  for (const m of model) {
    if (m instanceof Linear) {
      blocks.push({ pre, linear: m });
      pre = [];
    } else if (m.parameters().length > 0)
      throw new RuleModelError(
        `${rule}: trains Linear layers only (between forward-only layers), the model has a ${layerName(m)} with parameters`,
      );
    else pre.push(m);
  }
  if (blocks.length === 0) throw new RuleModelError(`${rule}: the model has no Linear layer to train`);
  if (pre.length > 0)
    throw new RuleModelError(
      `${rule}: the model must end with a Linear (its output is scored), it ends with ${layerName(pre[pre.length - 1])}`,
    );
  probeShape(rule, [model], [task.inputShape[0] + task.outputs]);
  return blocks;
}

/**
 * cos(|h|, v) per row for a unit vector v: the PhyFF goodness.
 * @example
 * const v = gl.tensor([0.6, 0.8]); // a unit vector
 * gl.rules.cosineGoodness(gl.tensor([[3, 4], [-4, 3]]), v); // [1, 0.96]: cos(|h|, v) per row
 */
export function cosineGoodness(h: Tensor, v: Tensor): Tensor {
  const a = abs(h);
  return div(sum(mul(a, v), -1), add(norm(a, 2, -1), 1e-8));
}

/**
 * Prepends the label as C features (one-hot scaled by each example's largest input, as the PhyFF DNN code's
 * overlay): [N, D] → [N, C + D].
 * @example gl.rules.prependLabels(gl.tensor([[0.5, 2]]), gl.tensor([1], { dtype: 'int32' }), 3); // [[0, 2, 0, 0.5, 2]]
 */
export function prependLabels(x: Tensor, labels: Tensor, classes: number): Tensor {
  return noGrad(() => {
    const scale = amax(x, -1, true);
    return cat([mul(oneHot(labels, classes).to(x.dtype), scale), x], 1);
  });
}

/**
 * Model-free forward-forward for physical neural networks (PhyFF, Momeni et al., Science 2023): the model is a
 * Sequential of forward-only layers (`gl.rules.blackBox`) each followed by a trainable Linear. The input gets the
 * label prepended (`prependLabels`); per batch and layer, the Linear takes `innerSteps` optimizer steps on
 * softplus(−θ(g⁺ − g⁻)) with g = cos(|h|, v) for a fixed random unit vector v per layer (drawn from
 * `options.generator` in layer order at create), negatives carrying a uniformly drawn wrong label; the next layer
 * gets the detached outputs. No backward walk ever reaches a black box. `predict` scores every label by
 * Σ_k cos(|h_k|, v_k). Adam lr 1e-3 by default, one optimizer per layer.
 * @example
 * const phys = gl.rules.blackBox((x) => gl.tanh(x));
 * const model = new gl.nn.Sequential(phys, new gl.nn.Linear(74, 64)); // 64 inputs + 10 label features
 * const learner = gl.rules.ffBlackbox.create(model, { inputShape: [64], outputs: 10, kind: 'classification' });
 */
export const ffBlackbox: LearningRule<PhyFFOptions> = {
  name: 'ff-blackbox',
  summary: 'model-free forward-forward through forward-only (physical) layers, cosine goodness (PhyFF)',
  source: 'paper 18 (PhyFF, Momeni et al., Science 2023)',
  check(model: Module, task: TaskSpec): void {
    phyBlocks(model, task);
  },
  create(model: Module, task: TaskSpec, options: PhyFFOptions = {}): Learner {
    const blocks = phyBlocks(model, task);
    const theta = options.theta ?? 5;
    const inner = options.innerSteps ?? 5;
    if (!(theta > 0)) throw new ArgumentError(`ff-blackbox: theta must be > 0, got ${options.theta}`);
    if (!Number.isInteger(inner) || inner < 1)
      throw new ArgumentError(`ff-blackbox: innerSteps must be an integer >= 1, got ${options.innerSteps}`);
    const gen = options.generator ?? new Generator(0);
    const C = task.outputs;
    const vectors = blocks.map((b) =>
      noGrad(() => {
        const v = randn([b.linear.outFeatures], { generator: gen });
        return div(v, norm(v));
      }),
    );
    const layerParams = blocks.map((b) => b.linear.parameters());
    const params = layerParams.flat();
    const optimizers: Optimizer<BaseHyper>[] = layerParams.map((p) => ruleOptimizer(p, options, 1e-3));
    const forwardAll = (x: Tensor, labels: Tensor): Tensor[] =>
      noGrad(() => {
        let h = prependLabels(x, labels, C);
        return blocks.map((b) => (h = b.linear.forward(runLayers(b.pre, h))));
      });
    return {
      rule: 'ff-blackbox',
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(params, (fwd) => {
          model.train();
          return tidy(() => {
            fwd.add(2);
            let hp = prependLabels(x, y, C);
            let hn = prependLabels(x, wrongLabels(y, C, gen), C);
            const losses: Tensor[] = [];
            blocks.forEach((b, k) => {
              const pp = noGrad(() => runLayers(b.pre, hp));
              const pn = noGrad(() => runLayers(b.pre, hn));
              for (let s = 0; s < inner; s++) {
                const l = tidy(() => {
                  releaseGrads(layerParams[k]);
                  const gp = cosineGoodness(b.linear.forward(pp), vectors[k]);
                  const gn = cosineGoodness(b.linear.forward(pn), vectors[k]);
                  const loss = mean(softplus(neg(mul(sub(gp, gn), theta))));
                  loss.backward();
                  optimizers[k].step();
                  return loss.detach();
                });
                if (s === inner - 1) losses.push(l);
                else l.dispose();
              }
              releaseGrads(layerParams[k]);
              hp = noGrad(() => b.linear.forward(pp));
              hn = noGrad(() => b.linear.forward(pn));
            });
            return div(
              losses.reduce((a, b) => add(a, b)),
              blocks.length,
            );
          });
        });
        const loss = await value.itemAsync();
        value.dispose();
        return { loss, stats };
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() =>
          tidy(() => {
            const n = x.shape[0];
            const scores = Array.from({ length: C }, (_, c) => {
              const labels = tensor(new Int32Array(n).fill(c));
              const hs = forwardAll(x, labels);
              return hs.map((h, k) => cosineGoodness(h, vectors[k])).reduce((a, b) => add(a, b));
            });
            return stack(scores, 1);
          }),
        );
      },
      parameters: () => params,
      dispose(): void {
        releaseGrads(params);
        vectors.forEach((v) => v.dispose());
      },
    };
  },
};
