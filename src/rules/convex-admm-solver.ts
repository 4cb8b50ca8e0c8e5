// The convex program of a two-layer ReLU network (paper 16) over sampled activation patterns, solved by ADMM with one
// Cholesky factorisation (gl.linalg), with a certified duality gap and the recovery of the ReLU network.
import { ArgumentError } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import { Tensor } from '../core/tensor.js';
import { noGrad } from '../core/state.js';
import { eye, randn, zeros } from '../ops/creation.js';
import { abs, add, cast, clamp, div, ge, mul, neg, relu, sqrt, sub } from '../ops/elementwise.js';
import { cholesky, solveTriangular } from '../ops/linalg/index.js';
import { matmul } from '../ops/matmul.js';
import { amax, amin, sum } from '../ops/reduce.js';
import { cat, expand, narrow, reshape, transpose, unsqueeze } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';

/** How the activation patterns D_j = diag(1[X̃h ≥ 0]) are chosen. */
export type PatternChoice =
  /** P directions h ~ N(0, I) (then deduplicated; the all-zero pattern dropped). */
  | {
      /** Sampled patterns. */
      kind: 'sampled';
      /** Directions drawn (P before deduplication). */
      count: number;
      /** The stream the directions come from. */
      generator: Generator;
    }
  /** Every pattern a ReLU unit can have on the data: exact, for one input feature (plus the bias) only. */
  | {
      /** Every pattern (one input feature). */
      kind: 'exact';
    };

/** Options of {@link solveConvexRelu}. */
export interface ConvexReluOptions {
  /** Which activation patterns the program uses. */
  patterns: PatternChoice;
  /** Weight decay β of the group lasso (default 1e-3). */
  beta?: number;
  /** Initial ADMM penalty ρ (default 0.1). */
  rho?: number;
  /** Adapt ρ by residual balancing every 10 iterations, refactorising (default true). */
  adaptiveRho?: boolean;
  /** ADMM iterations (default 200). */
  iterations?: number;
  /** Record the objective and the duality gap every this many iterations (default 0: only at the end). */
  traceEvery?: number;
  /** Also record them at these iterations (each certificate costs about 200 projected-gradient steps). */
  traceAt?: readonly number[];
}

/** The solution of the convex program and its certificates. */
export interface ConvexReluSolution {
  /** Group variables [2P, d + 1]: rows 0..P−1 are v_j, rows P..2P−1 are w_j (the last column multiplies the bias). */
  groups: Tensor;
  /** The patterns D [n, P] (1 where unit j is active on example i). */
  patterns: Tensor;
  /** ½‖Σ D_j X̃ (v_j − w_j) − y‖² + β Σ (‖v_j‖ + ‖w_j‖) at `groups`. */
  objective: number;
  /** A lower bound on the optimum from a dual-feasible point (Lagrange dual of the constrained group lasso). */
  dualBound: number;
  /**
   * (objective − dualBound) / |objective|. A certificate of optimality where `constraintViolation` is 0: ADMM's
   * iterate v meets the cone constraints only in the limit, so at a violation ε the gap is an estimate that can be
   * off (even negative) by O(ε).
   */
  relativeGap: number;
  /** The largest violation of the cone constraints (2D_j − I) X̃ v_j ≥ 0 (0 when feasible). */
  constraintViolation: number;
  /** Non-zero groups (neurons of the recovered network). */
  activeGroups: number;
  /** Relative gap (and objective) every `traceEvery` iterations and at `traceAt`. */
  trace: {
    /** ADMM iteration. */
    iteration: number;
    /** Objective at the iterate v. */
    objective: number;
    /** Relative duality gap there. */
    relativeGap: number;
  }[];
}

/**
 * X with a column of ones appended (the bias feature).
 * @example gl.rules.withBias(gl.tensor([[2, 3]])); // [[2, 3, 1]]
 */
export function withBias(x: Tensor): Tensor {
  return cat([x, add(zeros([x.shape[0], 1], { dtype: x.dtype }), 1)], 1);
}

