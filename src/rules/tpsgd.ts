// tpSGD: each hidden layer fits a fixed random projection of the label with a local loss; the output layer its own task loss.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { Tensor, tidy } from '../core/tensor.js';
import { rand } from '../ops/creation.js';
import { mul, sub } from '../ops/elementwise.js';
import { l1Loss, mseLoss } from '../ops/losses.js';
import { oneHot } from '../ops/shape.js';
import { matmul } from '../ops/matmul.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { BaseHyper } from '../optim/types.js';
import { requireParameters, taskLoss } from './bp.js';
import { RuleModelError } from './errors.js';
import { type Block, layerName, runLayers, splitBlocks } from './local-blocks.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/** tpSGD's options. */
export interface TpSGDOptions extends CommonRuleOptions {
  /** Local loss of a hidden layer against its target: `'mse'` (default) or `'l1'`. */
  loss?: 'mse' | 'l1';
  /**
   * `'simultaneous'` (default): every layer on every batch; `'greedy'`: layer 1 for `stepsPerLayer` steps, then layer 2,
   * …, the output layer last and from then on; `'shallow'`: the hidden layers stay at their initialisation and only
   * the output layer trains (the baseline).
   */
  schedule?: 'simultaneous' | 'greedy' | 'shallow';
  /** Steps each layer trains in the greedy schedule (required there). */
  stepsPerLayer?: number;
}

/** A hidden block split around its Linear: what runs before it, the Linear, and what runs after it (the activation). */
interface TpBlock {
  block: Block;
  linear: Linear;
  post: Module[];
}

function tpBlocks(model: Module, task: TaskSpec): TpBlock[] {
  const blocks = splitBlocks('tpsgd', model, task);
  return blocks.map((b, i) => {
    const withParams = b.layers.filter((m) => m.parameters().length > 0);
    const lin = withParams[0];
    if (withParams.length !== 1 || !(lin instanceof Linear))
      throw new RuleModelError(
        `tpsgd: trains MLPs (Linear layers and parameter-free layers), the model has a ${layerName(lin)}`,
      );
    const at = b.layers.indexOf(lin);
    if (b.outShape.length !== 1)
      throw new RuleModelError(
        `tpsgd: needs flat layer outputs, block ${i} gives [N, ${b.outShape.join(', ')}]`,
      );
    const post = b.layers.slice(at + 1);
    if (i === blocks.length - 1 && post.length > 0)
      throw new RuleModelError(
        `tpsgd: the output Linear must give the logits, it is followed by ${layerName(post[0])}`,
      );
    return { block: b, linear: lin, post };
  });
}

/**
 * The fixed projection of hidden layer i: B_i ∈ R^{C×n_i}, uniform in ±√(6/C) (Kaiming-uniform with fan-in C, as
 * DRTP's feedback), drawn from `generator` in layer order; regenerable from its seed.
 * @example const [p1] = gl.rules.tpsgdProjections([64], 10, new gl.Generator(0)); // [10, 64], fixed for the whole run
 */
export function tpsgdProjections(widths: readonly number[], classes: number, generator: Generator): Tensor[] {
  const bound = Math.sqrt(6 / classes);
  return widths.map((n) => noGrad(() => mul(sub(mul(rand([classes, n], { generator }), 2), 1), bound)));
}

/**
 * tpSGD (Lomnitz et al., "Learning with Local Gradients at the Edge", 2022): hidden layer i fits the target
 * t_i = σ_i(y* B_i) — y* the one-hot label (the target vector for regression), B_i a fixed random projection
 * (`tpsgdProjections`), σ_i the layer's own activation — with a local loss on its own weights, its input detached;
 * the output Linear trains on the task loss with its input detached. One backward per layer, one optimizer per
 * layer; schedules `simultaneous`, `greedy` and `shallow` (baseline). Adam lr 1e-3 by default.
 * @example
 * const learner = gl.rules.tpsgd.create(model, task, { schedule: 'greedy', stepsPerLayer: 100 });
 * await learner.step(x, y);
 */
export const tpsgd: LearningRule<TpSGDOptions> = {
  name: 'tpsgd',
  summary: 'target projection: each hidden layer fits a fixed random projection of the label (local loss)',
  source: 'paper 10 (tpSGD, Lomnitz et al. 2022)',
  check(model: Module, task: TaskSpec): void {
    requireParameters('tpsgd', model);
    tpBlocks(model, task);
  },
  create(model: Module, task: TaskSpec, options: TpSGDOptions = {}): Learner {
    requireParameters('tpsgd', model);
    const blocks = tpBlocks(model, task);
    const schedule = options.schedule ?? 'simultaneous';
    const lossKind = options.loss ?? 'mse';
    if (!['simultaneous', 'greedy', 'shallow'].includes(schedule))
      throw new ArgumentError(
        `tpsgd: schedule must be 'simultaneous', 'greedy' or 'shallow', got '${schedule}'`,
      );
    if (lossKind !== 'mse' && lossKind !== 'l1')
      throw new ArgumentError(`tpsgd: loss must be 'mse' or 'l1', got '${String(lossKind)}'`);
    const perLayer = options.stepsPerLayer ?? 0;
    if (schedule === 'greedy' && !(Number.isInteger(perLayer) && perLayer > 0))
      throw new ArgumentError(
        `tpsgd: the greedy schedule needs stepsPerLayer, an integer > 0, got ${options.stepsPerLayer}`,
      );
    const gen = options.generator ?? new Generator(0);
    const last = blocks.length - 1;
    const proj = tpsgdProjections(
      blocks.slice(0, last).map((b) => b.linear.outFeatures),
      task.outputs,
      gen,
    );
    const layerParams = blocks.map((b) =>
      b.block.layers.flatMap((m) => m.parameters()).filter((p) => p.requiresGrad),
    );
    const params = layerParams.flat();
    const optimizers: Optimizer<BaseHyper>[] = layerParams.map((p) => ruleOptimizer(p, options, 1e-3));
    let steps = 0;
    const active = (i: number): boolean => {
      if (schedule === 'simultaneous') return true;
      if (schedule === 'shallow') return i === last;
      return i === Math.min(last, Math.floor(steps / perLayer));
    };
    const localLoss = (h: Tensor, t: Tensor): Tensor => (lossKind === 'mse' ? mseLoss(h, t) : l1Loss(h, t));
    return {
      rule: 'tpsgd',
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(params, (fwd) => {
          releaseGrads(params);
          model.train();
          return tidy(() => {
            fwd.add();
            const target =
              task.kind === 'classification'
                ? oneHot(y.to('int32'), task.outputs).to(x.dtype)
                : y.to(x.dtype);
            let h = x;
            const losses: Tensor[] = [];
            const upTo = Math.max(...blocks.map((_, i) => (active(i) ? i : -1)));
            for (let i = 0; i <= upTo; i++) {
              const b = blocks[i];
              // a layer that does not train now only feeds the next: nothing recorded
              if (!active(i)) {
                h = noGrad(() => runLayers(b.block.layers, h));
                continue;
              }
              const out = runLayers(b.block.layers, h);
              const loss =
                i === last
                  ? taskLoss(task, out, y)
                  : localLoss(out, runLayers(b.post, matmul(target, proj[i])).detach());
              loss.backward();
              optimizers[i].step();
              losses.push(loss.detach());
              h = out.detach();
            }
            steps++;
            return losses.reduce((a, b) => a.add(b));
          });
        });
        const loss = await value.itemAsync();
        value.dispose();
        return { loss, stats };
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      parameters: () => params,
      dispose(): void {
        releaseGrads(params);
        proj.forEach((p) => p.dispose());
      },
    };
  },
};
