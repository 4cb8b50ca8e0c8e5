// VJP rules of the matrix factorization primitives, written with primitives (so they differentiate again).
// Formulas follow PyTorch's FunctionsManual (cholesky, triangular solve, solve, slogdet, QR, eigh, SVD backward).
import { apply } from './engine.js';
import { GradError } from './errors.js';
import { withLinAlgRelabel } from './linalg-report.js';
import type { LinalgPrimitive } from './primitives.js';
import {
  padd,
  pdiv,
  pexpand,
  pmatmul,
  pmul,
  pneg,
  preshape,
  pscale,
  pslice,
  psub,
  ptransposeLast,
  pwhere,
  pzeros,
} from './primitive-calls.js';
import { contiguousStrides } from './shape.js';
import { Tensor } from './tensor.js';
import type { VjpRule } from './vjp-types.js';

/** A constant [n, m] matrix with `like`'s dtype and backend, entry (i, j) = f(i, j). */
function constMatrix(like: Tensor, n: number, m: number, f: (i: number, j: number) => number): Tensor {
  const data = like.dtype === 'float64' ? new Float64Array(n * m) : new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) data[i * m + j] = f(i, j);
  return new Tensor(
    like.storage.backend.upload(like.dtype, data),
    [n, m],
    contiguousStrides([n, m]),
    0,
    like.dtype,
  );
}

const rows = (t: Tensor) => t.shape[t.shape.length - 2];
const cols = (t: Tensor) => t.shape[t.shape.length - 1];
const eyeLike = (t: Tensor, n: number) => constMatrix(t, n, n, (i, j) => (i === j ? 1 : 0));
/** Entries with col - row >= k kept (upper) or col - row <= k kept (lower), zeros elsewhere. */
const triu = (t: Tensor, k = 0) =>
  pmul(
    t,
    constMatrix(t, rows(t), cols(t), (i, j) => (j - i >= k ? 1 : 0)),
  );
const tril = (t: Tensor, k = 0) =>
  pmul(
    t,
    constMatrix(t, rows(t), cols(t), (i, j) => (j - i <= k ? 1 : 0)),
  );
const mT = ptransposeLast;
/** Rows [r0, r1) of [..., R, C]. */
function rowsOf(t: Tensor, r0: number, r1: number): Tensor {
  const r = t.shape.length;
  return pslice(
    t,
    t.shape.map((_, d) => (d === r - 2 ? r0 : 0)),
    t.shape.map((s, d) => (d === r - 2 ? r1 : s)),
    t.shape.map(() => 1),
  );
}
/** Columns [c0, c1) of [..., R, C]. */
function colsOf(t: Tensor, c0: number, c1: number): Tensor {
  const r = t.shape.length;
  return pslice(
    t,
    t.shape.map((_, d) => (d === r - 1 ? c0 : 0)),
    t.shape.map((s, d) => (d === r - 1 ? c1 : s)),
    t.shape.map(() => 1),
  );
}
const triSolve = (a: Tensor, b: Tensor, upper: boolean, unitriangular = false) =>
  apply('triangularSolve', [a, b], { upper, unitriangular });
/** X with X A = B for triangular A: (A^T X^T = B^T)^T. */
const triSolveRight = (a: Tensor, b: Tensor, upper: boolean) => mT(triSolve(mT(a), mT(b), !upper));

/** Runs a backward computation, reporting a failed solve under the forward op's name. */
function asBackwardOf<T>(op: string, f: () => T): T {
  return withLinAlgRelabel((e) => e.renamed(`${op} (backward)`), f);
}

/** QR backward through Q alone (R = triu(Q^T A) is a composite) for A [..., m, n] with m >= n, reduced Q. */
function qrTallGrad(gQ: Tensor, Q: Tensor, R: Tensor): Tensor {
  // M = -gQ^T Q ; gA = (gQ + Q copyltu(M)) R^{-T}, copyltu(M) = tril(M) + tril(M, -1)^T
  const M = pneg(pmatmul(mT(gQ), Q));
  const sym = padd(tril(M), mT(tril(M, -1)));
  return triSolveRight(mT(R), padd(gQ, pmatmul(Q, sym)), false);
}

