// torch.func's module helpers: functionalCall (a module run with other tensors as its parameters/buffers) and stackModuleState.
import { ArgumentError } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { stack } from '../../ops/shape.js';
import { Module } from '../module.js';

/** Tensors by qualified name ('fc1.weight'), as `namedParameters()` / `namedBuffers()` name them. */
export type NamedTensors = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

type Slot = { owner: Module; key: string; kind: '_parameters' | '_buffers' };

function slotOf(module: Module, name: string): Slot | null {
  const cut = name.lastIndexOf('.');
  const path = cut < 0 ? '' : name.slice(0, cut);
  const key = name.slice(cut + 1);
  const owner = path === '' ? module : new Map(module.namedModules()).get(path);
  if (!owner) return null;
  if (owner.getParameter(key) !== undefined) return { owner, key, kind: '_parameters' };
  if (owner.getBuffer(key) !== undefined) return { owner, key, kind: '_buffers' };
  return null;
}

function put(s: Slot, value: Tensor | null): void {
  (s.owner[s.kind] as Map<string, Tensor | null>).set(s.key, value);
  if (Object.prototype.hasOwnProperty.call(s.owner, s.key))
    (s.owner as unknown as Record<string, unknown>)[s.key] = value;
}

function current(s: Slot): Tensor | null {
  return (s.owner[s.kind] as Map<string, Tensor | null>).get(s.key) ?? null;
}

/**
 * Runs `module.forward(...args)` with the given tensors in place of the parameters and buffers of the
 * same names (the others keep theirs), then puts the module's own back — `torch.func.functional_call`.
 * The tensors may be anything: leaves of another graph, per-example (vmapped) weights, perturbed copies.
 * @example
 * const lin = new gl.nn.Linear(3, 2);
 * const y = gl.func.functionalCall(lin, { weight: gl.zeros([2, 3]) }, gl.ones([4, 3])); // = bias, broadcast
 */
export function functionalCall(module: Module, tensors: NamedTensors, ...args: unknown[]): any {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const slots = entries.map(([name, t]) => {
    if (!(t instanceof Tensor))
      throw new ArgumentError(
        `functionalCall: "${name}" must be a tensor, got ${t === null ? 'null' : typeof t}`,
      );
    const s = slotOf(module, name);
    if (!s) {
      const known = [...module.namedParameters(), ...module.namedBuffers()].map(([n]) => n);
      throw new ArgumentError(
        `functionalCall: the module has no parameter or buffer "${name}" (it has ${known.join(', ') || 'none'})`,
      );
    }
    return [s, t] as const;
  });
  const saved = slots.map(([s]) => [s, current(s)] as const);
  try {
    for (const [s, t] of slots) put(s, t);
    return module.forward(...args);
  } finally {
    for (const [s, t] of saved.reverse()) put(s, t);
  }
}

/**
 * Stacks the parameters and buffers of models of one architecture along a new dim 0, for vmapping
 * over an ensemble with `functionalCall` (`torch.func.stack_module_state`). Stacked parameters are new
 * leaves that require grad where the originals do.
 * @example
 * const [params, buffers] = gl.func.stackModuleState([netA, netB]);
 * const ys = gl.vmap((p: Record<string, gl.Tensor>) => gl.func.functionalCall(netA, p, x), [0])(params);
 */
export function stackModuleState(
  models: readonly Module[],
): [Record<string, Tensor>, Record<string, Tensor>] {
  if (models.length === 0) throw new ArgumentError('stackModuleState: expected at least one model, got none');
  const first = models[0];
  const collect = (get: (m: Module) => [string, Tensor][], what: string, leaf: boolean) => {
    const names = get(first).map(([n]) => n);
    const out: Record<string, Tensor> = {};
    const all = models.map((m, i) => {
      const map = new Map(get(m));
      if (map.size !== names.length || names.some((n) => !map.has(n)))
        throw new ArgumentError(
          `stackModuleState: model ${i} has ${what} {${[...map.keys()].join(', ')}}, model 0 has {${names.join(', ')}}`,
        );
      return map;
    });
    for (const n of names) {
      const ts = all.map((m) => m.get(n)!);
      ts.forEach((t, i) => {
        if (t.shape.join() !== ts[0].shape.join())
          throw new ArgumentError(
            `stackModuleState: ${what} "${n}" has shape [${t.shape.join(',')}] in model ${i} but [${ts[0].shape.join(',')}] in model 0`,
          );
      });
      const s = stack(ts.map((t) => t.detach()));
      out[n] = leaf && ts[0].requiresGrad ? s.requiresGrad_() : s;
    }
    return out;
  };
  return [
    collect((m) => m.namedParameters(), 'parameters', true),
    collect((m) => m.namedBuffers(), 'buffers', false),
  ];
}
