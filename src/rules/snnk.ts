// The snnk rule (paper 41): a fully bundled SNNK network — fixed seeded random ReLU features, output layer by a ridge solve.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { eye, zeros } from '../ops/creation.js';
import { add, cast, div, mul, relu } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { cholesky, solveTriangular } from '../ops/linalg/index.js';
import { matmul } from '../ops/matmul.js';
import { cat, flatten, narrow, oneHot, transpose } from '../ops/shape.js';
import type { Module } from '../nn/module.js';
import { requireParameters, taskLoss } from './bp.js';
import { measureStep } from './measure.js';
import { randomProjection, type ProjectionKind } from './snnk-features.js';
import { twoLayerNet } from './two-layer.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/** Options of the snnk rule. */
export interface SnnkOptions extends CommonRuleOptions {
  /** Gaussian or orthogonal random projection rows (default 'orthogonal'). */
  projection?: ProjectionKind;
  /** Ridge λ of (ΦᵀΦ + λI)⁻¹ΦᵀY over the examples seen so far (default 1e-2). */
  ridge?: number;
}

/**
 * Scalable neural network kernels, fully bundled (Sehanobish et al., ICLR 2024): the hidden layer holds m seeded random
 * ReLU features Φ(x) = ReLU(G x̃)/√m (G Gaussian or orthogonal, x̃ = [x, 1]; fixed at creation), and the output layer
 * is the closed-form ridge solution Wᵀ = (ΦᵀΦ + λI)⁻¹ΦᵀY (one-hot targets for classification) over every example the
 * learner has seen — one `gl.linalg.cholesky` and two `solveTriangular` per step, no backward walk. The model must be
 * `Sequential([Flatten,] Linear(d, m), ReLU, Linear(m, outputs))`.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(64, 512), new gl.nn.ReLU(), new gl.nn.Linear(512, 10));
 * const learner = gl.rules.snnk.create(model, { inputShape: [64], outputs: 10, kind: 'classification' });
 * await learner.step(x, y); // the normal equations accumulate; the output layer is re-solved
 */
export const snnk: LearningRule<SnnkOptions> = {
  name: 'snnk',
  summary: 'fully bundled SNNK: fixed seeded random ReLU features, output layer by a closed-form ridge solve',
  source: '41',
  check(model: Module, task: TaskSpec): void {
    requireParameters('snnk', model);
    twoLayerNet('snnk', model, task, ['relu']);
  },
  create(model: Module, task: TaskSpec, options: SnnkOptions = {}): Learner {
    snnk.check(model, task);
    const net = twoLayerNet('snnk', model, task, ['relu']);
    const ridge = options.ridge ?? 1e-2;
    if (!(Number.isFinite(ridge) && ridge > 0))
      throw new ArgumentError(`snnk: ridge must be > 0, got ${options.ridge}`);
    const gen = options.generator ?? new Generator(0);
    const m = net.units;
    const d = net.inFeatures;
    const dtype = net.hidden.weight.dtype;
    const solveType = net.hidden.weight.storage.backend.capabilities.float64 ? 'float64' : 'float32';
    // ReLU(G x̃)/√m = ReLU((G/√m) x̃): the projection goes into the hidden Linear (weight and bias columns)
    noGrad(() => {
      const g = div(
        randomProjection(m, d + 1, options.projection ?? 'orthogonal', gen, solveType),
        Math.sqrt(m),
      );
      copyInto(net.hidden.weight, cast(narrow(g, 1, 0, d), dtype));
      copyInto(net.hidden.bias!, cast(flatten(narrow(g, 1, d, 1)), dtype));
    });
    const params = [net.output.weight, net.output.bias!];
    let gram: Tensor = zeros([m + 1, m + 1], { dtype: solveType });
    let rhs: Tensor = zeros([m + 1, task.outputs], { dtype: solveType });
    const hiddenOf = (x: Tensor) => {
      const x2 = x.ndim === 2 ? x : flatten(x, 1);
      const phi = relu(net.hidden.forward(x2));
      return cast(cat([phi, add(zeros([x2.shape[0], 1], { dtype: phi.dtype }), 1)], 1), solveType);
    };
    return {
      rule: 'snnk',
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(params, (fwd) =>
          noGrad(() => {
            const phi = hiddenOf(x); // [n, m + 1], the constant feature last
            fwd.add();
            const t =
              task.kind === 'classification' ? cast(oneHot(y, task.outputs), solveType) : cast(y, solveType);
            gram = add(gram, matmul(transpose(phi, 0, 1), phi));
            rhs = add(rhs, matmul(transpose(phi, 0, 1), t));
            const L = cholesky(add(gram, mul(eye(m + 1, m + 1, { dtype: solveType }), ridge)));
            const w = solveTriangular(transpose(L, 0, 1), solveTriangular(L, rhs, { upper: false }), {
              upper: true,
            });
            copyInto(net.output.weight, cast(transpose(narrow(w, 0, 0, m), 0, 1), dtype));
            copyInto(net.output.bias!, cast(flatten(narrow(w, 0, m, 1)), dtype));
            return taskLoss(task, model.forward(x) as Tensor, y);
          }),
        );
        return { loss: await value.itemAsync(), stats };
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      parameters: () => params,
      dispose(): void {
        gram = zeros([0]);
        rhs = zeros([0]);
      },
    };
  },
};
