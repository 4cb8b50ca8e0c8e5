// WGSL of the factorization kernels: one thread per matrix, the JS reference algorithms step for step in float32.
import type { LinalgPrimitive } from '../../core/primitives.js';

/** Threads per workgroup of the factorization kernels (one matrix each). */
export const LAPACK_WG = 64;

/**
 * Parameters every kernel reads: prm[0] matrices, prm[1] m (rows), prm[2] n (columns), prm[3] k (the
 * right-hand side's columns, or Q's), prm[4] flags, prm[5] / prm[6] / prm[7] the offsets of A, B and the
 * output, prm[8] the scratch floats per matrix. `info[b]` is -1 for a good matrix, 0 when the part of A the
 * op reads holds NaN or infinity, and 1 + j for a failure at (0-based) index j.
 */
const HEADER = (inputs: number) =>
  [
    '@group(0) @binding(0) var<storage, read> prm: array<i32>;',
    '@group(0) @binding(1) var<storage, read_write> dst: array<f32>;',
    '@group(0) @binding(2) var<storage, read_write> info: array<i32>;',
    '@group(0) @binding(3) var<storage, read_write> wk: array<f32>;',
    '@group(0) @binding(4) var<storage, read> src0: array<f32>;',
    ...(inputs > 1 ? ['@group(0) @binding(5) var<storage, read> src1: array<f32>;'] : []),
    // NaN and infinities are told by their bits: compilers may assume neither exists
    'fn nonfinite_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u; }',
    'fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }',
    'var<private> NINF_BITS: u32 = 0xff800000u;',
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {',
    `  let b = i32(gid.x + gid.y * nwg.x * ${LAPACK_WG}u);`,
    '  if (b >= prm[0]) { return; }',
    '  let m = prm[1]; let n = prm[2]; let k = prm[3]; let flags = prm[4];',
    '  let A = prm[5] + b * m * n;',
    '  let W = b * prm[8];',
  ].join('\n');

/** Sets info[b] = 0 and returns when an entry of A (row-major m x n) that `keep(i, j)` selects is not finite. */
const finiteCheck = (keep: string) => `
  for (var i = 0; i < m; i = i + 1) {
    for (var j = 0; j < n; j = j + 1) {
      if ((${keep}) && nonfinite_(src0[A + i * n + j])) { info[b] = 0; return; }
    }
  }`;

/** LU with partial pivoting of wk[W .. W + n*n) (row-major), row swaps in wk[W + n*n + j]: luInPlace of the JS kernel. */
const LU = `
  var zero = -1;
  let P = W + n * n;
  for (var j = 0; j < n; j = j + 1) {
    var p = j;
    var best = abs(wk[W + j * n + j]);
    for (var i = j + 1; i < n; i = i + 1) {
      let v = abs(wk[W + i * n + j]);
      if (v > best) { best = v; p = i; }
    }
    wk[P + j] = f32(p);
    if (p != j) {
      for (var c = 0; c < n; c = c + 1) {
        let t = wk[W + j * n + c];
        wk[W + j * n + c] = wk[W + p * n + c];
        wk[W + p * n + c] = t;
      }
    }
    let d = wk[W + j * n + j];
    if (d == 0.0) {
      if (zero < 0) { zero = j; }
      continue;
    }
    for (var i = j + 1; i < n; i = i + 1) {
      let f = wk[W + i * n + j] / d;
      wk[W + i * n + j] = f;
      if (f != 0.0) {
        for (var c = j + 1; c < n; c = c + 1) { wk[W + i * n + c] = wk[W + i * n + c] - f * wk[W + j * n + c]; }
      }
    }
  }`;

const BODIES: { [P in LinalgPrimitive]: string } = {
  // L with A = L L^T from the lower triangle; a failed minor j leaves L[j:, j:] zero
  cholesky: `
  let L = prm[7] + b * n * n;
  for (var t = 0; t < n * n; t = t + 1) { dst[L + t] = 0.0; }
  for (var j = 0; j < n; j = j + 1) {
    var d = src0[A + j * n + j];
    for (var q = 0; q < j; q = q + 1) { let l = dst[L + j * n + q]; d = d - l * l; }
    if (!(d > 0.0) || isnan_(d)) {
      for (var i = j; i < n; i = i + 1) { for (var c = j; c < n; c = c + 1) { dst[L + i * n + c] = 0.0; } }
      info[b] = 1 + j;
      return;
    }
    let ljj = sqrt(d);
    dst[L + j * n + j] = ljj;
    for (var i = j + 1; i < n; i = i + 1) {
      var s = src0[A + i * n + j];
      for (var q = 0; q < j; q = q + 1) { s = s - dst[L + i * n + q] * dst[L + j * n + q]; }
      dst[L + i * n + j] = s / ljj;
    }
  }
  info[b] = -1;`,
  // X with A X = B for triangular A (flags: 1 upper, 2 unit diagonal)
  triangularSolve: `
  let upper = (flags & 1) != 0;
  let unit = (flags & 2) != 0;
  ${finiteCheck('select(j <= i, j >= i, upper)')}
  if (!unit) {
    for (var i = 0; i < n; i = i + 1) { if (src0[A + i * n + i] == 0.0) { info[b] = 1 + i; return; } }
  }
  let R = prm[6] + b * n * k;
  let X = prm[7] + b * n * k;
  for (var t = 0; t < n * k; t = t + 1) { dst[X + t] = src1[R + t]; }
  for (var c = 0; c < k; c = c + 1) {
    for (var r = 0; r < n; r = r + 1) {
      let i = select(r, n - 1 - r, upper);
      var s = dst[X + i * k + c];
      if (upper) {
        for (var j = i + 1; j < n; j = j + 1) { s = s - src0[A + i * n + j] * dst[X + j * k + c]; }
      } else {
        for (var j = 0; j < i; j = j + 1) { s = s - src0[A + i * n + j] * dst[X + j * k + c]; }
      }
      dst[X + i * k + c] = select(s / src0[A + i * n + i], s, unit);
    }
  }
  info[b] = -1;`,
  // X with A X = B: A^T = P L U (as the JS kernel and LAPACK on a row-major A), then A = U^T L^T P
  solve: `
  ${finiteCheck('true')}
  for (var i = 0; i < n; i = i + 1) {
    for (var j = 0; j < n; j = j + 1) { wk[W + i * n + j] = src0[A + j * n + i]; }
  }
  ${LU}
  if (zero >= 0) { info[b] = 1 + zero; return; }
  let R = prm[6] + b * n * k;
  let X = prm[7] + b * n * k;
  for (var t = 0; t < n * k; t = t + 1) { dst[X + t] = src1[R + t]; }
  for (var c = 0; c < k; c = c + 1) {
    for (var i = 0; i < n; i = i + 1) {
      var s = dst[X + i * k + c];
      for (var j = 0; j < i; j = j + 1) { s = s - wk[W + j * n + i] * dst[X + j * k + c]; }
      dst[X + i * k + c] = s / wk[W + i * n + i];
    }
    for (var i = n - 1; i >= 0; i = i - 1) {
      var s = dst[X + i * k + c];
      for (var j = i + 1; j < n; j = j + 1) { s = s - wk[W + j * n + i] * dst[X + j * k + c]; }
      dst[X + i * k + c] = s;
    }
  }
  for (var j = n - 1; j >= 0; j = j - 1) {
    let p = i32(wk[P + j]);
    if (p != j) {
      for (var c = 0; c < k; c = c + 1) {
        let t = dst[X + j * k + c];
        dst[X + j * k + c] = dst[X + p * k + c];
        dst[X + p * k + c] = t;
      }
    }
  }
  info[b] = -1;`,
  // sign and log|det| from P A = L U (sign 0, log -Infinity for a singular A)
  slogdet: `
  ${finiteCheck('true')}
  for (var t = 0; t < n * n; t = t + 1) { wk[W + t] = src0[A + t]; }
  ${LU}
  let O = prm[7] + 2 * b;
  info[b] = -1;
  if (zero >= 0) { dst[O] = 0.0; dst[O + 1] = bitcast<f32>(NINF_BITS); return; }
  var sign = 1.0;
  var lad = 0.0;
  for (var j = 0; j < n; j = j + 1) {
    let d = wk[W + j * n + j];
    if (i32(wk[P + j]) != j) { sign = -sign; }
    if (d < 0.0) { sign = -sign; }
    lad = lad + log(abs(d));
  }
  dst[O] = sign;
  dst[O + 1] = lad;`,
  // Q (m x k columns) of Householder QR with LAPACK's signs; reflectors below the diagonal of wk, taus after
  qr: `
  ${finiteCheck('true')}
  let kk = min(m, n);
  let T = W + m * n;
  for (var t = 0; t < m * n; t = t + 1) { wk[W + t] = src0[A + t]; }
  for (var j = 0; j < kk; j = j + 1) {
    let alpha = wk[W + j * n + j];
    var xs = 0.0;
    for (var i = j + 1; i < m; i = i + 1) { xs = xs + wk[W + i * n + j] * wk[W + i * n + j]; }
    if (xs == 0.0) { wk[T + j] = 0.0; continue; }
    let norm = sqrt(alpha * alpha + xs);
    let beta = select(norm, -norm, alpha >= 0.0);
    let tau = (beta - alpha) / beta;
    let scale = 1.0 / (alpha - beta);
    for (var i = j + 1; i < m; i = i + 1) { wk[W + i * n + j] = wk[W + i * n + j] * scale; }
    wk[W + j * n + j] = beta;
    for (var c = j + 1; c < n; c = c + 1) {
      var s = wk[W + j * n + c];
      for (var i = j + 1; i < m; i = i + 1) { s = s + wk[W + i * n + j] * wk[W + i * n + c]; }
      s = s * tau;
      wk[W + j * n + c] = wk[W + j * n + c] - s;
      for (var i = j + 1; i < m; i = i + 1) { wk[W + i * n + c] = wk[W + i * n + c] - s * wk[W + i * n + j]; }
    }
    wk[T + j] = tau;
  }
  let Q = prm[7] + b * m * k;
  for (var i = 0; i < m; i = i + 1) {
    for (var c = 0; c < k; c = c + 1) { dst[Q + i * k + c] = select(0.0, 1.0, i == c); }
  }
  for (var j = kk - 1; j >= 0; j = j - 1) {
    let tau = wk[T + j];
    if (tau == 0.0) { continue; }
    for (var c = 0; c < k; c = c + 1) {
      var s = dst[Q + j * k + c];
      for (var i = j + 1; i < m; i = i + 1) { s = s + wk[W + i * n + j] * dst[Q + i * k + c]; }
      s = s * tau;
      dst[Q + j * k + c] = dst[Q + j * k + c] - s;
      for (var i = j + 1; i < m; i = i + 1) { dst[Q + i * k + c] = dst[Q + i * k + c] - s * wk[W + i * n + j]; }
    }
  }
  info[b] = -1;`,
  // cyclic Jacobi rotations (core/jacobi-eigh.ts); output V (n rows, columns sorted by eigenvalue) then the eigenvalues
  eigh: `
  ${finiteCheck('j <= i')}
  let V = W + n * n;
  for (var i = 0; i < n; i = i + 1) {
    for (var j = 0; j <= i; j = j + 1) {
      let v = src0[A + i * n + j];
      wk[W + i * n + j] = v;
      wk[W + j * n + i] = v;
    }
    for (var j = 0; j < n; j = j + 1) { wk[V + i * n + j] = select(0.0, 1.0, i == j); }
  }
  for (var sweep = 0; sweep < 100; sweep = sweep + 1) {
    var off = 0.0;
    var total = 0.0;
    for (var i = 0; i < n; i = i + 1) {
      for (var j = 0; j < n; j = j + 1) {
        let x = wk[W + i * n + j] * wk[W + i * n + j];
        total = total + x;
        if (i != j) { off = off + x; }
      }
    }
    // float32's rounding floor (the JS kernel's float64 test is 1e-30)
    if (off <= 1.5e-14 * f32(n * n) * total || off == 0.0) { break; }
    for (var p = 0; p < n - 1; p = p + 1) {
      for (var q = p + 1; q < n; q = q + 1) {
        let apq = wk[W + p * n + q];
        if (apq == 0.0) { continue; }
        let theta = (wk[W + q * n + q] - wk[W + p * n + p]) / (2.0 * apq);
        let t = select(1.0, -1.0, theta < 0.0) / (abs(theta) + sqrt(theta * theta + 1.0));
        let c = 1.0 / sqrt(t * t + 1.0);
        let s = t * c;
        for (var r = 0; r < n; r = r + 1) {
          let x = wk[W + r * n + p];
          let y = wk[W + r * n + q];
          wk[W + r * n + p] = c * x - s * y;
          wk[W + r * n + q] = s * x + c * y;
        }
        for (var r = 0; r < n; r = r + 1) {
          let x = wk[W + p * n + r];
          let y = wk[W + q * n + r];
          wk[W + p * n + r] = c * x - s * y;
          wk[W + q * n + r] = s * x + c * y;
        }
        for (var r = 0; r < n; r = r + 1) {
          let x = wk[V + r * n + p];
          let y = wk[V + r * n + q];
          wk[V + r * n + p] = c * x - s * y;
          wk[V + r * n + q] = s * x + c * y;
        }
      }
    }
  }
  let O = prm[7] + b * (n + 1) * n;
  for (var s = 0; s < n; s = s + 1) {
    let ws = wk[W + s * n + s];
    var r = 0;
    for (var j = 0; j < n; j = j + 1) {
      let wj = wk[W + j * n + j];
      if (wj < ws || (wj == ws && j < s)) { r = r + 1; }
    }
    dst[O + n * n + r] = ws;
    for (var q = 0; q < n; q = q + 1) { dst[O + q * n + r] = wk[V + q * n + s]; }
  }
  info[b] = -1;`,
  // one-sided Jacobi (the JS kernel's jacobiSvd) of a tall A: output U (m rows), Vh (n rows), S (1 row)
  svd: `
  ${finiteCheck('true')}
  let V = W + m * n;
  let NR = V + n * n;
  let U1 = NR + n;
  for (var t = 0; t < m * n; t = t + 1) { wk[W + t] = src0[A + t]; }
  for (var i = 0; i < n; i = i + 1) {
    for (var j = 0; j < n; j = j + 1) { wk[V + i * n + j] = select(0.0, 1.0, i == j); }
  }
  // float32's rounding floor (the JS kernel's float64 test is 1e-15)
  let tol = 1.2e-7 * f32(m);
  for (var sweep = 0; sweep < 100; sweep = sweep + 1) {
    var rotated = false;
    for (var p = 0; p < n - 1; p = p + 1) {
      for (var q = p + 1; q < n; q = q + 1) {
        var alpha = 0.0;
        var beta = 0.0;
        var gamma = 0.0;
        for (var i = 0; i < m; i = i + 1) {
          let x = wk[W + i * n + p];
          let y = wk[W + i * n + q];
          alpha = alpha + x * x;
          beta = beta + y * y;
          gamma = gamma + x * y;
        }
        if (gamma == 0.0 || abs(gamma) <= tol * sqrt(alpha * beta)) { continue; }
        rotated = true;
        let zeta = (beta - alpha) / (2.0 * gamma);
        let t = select(1.0, -1.0, zeta < 0.0) / (abs(zeta) + sqrt(1.0 + zeta * zeta));
        let c = 1.0 / sqrt(1.0 + t * t);
        let s = c * t;
        for (var i = 0; i < m; i = i + 1) {
          let x = wk[W + i * n + p];
          let y = wk[W + i * n + q];
          wk[W + i * n + p] = c * x - s * y;
          wk[W + i * n + q] = s * x + c * y;
        }
        for (var i = 0; i < n; i = i + 1) {
          let x = wk[V + i * n + p];
          let y = wk[V + i * n + q];
          wk[V + i * n + p] = c * x - s * y;
          wk[V + i * n + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) { break; }
  }
  var top = 0.0;
  for (var j = 0; j < n; j = j + 1) {
    var s = 0.0;
    for (var i = 0; i < m; i = i + 1) { s = s + wk[W + i * n + j] * wk[W + i * n + j]; }
    wk[NR + j] = sqrt(s);
    top = max(top, wk[NR + j]);
  }
  let O = prm[7] + b * (m + n + 1) * n;
  let Vt = O + m * n;
  let S = O + (m + n) * n;
  let tiny = top * f32(max(m, n)) * 1.2e-7;
  for (var t = 0; t < m * n; t = t + 1) { dst[O + t] = 0.0; }
  var filled = 0;
  for (var src = 0; src < n; src = src + 1) {
    let ns = wk[NR + src];
    var r = 0;
    for (var j = 0; j < n; j = j + 1) {
      let nj = wk[NR + j];
      if (nj > ns || (nj == ns && j < src)) { r = r + 1; }
    }
    dst[S + r] = ns;
    for (var q = 0; q < n; q = q + 1) { dst[Vt + r * n + q] = wk[V + q * n + src]; }
    if (ns > tiny && ns > 0.0) {
      for (var i = 0; i < m; i = i + 1) { dst[O + i * n + r] = wk[W + i * n + src] / ns; }
      filled = filled + 1;
    }
  }
  // columns of U for (numerically) zero singular values: unit vectors orthogonalised against the columns before
  var e = 0;
  for (var c = filled; c < n; c = c + 1) {
    loop {
      if (e >= m) { break; }
      for (var i = 0; i < m; i = i + 1) { wk[U1 + i] = select(0.0, 1.0, i == e); }
      for (var f = 0; f < c; f = f + 1) {
        var d = 0.0;
        for (var i = 0; i < m; i = i + 1) { d = d + dst[O + i * n + f] * wk[U1 + i]; }
        for (var i = 0; i < m; i = i + 1) { wk[U1 + i] = wk[U1 + i] - d * dst[O + i * n + f]; }
      }
      var s = 0.0;
      for (var i = 0; i < m; i = i + 1) { s = s + wk[U1 + i] * wk[U1 + i]; }
      e = e + 1;
      if (s > 0.25) {
        let r = sqrt(s);
        for (var i = 0; i < m; i = i + 1) { dst[O + i * n + c] = wk[U1 + i] / r; }
        break;
      }
    }
  }
  info[b] = -1;`,
};

/** Scratch floats one matrix of each op needs (m rows, n columns). */
export const SCRATCH: { [P in LinalgPrimitive]: (m: number, n: number) => number } = {
  cholesky: () => 0,
  triangularSolve: () => 0,
  solve: (_m, n) => n * n + n,
  slogdet: (_m, n) => n * n + n,
  qr: (m, n) => m * n + Math.min(m, n),
  eigh: (_m, n) => 2 * n * n,
  svd: (m, n) => m * n + n * n + n + m,
};

/** The WGSL source of a factorization kernel. */
export function lapackSource(op: LinalgPrimitive): string {
  const inputs = op === 'triangularSolve' || op === 'solve' ? 2 : 1;
  return `${HEADER(inputs)}\n${BODIES[op]}\n}\n`;
}

/**
 * The verdict kernel (one thread): the first matrix whose input is not finite, else the first that failed,
 * merged into the backend's running check verdict (prm: matrices, code stride, this check's number, whether a
 * verdict is running, its id and value offsets).
 */
export const VERDICT_SOURCE = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> dst: array<i32>;
@group(0) @binding(2) var<storage, read_write> val: array<i32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
@group(0) @binding(4) var<storage, read> runId: array<i32>;
@group(0) @binding(5) var<storage, read> runValue: array<i32>;
@compute @workgroup_size(1)
fn main() {
  var code = -1;
  var at = 0;
  for (var b = 0; b < prm[0]; b = b + 1) { if (info[b] == 0) { code = 0; at = b; break; } }
  if (code < 0) {
    for (var b = 0; b < prm[0]; b = b + 1) { if (info[b] > 0) { code = info[b]; at = b; break; } }
  }
  var id = 0;
  var value = 0;
  if (prm[3] != 0) { id = runId[prm[4]]; value = runValue[prm[5]]; }
  if (id == 0 && code >= 0) { id = prm[2]; value = at * prm[1] + code; }
  dst[0] = id;
  val[0] = value;
}
`;
