// DGL (decoupled greedy learning): each local block trains through a small fixed auxiliary classifier, blocks isolated.
import { Sequential } from '../nn/containers.js';
import { Flatten, Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { AdaptiveAvgPool2d } from '../nn/pooling.js';
import { requireParameters } from './bp.js';
import { type Block, splitBlocks } from './local-blocks.js';
import { localLearner } from './local-learning.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/**
 * DGL's auxiliary net for a block output of shape `shape` (no batch dim): a Linear to the outputs for features
 * [N, F]; AdaptiveAvgPool2d(2) → Flatten → Linear for images [N, C, H, W] (any other rank: Flatten → Linear).
 * @example gl.rules.dglAux([16, 8, 8], 10).forward(gl.randn([2, 16, 8, 8])).shape; // [2, 10]
 */
export function dglAux(shape: readonly number[], outputs: number): Sequential {
  if (shape.length === 1) return new Sequential(new Linear(shape[0], outputs));
  if (shape.length === 3)
    return new Sequential(new AdaptiveAvgPool2d(2), new Flatten(), new Linear(shape[0] * 4, outputs));
  return new Sequential(
    new Flatten(),
    new Linear(
      shape.reduce((a, b) => a * b, 1),
      outputs,
    ),
  );
}

/**
 * Decoupled greedy learning (Belilovsky et al. 2020), the baseline of AugLocal: every block but the last trains
 * on the task loss through its own small fixed auxiliary head (see `dglAux`), its output detached before the next
 * block; the last block trains on the task loss. Adam lr 1e-3 by default.
 * @example
 * const learner = gl.rules.dgl.create(model, task);
 * await learner.step(x, y);
 */
export const dgl: LearningRule<CommonRuleOptions> = {
  name: 'dgl',
  summary: 'local learning with a small fixed auxiliary head per block (decoupled greedy learning)',
  source: 'Belilovsky, Eickenberg & Oyallon, ICML 2020 (baseline of paper 21)',
  check(model: Module, task: TaskSpec): void {
    requireParameters('dgl', model);
    splitBlocks('dgl', model, task);
  },
  create(model: Module, task: TaskSpec, options: CommonRuleOptions = {}): Learner {
    requireParameters('dgl', model);
    const blocks: Block[] = splitBlocks('dgl', model, task);
    const aux = blocks.slice(0, -1).map((b) => dglAux(b.outShape, task.outputs));
    return localLearner('dgl', model, task, blocks, aux, options);
  },
};
