// Reverse mode: walks the tape from outputs to inputs, calling each node's rule and summing gradients.
import { isFloat } from './dtype.js';
import { apply, checkFinite } from './engine.js';
import { GradError, GraphFreedError, ShapeError, fmtShape } from './errors.js';
import type { Edge, Node } from './node.js';
import { padd, pcast, pzeros, scalarLike, sumTo, pexpand } from './primitive-calls.js';
import { shapesEqual } from './shape.js';
import { noGrad, state } from './state.js';
import { disposingScope, keep, userCode, type Tensor } from './tensor.js';
import './vjp.js'; // installs the VJP rule table into the engine

/** Options of Tensor.backward. */
export interface BackwardOptions {
  /** Keep saved tensors so the graph can be differentiated again. Default: createGraph. */
  retainGraph?: boolean;
  /** Record the backward computation so gradients can be differentiated (higher order). */
  createGraph?: boolean;
}

/** Options of gl.grad: those of backward, the cotangents, and what to do with unused inputs. */
export interface GradOptions extends BackwardOptions {
  /** Cotangents for each output (required for non-scalar outputs). */
  gradOutputs?: (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/** Nodes reachable from the roots, consumers before producers (reverse DFS post-order). */
function topoOrder(roots: readonly Node[]): Node[] {
  const post: Node[] = [];
  const seen = new Set<Node>();
  const stack: { node: Node; next: number }[] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push({ node: r, next: 0 });
    while (stack.length) {
      const top = stack[stack.length - 1];
      const edges = top.node.inputs;
      let pushed = false;
      while (top.next < edges.length) {
        const e = edges[top.next++];
        if (e?.node && !seen.has(e.node)) {
          seen.add(e.node);
          stack.push({ node: e.node, next: 0 });
          pushed = true;
          break;
        }
      }
      if (!pushed) {
        post.push(top.node);
        stack.pop();
      }
    }
  }
  return post.reverse();
}

function accumulate(a: Tensor | undefined, b: Tensor): Tensor {
  return a ? padd(a, b) : b;
}

/** `g` through the hooks; every tensor a hook sees or returns is added to `kept` (a hook may hold on to it). */
function applyHooks(
  hooks: readonly ((g: Tensor) => Tensor | void)[] | null | undefined,
  g: Tensor,
  kept: Set<Tensor> | null,
): Tensor {
  if (!hooks) return g;
  for (const h of hooks) {
    const r = userCode([g], () => h(g));
    if (r) g = r;
  }
  kept?.add(g);
  return g;
}

/**
 * The engine behind backward() and grad(). With `inputs`, returns their gradients (leaving .grad
 * alone); without, accumulates into the .grad of every leaf that requires grad.
 *
 * Without createGraph, the tensors backward creates and nobody can reach afterwards (intermediate
 * gradients, the rules' temporaries, recomputed checkpoints) are disposed when it returns, as
 * PyTorch frees them when backward drops its last reference: their memory goes back to the backend
 * at once rather than when the garbage collector finds them. What stays: the leaves' .grad, retained
 * gradients, the returned gradients, and every tensor a gradient hook saw or returned.
 */
export function runBackward(
  outputs: readonly Tensor[],
  gradOutputs: readonly (Tensor | null | undefined)[],
  opts: GradOptions & { inputs?: readonly Tensor[] },
): (Tensor | null)[] {
  if (opts.createGraph) return backwardPass(outputs, gradOutputs, opts, null);
  return disposingScope((kept) => backwardPass(outputs, gradOutputs, opts, kept));
}

/** What one backward walk did, as `gl.onBackward` observers see it. */
export interface BackwardInfo {
  /** Graph nodes whose backward rule ran (the size of the sub-graph this walk differentiated). */
  nodes: number;
  /** True for `gl.grad` / `backward({ inputs })` walks that return gradients instead of accumulating. */
  functional: boolean;
}

/** Something told after every backward walk (learning rules count backward calls and walked ops). */
export type BackwardObserver = (info: BackwardInfo) => void;

const backwardObservers: BackwardObserver[] = [];

/**
 * Calls `observer` after every backward walk (`loss.backward()`, `gl.grad`, ...) until the returned
 * function is called.
 * @example
 * let walks = 0;
 * const stop = gl.onBackward(() => walks++);
 * loss.backward();
 * stop(); // walks === 1
 */
export function onBackward(observer: BackwardObserver): () => void {
  backwardObservers.push(observer);
  return () => {
    const i = backwardObservers.indexOf(observer);
    if (i >= 0) backwardObservers.splice(i, 1);
  };
}

function backwardPass(
  outputs: readonly Tensor[],
  gradOutputs: readonly (Tensor | null | undefined)[],
  opts: GradOptions & { inputs?: readonly Tensor[] },
  kept: Set<Tensor> | null,
): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const inputs = opts.inputs;

  // seed gradients
  const nodeGrads = new Map<Node, (Tensor | undefined)[]>();
  const leafGrads = new Map<Tensor, Tensor>();
  const roots: Node[] = [];
  outputs.forEach((out, i) => {
    if (!out.requiresGrad)
      throw new GradError(
        `backward: output ${i} (shape ${fmtShape(out.shape)}) does not require grad and has no gradFn`,
      );
    let g = gradOutputs[i] ?? null;
    if (g === null) {
      if (out.numel !== 1)
        throw new GradError(
          `backward: gradient can be implicitly created only for scalar outputs; output ${i} has shape ${fmtShape(out.shape)}: pass gradOutputs`,
        );
      g = pexpand(scalarLike(1, out), out.shape);
    } else if (!shapesEqual(g.shape, out.shape))
      throw new ShapeError(
        `backward: gradOutput ${i} has shape ${fmtShape(g.shape)} but output has shape ${fmtShape(out.shape)}`,
      );
    if (out.gradFn) {
      const slot = nodeGrads.get(out.gradFn) ?? out.gradFn.outputShapes.map(() => undefined);
      slot[out._outputIndex] = accumulate(slot[out._outputIndex], g);
      nodeGrads.set(out.gradFn, slot);
      roots.push(out.gradFn);
    } else leafGrads.set(out, accumulate(leafGrads.get(out), g));
  });

