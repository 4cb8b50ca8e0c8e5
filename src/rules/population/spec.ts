// The policy a population rule evolves: a chain of Linear layers and elementwise activations, read from an nn model.
import { Linear } from '../../nn/linear.js';
import { ReLU, Sigmoid, Tanh } from '../../nn/activation.js';
import { Sequential } from '../../nn/containers.js';
import { Identity } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { RuleModelError } from '../errors.js';

/** An activation a population policy may use between (or after) its Linear layers. */
export type PolicyActivation = 'relu' | 'tanh' | 'sigmoid' | 'identity';

/** A feed-forward policy as plain data (it crosses to worker threads): layer sizes and the activation after each. */
export interface PolicySpec {
  /** Linear layers in order; the weight of layer l is [out, in] (PyTorch's layout), then its bias [out] when `bias`. */
  layers: {
    /** Input features. */
    in: number;
    /** Output features. */
    out: number;
    /** Whether the layer has a bias. */
    bias: boolean;
  }[];
  /** Activation after each layer (same length as `layers`). */
  activations: PolicyActivation[];
}

/**
 * Number of parameters of a spec (weights and biases, in `model.parameters()` order).
 * @example gl.rules.population.paramCount(gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2))); // 10
 */
export function paramCount(spec: PolicySpec): number {
  return spec.layers.reduce((a, l) => a + l.in * l.out + (l.bias ? l.out : 0), 0);
}

/**
 * Reads the spec of `model`: a `Linear`, or a `Sequential` of `Linear`, `ReLU`, `Tanh`, `Sigmoid` and
 * `Identity` layers (what the population rules can rebuild from a genome and run batched over genomes).
 * Throws RuleModelError naming the first layer that does not fit.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 16), new gl.nn.Tanh(), new gl.nn.Linear(16, 2));
 * gl.rules.population.policySpec('ga', model).layers.length; // 2
 */
export function policySpec(rule: string, model: Module): PolicySpec {
  const mods: Module[] = model instanceof Sequential ? model.children() : [model];
  const spec: PolicySpec = { layers: [], activations: [] };
  for (const m of mods) {
    if (m instanceof Linear) {
      const prev = spec.layers[spec.layers.length - 1];
      if (prev && prev.out !== m.inFeatures)
        throw new RuleModelError(
          `${rule}: Linear(${m.inFeatures}, ${m.outFeatures}) follows a layer of width ${prev.out}`,
        );
      spec.layers.push({ in: m.inFeatures, out: m.outFeatures, bias: m.bias !== null });
      spec.activations.push('identity');
      continue;
    }
    const act: PolicyActivation | null =
      m instanceof ReLU
        ? 'relu'
        : m instanceof Tanh
          ? 'tanh'
          : m instanceof Sigmoid
            ? 'sigmoid'
            : m instanceof Identity
              ? 'identity'
              : null;
    if (act === null)
      throw new RuleModelError(
        `${rule}: needs a Linear or a Sequential of Linear, ReLU, Tanh, Sigmoid layers; got a ${m.constructor.name}`,
      );
    if (spec.layers.length === 0)
      throw new RuleModelError(
        `${rule}: the model must start with a Linear layer, got a ${m.constructor.name}`,
      );
    const i = spec.activations.length - 1;
    if (spec.activations[i] !== 'identity' && act !== 'identity')
      throw new RuleModelError(`${rule}: two activations in a row after Linear layer ${i}`);
    if (act !== 'identity') spec.activations[i] = act;
  }
  if (spec.layers.length === 0) throw new RuleModelError(`${rule}: the model has no Linear layer`);
  return spec;
}
