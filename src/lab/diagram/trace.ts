// The circuit-diagram tracer: runs a forward on the tape and reads each op's shapes, named axes, FLOPs and saved bytes.
import type { DType } from '../../core/dtype.js';
import { ArgumentError, fmtShape } from '../../core/errors.js';
import { nodesOf } from '../../core/inspect.js';
import type { Node } from '../../core/node.js';
import { enableGrad, state } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { Sequential } from '../../nn/containers.js';
import { epilogueActivation, hasEpilogue, layerFusion } from '../../nn/fusion.js';
import { Module } from '../../nn/module.js';
import { propagateNames, reshapeNames, type AxisNames } from './axes.js';
import { flopsOf, numel, type FlopCount } from './flops.js';
import { diagramTable } from './table.js';
import { renderSvg } from './svg.js';

/** Where a wire comes from: an op's output, an example input, a parameter or buffer, or an untracked tensor. */
export type WireSource =
  | {
      /** An op's output. */
      kind: 'op';
      /** The producing op's tape node id. */
      op: number;
      /** Which of its outputs. */
      output: number;
    }
  | {
      /** An example input. */
      kind: 'input';
      /** Its position in the example inputs. */
      index: number;
    }
  | {
      /** A parameter or buffer of the module. */
      kind: 'param';
      /** Its name in the module (`0.weight`). */
      name: string;
    }
  | {
      /** A tensor outside the trace (a constant, or a tensor needing no gradient and not an input). */
      kind: 'const';
    };

/** One input wire of an op. */
export interface DiagramInput {
  /** Where the wire comes from. */
  from: WireSource;
  /** What the wire is called: the input's or parameter's name, or '' for an op output. */
  label: string;
  /** The wire's shape. */
  shape: number[];
  /** The names of its axes (null where unnamed). */
  axes: AxisNames;
  /** Whether backward computes a gradient for this input (only these count in backward FLOPs). */
  needsGrad: boolean;
}

/** One output wire of an op. */
export interface DiagramWire {
  /** The wire's shape. */
  shape: number[];
  /** Its dtype. */
  dtype: DType;
  /** The names of its axes (null where unnamed). */
  axes: AxisNames;
}

/** One saved tensor of an op. */
export interface DiagramSaved {
  /** Shape of the saved tensor. */
  shape: number[];
  /** Its dtype. */
  dtype: DType;
  /** Bytes of its storage (or of what a pack hook kept). */
  bytes: number;
  /** 'leaf' for inputs, parameters and constants, 'intermediate' for activations. */
  kind: 'leaf' | 'intermediate';
  /** False when an earlier op already saved the same storage (its bytes count there, once). */
  counted: boolean;
}

/** One recorded op of the traced forward. */
export interface DiagramOp {
  /** Tape node id. */
  id: number;
  /** The primitive, fused node or custom function name. */
  op: string;
  /** The scope the op ran in: module path segments joined by '/' (empty at top level). */
  scope: string;
  /** The op's parameters as recorded on the tape. */
  params: unknown;
  /** Its input wires, in the op's argument order. */
  inputs: DiagramInput[];
  /** Its output wires. */
  outputs: DiagramWire[];
  /** Forward and backward FLOPs (backward only for inputs needing gradients). */
  flops: FlopCount;
  /** Bytes this op adds to what backward keeps (each storage counted once, at the first op saving it). */
  savedBytes: number;
  /** Each tensor its rule saved for backward. */
  saved: DiagramSaved[];
  /** Whether a parameter enters the op (drawn as a bold box, as the paper draws learned operations). */
  learned: boolean;
  /** A view of parameters alone (a weight's transpose): drawn inside its consumer's box, not as a box. */
  folded: boolean;
}

