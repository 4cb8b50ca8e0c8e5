// Gradient surgery: the part of a gradient orthogonal to another, and PCGrad's projection of conflicting gradients (ODICE, multi-task).
import { ArgumentError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { where } from '../ops/elementwise.js';

/** One gradient: a tensor, or a list of tensors (one per parameter) taken together as one flat vector. */
export type GradVector = Tensor | readonly Tensor[];

function parts(op: string, g: GradVector, ref: GradVector): [Tensor[], Tensor[]] {
  const a = g instanceof Tensor ? [g] : [...g];
  const b = ref instanceof Tensor ? [ref] : [...ref];
  if (
    a.length !== b.length ||
    a.some((t, i) => !(t instanceof Tensor) || t.shape.join() !== b[i]?.shape.join())
  )
    throw new ArgumentError(
      `${op}: the two gradients must have the same structure, got [${a.map((t) => fmtShape(t.shape)).join(', ')}] and [${b.map((t) => fmtShape(t.shape)).join(', ')}]`,
    );
  return [a, b];
}

const dot = (a: Tensor[], b: Tensor[]) => a.map((t, i) => t.mul(b[i]).sum()).reduce((s, v) => s.add(v));

function rebuild(g: GradVector, out: Tensor[]): GradVector {
  return g instanceof Tensor ? out[0] : out;
}

/** g − c·ref with the coefficient c computed on the device (no host read). */
function subtract(
  g: GradVector,
  ref: GradVector,
  coef: (d: Tensor, n2: Tensor) => Tensor,
  op: string,
): GradVector {
  const [a, b] = parts(op, g, ref);
  const d = dot(a, b);
  const n2 = dot(b, b);
  const c = coef(d, n2.clamp(Number.MIN_VALUE, null));
  return rebuild(
    g,
    a.map((t, i) => t.sub(b[i].mul(c))),
  );
}

/**
 * The part of `g` orthogonal to `ref`: g − (⟨g, ref⟩ / ‖ref‖²) ref (g itself when ref is zero). Lists of
 * per-parameter tensors are treated as one flat vector. ODICE's orthogonal-gradient update builds on it.
 * @example const gPerp = gl.optim.orthogonalPart(gBackward, gForward); // ⟨gPerp, gForward⟩ = 0
 */
export function orthogonalPart<G extends GradVector>(g: G, ref: G): G {
  return subtract(g, ref, (d, n2) => d.div(n2), 'orthogonalPart') as G;
}

/**
 * PCGrad's projection (Yu et al. 2020): when `g` conflicts with `ref` (⟨g, ref⟩ < 0) it returns the part of g
 * orthogonal to ref, else g unchanged.
 * @example const g1 = gl.optim.projectConflicting(gTask1, gTask2);
 */
export function projectConflicting<G extends GradVector>(g: G, ref: G): G {
  return subtract(g, ref, (d, n2) => where(d.lt(0), d.div(n2), 0), 'projectConflicting') as G;
}
