// The batching-rule test harness: deterministic inputs per case, and vmap against a loop over the batch.
import { expect } from 'vitest';
import * as gl from '../../../src/index.js';
import { apply } from '../../../src/core/engine.js';
import type { Primitive, PrimitiveParams } from '../../../src/core/primitives.js';
import type { Case, InputSpec } from './cases.js';

export type Tensor = gl.Tensor;
const B = 3;

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One example's values of `spec`, flat. */
function example(spec: InputSpec, r: () => number): number[] {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const kind = spec.kind ?? 'float';
  const u = () => Array.from({ length: n }, () => r() * 3 - 1.5);
  if (kind === 'float') return u();
  if (kind === 'pos') return Array.from({ length: n }, () => 0.5 + r() * 1.5);
  if (kind === 'bool') return Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
  if (typeof kind === 'object') return Array.from({ length: n }, () => Math.floor(r() * kind.int));
  const m = spec.shape[0];
  const a = u();
  const at = (i: number, j: number) => a[i * m + j];
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      if (kind === 'spd') {
        let s = i === j ? m : 0;
        for (let k = 0; k < m; k++) s += at(i, k) * at(j, k);
        out[i * m + j] = s;
      } else if (kind === 'tril') out[i * m + j] = j > i ? 0 : i === j ? 2 + r() : at(i, j);
      else if (kind === 'wellcond') out[i * m + j] = at(i, j) + (i === j ? 3 : 0);
      else out[i * m + j] = (at(i, j) + at(j, i)) / 2 + (i === j ? 2 * i : 0); // sym, spread eigenvalues
    }
  return out;
}

function make(spec: InputSpec, batched: boolean, seed: number, dtype: gl.DType): Tensor {
  const r = prng(seed);
  const reps = batched ? B : 1;
  const data = Array.from({ length: reps }, () => example(spec, r)).flat();
  const shape = batched ? [B, ...spec.shape] : spec.shape;
  const kind = spec.kind ?? 'float';
  if (kind === 'bool') return gl.tensor(data, { shape, dtype: 'int32' }).gt(0);
  if (typeof kind === 'object') return gl.tensor(data, { shape, dtype: 'int32' });
  return gl.tensor(data, { shape, dtype });
}

/** Checks one comparison with values already read (sync or async backends alike). */
export function expectCloseValues(c: Comparison, a: ArrayLike<number>, b: ArrayLike<number>): void {
  const { got, want, tol, what } = c;
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i])) expect(Number.isNaN(a[i]), `${what}[${i}]`).toBe(true);
    else
      expect(Math.abs(a[i] - b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
        tol * (1 + Math.abs(b[i])),
      );
  }
}

const isFloatT = (t: Tensor) => t.dtype === 'float32' || t.dtype === 'float64';

/** Which inputs are batched: all of them, and (for several inputs) each one alone. */
export function patterns(n: number): boolean[][] {
  const out = [Array<boolean>(n).fill(true)];
  if (n > 1) for (let k = 0; k < n; k++) out.push(Array.from({ length: n }, (_, i) => i === k));
  return out;
}

/** A result of vmap and the loop's, to be compared once read. */
export interface Comparison {
  got: Tensor;
  want: Tensor;
  tol: number;
  what: string;
}

/**
 * Runs case `c` of `prim` with the inputs batched as `pattern` says: the values of vmap against the loop's,
 * the gradients through vmap against the loop's, and per-example gradients (vmap of vjp) against the loop's.
 */
export function computeCase<P extends Primitive>(
  prim: P,
  c: Case<P>,
  pattern: boolean[],
  dtype: gl.DType,
  grads = true,
): Comparison[] {
  const out: Comparison[] = [];
  const expectClose = (got: Tensor, want: Tensor, tol: number, what: string) =>
    out.push({ got, want, tol, what });
  const tol = Math.max(c.tol ?? 0, dtype === 'float64' ? 1e-11 : 2e-5);
  const params = c.params as PrimitiveParams[P];
  const f = (...xs: Tensor[]) => apply(prim, xs, params);
  const xs = c.ins.map((s, k) => make(s, pattern[k], 17 + 31 * k, dtype));
  const dims = pattern.map((b) => (b ? 0 : null));
  const exampleOf = (i: number, ts: Tensor[]) => ts.map((x, k) => (pattern[k] ? gl.select(x, 0, i) : x));

  // values
  const got = gl.vmap(f, dims)(...xs);
  const want = gl.stack(Array.from({ length: B }, (_, i) => f(...exampleOf(i, xs))));
  expectClose(got, want, tol, 'values');
  if (!grads || !isFloatT(got)) return out;
  const floats = xs.map((x, k) => (isFloatT(x) ? k : -1)).filter((k) => k >= 0);
  if (floats.length === 0) return out;
  const R = make({ shape: got.shape.slice(1) }, true, 99, got.dtype);

  // gradients through vmap: d/dx sum(vmap(f)(x) * R) against the loop's
  const leaves = xs.map((x, k) => (floats.includes(k) ? x.detach().requiresGrad_() : x));
  const lv = gl
    .vmap(
      f,
      dims,
    )(...leaves)
    .mul(R)
    .sum();
  const gv = gl.grad(
    [lv],
    floats.map((k) => leaves[k]),
    { allowUnused: true },
  );
  const ll = Array.from({ length: B }, (_, i) =>
    f(...exampleOf(i, leaves))
      .mul(gl.select(R, 0, i))
      .sum(),
  ).reduce((a, b) => a.add(b));
  const gl_ = gl.grad(
    [ll],
    floats.map((k) => leaves[k]),
    { allowUnused: true },
  );
  gv.forEach((g, j) => {
    const w = gl_[j];
    if (w === null) expect(g, 'grad through vmap: unused in the loop').toBeNull();
    else expectClose(g!, w, tol, `grad through vmap of input ${floats[j]}`);
  });

  // per-example gradients: vmap of vjp (a shared input gets one gradient per example)
  const perExample = (...args: Tensor[]) => {
    const r = args[args.length - 1];
    const ins = args.slice(0, -1);
    const g = (...fa: Tensor[]) => f(...ins.map((x, k) => (floats.includes(k) ? fa[floats.indexOf(k)] : x)));
    return gl.vjp(
      g,
      floats.map((k) => ins[k]),
      [r],
    )[1];
  };
  const pv = gl.vmap(perExample, [...dims, 0])(...xs, R);
  const loop = Array.from({ length: B }, (_, i) => perExample(...exampleOf(i, xs), gl.select(R, 0, i)));
  floats.forEach((k, j) =>
    expectClose(pv[j], gl.stack(loop.map((l) => l[j])), tol, `per-example grad of input ${k}`),
  );
  return out;
}
