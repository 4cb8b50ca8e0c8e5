// Forward-Forward (Hinton 2022): each Linear layer trained alone on goodness of positive vs negative (wrong-label) data.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { crossEntropy } from '../ops/losses.js';
import { add, div, softplus, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { cat, narrow, stack } from '../ops/shape.js';
import { full } from '../ops/creation.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { BaseHyper } from '../optim/types.js';
import { requireParameters } from './bp.js';
import { runBlock, runPre, splitBlocks, type BlockModel, type LinearBlock } from './blocks.js';
import { RuleModelError } from './errors.js';
import {
  ffLayerLoss,
  goodness,
  normalizeRows,
  overlayLabels,
  permutedLabels,
  positive,
  wrongLabels,
  type FFNorm,
  type Goodness,
} from './ff-parts.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/** FF's two prediction modes: goodness summed over layers for every label, or a linear head on the neutral-label activities. */
export type FFPredict = 'goodness' | 'head';

/** Options of `gl.rules.ff`. */
export interface FFOptions extends CommonRuleOptions {
  /** Goodness of a layer: `'meansq'` (mean of squares, default) or `'sumsq'` (sum of squares). */
  goodness?: Goodness;
  /** Threshold θ in p(positive) = σ(goodness − θ); default 2 for `'meansq'`, the layer width for `'sumsq'`. */
  theta?: number;
  /** Negative data: `'wrong'` (a strictly wrong label, default) or `'permuted'` (labels shuffled across the batch: the pitfall where ~1/C of negatives are positives). */
  negatives?: 'wrong' | 'permuted';
  /** Normalisation of each layer's input after the first (default `'rms'`). */
  normalize?: FFNorm;
  /** Also normalise the first layer's input (after the label overlay), as the loeweX and mpezeshki code do (default true). */
  normalizeInput?: boolean;
  /** How `predict` scores: `'goodness'` (default) or `'head'`. */
  predict?: FFPredict;
  /** Layers whose goodness `predict` sums in goodness mode: `'all'` (default) or `'last'`. */
  goodnessLayers?: 'all' | 'last';
  /** Value of the overlaid one-hot label (default 1; the neutral label is value / classes in every slot). */
  overlayValue?: number;
  /** Learning rate of the linear head (default: `lr`). */
  headLr?: number;
  /**
   * `'joint'` (default): positives and negatives go through a layer as one batch, one backward walk per
   * layer. `'separate'`: the positive and the negative pass each get their own walk (gradients add up to
   * the same update), so a layer's graph holds half as many examples — half the peak saved bytes, two
   * walks per layer.
   */
  passes?: 'joint' | 'separate';
}

/** An FF learner: scores under either prediction mode, whatever `predict` was chosen. */
export interface FFLearner extends Learner {
  /** [N, classes] scores: per-label goodness (summed over `layers`) or the head's logits. */
  scores(x: Tensor, mode: FFPredict, layers?: 'all' | 'last'): Tensor;
  /** Number of locally trained FF layers (the head not counted). */
  readonly layers: number;
}

interface FFPlan {
  bm: BlockModel;
  layers: LinearBlock[];
  /** The model's own final Linear used as the head, or null (the rule makes one). */
  head: Linear | null;
}

function plan(model: Module, task: TaskSpec): FFPlan {
  if (task.kind !== 'classification')
    throw new RuleModelError('ff: needs a classification task (the label is overlaid on the input)');
  requireParameters('ff', model);
  const bm = splitBlocks('ff', model, task);
  const last = bm.blocks[bm.blocks.length - 1];
  const ownHead = bm.blocks.length >= 2 && last.post.length === 0 && last.linear.outFeatures === task.outputs;
  const layers = ownHead ? bm.blocks.slice(0, -1) : bm.blocks;
  const inputs = bm.blocks[0].linear.inFeatures;
  if (inputs <= task.outputs)
    throw new RuleModelError(
      `ff: the label is overlaid on the first ${task.outputs} inputs, so the model needs more than ${task.outputs} inputs; it has ${inputs}`,
    );
  return { bm, layers, head: ownHead ? last.linear : null };
}

/** The `ff` rule: its learners are FFLearners. */
export interface FFRule extends LearningRule<FFOptions> {
  create(model: Module, task: TaskSpec, options?: FFOptions): FFLearner;
}

/**
 * Forward-Forward: every Linear layer (with its activation) is its own block trained on a local
 * goodness loss — high for the input with its true label overlaid on the first `classes` inputs, low
 * for a strictly wrong label. Each layer's input is the previous layer's detached, length-normalised
 * activity (the first layer's is the overlaid input, normalised too unless `normalizeInput: false`); each layer has its own optimizer (Adam lr 1e-3 by default). A final Linear mapping to the
 * classes with no activation after it serves as the linear head (trained on the last layer's
 * normalised activity with the neutral label); otherwise the rule adds its own head.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(64, 100), new gl.nn.ReLU(), new gl.nn.Linear(100, 100), new gl.nn.ReLU());
 * const learner = gl.rules.ff.create(model, { inputShape: [64], outputs: 10, kind: 'classification' }, { theta: 2 });
 * await learner.step(x, y); // stats.backwardCalls === 3 (two layers + the head)
 */
export const ff: FFRule = {
  name: 'ff',
  summary: 'forward-forward: per-layer goodness of true vs wrong label overlays, no error crosses layers',
  source: 'Hinton 2022, The Forward-Forward Algorithm (arXiv 2212.13345)',
  check(model: Module, task: TaskSpec): void {
    plan(model, task);
  },
  create(model: Module, task: TaskSpec, options: FFOptions = {}): FFLearner {
    const { bm, layers, head: modelHead } = plan(model, task);
    const C = task.outputs;
    const kind: Goodness = options.goodness ?? 'meansq';
    if (kind !== 'meansq' && kind !== 'sumsq')
      throw new ArgumentError(`ff: goodness must be 'meansq' or 'sumsq', got '${String(kind)}'`);
    const norm: FFNorm = options.normalize ?? 'rms';
    if (norm !== 'rms' && norm !== 'l2')
      throw new ArgumentError(`ff: normalize must be 'rms' or 'l2', got '${String(norm)}'`);
    const negatives = options.negatives ?? 'wrong';
    if (negatives !== 'wrong' && negatives !== 'permuted')
      throw new ArgumentError(`ff: negatives must be 'wrong' or 'permuted', got '${String(negatives)}'`);
    const normInput = options.normalizeInput ?? true;
    const passes = options.passes ?? 'joint';
    if (passes !== 'joint' && passes !== 'separate')
      throw new ArgumentError(`ff: passes must be 'joint' or 'separate', got '${String(passes)}'`);
    const mode: FFPredict = options.predict ?? 'goodness';
    if (mode !== 'goodness' && mode !== 'head')
      throw new ArgumentError(`ff: predict must be 'goodness' or 'head', got '${String(mode)}'`);
    const scoreLayers = options.goodnessLayers ?? 'all';
    const overlay = positive('ff', 'overlayValue', options.overlayValue ?? 1);
    const thetas = layers.map((b) =>
      positive('ff', 'theta', options.theta ?? (kind === 'meansq' ? 2 : b.linear.outFeatures)),
    );
    const gen = options.generator ?? new Generator(0);
    const lastWidth = layers[layers.length - 1].linear.outFeatures;
    const head = modelHead ?? new Linear(lastWidth, C, { dtype: layers[0].linear.weight.dtype });
    const layerParams = layers.map((b) => b.linear.parameters().filter((p) => p.requiresGrad));
    const headParams = head.parameters().filter((p) => p.requiresGrad);
    const optimizers: Optimizer<BaseHyper>[] = layerParams.map((ps) => ruleOptimizer(ps, options, 1e-3));
    const headOpt =
      headParams.length > 0
        ? ruleOptimizer(headParams, { ...options, lr: options.headLr ?? options.lr }, 1e-3)
        : null;
    const all: Parameter[] = [...layerParams.flat(), ...headParams];

    /** Activities of every FF layer for already-overlaid inputs (no graph). */
    const activities = (inp: Tensor): Tensor[] => {
      const out: Tensor[] = [];
      let h = inp;
      layers.forEach((b, k) => {
        const z = runBlock(b, k === 0 && !normInput ? h : normalizeRows(h, norm));
        out.push(z);
        h = z;
      });
      return out;
    };

    const scores = (x: Tensor, m: FFPredict, which: 'all' | 'last' = scoreLayers): Tensor => {
      model.eval();
      head.eval();
      return noGrad(() =>
        tidy(() => {
          const flat = runPre(bm, x);
          if (m === 'head') {
            const zs = activities(overlayLabels(flat, null, C, overlay));
            return head.forward(normalizeRows(zs[zs.length - 1], norm));
          }
          const n = flat.shape[0];
          const perLabel: Tensor[] = [];
          for (let c = 0; c < C; c++) {
            const lab = full([n], c, { dtype: 'int32' });
            const zs = activities(overlayLabels(flat, lab, C, overlay));
            const used = which === 'last' ? zs.slice(-1) : zs;
            perLabel.push(used.map((z) => goodness(z, kind)).reduce((a, b) => add(a, b)));
          }
          return stack(perLabel, 1);
        }),
      );
    };

    const learner: FFLearner = {
      rule: 'ff',
      layers: layers.length,
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(all, (fwd) => {
          releaseGrads(all);
          model.train();
          head.train();
          return tidy(() => {
            const flat = runPre(bm, x);
            const yNeg = negatives === 'wrong' ? wrongLabels(y, C, gen) : permutedLabels(y, gen);
            let inp = cat(
              [overlayLabels(flat, y, C, overlay), overlayLabels(flat, yNeg, C, overlay)],
              0,
            ).detach();
            fwd.add(2);
            const losses: Tensor[] = [];
            layers.forEach((b, k) => {
              const [l, next] = tidy(() => {
                const input = (t: Tensor) => (k === 0 && !normInput ? t : normalizeRows(t, norm));
                if (passes === 'joint') {
                  const z = runBlock(b, input(inp));
                  const loss = ffLayerLoss(goodness(z, kind), thetas[k]);
                  loss.backward();
                  optimizers[k].step();
                  return [loss.detach(), z.detach()];
                }
                // the positive pass, then the negative pass: each its own walk, the gradients accumulate
                const n = inp.shape[0] / 2;
                const parts = [narrow(inp, 0, 0, n), narrow(inp, 0, n, n)].map((part, i) =>
                  tidy(() => {
                    const z = runBlock(b, input(part));
                    const g = goodness(z, kind);
                    const margin = i === 0 ? sub(thetas[k], g) : sub(g, thetas[k]);
                    const l = div(sum(softplus(margin)), 2 * n);
                    l.backward();
                    return [l.detach(), z.detach()];
                  }),
                );
                optimizers[k].step();
                return [add(parts[0][0], parts[1][0]), cat([parts[0][1], parts[1][1]], 0)];
              });
              losses.push(l);
              inp = next;
            });
            // the head: neutral label, the last layer's normalised activity (after this step's updates), cross-entropy
            fwd.add();
            if (headOpt) {
              tidy(() => {
                const zs = noGrad(() => activities(overlayLabels(flat, null, C, overlay)));
                const h = normalizeRows(zs[zs.length - 1], norm).detach();
                crossEntropy(head.forward(h), y).backward();
                headOpt.step();
              });
            }
            return losses.reduce((a, b) => add(a, b));
          });
        });
        const loss = await value.itemAsync();
        value.dispose();
        return { loss, stats };
      },
      predict(x: Tensor): Tensor {
        return scores(x, mode);
      },
      scores,
      parameters: () => all,
      dispose(): void {
        releaseGrads(all);
      },
    };
    return learner;
  },
};
