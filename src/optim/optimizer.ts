// The Optimizer base class: parameter groups, lazily created per-parameter state, step/zeroGrad and state dicts.
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { enableGrad, noGrad } from '../core/state.js';
import { Tensor, keep, tidy } from '../core/tensor.js';
import { cast } from '../ops/elementwise.js';
import { zeroInPlace } from '../ops/inplace.js';
import { clone } from '../ops/shape.js';
import { zerosLike } from '../ops/creation.js';
import type {
  BaseHyper,
  GradTransform,
  Json,
  OptimizerStateDict,
  ParamGroup,
  ParamGroupSpec,
  ParamState,
} from './types.js';
import { knownKeys } from './validate.js';

/** What optimizers accept: tensors (one group) or parameter groups with their own hyper-parameters. */
export type Params<H extends BaseHyper = BaseHyper> = Iterable<Tensor> | Iterable<ParamGroupSpec<H>>;

/** Options every optimizer takes besides its hyper-parameters. */
export interface OptimizerExtras {
  /** Gradient transforms run, in order, over all parameters with a gradient at the start of step(). */
  transforms?: GradTransform[];
}

const isPlainGroup = (x: unknown): x is ParamGroupSpec =>
  typeof x === 'object' && x !== null && !(x instanceof Tensor) && 'params' in x;

