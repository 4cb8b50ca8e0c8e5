// DANN (Ganin et al. 2016): a feature extractor, a label head and a domain head behind gradient reversal, and its trainer.
import { ArgumentError, fmtShape } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { permutation } from '../data/random.js';
import { Module } from '../nn/module.js';
import { GradientReversal, dannLambda } from '../nn/gradient-reversal.js';
import { crossEntropy } from '../ops/losses.js';
import { indexSelect, narrow } from '../ops/shape.js';
import { full } from '../ops/creation.js';
import { tensor } from '../ops/tensor-like.js';
import type { Optimizer } from '../optim/optimizer.js';

/** The three parts of a DANN model. */
export interface DannParts {
  /** G_f: inputs → features. */
  features: Module;
  /** G_y: features → class logits. */
  labelHead: Module;
  /** G_d: features → 2 domain logits (0 = source, 1 = target). */
  domainHead: Module;
}

/** DANN's losses on one source batch and one target batch. */
export interface DannLosses {
  /** Cross-entropy of the label head on the source batch. */
  label: Tensor;
  /** CE(G_d(R_λ(f_s)), 0) + CE(G_d(R_λ(f_t)), 1); null when the domain weight is 0. */
  domain: Tensor | null;
  /** label + domainWeight · domain: one backward trains all three parts. */
  total: Tensor;
}

/**
 * A domain-adversarial network: `forward(x)` is the classifier G_y(G_f(x)); `losses` adds the domain head
 * behind a gradient reversal layer, so one backward pass and one optimizer step move the heads toward their
 * minima while the features maximise the domain loss (Ganin et al. 2016, eq. 9–10).
 * @example
 * const dann = new gl.train.DANN({
 *   features: new gl.nn.Sequential(new gl.nn.Linear(2, 15), new gl.nn.Sigmoid()),
 *   labelHead: new gl.nn.Linear(15, 2),
 *   domainHead: new gl.nn.Linear(15, 2),
 * });
 * const xs = gl.randn([4, 2]); // labelled source inputs
 * const ys = gl.tensor([0, 1, 1, 0], { dtype: 'int32' });
 * const xt = gl.randn([4, 2]); // unlabelled target inputs
 * const { total } = dann.losses(xs, ys, xt, { lambda: 0.5 });
 * total.backward();
 */
export class DANN extends Module {
  /** G_f. */
  readonly features: Module;
  /** G_y. */
  readonly labelHead: Module;
  /** G_d. */
  readonly domainHead: Module;
  /** The gradient reversal layer between G_f and G_d (its λ is set by `losses`). */
  readonly grl = new GradientReversal(0);
  constructor(parts: DannParts) {
    super();
    for (const k of ['features', 'labelHead', 'domainHead'] as const)
      if (!(parts?.[k] instanceof Module))
        throw new ArgumentError(`DANN: ${k} must be an nn.Module, got ${typeof parts?.[k]}`);
    this.features = parts.features;
    this.labelHead = parts.labelHead;
    this.domainHead = parts.domainHead;
  }
  /** Class logits G_y(G_f(x)). */
  override forward(x: Tensor): Tensor {
    return this.labelHead.forward(this.features.forward(x)) as Tensor;
  }
  /**
   * The label loss on (xs, ys) and the domain loss on xs (domain 0) and xt (domain 1) through R_λ.
   * `domainWeight` 0 skips the target batch and the domain head (the source-only baseline).
   * @example
   * const dann = new gl.train.DANN({
   *   features: new gl.nn.Sequential(new gl.nn.Linear(2, 8), new gl.nn.Sigmoid()),
   *   labelHead: new gl.nn.Linear(8, 2),
   *   domainHead: new gl.nn.Linear(8, 2),
   * });
   * const xs = gl.randn([4, 2]);
   * const ys = gl.tensor([0, 1, 1, 0], { dtype: 'int32' });
   * const xt = gl.randn([4, 2]);
   * const { label, domain, total } = dann.losses(xs, ys, xt, { lambda: gl.nn.dannLambda(0.3) });
   */
  losses(
    xs: Tensor,
    ys: Tensor,
    xt: Tensor | null,
    opts: { lambda: number; domainWeight?: number },
  ): DannLosses {
    const w = opts.domainWeight ?? 1;
    if (!(w >= 0 && Number.isFinite(w)))
      throw new ArgumentError(`DANN.losses: domainWeight must be a finite number >= 0, got ${w}`);
    const fs = this.features.forward(xs) as Tensor;
    const label = crossEntropy(this.labelHead.forward(fs) as Tensor, ys);
    if (w === 0) return { label, domain: null, total: label };
    if (!xt) throw new ArgumentError('DANN.losses: a target batch is needed when domainWeight > 0, got null');
    this.grl.setLambda(opts.lambda);
    const ft = this.features.forward(xt) as Tensor;
    const ds = this.domainHead.forward(this.grl.forward(fs)) as Tensor;
    const dt = this.domainHead.forward(this.grl.forward(ft)) as Tensor;
    if (ds.shape.length !== 2 || ds.shape[1] !== 2)
      throw new ArgumentError(
        `DANN.losses: the domain head must return [N, 2] logits, got ${fmtShape(ds.shape)}`,
      );
    const domain = crossEntropy(ds, full([ds.shape[0]], 0, { dtype: 'int32' })).add(
      crossEntropy(dt, full([dt.shape[0]], 1, { dtype: 'int32' })),
    );
    return { label, domain, total: label.add(domain.mul(w)) };
  }
}

