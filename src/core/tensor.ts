// The Tensor: a strided view of backend storage plus its place on the tape (gradFn, grad, hooks, version).
/// <reference lib="esnext.disposable" preserve="true" />
import type { Storage, TensorView } from './backend.js';
import { isFloat, type DType, type TypedArray } from './dtype.js';
import { BackendError, DisposedError, DTypeError, GradError, ShapeError } from './errors.js';
import { trackStorage, trackView, untrackStorage, untrackTensor } from './memory.js';
import type { GradHook, Node } from './node.js';
import { deferStorageDispose, isStorageSaved } from './saved.js';
import { isContiguous } from './shape.js';
import { settleChecks } from './deferred-checks.js';
import { state } from './state.js';
import { INSPECT_CUSTOM, inspectTensor } from './tensor-inspect.js';
import type { InspectableTensor } from './tensor-inspect.js';

/** Shared by a tensor and all its views: bumped by every in-place write. */
export interface VersionCounter {
  value: number;
}

/** Handle returned by registerHook. */
export interface RemovableHandle {
  /** Unregisters the hook. */
  remove(): void;
}

const disposeScopes: Tensor[][] = [];
/** Live (not disposed) tensors per storage: a storage is freed by dispose() when none is left. */

/**
 * An n-dimensional array on a backend, with reverse-mode autodiff.
 * @example
 * const x = gl.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();   // x.grad = 2x
 */
export class Tensor implements TensorView {
  /** The backend memory holding the elements (shared by views). */
  storage: Storage;
  /** Size of each dim ([] for a scalar). */
  readonly shape: readonly number[];
  /** Elements to step in storage per index of each dim. */
  readonly strides: readonly number[];
  /** Index in storage of the first element. */
  readonly offset: number;
  /** Element type: float32, float64, int32 or bool. */
  readonly dtype: DType;
  /** Gradient accumulated by backward() (leaves, and non-leaves after retainGrad()). */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** An optional name shown in the tape and memory views. */
  name: string | undefined = undefined;
  /** @internal which output of gradFn this is */
  _outputIndex = 0;
  /** @internal */
  _version: VersionCounter;
  /** @internal whether this tensor shares a storage created by another tensor */
  _isView: boolean;
  /** @internal the tensor this one is a view of */
  _base: Tensor | null = null;
  /** @internal gradient hooks of a leaf */
  _hooks: GradHook[] | null = null;
  private _requiresGrad = false;
  private _disposed = false;
  /** What the memory accounting watches to see a view collected (see trackView). */
  private _life: object | undefined = undefined;

