// Training spiking networks through time: BPTT (one tape over T steps), SLTT and SLTT-K (per-step backward).
import { ArgumentError } from '../../core/errors.js';
import type { Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { crossEntropy } from '../../ops/losses.js';
import { add } from '../../ops/elementwise.js';
import { permutation } from '../../data/random.js';
import { Module } from '../../nn/module.js';
import { LIF } from './lif.js';

/** A network stepped through time: `step(x)` is one time step's output (logits). */
export interface SpikingNet extends Module {
  /** One time step: the input at that step to the output logits. */
  step(x: Tensor): Tensor;
}

/**
 * Resets every LIF of `net` and sets whether they cut the temporal route.
 * @example
 * const net = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.lab.snn.LIF({ tau: 2 }));
 * gl.lab.snn.resetNeurons(net, true); // before each sample; true: no gradient through the membrane state
 */
export function resetNeurons(net: Module, detachState: boolean): void {
  for (const m of net.modules())
    if (m instanceof LIF) {
      m.reset();
      m.detachState = detachState;
    }
}

/** Options of a time-unrolled training step. */
export interface TimeStepOptions {
  /** Time steps T (direct encoding: the same input every step). */
  T: number;
  /** 'bptt' (full tape), 'sltt' (per-step spatial backward), 'sltt-k' (backward at K random steps). */
  method: 'bptt' | 'sltt' | 'sltt-k';
  /** SLTT-K: how many steps backpropagate. */
  K?: number;
  /** SLTT-K: draws the steps. */
  generator?: Generator;
}

/**
 * One training step through time; gradients accumulate in `.grad` (call the optimizer after).
 * Loss: mean over steps of cross-entropy of each step's output; prediction sums the outputs.
 * BPTT keeps all T steps on one tape; SLTT backpropagates each step right after its forward, with
 * the membrane state detached, so only one step's tape is alive at a time (paper 32).
 * @example gl.lab.snn.timeStep(net, x, y, { T: 6, method: 'sltt' }); opt.step();
 * @returns the summed outputs (logits of the prediction), detached
 */
export function timeStep(net: SpikingNet, x: Tensor, y: Tensor, opts: TimeStepOptions): Tensor {
  const T = opts.T;
  if (!Number.isInteger(T) || T < 1)
    throw new ArgumentError(`timeStep: T must be a positive integer, got ${T}`);
  if (opts.method === 'bptt') {
    resetNeurons(net, false);
    let loss: Tensor | null = null;
    let sum: Tensor | null = null;
    for (let t = 0; t < T; t++) {
      const out = net.step(x);
      const l = crossEntropy(out, y);
      loss = loss ? add(loss, l) : l;
      sum = sum ? add(sum, out) : out;
    }
    loss!.div(T).backward();
    return sum!.detach();
  }
  resetNeurons(net, true);
  let chosen: Set<number> | null = null;
  if (opts.method === 'sltt-k') {
    const K = opts.K ?? 2;
    if (!Number.isInteger(K) || K < 1 || K > T)
      throw new ArgumentError(`timeStep: K must be an integer in [1, ${T}], got ${K}`);
    if (!opts.generator) throw new ArgumentError('timeStep: sltt-k needs a generator to draw its steps');
    chosen = new Set(Array.from(permutation(T, opts.generator).slice(0, K)));
  }
  let sum: Tensor | null = null;
  for (let t = 0; t < T; t++) {
    let out: Tensor;
    if (chosen && !chosen.has(t)) out = noGrad(() => net.step(x));
    else {
      out = net.step(x);
      crossEntropy(out, y)
        .div(chosen ? chosen.size : T)
        .backward();
      out = out.detach();
    }
    sum = sum ? add(sum, out) : out;
  }
  return sum!;
}