/** Options of `fitDann`. */
export interface FitDannOptions {
  /** Labelled source data: inputs [n, ...] and int32 labels [n]. */
  source: {
    /** Source inputs [n, ...]. */
    x: Tensor;
    /** Int32 labels [n]. */
    y: Tensor;
  };
  /** Unlabelled target inputs [m, ...] (needed unless domainWeight is 0). */
  target?: Tensor;
  /** The optimizer over the model's parameters (all three parts). */
  optimizer: Optimizer<any>;
  /** Passes over the source data. */
  epochs: number;
  /** Source examples per step; each step also takes as many target examples (default 64). */
  batch?: number;
  /** Seed of the batch order (default 0). */
  seed?: number;
  /** λ of the gradient reversal layer at progress p ∈ [0, 1]: a constant or a schedule (default `dannLambda`). */
  lambda?: number | ((progress: number) => number);
  /** Weight of the domain loss (default 1; 0 = the source-only baseline). */
  domainWeight?: number;
  /** Learning rate at progress p, written to every parameter group before each step (e.g. `dannLearningRate`). */
  lr?: (progress: number) => number;
}

/** Per-epoch means of the losses `fitDann` recorded. */
export interface DannHistory {
  /** Optimizer steps taken. */
  steps: number;
  /** Mean label loss per epoch. */
  label: number[];
  /** Mean domain loss per epoch (empty for the source-only baseline); ln 2 ≈ 0.69 each is a confused domain head. */
  domain: number[];
}

/**
 * Trains a `DANN` on a labelled source set and unlabelled target inputs: per step a source batch and a target
 * batch (each domain in its own seeded order, the target cycling), λ and the learning rate from their schedules
 * at progress p = step / total steps, one backward of `total`, one optimizer step.
 * @example
 * const dann = new gl.train.DANN({
 *   features: new gl.nn.Sequential(new gl.nn.Linear(2, 8), new gl.nn.Sigmoid()),
 *   labelHead: new gl.nn.Linear(8, 2),
 *   domainHead: new gl.nn.Linear(8, 2),
 * });
 * const { source, target } = gl.data.transMoons(16, { seed: 0 });
 * const hist = await gl.train.fitDann(dann, {
 *   source: { x: source.x, y: source.y }, target: target.x, epochs: 2, batch: 8,
 *   optimizer: new gl.optim.Adam(dann.parameters(), { lr: 1e-3 }),
 * });
 */
export async function fitDann(model: DANN, opts: FitDannOptions): Promise<DannHistory> {
  if (!(model instanceof DANN))
    throw new ArgumentError(`fitDann: expected a gl.train.DANN, got ${typeof model}`);
  const batch = opts.batch ?? 64;
  const w = opts.domainWeight ?? 1;
  const n = opts.source?.x?.shape[0];
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1)
    throw new ArgumentError(`fitDann: epochs must be a positive integer, got ${opts.epochs}`);
  if (!Number.isInteger(batch) || batch < 1 || !(n >= batch))
    throw new ArgumentError(
      `fitDann: batch must be a positive integer <= the source size ${n}, got ${batch}`,
    );
  if (opts.source.y.shape.length !== 1 || opts.source.y.shape[0] !== n)
    throw new ArgumentError(`fitDann: source labels must be [${n}], got ${fmtShape(opts.source.y.shape)}`);
  const m = opts.target?.shape[0] ?? 0;
  if (w > 0 && !(m >= batch))
    throw new ArgumentError(`fitDann: target inputs must hold at least batch = ${batch} examples, got ${m}`);
  const lambdaAt =
    typeof opts.lambda === 'number' ? () => opts.lambda as number : (opts.lambda ?? dannLambda);
  const perEpoch = Math.floor(n / batch);
  const total = perEpoch * opts.epochs;
  const gs = new Generator(opts.seed ?? 0);
  const gt = new Generator((opts.seed ?? 0) + 7919);
  const hist: DannHistory = { steps: 0, label: [], domain: [] };
  let tPerm = tensor(permutation(Math.max(m, 1), gt));
  let tPos = 0;
  model.train();
  for (let e = 0; e < opts.epochs; e++) {
    const sPerm = tensor(permutation(n, gs));
    let sumL = 0;
    let sumD = 0;
    const reads: Promise<[number, number]>[] = [];
    for (let s = 0; s < perEpoch; s++) {
      const p = hist.steps / total;
      if (opts.lr) for (const g of opts.optimizer.paramGroups) (g as { lr: number }).lr = opts.lr(p);
      if (w > 0 && tPos + batch > m) {
        tPerm.dispose();
        tPerm = tensor(permutation(m, gt));
        tPos = 0;
      }
      const losses = tidy(() => {
        const si = narrow(sPerm, 0, s * batch, batch);
        const xs = indexSelect(opts.source.x, 0, si);
        const ys = indexSelect(opts.source.y, 0, si);
        const xt = w > 0 ? indexSelect(opts.target!, 0, narrow(tPerm, 0, tPos, batch)) : null;
        opts.optimizer.zeroGrad();
        const l = model.losses(xs, ys, xt, { lambda: lambdaAt(p), domainWeight: w });
        l.total.backward();
        opts.optimizer.step();
        return [l.label.detach(), (l.domain ?? l.label).detach()] as const;
      });
      tPos += batch;
      hist.steps++;
      reads.push(
        Promise.all([losses[0].data(), losses[1].data()]).then(([a, b]) => {
          losses[0].dispose();
          losses[1].dispose();
          return [a[0], b[0]];
        }),
      );
    }
    for (const [a, b] of await Promise.all(reads)) {
      sumL += a;
      sumD += b;
    }
    sPerm.dispose();
    hist.label.push(sumL / perEpoch);
    if (w > 0) hist.domain.push(sumD / perEpoch);
  }
  tPerm.dispose();
  return hist;
}
