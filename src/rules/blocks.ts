// Splits a Sequential of Linear layers and elementwise activations into blocks that layer-local rules train one by one.
import type { Tensor } from '../core/tensor.js';
import { Sequential } from '../nn/containers.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten, Identity, Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Softplus, Tanh } from '../nn/activation.js';
import { RuleModelError } from './errors.js';
import type { TaskSpec } from './types.js';

/** One Linear layer and the elementwise modules (activations, dropout) that follow it. */
export interface LinearBlock {
  /** The block's Linear layer. */
  linear: Linear;
  /** Activations and dropout after the Linear, in order (empty for a plain output layer). */
  post: Module[];
  /** The block's position in the Sequential (its Linear's index). */
  index: number;
}

/** A model as layer-local rules see it: flatten/identity modules first, then Linear blocks. */
export interface BlockModel {
  /** Modules before the first Linear (Flatten, Identity). */
  pre: Module[];
  /** The Linear blocks, in order. */
  blocks: LinearBlock[];
}

const ELEMENTWISE = [ReLU, Tanh, Sigmoid, GELU, SiLU, LeakyReLU, ELU, Softplus, Dropout, Identity] as const;

function isElementwise(m: Module): boolean {
  return ELEMENTWISE.some((C) => m instanceof C);
}

const named = (m: Module): string => m.constructor.name;

/**
 * The blocks of `model` for `rule`, or a RuleModelError naming what the rule needs and what it got:
 * a `gl.nn.Sequential` of Linear layers, each followed by elementwise activations or dropout, with
 * optional Flatten/Identity modules before the first Linear; consecutive Linear sizes must chain and
 * the first must take the task's flattened input size.
 * @example
 * const task: gl.rules.TaskSpec = { inputShape: [784], outputs: 10, kind: 'classification' };
 * const mlp = new gl.nn.Sequential(new gl.nn.Linear(784, 64), new gl.nn.ReLU(), new gl.nn.Linear(64, 10));
 * const blocks = gl.rules.splitBlocks('ff', mlp, task); // one block per Linear and its activation
 */
export function splitBlocks(rule: string, model: Module, task: TaskSpec): BlockModel {
  const need = `${rule} needs a gl.nn.Sequential of Linear layers, each followed by elementwise activations (ReLU, Tanh, ...)`;
  if (!(model instanceof Sequential)) throw new RuleModelError(`${need}; got a ${named(model)}`);
  const pre: Module[] = [];
  const blocks: LinearBlock[] = [];
  let i = 0;
  for (const m of model) {
    if (m instanceof Linear) blocks.push({ linear: m, post: [], index: i });
    else if (blocks.length === 0 && (m instanceof Flatten || m instanceof Identity)) pre.push(m);
    else if (blocks.length > 0 && isElementwise(m)) blocks[blocks.length - 1].post.push(m);
    else throw new RuleModelError(`${need}; module ${i} is a ${named(m)}`);
    i++;
  }
  if (blocks.length === 0) throw new RuleModelError(`${need}; the model has no Linear layer`);
  const inputs = task.inputShape.reduce((a, b) => a * b, 1);
  if (blocks[0].linear.inFeatures !== inputs)
    throw new RuleModelError(
      `${rule}: the first Linear takes ${blocks[0].linear.inFeatures} features but the task's inputs have ${inputs}`,
    );
  for (let k = 1; k < blocks.length; k++)
    if (blocks[k].linear.inFeatures !== blocks[k - 1].linear.outFeatures)
      throw new RuleModelError(
        `${rule}: Linear ${blocks[k].index} takes ${blocks[k].linear.inFeatures} features but the layer before gives ${blocks[k - 1].linear.outFeatures}`,
      );
  return { pre, blocks };
}

/** Runs the modules before the first Linear, then flattens to [N, features]. */
export function runPre(bm: BlockModel, x: Tensor): Tensor {
  let h = x;
  for (const m of bm.pre) h = m.forward(h) as Tensor;
  return h.ndim === 2 ? h : h.reshape([h.shape[0], -1]);
}

/** One block's forward: its Linear, then its activations. */
export function runBlock(b: LinearBlock, x: Tensor): Tensor {
  let h = b.linear.forward(x);
  for (const m of b.post) h = m.forward(h) as Tensor;
  return h;
}