/**
 * Base class of gradlab's optimizers. Subclasses declare their hyper-parameters (`H`), check them,
 * create a parameter's state on its first step and update one parameter; the base class does the
 * rest (groups, transforms, no-grad, freeing temporaries, state dicts).
 * @example
 * const opt = new gl.optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  /** The hyper-parameters a group gets when it does not set its own. */
  readonly defaults: Readonly<H>;
  /** The parameter groups: each its tensors and its hyper-parameters (schedules write `lr` here). */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  readonly state = new Map<Tensor, ParamState>();
  /** Gradient transforms run at the start of every step(). */
  transforms: GradTransform[];
  /** Number of step() calls so far. */
  stepCount = 0;
  /** Name used in error messages ('SGD', 'Adam'...). */
  readonly name: string;

  protected constructor(name: string, params: Params<H>, defaults: H, options: Partial<H> & OptimizerExtras) {
    this.name = name;
    const { transforms, ...hyper } = options as Partial<H> & OptimizerExtras;
    knownKeys(name, hyper, Object.keys(defaults));
    this.defaults = { ...defaults, ...(hyper as Partial<H>) };
    this.transforms = transforms ? [...transforms] : [];
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new ArgumentError(`${name}: got an empty parameter list`);
    if (items.every((x) => x instanceof Tensor))
      this.addParamGroup({ params: items as Tensor[] } as unknown as ParamGroupSpec<H>);
    else if (items.every(isPlainGroup)) for (const g of items) this.addParamGroup(g as ParamGroupSpec<H>);
    else
      throw new ArgumentError(
        `${name}: params must be tensors or parameter groups ({ params: Tensor[], ...options }), not a mix`,
      );
  }

  /**
   * Throws ArgumentError naming the first invalid hyper-parameter of a group.
   * @example
   * // doc-test: fragment: a method of an Optimizer subclass (updateParam's example shows a whole one)
   * protected checkHyper(h: { lr: number }): void {
   *   if (!(h.lr > 0)) throw new gl.ArgumentError(`SignSGD: lr must be > 0, got ${h.lr}`);
   * }
   */
  protected abstract checkHyper(h: H): void;
  /**
   * Creates the state of `p` before its first update.
   * @example
   * // doc-test: fragment: a method of an Optimizer subclass (updateParam's example shows a whole one)
   * protected initState(p: gl.Tensor): gl.optim.ParamState {
   *   return { momentum: gl.zerosLike(p) }; // kept in state dicts
   * }
   */
  protected abstract initState(p: Tensor, group: ParamGroup<H>): ParamState;
  /**
   * Updates one parameter in place (runs under noGrad inside tidy).
   * @example
   * type Hyper = { lr: number };
   * class SignSGD extends gl.optim.Optimizer<Hyper> {
   *   constructor(params: gl.Tensor[], opts: Partial<Hyper> = {}) {
   *     super('SignSGD', params, { lr: 0.01 }, opts);
   *   }
   *   protected checkHyper(h: Hyper): void {
   *     if (!(h.lr > 0)) throw new gl.ArgumentError(`SignSGD: lr must be > 0, got ${h.lr}`);
   *   }
   *   protected initState(): gl.optim.ParamState {
   *     return {};
   *   }
   *   protected updateParam(p: gl.Tensor, grad: gl.Tensor, _s: gl.optim.ParamState, group: gl.optim.ParamGroup<Hyper>) {
   *     p.sub_(grad.sign().mul(group.lr));
   *   }
   * }
   * const w = gl.randn([3], { requiresGrad: true });
   * const opt = new SignSGD([w], { lr: 0.1 });
   * w.pow(2).sum().backward();
   * opt.step(); // each entry moves 0.1 towards zero
   */
  protected abstract updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<H>): void;

  /**
   * Adds a group of parameters with its own hyper-parameters (the rest from `defaults`).
   * @example opt.addParamGroup({ params: head.parameters(), lr: 1e-2 });
   */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    if (!isPlainGroup(spec))
      throw new ArgumentError(`${this.name}.addParamGroup: expected { params, ...options }`);
    const { params, ...hyper } = spec;
    knownKeys(this.name, hyper, Object.keys(this.defaults));
    const list = params instanceof Tensor ? [params] : [...params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of list) {
      if (!(p instanceof Tensor))
        throw new ArgumentError(`${this.name}: parameters must be tensors, got ${typeof p}`);
      if (!p.isLeaf)
        throw new ArgumentError(
          `${this.name}: can't optimize a non-leaf tensor (produced by ${p.gradFn!.op})`,
        );
      if (seen.has(p)) throw new ArgumentError(`${this.name}: a parameter appears in more than one group`);
      seen.add(p);
    }
    const group = { ...this.defaults, ...(hyper as unknown as Partial<H>), params: list } as ParamGroup<H>;
    this.checkHyper(group);
    this.paramGroups.push(group);
  }

  /**
   * Every parameter, group after group.
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * new gl.optim.Adam(model.parameters(), { lr: 1e-3 }).parameters().length; // 2: weight and bias
   */
  parameters(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * Clears the gradients. `setToNone` (default true, like PyTorch 2) drops them; false zeroes them
   * in place (gradients that are broadcast views or carry a graph are replaced by fresh zeros).
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const opt = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
   * for (let step = 0; step < 3; step++) {
   *   opt.zeroGrad();
   *   gl.mseLoss(model.forward(gl.randn([8, 4])), gl.zeros([8, 2])).backward();
   *   opt.step();
   * }
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const p of this.parameters()) {
      const g = p.grad;
      if (!g) continue;
      if (setToNone) {
        // the optimizer owns the gradients it drops: free their (device) memory now
        p.grad = null;
        g.dispose();
      } else if (g.gradFn || !g.isContiguous) p.grad = keep(noGrad(() => zerosLike(g)));
      else noGrad(() => zeroInPlace(g));
    }
  }

  /**
   * Runs the gradient transforms, then updates every parameter that has a gradient. With a
   * `closure` (which must recompute the loss and call backward), returns what it returned.
   * @example opt.step();
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      if (this.transforms.length) {
        const withGrad = this.parameters().filter((p) => p.grad);
        for (const t of this.transforms) t.apply(withGrad);
      }
      for (const group of this.paramGroups)
        for (const p of group.params) {
          const g = p.grad;
          if (!g) continue;
          let s = this.state.get(p);
          if (!s) this.state.set(p, (s = this.initState(p, group)));
          const st = s;
          tidy(() => this.updateParam(p, g, st, group));
        }
    });
    this.stepCount++;
    return loss;
  }

  /**
   * A copy of the optimizer's state (see OptimizerStateDict for the layout); tensors are cloned.
   * @example const sd = opt.stateDict(); const { tensors, metadata } = gl.optim.flattenStateDict(sd);
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') copyJson(v, (j) => (out[k] = j));
      return { ...out, params: g.params.map((p) => (index.set(p, index.size), index.size - 1)) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? keep(noGrad(() => clone(v))) : v]),
      );
    }
    return {
      state,
      paramGroups,
      transforms: this.transforms.map((t) => (t.stateDict ? t.stateDict() : null)),
    };
  }

  /**
   * Restores hyper-parameters, per-parameter state and transform states saved by stateDict(). The
   * groups must hold the same number of parameters, in the same order; tensors are copied (and cast
   * to the parameter's dtype).
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const opt = new gl.optim.Adam(model.parameters(), { lr: 1e-3 });
   * const saved = opt.stateDict(); // e.g. from a checkpoint
   * const resumed = new gl.optim.Adam(model.parameters(), { lr: 1e-3 });
   * resumed.loadStateDict(saved);
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const owner = `${this.name}.loadStateDict`;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object')
      throw new ArgumentError(`${owner}: expected { state, paramGroups, transforms }`);
    if (sd.paramGroups.length !== this.paramGroups.length)
      throw new ArgumentError(
        `${owner}: the state has ${sd.paramGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`,
      );
    const params: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const g = this.paramGroups[gi];
      if (!Array.isArray(saved.params) || saved.params.length !== g.params.length)
        throw new ArgumentError(
          `${owner}: group ${gi} has ${saved.params?.length} parameters in the state, ${g.params.length} in the optimizer`,
        );
      saved.params.forEach((idx, j) => (params[idx] = g.params[j]));
    });
    const next = new Map<Tensor, ParamState>();
    for (const [key, entries] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (!p) throw new ArgumentError(`${owner}: state for parameter ${key}, which no group lists`);
      const s: ParamState = {};
      for (const [name, v] of Object.entries(entries)) {
        if (v instanceof Tensor) {
          if (v.shape.join() !== p.shape.join())
            throw new ShapeError(
              `${owner}: state '${name}' of parameter ${key} has shape ${fmtShape(v.shape)}, the parameter ${fmtShape(p.shape)}`,
            );
          s[name] = keep(noGrad(() => (v.dtype === p.dtype ? clone(v) : cast(v, p.dtype))));
        } else if (typeof v === 'number') s[name] = v;
        else
          throw new ArgumentError(
            `${owner}: state '${name}' of parameter ${key} is neither a tensor nor a number`,
          );
      }
      next.set(p, s);
    }
    sd.paramGroups.forEach((saved, gi) => {
      const g = this.paramGroups[gi];
      const hyper = { ...g } as Record<string, unknown>;
      for (const [k, v] of Object.entries(saved))
        if (k !== 'params') hyper[k] = Array.isArray(v) ? [...v] : v;
      this.checkHyper(hyper as unknown as H);
      Object.assign(g, hyper, { params: g.params });
    });
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
    const ts = sd.transforms ?? [];
    this.transforms.forEach((t, i) => {
      if (t.loadStateDict && ts[i] !== undefined && ts[i] !== null) t.loadStateDict(ts[i]);
    });
  }
}

/** Calls `set` with a JSON copy of `v` (skips functions and undefined). */
function copyJson(v: unknown, set: (j: Json) => void): void {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') set(v);
  else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) set([...v]);
}
