// Containers: Sequential (chains modules, keys 0.weight...), ModuleList and ModuleDict.
import { ArgumentError, IndexOutOfRangeError } from '../core/errors.js';
import { releaseIntermediate, Tensor } from '../core/tensor.js';
import { Module } from './module.js';
import { epilogueActivation, hasEpilogue, layerFusion } from './fusion.js';
import { keepsNothing } from './release.js';

function checkModule(where: string, m: unknown): Module {
  if (!(m instanceof Module))
    throw new ArgumentError(`${where}: expected a Module, got ${m === null ? 'null' : typeof m}`);
  return m;
}

/**
 * Runs its modules in order, each one's output feeding the next. Children are named '0', '1', ...
 * (or by the keys of a Map / record), so state-dict keys are PyTorch's (`0.weight`, `2.bias`).
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(784, 128), new gl.nn.ReLU(), new gl.nn.Linear(128, 10));
 * const logits = model.forward(x);
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && !(first instanceof Module) && first !== null && typeof first === 'object') {
      const entries = first instanceof Map ? [...first] : Object.entries(first);
      for (const [k, m] of entries) this.registerModule(k, checkModule(`Sequential '${k}'`, m));
    } else
      (modules as Module[]).forEach((m, i) =>
        this.registerModule(String(i), checkModule(`Sequential[${i}]`, m)),
      );
  }

  private list(): Module[] {
    return this.childEntries()
      .map(([, m]) => m)
      .filter((m): m is Module => m !== null);
  }

  /** Number of modules. */
  get length(): number {
    return this.list().length;
  }

  /**
   * The i-th module (negative counts from the end).
   * @example new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU()).at(-1); // the ReLU
   */
  at(i: number): Module {
    const list = this.list();
    const j = i < 0 ? i + list.length : i;
    if (!Number.isInteger(j) || j < 0 || j >= list.length)
      throw new IndexOutOfRangeError(`Sequential.at: index ${i} out of range for ${list.length} modules`);
    return list[j];
  }

  /**
   * Adds a module at the end (named by its position).
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8)).append(new gl.nn.ReLU());
   * model.length; // 2
   */
  append(m: Module): this {
    this.registerModule(String(this.childEntries().length), checkModule('Sequential.append', m));
    return this;
  }

  /**
   * The modules in order (`for (const m of seq)`).
   * @example for (const m of new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU())) console.log(m.constructor.name);
   */
  [Symbol.iterator](): Iterator<Module> {
    return this.list()[Symbol.iterator]();
  }

  /**
   * Runs the modules in order. A tensor passed between two built-in layers (no hooks, own forward)
   * is seen by no user code, so its memory is given back as soon as the next layer has used it (or,
   * if saved for backward, when the tape lets go of it): a plain training loop then reuses the same
   * buffers every step, as inside gl.tidy.
   */
  override forward(x: any): any {
    const plain = (m: Module): Module[] | null =>
      m instanceof Sequential && m.constructor === Sequential ? m.list() : null;
    const list = this.list();
    let y = x;
    let prev: Module | null = null;
    for (let i = 0; i < list.length; i++) {
      let m = list[i];
      let out: unknown = undefined;
      // Linear/Conv2d then ReLU/Tanh/Sigmoid, both built-in and unhooked: one fused epilogue
      const next = list[i + 1] as Module | undefined;
      const act = next && layerFusion() ? epilogueActivation(next) : null;
      if (act && next && hasEpilogue(m) && keepsNothing(m, plain) && keepsNothing(next, plain)) {
        out = m._forwardAct(y, act);
        if (out) m = list[++i];
      }
      if (!out) out = m.forward(y);
      if (
        prev &&
        y instanceof Tensor &&
        y !== x &&
        y !== out &&
        keepsNothing(prev, plain) &&
        keepsNothing(m, plain)
      )
        releaseIntermediate(y);
      prev = m;
      y = out;
    }
    return y;
  }
}

/**
 * A list of modules registered as children '0', '1', ... (no forward of its own).
 * @example const blocks = new gl.nn.ModuleList([...Array(4)].map(() => new Block()));
 */
export class ModuleList extends Module {
  private count = 0;
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of modules held. */
  get length(): number {
    return this.count;
  }

  /**
   * The i-th module (negative i counts from the end); IndexOutOfRangeError when absent.
   * @example
   * const blocks = new gl.nn.ModuleList([new gl.nn.Linear(4, 4), new gl.nn.Linear(4, 2)]);
   * blocks.at(-1); // the Linear(4, 2)
   */
  at(i: number): Module {
    const j = i < 0 ? i + this.count : i;
    if (!Number.isInteger(j) || j < 0 || j >= this.count)
      throw new IndexOutOfRangeError(`ModuleList.at: index ${i} out of range for ${this.count} modules`);
    return this.getModule(String(j))!;
  }

