// Recognises the one-hidden-layer networks GBNN and convex-ADMM train: Sequential([Flatten,] Linear, activation, Linear).
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/containers.js';
import { Flatten, Linear } from '../nn/linear.js';
import { ReLU, Sigmoid, Tanh } from '../nn/activation.js';
import type { TaskSpec } from './types.js';
import { RuleModelError } from './errors.js';

/** The activations a two-layer rule may find between its Linear layers. */
export type TwoLayerActivation = 'sigmoid' | 'tanh' | 'relu';

/** The parts of a one-hidden-layer network. */
export interface TwoLayerNet {
  hidden: Linear;
  activation: TwoLayerActivation;
  output: Linear;
  /** Input features (product of the task's input shape). */
  inFeatures: number;
  /** Hidden units. */
  units: number;
}

const ACTIVATIONS: readonly [new () => Module, TwoLayerActivation][] = [
  [Sigmoid, 'sigmoid'],
  [Tanh, 'tanh'],
  [ReLU, 'relu'],
];

/**
 * The hidden and output Linear layers of `model`, which must be `Sequential([Flatten,] Linear(d, H), act, Linear(H, outputs))`
 * with `act` one of `allowed`; otherwise a RuleModelError saying what was expected and what the model is.
 */
export function twoLayerNet(
  rule: string,
  model: Module,
  task: TaskSpec,
  allowed: readonly TwoLayerActivation[],
): TwoLayerNet {
  const need = `Sequential([Flatten,] Linear(d, H), ${allowed.map((a) => ACTIVATIONS.find(([, n]) => n === a)![0].name).join('|')}, Linear(H, ${task.outputs}))`;
  const fail = (what: string): never => {
    throw new RuleModelError(`${rule}: needs a one-hidden-layer network ${need}; ${what}`);
  };
  if (!(model instanceof Sequential)) return fail(`got ${model?.constructor?.name ?? typeof model}`);
  const mods = [...model];
  const start = mods[0] instanceof Flatten ? 1 : 0;
  const names = mods.map((m) => m.constructor.name).join(', ');
  if (mods.length - start !== 3) return fail(`got Sequential(${names})`);
  const [hidden, act, output] = mods.slice(start);
  const a = ACTIVATIONS.find(([cls]) => act instanceof cls)?.[1];
  if (!(hidden instanceof Linear) || !(output instanceof Linear) || a === undefined || !allowed.includes(a))
    return fail(`got Sequential(${names})`);
  if (!hidden.bias || !output.bias) return fail('both Linear layers need a bias');
  const inFeatures = task.inputShape.reduce((p, s) => p * s, 1);
  if (start === 0 && task.inputShape.length !== 1)
    fail(`the input shape [${task.inputShape.join(', ')}] needs a Flatten first`);
  if (hidden.inFeatures !== inFeatures)
    fail(`its first Linear takes ${hidden.inFeatures} features, the task's inputs have ${inFeatures}`);
  if (output.inFeatures !== hidden.outFeatures) fail('the two Linear layers do not chain');
  if (output.outFeatures !== task.outputs)
    fail(`its last Linear has ${output.outFeatures} outputs, the task has ${task.outputs}`);
  return { hidden, activation: a, output, inFeatures, units: hidden.outFeatures };
}