/** A traced forward: its ops, inputs and outputs, totals, and the renderers. */
export interface Diagram {
  /** The example inputs. */
  inputs: {
    /** Its label (x, x1, … or `inputNames`). */
    label: string;
    /** Its shape. */
    shape: number[];
    /** Its dtype. */
    dtype: DType;
    /** Its axis names. */
    axes: AxisNames;
    /** Whether it needed a gradient in the trace. */
    requiresGrad: boolean;
  }[];
  /** The recorded ops, producers first. */
  ops: DiagramOp[];
  /** The tensors the forward returned. */
  outputs: {
    /** Where each comes from. */
    from: WireSource;
    /** Its shape. */
    shape: number[];
    /** Its axis names. */
    axes: AxisNames;
  }[];
  /** Module path (segments joined by '/') → the module's class name, for the fences. */
  modules: Record<string, string>;
  /** Sums over the ops. */
  totals: {
    /** Forward FLOPs of all ops with a rule. */
    forwardFlops: number;
    /** Backward FLOPs of all ops with a rule. */
    backwardFlops: number;
    /** Bytes saved for backward, each storage once (equals `gl.savedResiduals`' total). */
    savedBytes: number;
    /** Ops without a FLOP rule (a user's custom functions); their FLOPs are not in the totals. */
    uncounted: string[];
  };
  /** A per-op table: op, scope, output shape, forward/backward FLOPs, saved bytes. */
  toString(): string;
  /** The diagram as an SVG document. */
  toSVG(): string;
}

/** Options of {@link diagram}. */
export interface DiagramOptions {
  /** Axis names per example input (one name or null per dim), e.g. `[['batch', 'features']]`. */
  axisNames?: readonly (readonly (string | null)[] | null | undefined)[];
  /** Labels of the example inputs (default x, x1, x2, ...). */
  inputNames?: readonly string[];
  /**
   * Whether the example inputs need gradients (default false: as in training, where only the
   * parameters do; the first layer then computes no input gradient and saves accordingly).
   */
  inputsRequireGrad?: boolean;
  /** The module whose parameter names label the wires when `target` is a function. */
  module?: Module;
}

const VIEWS = new Set(['reshape', 'permute', 'expand', 'slice']);

function tensorsIn(v: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (v && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) tensorsIn(x, out, seen);
  }
  return out;
}

/** Runs `fn` with every submodule's forward inside a scope named by its attribute name. */
function withModuleScopes<T>(
  root: Module | undefined,
  fn: () => T,
): { value: T; modules: Record<string, string> } {
  const modules: Record<string, string> = {};
  if (!root) return { value: fn(), modules };
  const handles: { remove(): void }[] = [];
  const depth = state.scopes.length;
  // a Linear/Conv2d and the activation after it in a Sequential run as one fused node only without hooks:
  // they get no scope hooks (their op is placed in the layer's module by its parameters afterwards)
  const fused = new Set<Module>();
  if (layerFusion())
    for (const m of root.modules())
      if (m instanceof Sequential) {
        const list = m.children();
        list.forEach((c, i) => {
          const next = list[i + 1];
          if (next && hasEpilogue(c) && epilogueActivation(next)) fused.add(c).add(next);
        });
      }
  for (const [name, m] of root.namedModules()) {
    if (name === '') continue;
    modules[name.split('.').join('/')] = m.constructor.name;
    if (fused.has(m)) continue;
    const local = name.split('.').pop()!;
    handles.push(
      m.registerForwardPreHook(() => {
        state.scopes.push(local);
      }),
    );
    handles.push(
      m.registerForwardHook(() => {
        state.scopes.pop();
      }),
    );
  }
  try {
    return { value: fn(), modules };
  } finally {
    for (const h of handles) h.remove();
    state.scopes.length = depth;
  }
}

function checkArgs(target: unknown, inputs: unknown, opts: DiagramOptions): Tensor[] {
  if (!(target instanceof Module) && typeof target !== 'function')
    throw new ArgumentError(
      `diagram: expected a Module or a function of tensors as the first argument, got ${target === null ? 'null' : typeof target}`,
    );
  const list = Array.isArray(inputs) ? inputs : [inputs];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor))
      throw new ArgumentError(
        `diagram: example input ${i} must be a Tensor, got ${t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t}`,
      );
  });
  if (list.length === 0) throw new ArgumentError('diagram: expected at least one example input, got none');
  const names = opts.axisNames;
  if (names !== undefined) {
    if (!Array.isArray(names) || names.length !== list.length)
      throw new ArgumentError(
        `diagram: axisNames must list one entry per example input (${list.length}), got ${Array.isArray(names) ? names.length : typeof names}`,
      );
    names.forEach((n, i) => {
      if (n == null) return;
      const t = list[i] as Tensor;
      if (!Array.isArray(n) || n.length !== t.ndim || n.some((s) => s !== null && typeof s !== 'string'))
        throw new ArgumentError(
          `diagram: axisNames[${i}] must name each of the ${t.ndim} axes of input ${i} ${fmtShape(t.shape)} (a string or null each), got ${JSON.stringify(n)}`,
        );
    });
  }
  if (opts.inputNames !== undefined && opts.inputNames.length !== list.length)
    throw new ArgumentError(
      `diagram: inputNames must give one name per example input (${list.length}), got ${opts.inputNames.length}`,
    );
  return list as Tensor[];
}