  // which nodes lead to a wanted gradient
  const order = topoOrder(roots);
  const targetLeaves = new Set<Tensor>();
  const targetNodes = new Set<Node>();
  if (inputs) {
    for (const t of inputs) {
      if (!t.requiresGrad)
        throw new GradError(`grad: one of the inputs (shape ${fmtShape(t.shape)}) does not require grad`);
      if (t.gradFn) targetNodes.add(t.gradFn);
      else targetLeaves.add(t);
    }
  }
  const needed = new Set<Node>();
  const edgeNeeded = (e: Edge | null): boolean =>
    e !== null &&
    (e.leaf ? !inputs || targetLeaves.has(e.leaf) : needed.has(e.node) || targetNodes.has(e.node));
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.inputs.some(edgeNeeded)) needed.add(n);
  }

  const captured = new Map<Node, (Tensor | undefined)[]>();
  let walked = 0;
  const prevGrad = state.gradEnabled;
  const prevInBackward = state.inBackward;
  state.gradEnabled = createGraph;
  state.inBackward = true;
  try {
    for (const node of order) {
      const slot = nodeGrads.get(node);
      if (!slot) continue;
      nodeGrads.delete(node);
      const grads = slot.map((g, k) =>
        applyHooks(node.outputHooks?.[k], g ?? pzerosFor(node, k, slot), kept),
      );
      if (node.retained)
        node.retained.forEach((t, k) => {
          if (t) {
            const gk = createGraph ? grads[k] : grads[k].detach();
            t.grad = t.grad ? padd(t.grad, gk) : gk;
            kept?.add(t.grad);
          }
        });
      if (targetNodes.has(node)) captured.set(node, grads);
      if (!needed.has(node)) continue;
      if (node.released || !node.saved || !node.backward)
        throw new GraphFreedError(
          `backward: trying to backward through the graph a second time (op ${node.op}); its saved tensors were freed — pass { retainGraph: true } to the first backward`,
        );
      const saved = node.saved.map((s) => (s ? s.unpack(node.op) : null));
      walked++;
      const needs = node.inputs.map(edgeNeeded);
      const thunks = node.backward(saved, grads, needs);
      node.inputs.forEach((edge, i) => {
        if (!needs[i] || !edge) return;
        const thunk = thunks[i];
        let gi = thunk ? thunk() : null;
        if (!gi) return;
        gi = sumTo(gi, node.inputShapes[i]);
        if (gi.dtype !== node.inputDTypes[i] && isFloat(node.inputDTypes[i]))
          gi = pcast(gi, node.inputDTypes[i]);
        if (state.anomaly) checkFinite(`${node.op} (backward)`, gi, 'backward', node.scope);
        if (edge.leaf) leafGrads.set(edge.leaf, accumulate(leafGrads.get(edge.leaf), gi));
        else {
          const s = nodeGrads.get(edge.node) ?? edge.node.outputShapes.map(() => undefined);
          s[edge.index] = accumulate(s[edge.index], gi);
          nodeGrads.set(edge.node, s);
        }
      });
      if (!retainGraph) node.release();
    }
  } finally {
    state.gradEnabled = prevGrad;
    state.inBackward = prevInBackward;
  }
  for (const observe of backwardObservers) observe({ nodes: walked, functional: inputs !== undefined });

  const result: (Tensor | null)[] = [];
  if (!inputs) {
    for (const [leaf, g0] of leafGrads) {
      const g = applyHooks(leaf._hooks, g0, kept);
      const add = createGraph ? g : g.gradFn ? g.detach() : g;
      // like PyTorch, a leaf's first gradient is stored dense (a transposed or broadcast view would make
      // every optimizer step read it strided): one copy now instead of a strided read each step
      const first = createGraph || add.isContiguous ? add : noGrad(() => apply('copy', [add], null));
      leaf.grad = keep(
        leaf.grad ? (createGraph ? padd(leaf.grad, add) : noGrad(() => padd(leaf.grad!, add))) : first,
      );
      kept?.add(leaf.grad);
    }
    return result;
  }
  for (const t of inputs) {
    let g: Tensor | undefined;
    if (t.gradFn) g = captured.get(t.gradFn)?.[t._outputIndex];
    else {
      const raw = leafGrads.get(t);
      g = raw ? applyHooks(t._hooks, raw, kept) : undefined;
    }
    if (!g) {
      const reached = t.gradFn
        ? order.includes(t.gradFn)
        : order.some((n) => n.inputs.some((e) => e?.leaf === t)) || leafGrads.has(t);
      if (reached) g = pzeros(t.shape, t);
      else if (!opts.allowUnused)
        throw new GradError(
          `grad: an input of shape ${fmtShape(t.shape)} was not used to compute the outputs; pass { allowUnused: true } to get null`,
        );
    }
    const out = g ? (createGraph ? g : g.gradFn ? g.detach() : g) : null;
    if (out) kept?.add(out);
    result.push(out);
  }
  return result;
}

function pzerosFor(node: Node, k: number, slot: (Tensor | undefined)[]): Tensor {
  const like = slot.find((g) => g) as Tensor;
  return pzeros(node.outputShapes[k], like, node.outputDTypes[k]);
}