  /** @internal use gl.tensor / gl.zeros / ops to create tensors. */
  constructor(
    storage: Storage,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
    dtype: DType,
    version?: VersionCounter,
  ) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    this._version = version ?? { value: 0 };
    this._isView = version !== undefined;
    if (version) this._life = trackView(storage);
    else trackStorage(storage);
    if (disposeScopes.length) disposeScopes[disposeScopes.length - 1].push(this);
  }

  /** @internal a tensor sharing this one's storage and version counter. */
  static _view(base: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    const v = new Tensor(base.storage, shape, strides, offset, base.dtype, base._version);
    v._base = base._base ?? base;
    return v;
  }

  /** Always true: tells a tensor from other objects across module copies. */
  get __isTensor(): true {
    return true;
  }

  /** Number of elements. */
  get numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** Number of dims (0 for a scalar). */
  get ndim(): number {
    return this.shape.length;
  }

  /** Name of the backend holding the data. */
  get device(): string {
    return this.storage.backend.name;
  }

  /** True for tensors not produced by a recorded op (inputs, parameters). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Whether ops on this tensor are recorded for backward. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  /** Same as `requiresGrad_(on)`. */
  set requiresGrad(on: boolean) {
    this.requiresGrad_(on);
  }

  /**
   * Marks a leaf as needing a gradient (float dtypes only). Returns this.
   * @example const w = gl.randn([3, 3]).mul(0.1).requiresGrad_(); // a leaf that backward fills .grad of
   */
  requiresGrad_(on = true): this {
    if (on && !isFloat(this.dtype))
      throw new DTypeError(`requiresGrad: only float tensors can require gradients, got ${this.dtype}`);
    if (!on && this.gradFn)
      throw new GradError('requiresGrad: cannot turn off requiresGrad of a non-leaf tensor; use detach()');
    this._requiresGrad = on;
    return this;
  }

  /**
   * A tensor sharing this one's data but cut from the tape (no gradFn, requiresGrad false).
   * @example const target = y.detach();
   */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype, this._version);
  }

  /** @internal set by the engine when a recorded op produced this tensor. */
  _setGradFn(node: Node, index: number): void {
    this.gradFn = node;
    this._outputIndex = index;
    this._requiresGrad = true;
  }

  /** @internal an in-place write of a value without history. */
  _cutFromTape(): void {
    this.gradFn = null;
    this._outputIndex = 0;
    this._requiresGrad = false;
  }

  /** @internal */
  _assertAlive(op: string): void {
    if (this._disposed || this.storage.disposed)
      throw new DisposedError(`${op}: tensor of shape [${this.shape.join(',')}] was disposed`);
  }

  /** True when the elements lie in row-major order without gaps. */
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /**
   * The elements as a new flat typed array (row-major). Throws on asynchronous backends: use data().
   * @example gl.tensor([[1, 2], [3, 4]]).dataSync(); // Float32Array [1, 2, 3, 4] (synchronous backends: js, native)
   */
  dataSync(): TypedArray {
    this._assertAlive('dataSync');
    const b = this.storage.backend;
    if (!b.capabilities.syncRead)
      throw new BackendError(
        `dataSync: the ${b.name} backend cannot read synchronously; use 'await t.data()' (or 'await t.itemAsync()')`,
      );
    return b.readSync(this);
  }

  /**
   * The elements as a new flat typed array, once the device has them. Rejects with the error of a
   * device-side check queued since the last read (e.g. an out-of-range gather index on webgpu).
   * @example const values = await gl.tensor([1, 2, 3]).mul(2).data(); // Float32Array [2, 4, 6], on every backend
   */
  async data(): Promise<TypedArray> {
    this._assertAlive('data');
    const b = this.storage.backend;
    const [out] = await Promise.all([b.read(this), settleChecks(b)]);
    return out;
  }

  /**
   * Nested JS arrays (a number for a scalar; booleans for bool tensors).
   * @example gl.tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   */
  toArray(): unknown {
    const flat = this.dataSync();
    const asValue = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    if (this.shape.length === 0) return asValue(flat[0]);
    const build = (dim: number, at: number): unknown[] => {
      const n = this.shape[dim];
      const out: unknown[] = new Array(n);
      let step = 1;
      for (let d = dim + 1; d < this.shape.length; d++) step *= this.shape[d];
      for (let i = 0; i < n; i++)
        out[i] = dim === this.shape.length - 1 ? asValue(flat[at + i]) : build(dim + 1, at + i * step);
      return out;
    };
    return build(0, 0);
  }

  /**
   * The value of a one-element tensor.
   * @example gl.tensor([1, 2, 3]).sum().item(); // 6
   */
  item(): number {
    if (this.numel !== 1)
      throw new ShapeError(
        `item: only one-element tensors can be converted to a number, got shape [${this.shape.join(',')}]`,
      );
    return this.dataSync()[0];
  }

  /**
   * The value of a one-element tensor, read asynchronously (works on every backend, including webgpu).
   * @example const loss = await lossTensor.itemAsync();
   */
  async itemAsync(): Promise<number> {
    if (this.numel !== 1)
      throw new ShapeError(
        `itemAsync: only one-element tensors can be converted to a number, got shape [${this.shape.join(',')}]`,
      );
    return (await this.data())[0];
  }

  /**
   * Releases the storage now (on CPU backends this only helps the garbage collector).
   * @example
   * const big = gl.randn([1024, 1024]);
   * big.dispose(); // using it afterwards throws DisposedError
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    const refs = untrackTensor(this.storage, this._life, this._isView);
    if (refs > 0 || this.storage.disposed) return;
    const storage = this.storage;
    const free = () => {
      if (storage.disposed) return;
      storage.backend.dispose(storage);
      untrackStorage(storage);
    };
    // a storage still saved for backward is freed when the tape lets go of it (after backward, or when
    // an unused graph is collected), so device memory does not wait for the garbage collector
    if (isStorageSaved(storage)) deferStorageDispose(storage, free);
    else free();
  }

  /**
   * `using x = ...` support: disposes the tensor at the end of the block.
   * @example
   * function noiseMean(): number {
   *   using tmp = gl.randn([1024, 1024]);
   *   return tmp.mean().item();
   * } // tmp is disposed when the function returns
   * noiseMean();
   */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** True once `dispose()` has released this tensor. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Registers a hook called with this tensor's gradient during backward; it may return a replacement.
   * @example
   * const x = gl.ones([2], { requiresGrad: true });
   * x.registerHook((g) => g.clamp(-0.5, 0.5)); // clip this tensor's gradient
   * x.mul(3).sum().backward();
   * x.grad; // [0.5, 0.5]
   */
  registerHook(hook: GradHook): RemovableHandle {
    if (!this._requiresGrad)
      throw new GradError("registerHook: cannot register a hook on a tensor that doesn't require grad");
    let list: GradHook[];
    if (this.gradFn) {
      const node = this.gradFn;
      node.outputHooks ??= node.outputShapes.map(() => []);
      list = node.outputHooks[this._outputIndex];
    } else list = this._hooks ??= [];
    list.push(hook);
    return { remove: () => void list.splice(list.indexOf(hook) >>> 0, 1) };
  }

  /**
   * Keeps the gradient of this non-leaf in `.grad` after backward.
   * @example
   * const x = gl.ones([2], { requiresGrad: true });
   * const h = x.mul(2).retainGrad();
   * h.sum().backward();
   * h.grad; // [1, 1]
   */
  retainGrad(): this {
    if (!this.gradFn) return this;
    const node = this.gradFn;
    node.retained ??= node.outputShapes.map(() => null);
    node.retained[this._outputIndex] = this;
    return this;
  }

  /**
   * How Node prints the tensor (console.log, util.inspect): PyTorch-like values, shape, dtype, gradFn.
   * @example console.log(gl.tensor([[1, 2], [3, 4]])); // tensor([[1., 2.], [3., 4.]], shape=[2,2], dtype=float32, device=...)
   */
  [INSPECT_CUSTOM](): string {
    return inspectTensor(
      inspectable(this, () => (this._disposed || this.storage.disposed ? 'disposed' : null)),
    );
  }

  /**
   * A one-line summary, with the values when they are few and readable now.
   * @example String(gl.tensor([1, 2])); // 'tensor(shape=[2], dtype=float32, device=js) [1,2]'
   */
  toString(): string {
    const head = `tensor(shape=[${this.shape.join(',')}], dtype=${this.dtype}, device=${this.device}`;
    const grad = this.gradFn ? `, gradFn=${this.gradFn.op}` : this._requiresGrad ? ', requiresGrad=true' : '';
    if (!this.storage.backend.capabilities.syncRead || this.numel > 100) return `${head}${grad})`;
    return `${head}${grad}) ${JSON.stringify(this.toArray())}`;
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it except those it returns (anywhere in the
 * returned value). On CPU backends this only frees memory earlier.
 * @example const y = gl.tidy(() => gl.ones([3]).mul(2).add(1)); // the intermediate mul(2) is disposed, y is kept
 */
export function tidy<T>(fn: () => T): T {
  disposeScopes.push([]);
  let created: Tensor[] = [];
  let result: T;
  try {
    result = fn();
  } finally {
    created = disposeScopes.pop()!;
  }
  const keep = new Set<Tensor>();
  collectTensors(result, keep);
  const outer = disposeScopes.length ? disposeScopes[disposeScopes.length - 1] : null;
  for (const t of created) {
    if (keep.has(t)) outer?.push(t);
    else if (!keptForever.has(t)) t.dispose();
  }
  return result;
}

/** The `kept` sets of the disposing scopes now running (backward passes), innermost last. */
const keptSets: Set<Tensor>[] = [];

/**
 * @internal Runs `fn`, then disposes every tensor created inside it except those `fn` added to the
 * set it is given (they move to the enclosing tidy, if any) and those kept forever. backward() runs in
 * one so its intermediate gradients go back to the backend's pool at once instead of waiting for the
 * garbage collector.
 */
export function disposingScope<T>(fn: (kept: Set<Tensor>) => T): T {
  const kept = new Set<Tensor>();
  keptSets.push(kept);
  disposeScopes.push([]);
  let created: Tensor[] = [];
  let result: T;
  try {
    result = fn(kept);
  } finally {
    created = disposeScopes.pop()!;
    keptSets.pop();
  }
  const outer = disposeScopes.length ? disposeScopes[disposeScopes.length - 1] : null;
  for (const t of created) {
    if (kept.has(t)) outer?.push(t);
    else if (!keptForever.has(t)) t.dispose();
  }
  return result;
}

/**
 * @internal Runs user code inside a disposing scope (a gradient hook, a custom function's backward, a
 * module's backward hook): the tensors it is given (`args`) and every tensor it creates outlive the
 * scope, since the user may hold on to them.
 */
export function userCode<T>(args: readonly unknown[], fn: () => T): T {
  const kept = keptSets[keptSets.length - 1];
  if (!kept) return fn();
  collectTensors(args, kept);
  disposeScopes.push([]);
  try {
    return fn();
  } finally {
    const created = disposeScopes.pop()!;
    const outer = disposeScopes[disposeScopes.length - 1];
    for (const t of created) {
      kept.add(t);
      outer.push(t);
    }
  }
}

/**
 * @internal For library code only: gives up `t`, an intermediate no user code can reach (created by the
 * library, never returned, never handed to a hook). Its memory goes back to the backend's pool now, or,
 * when the tape saved it for backward, as soon as the tape lets go of it (after backward, or when an
 * unused graph is collected); until then the tensor stays usable by backward. This is what a plain
 * training loop (no gl.tidy) relies on to reuse the memory of its forward pass every step instead of
 * allocating it afresh and waiting for the garbage collector. Inside a savedTensorHooks region it does
 * nothing (what a pack hook keeps is out of its sight).
 * @example const h = pmatmul(a, b); const y = padd(h, bias); releaseIntermediate(h);
 */
export function releaseIntermediate(t: Tensor): void {
  if (t.isDisposed || keptForever.has(t)) return;
  // a pack hook may have kept the tensor itself, out of sight of the storage counts: leave it to the GC
  if (state.savedHooks.length) return;
  if (isStorageSaved(t.storage)) deferStorageDispose(t.storage, () => t.dispose());
  else t.dispose();
}

const keptForever = new WeakSet<Tensor>();
/**
 * Excludes a tensor from disposal by enclosing tidy() scopes.
 * @example
 * let w!: gl.Tensor;
 * gl.tidy(() => {
 *   w = gl.keep(gl.randn([3, 3])); // survives the scope
 *   gl.randn([3, 3]); // disposed at its end
 * });
 */
export function keep<T extends Tensor>(t: T): T {
  keptForever.add(t);
  return t;
}

function collectTensors(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (v instanceof Tensor) {
    out.add(v);
    if (v.grad) out.add(v.grad);
    return;
  }
  for (const x of Array.isArray(v) ? v : Object.values(v)) collectTensors(x, out, depth + 1);
}

/** The view of a tensor `inspectTensor` prints: async backends and disposed tensors show why there are no values. */
function inspectable(t: Tensor, gone: () => string | null): InspectableTensor {
  return {
    shape: t.shape,
    dtype: t.dtype,
    device: t.device,
    numel: t.numel,
    requiresGrad: t.requiresGrad,
    gradFn: t.gradFn,
    readValues: () =>
      gone() ??
      (!t.storage.backend.capabilities.syncRead
        ? `values on ${t.device}: read them with await t.data()`
        : t.dataSync()),
  };
}