/** Unique non-zero columns of a 0/1 matrix [n, P'] given as host rows, as a tensor [n, P]. */
async function uniquePatterns(d: Tensor): Promise<Tensor> {
  const [n, p] = d.shape;
  const data = await d.data();
  const seen = new Set<string>();
  const keep: number[][] = [];
  for (let j = 0; j < p; j++) {
    const col: number[] = [];
    for (let i = 0; i < n; i++) col.push(data[i * p + j] > 0 ? 1 : 0);
    const key = col.join('');
    if (!col.includes(1) || seen.has(key)) continue;
    seen.add(key);
    keep.push(col);
  }
  const rows = Array.from({ length: n }, (_, i) => keep.map((c) => c[i]));
  return tensor(rows, { dtype: d.dtype });
}

/** Every activation pattern of a unit ReLU(a·x + b) on 1-D data: thresholds between sorted points, both orientations. */
async function exactPatterns1d(x: Tensor): Promise<Tensor> {
  const xs = Array.from(await x.data());
  const sorted = [...new Set(xs)].sort((a, b) => a - b);
  const cuts = [sorted[0] - 1, ...sorted.slice(1).map((v, i) => (v + sorted[i]) / 2)];
  const cols: number[][] = [];
  for (const t of cuts) {
    cols.push(xs.map((v) => (v >= t ? 1 : 0)));
    cols.push(xs.map((v) => (v <= t ? 1 : 0)));
  }
  const n = xs.length;
  const flatRows = Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
  return uniquePatterns(tensor(flatRows, { dtype: x.dtype }));
}

/**
 * The activation patterns of `xb` ([n, d + 1], bias column last).
 * @example
 * const x = gl.tensor([[-1], [0], [1]], { dtype: 'float64' });
 * const D = await gl.rules.activationPatterns(gl.rules.withBias(x), { kind: 'exact' }); // every ReLU on/off pattern of 1-D data
 */
export async function activationPatterns(xb: Tensor, choice: PatternChoice): Promise<Tensor> {
  if (choice.kind === 'exact') {
    if (xb.shape[1] !== 2)
      throw new ArgumentError(
        `convex-admm: exact patterns are enumerated for one input feature only, got ${xb.shape[1] - 1} (use sampled patterns)`,
      );
    return exactPatterns1d(noGrad(() => reshape(narrow(xb, 1, 0, 1), [xb.shape[0]])));
  }
  if (!Number.isInteger(choice.count) || choice.count < 1)
    throw new ArgumentError(
      `convex-admm: the number of patterns must be a positive integer, got ${choice.count}`,
    );
  const h = randn([xb.shape[1], choice.count], { generator: choice.generator, dtype: xb.dtype });
  return uniquePatterns(noGrad(() => cast(ge(matmul(xb, h), 0), xb.dtype)));
}

/** Pieces of the program shared by the solver and the objective: masks and signs for the 2P groups. */
function operators(xb: Tensor, D: Tensor) {
  const P = D.shape[1];
  const dFull = cat([D, D], 1); // [n, 2P]
  const signs = tensor([...new Array<number>(P).fill(1), ...new Array<number>(P).fill(-1)], {
    dtype: xb.dtype,
  }); // [2P]
  const S = sub(mul(dFull, 2), 1); // 2D − 1 per group
  const c = unsqueeze(signs, 1); // [2P, 1]
  /** F u for groups U [2P, d]: Σ_i c_i D_i X̃ u_i → [n]. */
  const F = (U: Tensor) => sum(mul(mul(dFull, matmul(xb, transpose(U, 0, 1))), signs), 1);
  /** Fᵀ r → [2P, d]. */
  const Ft = (r: Tensor) => mul(matmul(transpose(mul(dFull, unsqueeze(r, 1)), 0, 1), xb), c);
  /** G u → [n, 2P]. */
  const G = (U: Tensor) => mul(S, matmul(xb, transpose(U, 0, 1)));
  /** Gᵀ z for z [n, 2P] → [2P, d]. */
  const Gt = (z: Tensor) => matmul(transpose(mul(S, z), 0, 1), xb);
  return { P, dFull, signs, S, F, Ft, G, Gt };
}

/**
 * ½‖F U − y‖² + β Σ‖U_i‖ and the largest cone-constraint violation, for groups U.
 * @example
 * const x = gl.tensor([[-1], [0], [1]], { dtype: 'float64' });
 * const y = gl.tensor([1, 0, 1], { dtype: 'float64' });
 * const sol = await gl.rules.solveConvexRelu(x, y, { patterns: { kind: 'exact' }, iterations: 50 });
 * const { objective, violation } = gl.rules.convexObjective(gl.rules.withBias(x), y, sol.patterns, sol.groups, 1e-3);
 */
