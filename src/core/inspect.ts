// Looking at the tape: the recorded graph as JSON, and what a backward pass would keep (saved residuals).
import { fmtShape } from './errors.js';
import type { Node } from './node.js';
import type { DType } from './dtype.js';
import { enableGrad } from './state.js';
import { Tensor } from './tensor.js';

/** One node of an exported graph. */
export interface GraphNode {
  /** The node's id, unique in the process and increasing in recording order. */
  id: number;
  /** The primitive name, or the custom function's name. */
  op: string;
  /** The `gl.scope` names active when it was recorded, joined with '/' ('' outside any scope). */
  scope: string;
  /** The op's parameters (a primitive's {@link PrimitiveParams} entry). */
  params: unknown;
  /** Per input: the producing node's id and output index, a leaf's shape, or null (no gradient needed). */
  inputs: (
    | {
        /** Id of the node that produced the input. */
        node: number;
        /** Which of that node's outputs. */
        output: number;
      }
    | {
        /** Shape of the leaf tensor (input, parameter or constant). */
        leaf: number[];
      }
    | null
  )[];
  /** Shape of each input. */
  inputShapes: number[][];
  /** Shape of each output. */
  outputShapes: number[][];
  /** Bytes of the tensors saved for backward (a storage shared with other saves counts in each). */
  savedBytes: number;
  /** The tensors saved for backward. */
  saved: {
    /** Shape of the saved tensor. */
    shape: number[];
    /** Its dtype. */
    dtype: DType;
    /** Its bytes. */
    bytes: number;
    /** True for a leaf (input, parameter or constant), false for an intermediate. */
    leaf: boolean;
  }[];
}

/** All nodes behind `outputs`, producers first. */
export function nodesOf(outputs: Tensor | Tensor[]): Node[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const seen = new Set<Node>();
  const order: Node[] = [];
  const stack = outs.map((t) => t.gradFn).filter((n): n is Node => n !== null);
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    order.push(n);
    for (const e of n.inputs) if (e?.node && !seen.has(e.node)) stack.push(e.node);
  }
  return order.sort((a, b) => a.id - b.id);
}

/**
 * The recorded graph behind `outputs` as plain JSON (op, params, shapes, saved bytes, scope).
 * @example console.log(JSON.stringify(gl.graph(loss)));
 */
export function graph(outputs: Tensor | Tensor[]): {
  /** Every node behind the outputs, producers first. */
  nodes: GraphNode[];
} {
  return {
    nodes: nodesOf(outputs).map((n) => ({
      id: n.id,
      op: n.op,
      scope: n.scope,
      params: n.params,
      inputs: n.inputs.map((e) =>
        e === null ? null : e.node ? { node: e.node.id, output: e.index } : { leaf: [...e.leaf.shape] },
      ),
      inputShapes: n.inputShapes.map((s) => [...s]),
      outputShapes: n.outputShapes.map((s) => [...s]),
      savedBytes: n.savedBytes,
      saved: (n.saved ?? [])
        .filter((s) => s)
        .map((s) => ({ shape: [...s.shape], dtype: s.dtype, bytes: s.bytes, leaf: s.isLeaf })),
    })),
  };
}

/** One tensor a backward would keep. */
export interface Residual {
  /** The op that saved it. */
  op: string;
  /** That op's `gl.scope` path. */
  scope: string;
  /** Shape of the saved tensor. */
  shape: number[];
  /** Its dtype. */
  dtype: DType;
  /** Its bytes. */
  bytes: number;
  /** 'leaf' for inputs, parameters and constants (not produced by a recorded op), 'intermediate' for activations. */
  kind: 'leaf' | 'intermediate';
}

/**
 * Runs `fn(...args)` and lists every tensor its backward would keep, like JAX's print_saved_residuals.
 * `totalBytes` counts each storage once.
 * @example const { residuals, totalBytes } = gl.savedResiduals((x) => mlp.forward(x).sum(), x);
 */
export function savedResiduals<A extends unknown[]>(
  fn: (...args: A) => Tensor | Tensor[],
  ...args: A
): {
  /** One entry per saved tensor, in recording order. */
  residuals: Residual[];
  /** Bytes of the saved tensors, each storage counted once. */
  totalBytes: number;
  /** A table, one residual a line: op, dtype and shape, bytes, kind, scope. */
  toString(): string;
} {
  const out = enableGrad(() => fn(...args));
  const residuals: Residual[] = [];
  const storages = new Set<unknown>();
  let totalBytes = 0;
  for (const n of nodesOf(out))
    for (const s of n.saved ?? []) {
      if (!s) continue;
      residuals.push({
        op: n.op,
        scope: n.scope,
        shape: [...s.shape],
        dtype: s.dtype,
        bytes: s.bytes,
        kind: s.isLeaf ? 'leaf' : 'intermediate',
      });
      const key = s.account.storage ?? s;
      if (!storages.has(key)) {
        storages.add(key);
        totalBytes += s.bytes;
      }
    }
  return {
    residuals,
    totalBytes,
    toString: () =>
      residuals
        .map(
          (r) =>
            `${r.op.padEnd(12)} ${r.dtype}${fmtShape(r.shape).padEnd(16)} ${String(r.bytes).padStart(10)} B  ${r.kind}${r.scope ? '  ' + r.scope : ''}`,
        )
        .join('\n') + `\ntotal ${totalBytes} B`,
  };
}
