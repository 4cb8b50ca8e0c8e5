// Module: the base of every layer — registered parameters, buffers and children, modes, hooks, state dicts.
import type { BackendName } from '../core/backend.js';
import { isBackendName } from '../core/backend-registry.js';
import type { DType } from '../core/dtype.js';
import { isFloat } from '../core/dtype.js';
import { ArgumentError, GradlabError } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import { keep, Tensor, type RemovableHandle } from '../core/tensor.js';
import { copyInto } from '../ops/inplace.js';
import '../ops/methods.js';
import { StateDictError, type ShapeMismatch } from './errors.js';
import {
  callWithHooks,
  HookSet,
  type BackwardHook,
  type BackwardPreHook,
  type ForwardHook,
  type ForwardPreHook,
} from './hooks.js';
import { Parameter } from './parameter.js';

/** A state dict: names (PyTorch's dotted keys) to tensors, in PyTorch's order. */
export type StateDict = Map<string, Tensor>;

/** Options of Module.loadStateDict. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Shape mismatches always throw. */
  strict?: boolean;
}

/** What Module.loadStateDict did not match (only with strict: false; otherwise these throw). */
export interface LoadStateDictResult {
  /** Parameters and buffers of the module the dict has no entry for. */
  missingKeys: string[];
  /** Entries of the dict that match nothing in the module. */
  unexpectedKeys: string[];
}

function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.'))
    throw new ArgumentError(`${kind}: name must be a non-empty string without '.', got '${String(name)}'`);
}

/**
 * Base class of all layers and models. Subclasses create their state in the constructor and define
 * `forward`. Parameters and child modules are found automatically among the object's own
 * properties (in assignment order, as PyTorch's attribute registration); `registerParameter`,
 * `registerBuffer` and `registerModule` register them under explicit (PyTorch) names.
 *
 * `forward` is the single entry point: calling `m.forward(x)` (or its alias `m.call(x)`) always runs
 * the module's hooks around the subclass's forward. Define `forward` as a method, not as an arrow
 * field, so the hooks can wrap it.
 * @example
 * class MLP extends gl.nn.Module {
 *   fc1 = new gl.nn.Linear(4, 8);
 *   fc2 = new gl.nn.Linear(8, 2);
 *   forward(x: gl.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * const net = new MLP();
 * net.stateDict().keys(); // fc1.weight, fc1.bias, fc2.weight, fc2.bias
 */
export class Module {
  /** True in training mode (the default), false after eval(). */
  training = true;
  private readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, Module | null>();
  private readonly _hooks = new HookSet();