  /**
   * Replaces the i-th module.
   * @example
   * const blocks = new gl.nn.ModuleList([new gl.nn.Linear(4, 4), new gl.nn.Linear(4, 2)]);
   * blocks.set(0, new gl.nn.Identity());
   */
  set(i: number, m: Module): void {
    this.at(i);
    this.registerModule(String(i < 0 ? i + this.count : i), checkModule('ModuleList.set', m));
  }

  /**
   * Adds a module at the end; returns this list.
   * @example
   * const blocks = new gl.nn.ModuleList().append(new gl.nn.Linear(4, 4));
   * blocks.length; // 1
   */
  append(m: Module): this {
    this.registerModule(String(this.count), checkModule('ModuleList.append', m));
    this.count++;
    return this;
  }

  /**
   * Appends each module in turn; returns this list.
   * @example
   * const blocks = new gl.nn.ModuleList().extend([new gl.nn.Linear(4, 4), new gl.nn.ReLU()]);
   * blocks.length; // 2
   */
  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }

  /**
   * The modules in order (`for (const m of seq)`).
   * @example
   * const blocks = new gl.nn.ModuleList([new gl.nn.Linear(4, 4), new gl.nn.Linear(4, 4)]);
   * let x = gl.randn([2, 4]);
   * for (const block of blocks) x = block.forward(x);
   */
  [Symbol.iterator](): Iterator<Module> {
    return Array.from({ length: this.count }, (_, i) => this.getModule(String(i))!)[Symbol.iterator]();
  }

  /**
   * `fn` applied to each module with its index, as an array.
   * @example
   * const blocks = new gl.nn.ModuleList([new gl.nn.Linear(4, 4), new gl.nn.Linear(4, 2)]);
   * blocks.map((m, i) => `${i}: ${m.numParameters()}`); // ['0: 20', '1: 10']
   */
  map<T>(fn: (m: Module, i: number) => T): T[] {
    return [...this].map(fn);
  }
}

/**
 * Modules under string keys, in insertion order (no forward of its own).
 * @example const heads = new gl.nn.ModuleDict({ cls: new gl.nn.Linear(64, 10), box: new gl.nn.Linear(64, 4) });
 */
export class ModuleDict extends Module {
  constructor(modules: Map<string, Module> | Record<string, Module> = {}) {
    super();
    for (const [k, m] of modules instanceof Map ? modules : Object.entries(modules)) this.set(k, m);
  }

  /**
   * The module under `key`, or undefined.
   * @example
   * const heads = new gl.nn.ModuleDict({ cls: new gl.nn.Linear(64, 10) });
   * heads.get('cls')?.forward(gl.randn([2, 64])).shape; // [2, 10]
   */
  get(key: string): Module | undefined {
    return this.getModule(key) ?? undefined;
  }

  /**
   * Adds or replaces the module under `key`; returns this dict.
   * @example
   * const heads = new gl.nn.ModuleDict().set('box', new gl.nn.Linear(64, 4));
   * heads.has('box'); // true
   */
  set(key: string, m: Module): this {
    this.registerModule(key, checkModule(`ModuleDict '${key}'`, m));
    return this;
  }

  /**
   * True when a module is registered under `key`.
   * @example new gl.nn.ModuleDict({ cls: new gl.nn.Linear(64, 10) }).has('box'); // false
   */
  has(key: string): boolean {
    return this.getModule(key) !== undefined;
  }

  /**
   * The keys, in insertion order.
   * @example new gl.nn.ModuleDict({ cls: new gl.nn.Linear(64, 10), box: new gl.nn.Linear(64, 4) }).keys(); // ['cls', 'box']
   */
  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  /**
   * The modules, in insertion order.
   * @example
   * const heads = new gl.nn.ModuleDict({ cls: new gl.nn.Linear(64, 10), box: new gl.nn.Linear(64, 4) });
   * const outs = heads.values().map((head) => head.forward(gl.randn([2, 64])));
   */
  values(): Module[] {
    return this.entries().map(([, m]) => m);
  }

  /**
   * [key, module] pairs, in insertion order.
   * @example
   * const heads = new gl.nn.ModuleDict({ cls: new gl.nn.Linear(64, 10), box: new gl.nn.Linear(64, 4) });
   * for (const [name, head] of heads.entries()) console.log(name, head.numParameters());
   */
  entries(): [string, Module][] {
    return this.childEntries().filter((e): e is [string, Module] => e[1] !== null);
  }

  /** Number of modules held. */
  get size(): number {
    return this.keys().length;
  }
}
