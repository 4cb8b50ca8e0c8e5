// Supervised local learning (AugLocal, DGL): each block trains through its own auxiliary net, blocks isolated by detach.
import { noGrad } from '../core/state.js';
import { Tensor, tidy } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { Sequential } from '../nn/containers.js';
import { taskLoss } from './bp.js';
import { type Block, runLayers } from './local-blocks.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { CommonRuleOptions, Learner, TaskSpec } from './types.js';

/**
 * A learner training `blocks[i]` (i < last) through `aux[i]` on the task loss, then the last block on the task
 * loss: one backward per block right after its forward (which frees that block's graph), the block output
 * detached before the next block, and one optimizer step over all parameters per batch (as AugLocal's code).
 */
export function localLearner(
  rule: string,
  model: Module,
  task: TaskSpec,
  blocks: Block[],
  aux: Sequential[],
  options: CommonRuleOptions,
): Learner {
  const modelParams = model.parameters().filter((p) => p.requiresGrad);
  const auxParams = aux.flatMap((a) => a.parameters());
  const params: Parameter[] = [...modelParams, ...auxParams];
  const optimizer = ruleOptimizer(params, options, 1e-3);
  const last = blocks.length - 1;
  return {
    rule,
    async step(x: Tensor, y: Tensor) {
      const { value, stats } = await measureStep(params, (fwd) => {
        releaseGrads(params);
        model.train();
        aux.forEach((a) => a.train());
        return tidy(() => {
          fwd.add();
          let h = x;
          let total = 0 as number | Tensor;
          for (let i = 0; i < last; i++) {
            h = runLayers(blocks[i].layers, h);
            const loss = taskLoss(task, aux[i].forward(h) as Tensor, y);
            loss.backward();
            total = typeof total === 'number' ? loss.detach() : total.add(loss.detach());
            h = h.detach();
          }
          const loss = taskLoss(task, runLayers(blocks[last].layers, h), y);
          loss.backward();
          optimizer.step();
          return typeof total === 'number' ? loss.detach() : total.add(loss.detach());
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
      for (const p of auxParams) p.dispose();
    },
  };
}
