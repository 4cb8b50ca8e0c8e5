// Matrix multiply and convolution kernels (im2col + GEMM) of the JS backend.
import type { Kernel, TensorView } from '../backend.js';
import type { TypedArray } from '../../core/dtype.js';
import type { FoldParams, UnfoldParams } from '../../core/primitives.js';
import { dataOf, gatherDense, offsetsOf } from './strided.js';

type Arr = TypedArray;

/** C[m,n] += A[m,k] B[k,n] for dense row-major blocks starting at the given offsets. */
export function gemmAccumulate(
  A: Arr,
  ao: number,
  B: Arr,
  bo: number,
  C: Arr,
  co: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = co + i * n;
    const ai = ao + i * k;
    for (let p = 0; p < k; p++) {
      const a = A[ai + p];
      if (a === 0) continue;
      const bp = bo + p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
    }
  }
}

/** Returns a dense copy (or the storage itself) of the 2-D matrix at `base` with the given strides. */
function matrix(
  data: Arr,
  base: number,
  rows: number,
  cols: number,
  rs: number,
  cs: number,
): { arr: Arr; off: number } {
  if (cs === 1 && rs === cols) return { arr: data, off: base };
  const out = new (data.constructor as { new (n: number): Arr })(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = data[base + i * rs + j * cs];
  return { arr: out, off: 0 };
}

export const matmulKernel: Kernel<'matmul'> = ([a, b], out) => {
  const r = out.shape.length;
  const m = a.shape[r - 2];
  const k = a.shape[r - 1];
  const n = b.shape[r - 1];
  const batchShape = out.shape.slice(0, r - 2);
  const aOffs = offsetsOf(batchShape, a.strides.slice(0, r - 2), a.offset);
  const bOffs = offsetsOf(batchShape, b.strides.slice(0, r - 2), b.offset);
  const A = dataOf(a);
  const B = dataOf(b);
  const C = dataOf(out);
  C.fill(0, out.offset, out.offset + aOffs.length * m * n);
  let lastA = -1;
  let lastB = -1;
  let pa = { arr: A, off: 0 };
  let pb = { arr: B, off: 0 };
  for (let t = 0; t < aOffs.length; t++) {
    if (aOffs[t] !== lastA) pa = matrix(A, (lastA = aOffs[t]), m, k, a.strides[r - 2], a.strides[r - 1]);
    if (bOffs[t] !== lastB) pb = matrix(B, (lastB = bOffs[t]), k, n, b.strides[r - 2], b.strides[r - 1]);
    gemmAccumulate(pa.arr, pa.off, pb.arr, pb.off, C, out.offset + t * m * n, m, k, n);
  }
};

interface Geometry {
  C: number;
  H: number;
  W: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  Ho: number;
  Wo: number;
}

/** Writes the im2col matrix [C*kh*kw, Ho*Wo] of one image (dense at `xo`) into `cols`. */
function im2col(x: Arr, xo: number, g: Geometry, cols: Arr, co: number, padValue: number): void {
  const L = g.Ho * g.Wo;
  for (let c = 0; c < g.C; c++)
    for (let ki = 0; ki < g.kh; ki++)
      for (let kj = 0; kj < g.kw; kj++) {
        const row = co + ((c * g.kh + ki) * g.kw + kj) * L;
        for (let oi = 0; oi < g.Ho; oi++) {
          const hi = oi * g.sh - g.ph + ki * g.dh;
          const inRow = hi >= 0 && hi < g.H;
          const xrow = xo + (c * g.H + hi) * g.W;
          for (let oj = 0; oj < g.Wo; oj++) {
            const wj = oj * g.sw - g.pw + kj * g.dw;
            cols[row + oi * g.Wo + oj] = inRow && wj >= 0 && wj < g.W ? x[xrow + wj] : padValue;
          }
        }
      }
}

/** Adds the col2im of `cols` [C*kh*kw, Ho*Wo] into the dense image at `yo`. */
function col2im(cols: Arr, co: number, g: Geometry, y: Arr, yo: number): void {
  const L = g.Ho * g.Wo;
  for (let c = 0; c < g.C; c++)
    for (let ki = 0; ki < g.kh; ki++)
      for (let kj = 0; kj < g.kw; kj++) {
        const row = co + ((c * g.kh + ki) * g.kw + kj) * L;
        for (let oi = 0; oi < g.Ho; oi++) {
          const hi = oi * g.sh - g.ph + ki * g.dh;
          if (hi < 0 || hi >= g.H) continue;
          const yrow = yo + (c * g.H + hi) * g.W;
          for (let oj = 0; oj < g.Wo; oj++) {
            const wj = oj * g.sw - g.pw + kj * g.dw;
            if (wj >= 0 && wj < g.W) y[yrow + wj] += cols[row + oi * g.Wo + oj];
          }
        }
      }
}

/** Geometry of sliding windows over a C x H x W image (unfold and fold parameters). */
function windowGeometry(C: number, H: number, W: number, p: FoldParams | UnfoldParams): Geometry {
  const out = (n: number, d: 0 | 1) =>
    Math.floor((n + 2 * p.padding[d] - p.dilation[d] * (p.kernel[d] - 1) - 1) / p.stride[d]) + 1;
  return {
    C,
    H,
    W,
    kh: p.kernel[0],
    kw: p.kernel[1],
    sh: p.stride[0],
    sw: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
    Ho: out(H, 0),
    Wo: out(W, 1),
  };
}

/** Dense copy of a view (the view's own memory when it is already dense; mind its offset). */
function denseOf(v: TensorView): Arr {
  return gatherDense(v);
}

export const conv2dKernel: Kernel<'conv2d'> = ([x, w], out, p) => {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const [, , Ho, Wo] = out.shape;
  const G = p.groups;
  const Og = O / G;
  const X = denseOf(x);
  const Wt = denseOf(w);
  const Y = dataOf(out);
  const g: Geometry = {
    C: Cg,
    H,
    W,
    kh,
    kw,
    sh: p.stride[0],
    sw: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
    Ho,
    Wo,
  };
  const K = Cg * kh * kw;
  const L = Ho * Wo;
  const cols = new (Y.constructor as { new (n: number): Arr })(K * L);
  Y.fill(0, out.offset, out.offset + N * O * L);
  for (let nI = 0; nI < N; nI++)
    for (let gi = 0; gi < G; gi++) {
      im2col(X, (nI * C + gi * Cg) * H * W, g, cols, 0, 0);
      gemmAccumulate(Wt, gi * Og * K, cols, 0, Y, out.offset + (nI * O + gi * Og) * L, Og, K, L);
    }
};

export const unfoldKernel: Kernel<'unfold'> = ([x], out, p) => {
  const [N, C, H, W] = x.shape;
  const X = denseOf(x);
  const Y = dataOf(out);
  const L = out.shape[2];
  const g = windowGeometry(C, H, W, p);
  const K = C * g.kh * g.kw;
  for (let nI = 0; nI < N; nI++) im2col(X, nI * C * H * W, g, Y, out.offset + nI * K * L, p.padValue);
};

export const foldKernel: Kernel<'fold'> = ([x], out, p) => {
  const [N, C, H, W] = out.shape;
  const X = denseOf(x);
  const Y = dataOf(out);
  const g = windowGeometry(C, H, W, p);
  const K = x.shape[1];
  const L = x.shape[2];
  Y.fill(0, out.offset, out.offset + N * C * H * W);
  for (let nI = 0; nI < N; nI++) col2im(X, nI * K * L, g, Y, out.offset + nI * C * H * W);
};
