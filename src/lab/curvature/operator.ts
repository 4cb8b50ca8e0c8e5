// The Hessian of a loss with respect to a list of parameters as a linear operator on flat host vectors.
import { ArgumentError, BackendError, ShapeError, fmtShape } from '../../core/errors.js';
import { grad } from '../../core/functional.js';
import { enableGrad } from '../../core/state.js';
import { recordDraws, replayDraws, type Generator } from '../../core/random/generator.js';
import type { Tensor } from '../../core/tensor.js';
import { fromTypedArray } from '../../ops/tensor-like.js';
import { Module } from '../../nn/module.js';
import { BatchNorm1d, BatchNorm2d } from '../../nn/normalization.js';
import { TrainModeBatchNormError } from './errors.js';

/** A scalar loss to probe: one closure, or several (e.g. one per batch) whose Hessians are averaged. */
export type LossClosure = (() => Tensor) | readonly (() => Tensor)[];

/** The parameters to differentiate with respect to: a Module (its trainable parameters) or a list of leaf tensors. */
export type ParamsLike = Module | readonly Tensor[];

/** Options shared by every curvature probe. */
export interface CurvatureOptions {
  /**
   * Probe a loss through BatchNorm layers in training mode (default false: TrainModeBatchNormError). Checked on
   * `params` when it is a Module, else on `model` when given.
   */
  allowTrainBatchNorm?: boolean;
  /** The model to check for train-mode BatchNorm when `params` is a list of tensors. */
  model?: Module;
}

/** The random draws (dropout masks, noise) of each closure's first evaluation, replayed on every later one. */
const DRAWS = new WeakMap<() => Tensor, Map<Generator, number>>();

/** Runs `loss` with its first evaluation's random draws (recorded on the first call). */
function replayed(loss: () => Tensor): Tensor {
  const draws = DRAWS.get(loss);
  if (draws) return replayDraws(draws, loss);
  const { result, draws: fresh } = recordDraws(loss);
  DRAWS.set(loss, fresh);
  return result;
}

function paramList(params: ParamsLike): Tensor[] {
  const list = params instanceof Module ? params.parameters().filter((p) => p.requiresGrad) : [...params];
  if (list.length === 0)
    throw new ArgumentError('curvature: expected at least one parameter that requires grad, got none');
  list.forEach((p, i) => {
    if (!p || typeof p.requiresGrad !== 'boolean')
      throw new ArgumentError(`curvature: params[${i}] is not a tensor (got ${String(p)})`);
    if (!p.requiresGrad)
      throw new ArgumentError(`curvature: params[${i}] (shape ${fmtShape(p.shape)}) does not require grad`);
  });
  const b = list[0].storage.backend;
  if (!b.capabilities.syncRead)
    throw new BackendError(
      `curvature: the ${b.name} backend cannot read synchronously, which Lanczos and power iteration do at every step; run the probe on js or native`,
    );
  return list;
}

function checkBatchNorm(params: ParamsLike, opts: CurvatureOptions): void {
  if (opts.allowTrainBatchNorm) return;
  const model = params instanceof Module ? params : opts.model;
  if (!model) return;
  for (const [name, m] of model.namedModules())
    if ((m instanceof BatchNorm1d || m instanceof BatchNorm2d) && (m.training || !m.trackRunningStats))
      throw new TrainModeBatchNormError(
        `curvature: ${m.constructor.name} '${name || '(root)'}' uses batch statistics (training mode, or no running statistics: the loss of one example depends on the others, and training mode updates the running statistics on every evaluation); call model.eval() first, or pass allowTrainBatchNorm: true`,
      );
}