export function convexObjective(
  xb: Tensor,
  y: Tensor,
  D: Tensor,
  U: Tensor,
  beta: number,
): {
  /** The objective at U. */
  objective: number;
  /** The largest cone-constraint violation at U. */
  violation: number;
} {
  return noGrad(() => {
    const op = operators(xb, D);
    const r = sub(op.F(U), y);
    const norms = sqrt(sum(mul(U, U), 1));
    const objective = 0.5 * sum(mul(r, r)).item() + beta * sum(norms).item();
    const violation = Math.max(0, -amin(op.G(U)).item());
    return { objective, violation };
  });
}

/**
 * Solves min ½‖Σⱼ DⱼX̃(vⱼ − wⱼ) − y‖² + β Σⱼ(‖vⱼ‖ + ‖wⱼ‖) s.t. (2Dⱼ − I)X̃vⱼ ≥ 0, (2Dⱼ − I)X̃wⱼ ≥ 0 by ADMM
 * (Bai, Gautam & Sojoudi, SIAM J. Math. Data Sci. 2022, Alg. 3.1): u ← (I + FᵀF/ρ + GᵀG)⁻¹(Fᵀy/ρ + v − λ + Gᵀ(s − ν))
 * through one `gl.linalg.cholesky` per ρ (M⁻¹ kept from it, one product per iteration), v ← group soft-threshold(u + λ, β/ρ),
 * s ← max(Gu + ν, 0), then the scaled duals λ += u − v, ν += Gu − s. The returned groups are the sparse copy v.
 * The gap is certified: λ_d = t·(Fv − y) is made dual-feasible by bounding, per group, ‖Π_cone(−Fᵢᵀλ_d)‖ ≤ β through
 * min_{μ ≥ 0} ‖−Fᵢᵀr + Gᵢᵀμ‖ (warm-started at the ADMM multiplier −ρν, improved by projected gradient; any μ ≥ 0
 * gives a valid bound), and the best t in the feasible range is taken.
 * `x` [n, d] (no bias column), `y` [n]; works in x's dtype (float64 recommended).
 * @example
 * const x = gl.tensor([[-1], [0], [1]], { dtype: 'float64' });
 * const y = gl.tensor([1, 0, 1], { dtype: 'float64' }); // |x|: two ReLUs fit it
 * const sol = await gl.rules.solveConvexRelu(x, y, { patterns: { kind: 'exact' }, iterations: 200 });
 * sol.relativeGap; // small: the ADMM solution is certified near the global optimum
 */