/** The factorization primitives' rules. */
export const linalgVjpRules: { [P in LinalgPrimitive]: VjpRule<P> } = {
  cholesky: {
    save: (ctx, _i, L) => ctx.save(L),
    vjp: (ctx, gL) => [
      () =>
        asBackwardOf('linalg.cholesky', () => {
          // gA = L^{-T} Phi L^{-1}, Phi = (T + tril(T, -1)^T) / 2, T = tril(L^T gL)
          const L = ctx.saved[0]!;
          const T = tril(pmatmul(mT(L), gL));
          const phi = pscale(padd(T, mT(tril(T, -1))), 0.5);
          return triSolveRight(L, triSolve(mT(L), phi, true), false);
        }),
    ],
  },
  triangularSolve: {
    save: (ctx, [a], x) => ctx.save(a, ctx.needsInputGrad[0] ? x : null),
    vjp: (ctx, g) => {
      const { upper, unitriangular } = ctx.params;
      const gB = () =>
        asBackwardOf('linalg.solve_triangular', () => triSolve(mT(ctx.saved[0]!), g, !upper, unitriangular));
      return [
        () => {
          const gA = pneg(pmatmul(gB(), mT(ctx.saved[1]!)));
          return upper ? triu(gA, unitriangular ? 1 : 0) : tril(gA, unitriangular ? -1 : 0);
        },
        gB,
      ];
    },
  },
  solve: {
    save: (ctx, [a], x) => ctx.save(a, ctx.needsInputGrad[0] ? x : null),
    vjp: (ctx, g) => {
      const gB = () => asBackwardOf('linalg.solve', () => apply('solve', [mT(ctx.saved[0]!), g], null));
      return [() => pneg(pmatmul(gB(), mT(ctx.saved[1]!))), gB];
    },
  },
  slogdet: {
    save: (ctx, [a]) => ctx.save(a),
    vjp: (ctx, g) => [
      () =>
        asBackwardOf('linalg.slogdet', () => {
          // d logabsdet / dA = A^{-T}; the sign is piecewise constant
          const A = ctx.saved[0]!;
          const n = cols(A);
          const gl = preshape(colsOf(g, 1, 2), [...g.shape.slice(0, -1), 1, 1]);
          const invT = apply('solve', [mT(A), pexpand(eyeLike(A, n), A.shape)], null);
          return pmul(gl, invT);
        }),
    ],
  },
  qr: {
    save: (ctx, [a], q) => ctx.save(a, q),
    vjp: (ctx, gQ) => [
      () =>
        asBackwardOf('linalg.qr', () => {
          const [A, Q] = ctx.saved as Tensor[];
          const m = rows(A);
          const n = cols(A);
          if (ctx.params.complete && m > n)
            throw new GradError(
              "linalg.qr: the QR decomposition is not differentiable when mode='complete' and the matrix has more rows than columns (as in PyTorch); use mode='reduced'",
            );
          if (m >= n) return qrTallGrad(gQ, Q, triu(pmatmul(mT(Q), A)));
          // wide: Q depends on the first m columns only
          const X = colsOf(A, 0, m);
          const gX = qrTallGrad(gQ, Q, triu(pmatmul(mT(Q), X)));
          return apply('cat', [gX, pzeros([...A.shape.slice(0, -1), n - m], A)], { dim: A.shape.length - 1 });
        }),
    ],
  },
  eigh: {
    save: (ctx, _i, out) => ctx.save(out),
    vjp: (ctx, g) => [
      () => {
        // gA = V (skew(V^T gV) / E + diag(gL)) V^T, skew(X) = (X - X^T) / 2, E_ij = L_j - L_i (1 on the diagonal)
        const out = ctx.saved[0]!;
        const n = cols(out);
        const V = rowsOf(out, 0, n);
        const L = rowsOf(out, n, n + 1); // [..., 1, n]
        const gV = rowsOf(g, 0, n);
        const gL = rowsOf(g, n, n + 1);
        const VtgV = pmatmul(mT(V), gV);
        const skew = pscale(psub(VtgV, mT(VtgV)), 0.5);
        const I = eyeLike(out, n);
        const E = pwhere(
          apply('ne', [I, constMatrix(out, 1, 1, () => 0)], null),
          pexpand(I, [...L.shape.slice(0, -2), n, n]),
          psub(L, mT(L)),
        );
        const inner = padd(pdiv(skew, E), pmul(gL, I));
        return pmatmul(pmatmul(V, inner), mT(V));
      },
    ],
  },
  svd: {
    save: (ctx, _i, out) => ctx.save(out),
    vjp: (ctx, g) => [
      () => {
        // PyTorch's svd_backward for A = U diag(S) Vh, m >= n (reduced): with skew(X) = X - X^T and
        // E_jk = S_k^2 - S_j^2 (1 on the diagonal), inner = (skew(U^T gU) S + S skew(V^T gV)) / E + diag(gS),
        // gA = (U inner + (I - U U^T) gU / S) Vh
        const out = ctx.saved[0]!;
        const n = cols(out);
        const m = rows(out) - n - 1;
        const U = rowsOf(out, 0, m);
        const Vh = rowsOf(out, m, m + n);
        const S = rowsOf(out, m + n, m + n + 1); // [..., 1, n]
        const gU = rowsOf(g, 0, m);
        const gV = mT(rowsOf(g, m, m + n));
        const gS = rowsOf(g, m + n, m + n + 1);
        const V = mT(Vh);
        const skew = (X: Tensor) => psub(X, mT(X));
        const UtgU = skew(pmatmul(mT(U), gU));
        const VtgV = skew(pmatmul(mT(V), gV));
        const S2 = pmul(S, S);
        const I = eyeLike(out, n);
        const offDiag = apply('ne', [I, constMatrix(out, 1, 1, () => 1)], null);
        const E = pwhere(offDiag, psub(S2, mT(S2)), pexpand(I, [...S.shape.slice(0, -2), n, n]));
        let inner = pdiv(padd(pmul(UtgU, S), pmul(mT(S), VtgV)), E);
        inner = padd(inner, pmul(gS, I));
        let gA = pmatmul(U, inner);
        if (m > n) {
          const gUS = pdiv(gU, S);
          gA = padd(gA, psub(gUS, pmatmul(U, pmatmul(mT(U), gUS))));
        }
        return pmatmul(gA, Vh);
      },
    ],
  },
};