/**
 * H (the Hessian of the mean of the losses with respect to the parameters) as an operator on flat float64 host
 * vectors, parameters concatenated in order. The first-order gradient graph of each closure is built once (its
 * random draws replayed from the closure's first evaluation) and kept, so every product costs one double backward.
 * @example
 * const w = gl.tensor([1, 1], { dtype: 'float64', requiresGrad: true });
 * const c = gl.tensor([1, 3], { dtype: 'float64' });
 * const H = new gl.curvature.HessianOperator(() => w.pow(2).mul(c).sum(), [w]); // H = diag(2, 6)
 * H.apply(Float64Array.of(1, 1)); // Float64Array [2, 6]
 */
export class HessianOperator {
  /** The parameters, in the order of the flat vectors. */
  readonly params: Tensor[];
  /** Number of scalar parameters (the dimension of H). */
  readonly n: number;
  /** The mean loss at the parameters. */
  readonly value: number;
  /** Hessian-vector products done so far. */
  products = 0;
  private readonly grads: Tensor[][];

  constructor(loss: LossClosure, params: ParamsLike, opts: CurvatureOptions = {}) {
    this.params = paramList(params);
    checkBatchNorm(params, opts);
    const closures = typeof loss === 'function' ? [loss] : [...loss];
    if (closures.length === 0 || closures.some((f) => typeof f !== 'function'))
      throw new ArgumentError(
        'curvature: loss must be a function returning a scalar tensor, or a non-empty array of them',
      );
    this.n = this.params.reduce((a, p) => a + p.numel, 0);
    let total = 0;
    this.grads = closures.map((f, i) =>
      enableGrad(() => {
        const value = replayed(f);
        if (!value || typeof value.numel !== 'number' || value.numel !== 1)
          throw new ShapeError(
            `curvature: loss closure ${i} must return a scalar tensor, got ${value && value.shape ? fmtShape(value.shape) : String(value)}`,
          );
        total += value.item();
        const g = grad([value], this.params, { createGraph: true, allowUnused: true });
        return g.map((gi) => gi as Tensor);
      }),
    );
    this.value = total / closures.length;
  }

  /**
   * Splits a flat vector into tensors shaped (and typed, and placed) like the parameters.
   * @example
   * const model = new gl.nn.Linear(3, 2);
   * const H = new gl.curvature.HessianOperator(() => model.forward(gl.randn([4, 3])).pow(2).mean(), model);
   * const [dW, db] = H.toTensors(new Float64Array(H.n)); // shaped like weight [2, 3] and bias [2]
   */
  toTensors(v: Float64Array): Tensor[] {
    let off = 0;
    return this.params.map((p) => {
      const part = v.subarray(off, off + p.numel);
      off += p.numel;
      const data = p.dtype === 'float64' ? Float64Array.from(part) : Float32Array.from(part);
      return fromTypedArray(data, p.shape, p.dtype);
    });
  }

  /**
   * H·v for a flat vector v (length n).
   * @example
   * const w = gl.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
   * const H = new gl.curvature.HessianOperator(() => w.pow(3).sum(), [w]); // H = diag(6 w)
   * H.apply(Float64Array.of(1, 0)); // Float64Array [6, 0]
   */
  apply(v: Float64Array): Float64Array {
    if (v.length !== this.n)
      throw new ShapeError(`curvature: expected a vector of length ${this.n}, got ${v.length}`);
    const vs = this.toTensors(v);
    const out = new Float64Array(this.n);
    for (const g of this.grads) {
      const pairs = g.map((gi, k) => [gi, vs[k]] as const).filter(([gi]) => gi && gi.requiresGrad);
      if (pairs.length === 0) continue;
      const hv = grad(
        pairs.map(([gi]) => gi),
        this.params,
        { gradOutputs: pairs.map(([, v]) => v), allowUnused: true, retainGraph: true },
      );
      let off = 0;
      hv.forEach((h, k) => {
        const size = this.params[k].numel;
        if (h) {
          const d = h.dataSync();
          for (let i = 0; i < size; i++) out[off + i] += d[i] / this.grads.length;
        }
        off += size;
      });
    }
    this.products++;
    return out;
  }
}