export async function solveConvexRelu(
  x: Tensor,
  y: Tensor,
  opts: ConvexReluOptions,
): Promise<ConvexReluSolution> {
  const beta = opts.beta ?? 1e-3;
  const rho0 = opts.rho ?? 0.1;
  const adaptive = opts.adaptiveRho ?? true;
  const iterations = opts.iterations ?? 200;
  const traceEvery = opts.traceEvery ?? 0;
  const traceAt = new Set(opts.traceAt ?? []);
  if (!(beta > 0) || !(rho0 > 0))
    throw new ArgumentError(`convex-admm: beta and rho must be > 0, got ${beta}, ${rho0}`);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new ArgumentError(`convex-admm: iterations must be a positive integer, got ${iterations}`);
  if (x.ndim !== 2 || y.ndim !== 1 || y.shape[0] !== x.shape[0])
    throw new ArgumentError(`convex-admm: expected x [n, d] and y [n], got [${x.shape}] and [${y.shape}]`);
  const xb = noGrad(() => withBias(x));
  const D = await activationPatterns(xb, opts.patterns);
  return noGrad(() => {
    const n = xb.shape[0];
    const d = xb.shape[1];
    const op = operators(xb, D);
    const P2 = 2 * op.P;
    const m = P2 * d;
    // M = I + FᵀF/ρ + GᵀG, with GᵀG = blockdiag(X̃ᵀX̃) (each (2Dⱼ − I)² = I)
    const Fmat = reshape(mul(unsqueeze(mul(op.dFull, op.signs), 2), unsqueeze(xb, 1)), [n, m]);
    const xtx = matmul(transpose(xb, 0, 1), xb);
    const blocks = reshape(
      mul(
        unsqueeze(unsqueeze(eye(P2, P2, { dtype: xb.dtype }), 1), 3),
        expand(unsqueeze(unsqueeze(xtx, 0), 2), [1, d, 1, d]),
      ),
      [m, m],
    );
    const ftf = matmul(transpose(Fmat, 0, 1), Fmat);
    let rho = rho0;
    let Minv: Tensor;
    /**
     * Factorises M = I + FᵀF/ρ + GᵀG = LLᵀ for the current ρ and keeps M⁻¹ = L⁻ᵀL⁻¹ (L⁻¹ by one triangular solve
     * with the identity): each iteration is then one matrix-vector product instead of two triangular solves, which
     * on the LAPACK path copy and check the whole factor per call. M ⪰ I, so its inverse is well conditioned.
     */
    const factor = () => {
      const L = cholesky(add(add(eye(m, m, { dtype: xb.dtype }), div(ftf, rho)), blocks));
      const Linv = solveTriangular(L, eye(m, m, { dtype: xb.dtype }), { upper: false });
      Minv = matmul(transpose(Linv, 0, 1), Linv);
    };
    factor();
    const solveM = (b: Tensor) => reshape(matmul(Minv, reshape(b, [m, 1])), [P2, d]);
    const Fty = op.Ft(y);
    let v = zeros([P2, d], { dtype: xb.dtype });
    let lam = zeros([P2, d], { dtype: xb.dtype });
    let s = zeros([n, P2], { dtype: xb.dtype });
    let nu = zeros([n, P2], { dtype: xb.dtype });
    const trace: ConvexReluSolution['trace'] = [];
    const certify = () => certificate(xb, y, D, v, nu, rho, beta);
    const norm = (t: Tensor) => Math.sqrt(sum(mul(t, t)).item());
    for (let it = 1; it <= iterations; it++) {
      const u = solveM(add(sub(add(div(Fty, rho), v), lam), op.Gt(sub(s, nu))));
      const t = add(u, lam);
      const norms = sqrt(sum(mul(t, t), 1, true));
      const vPrev = v;
      const sPrev = s;
      v = mul(relu(sub(1, div(beta / rho, clamp(norms, 1e-300)))), t);
      const gu = op.G(u);
      s = relu(add(gu, nu));
      lam = add(lam, sub(u, v));
      nu = add(nu, sub(gu, s));
      // residual balancing (Boyd et al. 2011, §3.4.1): keep primal and dual residuals within 10× of each other
      if (adaptive && it % 10 === 0 && it < iterations) {
        const primal = Math.hypot(norm(sub(u, v)), norm(sub(gu, s)));
        const dual = rho * norm(add(sub(v, vPrev), op.Gt(sub(s, sPrev))));
        const f = primal > 10 * dual ? 2 : dual > 10 * primal ? 0.5 : 1;
        if (f !== 1) {
          rho *= f;
          lam = div(lam, f); // scaled duals are multiplier/ρ
          nu = div(nu, f);
          factor();
        }
      }
      if ((traceEvery > 0 && (it % traceEvery === 0 || it === iterations)) || traceAt.has(it)) {
        const c = certify();
        trace.push({ iteration: it, objective: c.objective, relativeGap: c.relativeGap });
      }
    }
    const c = certify();
    const active = sum(
      cast(ge(sqrt(sum(mul(v, v), 1)), 1e-10 * Math.max(1, amax(abs(v)).item())), 'float32'),
    ).item();
    return { groups: v, patterns: D, ...c, activeGroups: active, trace };
  });
}

