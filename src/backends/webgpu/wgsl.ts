// WGSL building blocks shared by the kernels: element types, launch grids, dim coalescing, math helpers.
import type { TensorView } from '../backend.js';
import type { DType } from '../../core/dtype.js';

/** Threads per workgroup of the one-thread-per-element kernels. */
export const WG = 256;

/** The WGSL element type a dtype is stored as on the GPU (bool as u32 0/1). */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/** Workgroup grid for `n` threads of WG each (2-D when n exceeds the 65535 groups per dimension). */
export function grid(n: number, perGroup = WG): [number, number, number] {
  const groups = Math.ceil(n / perGroup);
  if (groups === 0) return [0, 1, 1];
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x), 1];
}

/** The WGSL lines that turn the 2-D grid back into a flat thread index `i`. */
export const THREAD_INDEX = 'let i = i32(gid.x + gid.y * nwg.x * 256u);';
export const MAIN_ARGS =
  '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>';

/** Binding declarations: meta, then the output, then inputs of the given WGSL types. */
export function bindings(outType: string, inTypes: readonly string[]): string {
  const lines = [
    '@group(0) @binding(0) var<storage, read> prm: array<i32>;',
    `@group(0) @binding(1) var<storage, read_write> dst: array<${outType}>;`,
  ];
  inTypes.forEach((t, k) =>
    lines.push(`@group(0) @binding(${k + 2}) var<storage, read> src${k}: array<${t}>;`),
  );
  return lines.join('\n');
}

/** True when the view reads storage[offset .. offset+numel) in row-major order. */
export function isDenseView(v: TensorView): boolean {
  let s = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== s) return false;
    s *= v.shape[i];
  }
  return true;
}

/**
 * Drops size-1 dims and merges neighbours that every stride list walks contiguously, so the
 * shaders unravel as few dims as possible. Returns the merged shape and stride lists.
 */
export function coalesce(
  shape: readonly number[],
  strideLists: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  const outShape: number[] = [];
  const outStrides: number[][] = strideLists.map(() => []);
  for (const d of dims) {
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strideLists.every((s, k) => outStrides[k][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      strideLists.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strideLists.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

// row-major strides and element counts: core's view helpers, under the names the kernels use
export { contiguousStrides as denseStrides, numel as numelOf } from '../../core/shape.js';

const f32Bits = new Float32Array(1);
const f32BitsI = new Int32Array(f32Bits.buffer);
/** The bit pattern of a number rounded to float32, as an i32 (how float parameters travel in meta). */
export function floatBits(v: number): number {
  f32Bits[0] = v;
  return f32BitsI[0];
}

/** WGSL that converts `expr` of type `from` to type `to` (bool is u32 0/1). */
export function convert(expr: string, from: string, to: string): string {
  if (from === to) return expr;
  if (to === 'u32') return `select(0u, 1u, ${expr} != ${from}(0))`;
  return `${to}(${expr})`;
}

/** Float helpers the math kernels call; only the ones a shader names are included. */
const HELPERS: Record<string, string> = {
  // NaN and infinities come from private variables: constant expressions may not hold them
  nan_: 'var<private> NAN_BITS: u32 = 0x7fc00000u;\nfn nan_() -> f32 { return bitcast<f32>(NAN_BITS); }',
  inf_: 'var<private> INF_BITS: u32 = 0x7f800000u;\nfn inf_() -> f32 { return bitcast<f32>(INF_BITS); }',
  ninf_: 'var<private> NINF_BITS: u32 = 0xff800000u;\nfn ninf_() -> f32 { return bitcast<f32>(NINF_BITS); }',
  log1p_: `fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (x > 1e30) { return log(x); }
  return log(u) * (x / (u - 1.0));
}`,
  expm1_: `fn expm1_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    var t = x; var s = x;
    for (var n = 2; n < 11; n = n + 1) { t = t * x / f32(n); s = s + t; }
    return s;
  }
  return exp(x) - 1.0;
}`,
  tanh_: `fn tanh_(x: f32) -> f32 {
  if (x != x) { return x; }
  let e = expm1_(-2.0 * abs(x));
  let t = -e / (2.0 + e);
  return select(t, -t, x < 0.0);
}`,
  sigmoid_: `fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}`,
  erf_: `fn erf_(x: f32) -> f32 {
  if (x != x) { return x; }
  let z = abs(x);
  if (z < 0.5) {
    let x2 = x * x;
    var term = x; var s = x;
    for (var n = 1; n < 8; n = n + 1) { term = -term * x2 / f32(n); s = s + term / f32(2 * n + 1); }
    return 1.1283791670955126 * s;
  }
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(p);
  return select(r, -r, x < 0.0);
}`,
  // sin/cos with Cody-Waite reduction by pi/2 and Taylor polynomials: some drivers' builtins
  // (SwiftShader's among them) are only accurate to ~2e-4
  sincos_: `fn sincos_(x: f32, quadrantShift: i32) -> f32 {
  let k = round(x * 0.6366197723675814);
  let r = (x - k * 1.5707963705062866) - k * (-4.371139000186243e-8);
  let r2 = r * r;
  let s = r + r * r2 * (-0.16666666666666666 + r2 * (0.008333333333333333 + r2 * (-0.0001984126984126984 + r2 * 2.7557319223985893e-6)));
  let c = 1.0 + r2 * (-0.5 + r2 * (0.041666666666666664 + r2 * (-0.001388888888888889 + r2 * (2.48015873015873e-5 - r2 * 2.755731922398589e-7))));
  let q = (i32(k) + quadrantShift) & 3;
  if (q == 0) { return s; }
  if (q == 1) { return c; }
  if (q == 2) { return -s; }
  return -c;
}`,
  sign_: `fn sign_(x: f32) -> f32 {
  if (x > 0.0) { return 1.0; }
  if (x < 0.0) { return -1.0; }
  return x;
}`,
  pow_: `fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (a != a || b != b) { return a + b; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (b == 0.5 && a >= 0.0) { return sqrt(a); }
  var m: f32;
  if (a == 0.0) { m = select(inf_(), 0.0, b > 0.0); } else { m = pow(abs(a), b); }
  if (a < 0.0 || (a == 0.0 && 1.0 / a < 0.0)) {
    if (floor(b) != b) { return nan_(); }
    if (floor(b * 0.5) != b * 0.5) { return -m; }
  }
  return m;
}`,
  ipow_: `fn ipow_(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(-1, 1, (b & 1) == 0); }
    return 0;
  }
  var r = 1; var base = a; var e = b;
  loop { if (e == 0) { break; } if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1; }
  return r;
}`,
  max_: `fn max_(a: f32, b: f32) -> f32 {
  if (a != a || b != b) { return nan_(); }
  return select(b, a, a > b);
}`,
  min_: `fn min_(a: f32, b: f32) -> f32 {
  if (a != a || b != b) { return nan_(); }
  return select(b, a, a < b);
}`,
};
const HELPER_DEPS: Record<string, string[]> = {
  tanh_: ['expm1_'],
  pow_: ['nan_', 'inf_'],
  max_: ['nan_'],
  min_: ['nan_'],
};

/** The helper functions `code` calls (with their own dependencies), as WGSL. */
export function helpersFor(code: string): string {
  const need = new Set<string>();
  const add = (name: string) => {
    if (need.has(name)) return;
    need.add(name);
    for (const d of HELPER_DEPS[name] ?? []) add(d);
  };
  for (const name of Object.keys(HELPERS)) if (code.includes(name + '(')) add(name);
  return Object.keys(HELPERS)
    .filter((n) => need.has(n))
    .map((n) => HELPERS[n])
    .join('\n');
}
