// Matrix products: matmul (1-D, batched, broadcasting), outer, and einsum for the common contractions.
import { apply } from '../core/engine.js';
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { pcast } from '../core/primitive-calls.js';
import { promoteTypes } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { sum } from './reduce.js';
import { permute, reshape, squeeze, unsqueeze } from './shape.js';

/**
 * Matrix product with PyTorch's rules: 1-D operands are promoted to matrices and squeezed back,
 * batch dims broadcast.
 * @example gl.matmul(x, w)  // [N, in] x [in, out]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(
      `matmul: both arguments need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  const dtype = promoteTypes(a.dtype, b.dtype);
  let x = pcast(a, dtype);
  let y = pcast(b, dtype);
  const aVec = x.ndim === 1;
  const bVec = y.ndim === 1;
  if (aVec) x = unsqueeze(x, 0);
  if (bVec) y = unsqueeze(y, 1);
  if (x.shape[x.ndim - 1] !== y.shape[y.ndim - 2])
    throw new ShapeError(
      `matmul: shapes ${fmtShape(a.shape)} x ${fmtShape(b.shape)} do not fit (inner dimensions ${x.shape[x.ndim - 1]} and ${y.shape[y.ndim - 2]})`,
    );
  let out = apply('matmul', [x, y], null);
  if (bVec) out = squeeze(out, -1);
  if (aVec) out = squeeze(out, aVec && bVec ? -1 : -2);
  return out;
}

/**
 * Outer product of two vectors.
 * @example gl.outer(gl.tensor([1, 2]), gl.tensor([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new ShapeError(
      `outer: expected two 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  return matmul(unsqueeze(a, 1), unsqueeze(b, 0));
}

function parse(equation: string, n: number): { inputs: string[]; output: string } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const inputs = lhs.split(',');
  if (inputs.length !== n)
    throw new ArgumentError(`einsum: equation '${equation}' names ${inputs.length} operands, got ${n}`);
  for (const s of inputs) {
    if (!/^[a-zA-Z]*$/.test(s))
      throw new ArgumentError(`einsum: only letters are supported (no '...'), got '${s}'`);
    if (new Set(s).size !== s.length)
      throw new ArgumentError(`einsum: repeated index in one operand ('${s}') is not supported`);
  }
  let output = rhs;
  if (output === undefined) {
    const counts = new Map<string, number>();
    for (const c of inputs.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = [...counts]
      .filter(([, k]) => k === 1)
      .map(([c]) => c)
      .sort()
      .join('');
  }
  return { inputs, output };
}

/** Sums away letters of `s` not in `keep`; returns the tensor and its remaining letters. */
function sumAway(t: Tensor, s: string, keep: string): [Tensor, string] {
  const dims = [...s].map((c, i) => (keep.includes(c) ? -1 : i)).filter((i) => i >= 0);
  if (dims.length === 0) return [t, s];
  return [sum(t, dims), [...s].filter((c) => keep.includes(c)).join('')];
}

function arrange(t: Tensor, s: string, order: string): Tensor {
  return s === order
    ? t
    : permute(
        t,
        [...order].map((c) => s.indexOf(c)),
      );
}

function contract(a: Tensor, sa: string, b: Tensor, sb: string, out: string): [Tensor, string] {
  const sizes = new Map<string, number>();
  for (const [t, s] of [
    [a, sa],
    [b, sb],
  ] as const)
    [...s].forEach((c, i) => {
      const prev = sizes.get(c);
      if (prev !== undefined && prev !== t.shape[i])
        throw new ShapeError(`einsum: index '${c}' has sizes ${prev} and ${t.shape[i]}`);
      sizes.set(c, t.shape[i]);
    });
  [a, sa] = sumAway(a, sa, sb + out);
  [b, sb] = sumAway(b, sb, sa + out);
  const batch = [...sa].filter((c) => sb.includes(c) && out.includes(c)).join('');
  const con = [...sa].filter((c) => sb.includes(c) && !out.includes(c)).join('');
  const fa = [...sa].filter((c) => !sb.includes(c)).join('');
  const fb = [...sb].filter((c) => !sa.includes(c)).join('');
  const size = (s: string) => [...s].reduce((p, c) => p * sizes.get(c)!, 1);
  const A = reshape(arrange(a, sa, batch + fa + con), [size(batch), size(fa), size(con)]);
  const B = reshape(arrange(b, sb, batch + con + fb), [size(batch), size(con), size(fb)]);
  const C = reshape(
    matmul(A, B),
    [...(batch + fa + fb)].map((c) => sizes.get(c)!),
  );
  return [C, batch + fa + fb];
}

/**
 * Einstein summation over one or more operands ('ij,jk->ik', 'bij,bjk->bik', 'i,i->', 'ij->ji'...).
 * @example gl.einsum('bhqd,bhkd->bhqk', q, k)
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  const { inputs, output } = parse(equation, operands.length);
  let [t, s] = sumAway(operands[0], inputs[0], inputs.slice(1).join('') + output);
  for (let k = 1; k < operands.length; k++) {
    const later = inputs.slice(k + 1).join('') + output;
    [t, s] = contract(t, s, operands[k], inputs[k], later);
  }
  [t, s] = sumAway(t, s, output);
  if ([...output].some((c) => !s.includes(c)))
    throw new ArgumentError(`einsum: output index not found in the inputs of '${equation}'`);
  return arrange(t, s, output);
}