/** Objective at v, and a certified dual bound from the residual (see solveConvexRelu). */
function certificate(xb: Tensor, y: Tensor, D: Tensor, v: Tensor, nu: Tensor, rho: number, beta: number) {
  const op = operators(xb, D);
  const { objective, violation } = convexObjective(xb, y, D, v, beta);
  const r = sub(op.F(v), y);
  const g = neg(op.Ft(r)); // −Fᵀr [2P, d]
  // min over μ ≥ 0 of ½‖g + Gᵀμ‖² per group, by projected gradient from μ = −ρν (step 1/‖X̃‖_F² ≤ 1/‖Gᵢ‖²)
  const step = 1 / sum(mul(xb, xb)).item();
  let mu = relu(mul(nu, -rho));
  for (let k = 0; k < 200; k++) {
    const resid = add(g, op.Gt(mu));
    mu = relu(sub(mu, mul(op.G(resid), step)));
  }
  const resid = add(g, op.Gt(mu));
  const bound = amax(sqrt(sum(mul(resid, resid), 1))).item();
  const rr = sum(mul(r, r)).item();
  const ry = sum(mul(r, y)).item();
  const tMax = bound > 0 ? beta / bound : Infinity;
  const tStar = rr > 0 ? -ry / rr : 0;
  const t = Math.min(Math.max(tStar, 0), tMax);
  const dualBound = -0.5 * t * t * rr - t * ry;
  return {
    objective,
    dualBound,
    relativeGap: (objective - dualBound) / Math.max(Math.abs(objective), 1e-300),
    constraintViolation: violation,
  };
}

/**
 * The ReLU network of a convex solution (Pilanci & Ergen 2020): each non-zero group u gives one neuron with input
 * weights u/√‖u‖ (the last entry is its bias) and output weight ±√‖u‖ (+ for v groups, − for w groups).
 * Returns `hidden` [k, d + 1] and `alpha` [k] for the k non-zero groups, in group order.
 * @example
 * const x = gl.tensor([[-1], [0], [1]], { dtype: 'float64' });
 * const y = gl.tensor([1, 0, 1], { dtype: 'float64' });
 * const sol = await gl.rules.solveConvexRelu(x, y, { patterns: { kind: 'exact' }, iterations: 200 });
 * const { hidden, alpha } = await gl.rules.recoverRelu(sol.groups, 1e-6); // a two-layer ReLU net with that objective
 */
export async function recoverRelu(
  groups: Tensor,
  tol = 0,
): Promise<{
  /** Input weights [k, d + 1], the bias last. */
  hidden: Tensor;
  /** Output weights [k]. */
  alpha: Tensor;
  /** The group each neuron comes from. */
  index: number[];
}> {
  const norms = Array.from(await noGrad(() => sqrt(sum(mul(groups, groups), 1))).data());
  return noGrad(() => {
    const P2 = groups.shape[0];
    const index = norms
      .map((nrm, i) => [nrm, i] as const)
      .filter(([nrm]) => nrm > tol)
      .map(([, i]) => i);
    const rows = index.map((i) => div(narrow(groups, 0, i, 1), Math.sqrt(norms[i])));
    const hidden = rows.length ? cat(rows, 0) : zeros([0, groups.shape[1]], { dtype: groups.dtype });
    const alpha = tensor(
      index.map((i) => (i < P2 / 2 ? 1 : -1) * Math.sqrt(norms[i])),
      { dtype: groups.dtype },
    );
    return { hidden, alpha, index };
  });
}

/**
 * ½‖Σₖ αₖ ReLU(X̃ hₖ) − y‖² + (β/2) Σₖ (‖hₖ‖² + αₖ²): the weight-decayed non-convex objective of a two-layer ReLU net.
 * @example
 * const x = gl.tensor([[-1], [0], [1]], { dtype: 'float64' });
 * const y = gl.tensor([1, 0, 1], { dtype: 'float64' });
 * const hidden = gl.tensor([[1, 0], [-1, 0]], { dtype: 'float64' }); // ReLU(x) and ReLU(−x)
 * const alpha = gl.tensor([1, 1], { dtype: 'float64' });
 * gl.rules.reluObjective(x, y, hidden, alpha, 0); // 0: the net computes |x| exactly
 */
export function reluObjective(x: Tensor, y: Tensor, hidden: Tensor, alpha: Tensor, beta: number): number {
  return noGrad(() => {
    const f = matmul(relu(matmul(withBias(x), transpose(hidden, 0, 1))), alpha);
    const r = sub(f, y);
    return (
      0.5 * sum(mul(r, r)).item() +
      (beta / 2) * (sum(mul(hidden, hidden)).item() + sum(mul(alpha, alpha)).item())
    );
  });
}
