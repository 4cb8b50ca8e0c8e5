// The convex-admm rule (paper 16): a two-layer ReLU network trained by solving its convex program with ADMM, then recovered.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { zeros } from '../ops/creation.js';
import { cast, mul, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { cat, flatten, narrow, reshape } from '../ops/shape.js';
import type { Module } from '../nn/module.js';
import { requireParameters } from './bp.js';
import { RuleModelError } from './errors.js';
import { measureStep } from './measure.js';
import { recoverRelu, solveConvexRelu, type ConvexReluSolution } from './convex-admm-solver.js';
import { twoLayerNet } from './two-layer.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/** Options of the convex-admm rule. */
export interface ConvexAdmmOptions extends CommonRuleOptions {
  /** Sampled activation patterns P (default 50), or `'exact'`: every pattern (one input feature only). */
  patterns?: number | 'exact';
  /** Weight decay β (default 1e-3). */
  beta?: number;
  /** ADMM penalty ρ (default 0.1). */
  rho?: number;
  /** ADMM iterations per step (default 200). */
  iterations?: number;
}

/** A convex-admm learner: `solution` holds the last solve's objective, certified gap and constraint violation. */
export interface ConvexAdmmLearner extends Learner {
  /** The last step's solution (null before the first step). */
  readonly solution: ConvexReluSolution | null;
}

function checkTask(task: TaskSpec): void {
  const ok = task.kind === 'regression' ? task.outputs === 1 : task.outputs === 2;
  if (!ok)
    throw new RuleModelError(
      `convex-admm: solves a scalar-output program: regression with 1 output or classification with 2 classes, got ${task.kind} with ${task.outputs} outputs`,
    );
}

/**
 * Global optimisation of a two-layer ReLU network with weight decay (Bai, Gautam & Sojoudi 2022; Pilanci & Ergen
 * 2020): each `step(x, y)` solves the convex group-lasso program over P activation patterns on the batch with ADMM
 * (`solveConvexRelu`, one `gl.linalg.cholesky`), recovers the ReLU network (neuron = u/√‖u‖, output ±√‖u‖) and
 * writes it into the model. The model must be `Sequential([Flatten,] Linear(d, H), ReLU, Linear(H, outputs))` with
 * H ≥ 2P; regression with one output, or two classes (labels → ±1; the logits are ∓f/2). No backward walks.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(10, 100), new gl.nn.ReLU(), new gl.nn.Linear(100, 2));
 * const learner = gl.rules.convexAdmm.create(model, { inputShape: [10], outputs: 2, kind: 'classification' });
 * await learner.step(x, y); // the whole batch: one convex solve
 * learner.solution!.relativeGap; // certified
 */
export const convexAdmm: Omit<LearningRule<ConvexAdmmOptions>, 'create'> & {
  /** A convex-admm learner for `model` (checked first). */
  create(model: Module, task: TaskSpec, options?: ConvexAdmmOptions): ConvexAdmmLearner;
} = {
  name: 'convex-admm',
  summary:
    'two-layer ReLU net solved globally: convex program over activation patterns by ADMM, then recovered',
  source: '16',
  check(model: Module, task: TaskSpec): void {
    requireParameters('convex-admm', model);
    checkTask(task);
    twoLayerNet('convex-admm', model, task, ['relu']);
  },
  create(model: Module, task: TaskSpec, options: ConvexAdmmOptions = {}): ConvexAdmmLearner {
    convexAdmm.check(model, task);
    const net = twoLayerNet('convex-admm', model, task, ['relu']);
    const patterns = options.patterns ?? 50;
    if (patterns !== 'exact' && !(Number.isInteger(patterns) && patterns > 0))
      throw new ArgumentError(`convex-admm: patterns must be a positive integer or 'exact', got ${patterns}`);
    if (patterns !== 'exact' && net.units < 2 * patterns)
      throw new RuleModelError(
        `convex-admm: ${patterns} patterns need up to ${2 * patterns} hidden units, the model has ${net.units}`,
      );
    if (patterns === 'exact' && net.inFeatures !== 1)
      throw new RuleModelError(
        `convex-admm: exact patterns are enumerated for one input feature, the task has ${net.inFeatures}`,
      );
    const gen = options.generator ?? new Generator(0);
    const params = [net.hidden.weight, net.hidden.bias!, net.output.weight, net.output.bias!];
    let solution: ConvexReluSolution | null = null;
    const learner: ConvexAdmmLearner = {
      rule: 'convex-admm',
      get solution() {
        return solution;
      },
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(params, async (fwd) => {
          const dtype = x.storage.backend.capabilities.float64 ? 'float64' : 'float32';
          const xf = noGrad(() => cast(x.ndim === 2 ? x : flatten(x, 1), dtype));
          const target = noGrad(() =>
            task.kind === 'regression'
              ? cast(reshape(y, [y.shape[0]]), dtype)
              : sub(mul(cast(y, dtype), 2), 1),
          );
          const sol = await solveConvexRelu(xf, target, {
            patterns:
              patterns === 'exact' ? { kind: 'exact' } : { kind: 'sampled', count: patterns, generator: gen },
            beta: options.beta,
            rho: options.rho,
            iterations: options.iterations,
          });
          if (2 * sol.patterns.shape[1] > net.units)
            throw new RuleModelError(
              `convex-admm: ${sol.patterns.shape[1]} exact patterns need ${2 * sol.patterns.shape[1]} hidden units, the model has ${net.units}`,
            );
          fwd.add();
          solution = sol;
          const { hidden, alpha } = await recoverRelu(sol.groups);
          noGrad(() => writeNet(net, hidden, alpha, task));
          return sol.objective;
        });
        return { loss: value, stats };
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      parameters: () => params,
      dispose(): void {
        solution = null;
      },
    };
    return learner;
  },
};

/** Writes k recovered neurons into the first k hidden units (the rest zero) and the output layer. */
function writeNet(net: ReturnType<typeof twoLayerNet>, hidden: Tensor, alpha: Tensor, task: TaskSpec): void {
  const k = hidden.shape[0];
  const d = net.inFeatures;
  const dtype = net.hidden.weight.dtype;
  const pad = (t: Tensor, cols: number) =>
    k === net.units ? t : cat([t, zeros([net.units - k, cols], { dtype })], 0);
  const h = cast(hidden, dtype);
  copyInto(net.hidden.weight, pad(narrow(h, 1, 0, d), d));
  copyInto(net.hidden.bias!, reshape(pad(narrow(h, 1, d, 1), 1), [net.units]));
  const a = reshape(pad(reshape(cast(alpha, dtype), [k, 1]), 1), [1, net.units]);
  copyInto(net.output.weight, task.kind === 'regression' ? a : cat([mul(a, -0.5), mul(a, 0.5)], 0));
  copyInto(net.output.bias!, 0);
}