/**
 * Traces one forward of `target` (a Module or a function of tensors) on `exampleInputs` and returns its
 * circuit diagram: every recorded op with its input and output shapes and named axes, forward and backward
 * FLOPs (backward counts only the inputs that need gradients), and the bytes it saves for backward (read from
 * the tape's saved entries: the sum equals `gl.savedResiduals`' total). Render with `.toSVG()` or `.toString()`.
 *
 * @example
 * const mlp = new gl.nn.Sequential(new gl.nn.Linear(784, 256), new gl.nn.ReLU(), new gl.nn.Linear(256, 10));
 * const d = gl.lab.diagram(mlp, [gl.randn([64, 784])], { axisNames: [['batch', 'pixel']] });
 * console.log(d.toString()); fs.writeFileSync('mlp.svg', d.toSVG());
 */
export function diagram(
  target: Module | ((...inputs: Tensor[]) => unknown),
  exampleInputs: Tensor | readonly Tensor[],
  opts: DiagramOptions = {},
): Diagram {
  const given = checkArgs(target, exampleInputs, opts);
  const xs = given.map((t) =>
    opts.inputsRequireGrad ? (t.requiresGrad && t.gradFn === null ? t : t.detach().requiresGrad_(true)) : t,
  );
  const module = target instanceof Module ? target : opts.module;
  const inputs = xs.map((t, i) => ({
    label: opts.inputNames?.[i] ?? (i === 0 ? 'x' : `x${i}`),
    shape: [...t.shape],
    dtype: t.dtype,
    axes: opts.axisNames?.[i] ? [...opts.axisNames[i]!] : t.shape.map(() => null),
    requiresGrad: t.requiresGrad,
  }));
  const { value, modules } = withModuleScopes(module, () =>
    enableGrad(() => (target instanceof Module ? target.forward(...xs) : target(...xs))),
  );
  const outs = tensorsIn(value);
  if (outs.length === 0)
    throw new ArgumentError(
      'diagram: the forward returned no tensor (expected a Tensor, or arrays/objects of them)',
    );

  const paramNames = new Map<Tensor, string>();
  if (module) {
    for (const [n, p] of module.namedParameters()) paramNames.set(p, n);
    for (const [n, b] of module.namedBuffers()) paramNames.set(b, n);
  }
  const nodes = nodesOf(outs);
  const byNode = new Map<Node, DiagramOp>();
  const byId = new Map<number, DiagramOp>();
  // the parameter behind a folded view (a weight's transpose), for module placement
  const foldedParam = new Map<number, string>();
  const paramOf = (f: WireSource): string | undefined =>
    f.kind === 'param' ? f.name : f.kind === 'op' ? foldedParam.get(f.op) : undefined;
  const ops: DiagramOp[] = [];
  const storages = new Set<unknown>();

  const sourceOfUntracked = (
    shape: readonly number[],
  ): { from: WireSource; label: string; axes: AxisNames } => {
    // an input that needs no gradient leaves no edge: it is recognised by its shape (or a reshape of it)
    const same = inputs.findIndex((x, i) => !xs[i].requiresGrad && x.shape.join() === shape.join());
    if (same >= 0)
      return {
        from: { kind: 'input', index: same },
        label: inputs[same].label,
        axes: [...inputs[same].axes],
      };
    const reshaped = inputs.findIndex(
      (x, i) =>
        !xs[i].requiresGrad && shape.length > 0 && numel(x.shape) === numel(shape) && x.shape[0] === shape[0],
    );
    if (reshaped >= 0)
      return {
        from: { kind: 'input', index: reshaped },
        label: inputs[reshaped].label,
        axes: reshapeNames(inputs[reshaped].shape, inputs[reshaped].axes, shape),
      };
    return {
      from: { kind: 'const' },
      label: shape.length === 0 ? 'const' : 'constant',
      axes: shape.map(() => null),
    };
  };

  for (const n of nodes) {
    const dinputs: DiagramInput[] = n.inputs.map((e, i) => {
      const shape = [...n.inputShapes[i]];
      if (e === null) return { ...sourceOfUntracked(shape), shape, needsGrad: false };
      if (e.node) {
        const src = byNode.get(e.node)!;
        return {
          from: { kind: 'op', op: src.id, output: e.index },
          label: src.folded ? `${src.inputs.map((x) => x.label).join(',')}·${src.op}` : '',
          shape,
          axes: [...src.outputs[e.index].axes],
          needsGrad: true,
        };
      }
      const k = xs.indexOf(e.leaf);
      if (k >= 0)
        return {
          from: { kind: 'input', index: k },
          label: inputs[k].label,
          shape,
          axes: [...inputs[k].axes],
          needsGrad: true,
        };
      const name = paramNames.get(e.leaf);
      return {
        from: name !== undefined ? { kind: 'param', name } : { kind: 'const' },
        label: name ?? 'tensor',
        shape,
        axes: shape.map(() => null),
        needsGrad: true,
      };
    });
    const outAxes = propagateNames(n.op, n.params, dinputs, n.outputShapes[0] ?? []);
    const outputs: DiagramWire[] = n.outputShapes.map((s, k) => ({
      shape: [...s],
      dtype: n.outputDTypes[k],
      axes: k === 0 ? outAxes : s.map(() => null),
    }));
    const saved: DiagramSaved[] = [];
    let savedBytes = 0;
    for (const slot of n.saved ?? []) {
      if (!slot) continue;
      const key = slot.account.storage ?? slot;
      const counted = !storages.has(key);
      if (counted) {
        storages.add(key);
        savedBytes += slot.bytes;
      }
      saved.push({
        shape: [...slot.shape],
        dtype: slot.dtype,
        bytes: slot.bytes,
        kind: slot.isLeaf ? 'leaf' : 'intermediate',
        counted,
      });
    }
    const learned = dinputs.some((x) => {
      if (x.from.kind === 'param') return true;
      const src = x.from.kind === 'op' ? byId.get(x.from.op) : undefined;
      return src !== undefined && src.folded && src.learned;
    });
    // an op fed by a module's parameter belongs to that module (fused layers run without scope hooks)
    let scope = n.scope;
    for (const x of dinputs) {
      const name = paramOf(x.from);
      const path = name?.split('.').slice(0, -1).join('/');
      if (path && path.length > scope.length && (scope === '' || path.startsWith(scope + '/'))) scope = path;
    }
    const op: DiagramOp = {
      id: n.id,
      op: n.op,
      scope,
      params: n.params,
      inputs: dinputs,
      outputs,
      flops: flopsOf(n.op, {
        params: n.params,
        inputShapes: n.inputShapes,
        outputShapes: n.outputShapes,
        needs: dinputs.map((x) => x.needsGrad),
      }),
      savedBytes,
      saved,
      learned,
      folded:
        VIEWS.has(n.op) &&
        dinputs.every(
          (x) =>
            x.from.kind === 'param' ||
            x.from.kind === 'const' ||
            (x.from.kind === 'op' && byId.get(x.from.op)?.folded === true),
        ),
    };
    byNode.set(n, op);
    byId.set(op.id, op);
    if (op.folded) {
      const p = dinputs.map((x) => paramOf(x.from)).find((v) => v !== undefined);
      if (p !== undefined) foldedParam.set(op.id, p);
    }
    ops.push(op);
  }

  const outputs = outs.map((t) => {
    if (t.gradFn) {
      const src = byNode.get(t.gradFn)!;
      const k = t._outputIndex;
      return {
        from: { kind: 'op', op: src.id, output: k } as WireSource,
        shape: [...t.shape],
        axes: [...src.outputs[k].axes],
      };
    }
    const k = xs.indexOf(t);
    return {
      from: (k >= 0 ? { kind: 'input', index: k } : { kind: 'const' }) as WireSource,
      shape: [...t.shape],
      axes: k >= 0 ? [...inputs[k].axes] : t.shape.map(() => null),
    };
  });
  const totals = {
    forwardFlops: ops.reduce((a, o) => a + (o.flops.forward ?? 0), 0),
    backwardFlops: ops.reduce((a, o) => a + (o.flops.backward ?? 0), 0),
    savedBytes: ops.reduce((a, o) => a + o.savedBytes, 0),
    uncounted: [...new Set(ops.filter((o) => o.flops.forward === null).map((o) => o.op))],
  };
  const d: Diagram = {
    inputs,
    ops,
    outputs,
    modules,
    totals,
    toString: () => diagramTable(d),
    toSVG: () => renderSvg(d),
  };
  return d;
}