  constructor() {
    const impl = this.forward;
    const wrapper = (...args: unknown[]): unknown =>
      this._hooks.empty ? impl.apply(this, args) : callWithHooks(this, this._hooks, impl, args);
    this._wrapper = wrapper;
    Object.defineProperty(this, 'forward', {
      value: wrapper,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    for (const k of ['_parameters', '_buffers', '_nonPersistent', '_modules', '_hooks', '_wrapper'])
      Object.defineProperty(this, k, { enumerable: false });
  }

  private readonly _wrapper: (...args: unknown[]) => unknown;

  /** @internal true when no hook is registered and `forward` is still the class's own (not replaced on the instance). */
  get _ownForwardOnly(): boolean {
    return this._hooks.empty && this.forward === this._wrapper;
  }

  /**
   * The computation; subclasses override it. Hooks run around it however it is called.
   * @example
   * class TwoLayer extends gl.nn.Module {
   *   fc1 = new gl.nn.Linear(4, 8);
   *   fc2 = new gl.nn.Linear(8, 2);
   *   override forward(x: gl.Tensor) {
   *     return this.fc2.forward(this.fc1.forward(x).relu());
   *   }
   * }
   * new TwoLayer().forward(gl.randn([3, 4])).shape; // [3, 2]
   */
  forward(..._args: any[]): any {
    throw new GradlabError(`${this.constructor.name}: forward is not implemented`);
  }

  /**
   * Alias of forward (hooks included).
   * @example new gl.nn.Linear(4, 2).call(gl.randn([3, 4])).shape; // [3, 2], as forward
   */
  call(...args: any[]): any {
    return this.forward(...args);
  }

  // ------------------------------------------------------------------ registration

  /** Picks up parameters and modules assigned as own properties since the last look. */
  private _sync(): void {
    for (const key of Object.keys(this)) {
      const v = (this as Record<string, unknown>)[key];
      if (v instanceof Parameter) {
        if (!this._buffers.has(key) && !this._modules.has(key)) this._parameters.set(key, v);
      } else if (v instanceof Module) {
        if (!this._parameters.has(key) && !this._buffers.has(key)) this._modules.set(key, v);
      } else if (v === null || v === undefined) {
        if (this._parameters.has(key)) this._parameters.set(key, null);
        if (this._modules.has(key)) this._modules.set(key, null);
      }
    }
  }

  /** Writes a registered entry back to the own property of the same name, if there is one. */
  private _setProperty(name: string, value: unknown): void {
    if (Object.prototype.hasOwnProperty.call(this, name)) (this as Record<string, unknown>)[name] = value;
  }

  /**
   * Registers a parameter under `name` (null keeps the name with no tensor, like a disabled bias).
   * @example this.registerParameter('in_proj_weight', new gl.nn.Parameter(gl.empty([3 * e, e])));
   */
  registerParameter(name: string, param: Parameter | null): Parameter | null {
    checkName('registerParameter', name);
    if (param !== null && !(param instanceof Parameter))
      throw new ArgumentError(
        `registerParameter: '${name}' must be a Parameter or null (wrap it: new nn.Parameter(t))`,
      );
    this._sync();
    this._parameters.set(name, param);
    this._setProperty(name, param);
    return param;
  }

  /**
   * Registers a buffer: state that is not trained but belongs in the state dict (unless
   * `persistent` is false), such as BatchNorm's running statistics.
   * @example
   * class Counter extends gl.nn.Module {
   *   constructor() {
   *     super();
   *     this.registerBuffer('steps', gl.zeros([1])); // saved in the state dict, not trained
   *   }
   * }
   * [...new Counter().stateDict().keys()]; // ['steps']
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): Tensor | null {
    checkName('registerBuffer', name);
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new ArgumentError(`registerBuffer: '${name}' must be a Tensor or null`);
    this._sync();
    if (tensor) keep(tensor);
    this._buffers.set(name, tensor);
    if (opts.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    this._setProperty(name, tensor);
    return tensor;
  }

  /**
   * Registers a child module under `name`.
   * @example
   * const model = new gl.nn.Module();
   * model.registerModule('head', new gl.nn.Linear(8, 2));
   * model.namedParameters().map(([name]) => name); // ['head.weight', 'head.bias']
   */
  registerModule<M extends Module | null>(name: string, module: M): M {
    checkName('registerModule', name);
    if (module !== null && !(module instanceof Module))
      throw new ArgumentError(`registerModule: '${name}' must be a Module or null`);
    this._sync();
    this._modules.set(name, module);
    this._setProperty(name, module);
    return module;
  }

  /**
   * The registered children in order, duplicates and null entries included (for containers).
   * @example
   * // doc-test: fragment: protected, called inside a container subclass of Module
   * for (const [name, child] of this.childEntries()) if (child) console.log(name, child.constructor.name);
   */
  protected childEntries(): [string, Module | null][] {
    this._sync();
    return [...this._modules];
  }

  /**
   * The parameter registered as `name` directly on this module (undefined when none).
   * @example new gl.nn.Linear(4, 2).getParameter('weight')?.shape; // [2, 4]
   */
  getParameter(name: string): Parameter | null | undefined {
    this._sync();
    return this._parameters.get(name);
  }

  /**
   * The buffer registered as `name` directly on this module.
   * @example new gl.nn.BatchNorm1d(3).getBuffer('running_mean'); // zeros [3]
   */
  getBuffer(name: string): Tensor | null | undefined {
    return this._buffers.get(name);
  }

  /**
   * The child registered as `name` directly on this module.
   * @example new gl.nn.Sequential(new gl.nn.Linear(4, 2), new gl.nn.ReLU()).getModule('1'); // the ReLU
   */
  getModule(name: string): Module | null | undefined {
    this._sync();
    return this._modules.get(name);
  }

  /** @internal replaces a registered tensor (dtype/backend moves). */
  private _replace(kind: 'param' | 'buffer', name: string, t: Tensor): void {
    if (kind === 'param') this._parameters.set(name, t as Parameter);
    else this._buffers.set(name, t);
    this._setProperty(name, t);
  }

  // ------------------------------------------------------------------ traversal

  /**
   * Direct children with their names.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU());
   * model.namedChildren().map(([name, m]) => `${name}: ${m.constructor.name}`); // ['0: Linear', '1: ReLU']
   */
  namedChildren(): [string, Module][] {
    this._sync();
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [k, m] of this._modules)
      if (m && !seen.has(m)) {
        seen.add(m);
        out.push([k, m]);
      }
    return out;
  }

  /**
   * The direct submodules, each once, in registration order.
   * @example for (const m of model.children()) console.log(m.constructor.name);
   */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and all below it, depth first (this one first, named ''), each once.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU());
   * model.namedModules().map(([name]) => name); // ['', '0', '1']
   */
  namedModules(prefix = '', seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    this._sync();
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this._modules)
      if (m) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k, seen));
    return out;
  }

  /**
   * This module and all below it, depth first (this one first), each once.
   * @example model.modules().filter((m) => m instanceof gl.nn.Linear)
   */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with PyTorch's dotted names (`0.weight`, `layer1.bias`), each tensor once.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(opts: { recurse?: boolean } = {}): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods = opts.recurse === false ? ([['', this]] as [string, Module][]) : this.namedModules();
    for (const [prefix, m] of mods) {
      m._sync();
      for (const [k, p] of m._parameters)
        if (p && !seen.has(p)) {
          seen.add(p);
          out.push([prefix ? `${prefix}.${k}` : k, p]);
        }
    }
    return out;
  }

  /**
   * The parameters as a `Tensor[]` for an optimizer.
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const opt = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
   */
  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map(([, p]) => p);
  }

  /**
   * Buffers with dotted names (non-persistent ones included), each tensor once.
   * @example new gl.nn.BatchNorm1d(3).namedBuffers().map(([name]) => name); // ['running_mean', 'running_var', 'num_batches_tracked']
   */
  namedBuffers(opts: { recurse?: boolean } = {}): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods = opts.recurse === false ? ([['', this]] as [string, Module][]) : this.namedModules();
    for (const [prefix, m] of mods)
      for (const [k, b] of m._buffers)
        if (b && !seen.has(b)) {
          seen.add(b);
          out.push([prefix ? `${prefix}.${k}` : k, b]);
        }
    return out;
  }

  /**
   * The buffers (running statistics...) of this module and, unless `{ recurse: false }`, all below it, each once.
   * @example model.buffers().length
   */
  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  /**
   * Total number of parameter elements (trainable only with `{ trainable: true }`).
   * @example new gl.nn.Linear(784, 10).numParameters(); // 7850
   */
  numParameters(opts: { trainable?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !opts.trainable || p.requiresGrad)
      .reduce((n, p) => n + p.numel, 0);
  }

  /**
   * Calls `fn` on every module below this one, then on this one (children first, as PyTorch).
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 2));
   * model.apply((m) => {
   *   if (m instanceof gl.nn.Linear) gl.nn.init.zeros(m.weight);
   * });
   */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ------------------------------------------------------------------ modes and gradients

  /**
   * Sets training mode on this module and all below it.
   * @example
   * const model = new gl.nn.Dropout(0.5);
   * model.train(false).training; // false, as eval()
   * model.train(); // back to training mode
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Evaluation mode: dropout off, batch norm uses its running statistics.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 4), new gl.nn.Dropout(0.5)).eval();
   * const y = gl.noGrad(() => model.forward(gl.randn([2, 4]))); // deterministic: no dropout
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Turns gradient tracking of every parameter on or off (freezing).
   * @example
   * const backbone = new gl.nn.Linear(16, 8).requiresGrad_(false); // frozen
   * backbone.numParameters({ trainable: true }); // 0
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears the gradients of all parameters (to null, or to zeros with `{ setToNone: false }`).
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * gl.mseLoss(model.forward(gl.randn([3, 4])), gl.zeros([3, 2])).backward();
   * model.zeroGrad();
   * model.weight.grad; // null
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (opts.setToNone === false) p.grad = keep(noGrad(() => p.grad!.mul(0)));
      else p.grad = null;
    }
  }

  // ------------------------------------------------------------------ hooks

  /**
   * Registers `hook(module, args)`, run before forward; it may return replacement args.
   * @example
   * const fc = new gl.nn.Linear(4, 2);
   * const handle = fc.registerForwardPreHook((_m, args) => console.log('input', (args[0] as gl.Tensor).shape));
   * fc.forward(gl.randn([3, 4])); // logs: input [3, 4]
   * handle.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return this._hooks.add(this._hooks.forwardPre, hook);
  }

  /**
   * Registers `hook(module, args, output)`, run after forward; it may return a replacement output.
   * @example
   * const fc = new gl.nn.Linear(4, 2);
   * fc.registerForwardHook((_m, _args, out) => console.log('output', (out as gl.Tensor).shape));
   * fc.forward(gl.randn([3, 4])); // logs: output [3, 2]
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return this._hooks.add(this._hooks.forward, hook);
  }

  /**
   * Registers `hook(module, gradInput, gradOutput)`, run during backward once the gradients with
   * respect to the module's tensor arguments are known; it may return replacement `gradInput`.
   * @example m.registerFullBackwardHook((_m, gin, gout) => console.log(gout[0]?.shape));
   */
  registerFullBackwardHook(hook: BackwardHook): RemovableHandle {
    return this._hooks.add(this._hooks.backward, hook);
  }

  /**
   * Registers `hook(module, gradOutput)`, run when the output gradients reach the module.
   * @example
   * const fc = new gl.nn.Linear(4, 2);
   * fc.registerFullBackwardPreHook((_m, gradOutput) => console.log('dL/dy', gradOutput[0]?.shape));
   * fc.forward(gl.randn([3, 4], { requiresGrad: true })).sum().backward(); // logs: dL/dy [3, 2]
   */
  registerFullBackwardPreHook(hook: BackwardPreHook): RemovableHandle {
    return this._hooks.add(this._hooks.backwardPre, hook);
  }

  // ------------------------------------------------------------------ state dicts

  /**
   * Parameters and persistent buffers under PyTorch's keys and layouts, in PyTorch's order. The
   * tensors share storage with the model (detached unless `keepVars`).
   * @example gl.saveSafetensors('model.safetensors', model.stateDict());
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = new Map();
    this._collectState(opts.prefix ?? '', out, opts.keepVars ?? false);
    return out;
  }

  private _collectState(prefix: string, out: StateDict, keepVars: boolean): void {
    this._sync();
    for (const [k, p] of this._parameters) if (p) out.set(prefix + k, keepVars ? p : p.detach());
    for (const [k, b] of this._buffers)
      if (b && !this._nonPersistent.has(k)) out.set(prefix + k, keepVars ? b : b.detach());
    for (const [k, m] of this._modules) if (m) m._collectState(`${prefix}${k}.`, out, keepVars);
  }

  /**
   * Copies tensors into the parameters and buffers (in place, so optimizers keep working). With
   * `strict` (default) missing or unexpected keys throw a StateDictError; differing shapes always
   * do. Nothing is copied when an error is thrown. Values are cast to the model's dtypes.
   * @example model.loadStateDict(gl.loadSafetensors('model.safetensors').tensors);
   */
  loadStateDict(
    dict: Map<string, Tensor> | Record<string, Tensor>,
    opts: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const given = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict({ keepVars: true });
    const missingKeys: string[] = [];
    const mismatches: ShapeMismatch[] = [];
    for (const [k, t] of own) {
      const src = given.get(k);
      if (src === undefined) missingKeys.push(k);
      else if (!(src instanceof Tensor))
        throw new ArgumentError(`loadStateDict: "${k}" must be a Tensor, got ${typeof src}`);
      else if (src.shape.join() !== t.shape.join())
        mismatches.push({ key: k, expected: [...t.shape], got: [...src.shape] });
    }
    const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
    const strict = opts.strict ?? true;
    if (mismatches.length || (strict && (missingKeys.length || unexpectedKeys.length)))
      throw new StateDictError(strict ? missingKeys : [], strict ? unexpectedKeys : [], mismatches);
    noGrad(() => {
      for (const [k, t] of own) {
        let src = given.get(k);
        if (!src) continue;
        if (src.device !== t.device) src = src.to(t.device as BackendName);
        copyInto(t, src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ------------------------------------------------------------------ conversion

  /**
   * Moves parameters and buffers to a backend, or casts the floating ones to a dtype. Parameters
   * are replaced by new Parameter objects: create optimizers after calling this.
   * @example const net = new gl.nn.Linear(3, 2).to('float64');
   */
  to(target: DType | BackendName): this {
    const toBackend = isBackendName(target);
    if (!toBackend && target !== 'float32' && target !== 'float64')
      throw new ArgumentError(`Module.to: expected 'float32', 'float64' or a backend name, got '${target}'`);
    for (const m of this.modules()) {
      m._sync();
      for (const [k, p] of m._parameters) {
        if (!p || (!toBackend && !isFloat(p.dtype))) continue;
        const moved = noGrad(() => p.to(target));
        if (moved !== p) m._replace('param', k, new Parameter(moved, p.requiresGrad));
      }
      for (const [k, b] of m._buffers) {
        if (!b || (!toBackend && !isFloat(b.dtype))) continue;
        const moved = noGrad(() => b.to(target));
        if (moved !== b) m._replace('buffer', k, keep(moved));
      }
    }
    return this;
  }

  /**
   * Casts floating parameters and buffers to float32.
   * @example new gl.nn.Linear(4, 2).double().float().weight.dtype; // 'float32'
   */
  float(): this {
    return this.to('float32');
  }

  /**
   * Casts floating parameters and buffers to float64.
   * @example new gl.nn.Linear(4, 2).double().weight.dtype; // 'float64' (e.g. for gradient checks)
   */
  double(): this {
    return this.to('float64');
  }

  /**
   * A readable tree of the module and its children.
   * @example
   * console.log(new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU()).toString());
   * // Sequential(
   * //   (0): Linear(inFeatures=4, outFeatures=8, bias=true)
   * //   (1): ReLU()
   * // )
   */
  toString(): string {
    const lines = this.namedChildren().map(([k, m]) => `  (${k}): ${m.toString().replace(/\n/g, '\n  ')}`);
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    return lines.length ? `${head}\n${lines.join('\n')}\n)` : `${head})`;
  }

  /**
   * The constructor arguments shown by toString (subclasses override it).
   * @example new gl.nn.Linear(4, 8).extraRepr(); // 'inFeatures=4, outFeatures=8, bias=true'
   */
  extraRepr(): string {
    return '';
  }
}
