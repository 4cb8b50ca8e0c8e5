// The native kernel table: addon kernels for float tensors of usable size, the JS kernel for every other case.
import type { Kernel, KernelTable, TensorView } from '../backend.js';
import type { JsStorage } from '../js/index.js';
import { jsKernels } from '../js/index.js';
import { window } from '../js/movement.js';
import { isDense } from '../js/strided.js';
import { allocArray, itemSize, type DType, type TypedArray } from '../../core/dtype.js';
import { IndexOutOfRangeError } from '../../core/errors.js';
import { numel } from '../../core/shape.js';
import {
  BINARY_OPS,
  COMPARE_OPS,
  REDUCE_OPS,
  UNARY_OPS,
  perOp,
  type BinaryOp,
  type CompareOp,
  type MaxPoolParams,
  type ReduceOp,
  type UnaryOp,
} from '../../core/primitives.js';
import type { NativeAddon } from './addon.js';
import { nativeLapackKernels } from './lapack.js';
import { binaryCode, dtypeCode, reduceCode, unaryCode } from './codes.js';
import { denseStrides, fitsMeta, meta, writeStrided } from './meta.js';

/**
 * Elementwise ops on fewer elements than this run in JS: below it the N-API call costs more than the
 * loop (measured: see docs/native.md).
 */
export const DEFAULT_NATIVE_MIN_ELEMENTS = 64;
let NATIVE_MIN_ELEMENTS = DEFAULT_NATIVE_MIN_ELEMENTS;

/** Sets the size below which elementwise kernels run in JS (0 sends every case to the addon; tests use it). */
export function setNativeMinElements(n: number): void {
  NATIVE_MIN_ELEMENTS = n;
}

const data = (v: TensorView): TypedArray => (v.storage as JsStorage).data;
const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** The addon's kernels wrapped as a full KernelTable (JS kernels fill every case the addon leaves). */
export function nativeKernels(A: NativeAddon): KernelTable {
  /** Copies any strided `src` into any strided `dst` of the same shape and dtype. */
  const copyInto = (src: TensorView, dst: TensorView): void => {
    if (numel(dst.shape) === 0) return;
    if (!fitsMeta([src, dst])) return jsKernels.copy([src], dst, null);
    writeStrided(dst.shape, [dst, src]);
    A.copy(itemSize(dst.dtype), data(dst), data(src));
  };

  /** The view itself when dense, else a dense copy of it. */
  const dense = (v: TensorView): TensorView => {
    if (isDense(v)) return v;
    const n = numel(v.shape);
    const storage = { ...(v.storage as JsStorage), data: allocArray(v.dtype, n), size: n };
    const out: TensorView = {
      storage,
      shape: v.shape,
      strides: denseStrides(v.shape),
      offset: 0,
      dtype: v.dtype,
    };
    copyInto(v, out);
    return out;
  };

  const usable = (views: readonly TensorView[], out: TensorView): boolean =>
    isFloat(views[0].dtype) && numel(out.shape) >= NATIVE_MIN_ELEMENTS && fitsMeta([...views, out]);

  const unary =
    (op: UnaryOp): Kernel<UnaryOp> =>
    (inputs, out, p) => {
      const [x] = inputs;
      if (usable(inputs, out) && x.dtype === out.dtype) {
        writeStrided(out.shape, [out, x]);
        if (A.unary(unaryCode[op], dtypeCode[out.dtype], data(out), data(x))) return;
      }
      jsKernels[op](inputs, out, p);
    };

  const binary =
    (op: BinaryOp | CompareOp): Kernel<BinaryOp | CompareOp> =>
    (inputs, out, p) => {
      const [a, b] = inputs;
      if (usable(inputs, out) && a.dtype === b.dtype) {
        writeStrided(out.shape, [out, a, b]);
        if (A.binary(binaryCode[op], dtypeCode[a.dtype], data(out), data(a), data(b))) return;
      }
      jsKernels[op](inputs, out, p);
    };

  const reduce =
    (op: ReduceOp): Kernel<ReduceOp> =>
    (inputs, out, p) => {
      const [x] = inputs;
      if (isFloat(x.dtype) && fitsMeta([x, out]) && numel(x.shape) > 0) {
        // the output seen over the input's dims: contiguous strides on kept dims, 0 on reduced ones
        const reduced = new Set(p.dims);
        const keptShape = x.shape.filter((_, d) => !reduced.has(d));
        const keptStrides = denseStrides(keptShape);
        let k = 0;
        const outStrides = x.shape.map((_, d) => (reduced.has(d) ? 0 : keptStrides[k++]));
        writeStrided(x.shape, [{ offset: out.offset, strides: outStrides }, x]);
        if (A.reduce(reduceCode[op], dtypeCode[x.dtype], data(out), data(x), numel(keptShape))) return;
      }
      jsKernels[op](inputs, out, p);
    };

  /** Lane layout for ops along `dim`: x over its shape, out strides laid over x's dims. */
  const writeLanes = (x: TensorView, outOffset: number, outStrides: readonly number[], dim: number): void => {
    const at = writeStrided(x.shape, [x, { offset: outOffset, strides: outStrides }]);
    meta[at] = dim;
  };

  const arg =
    (isMax: boolean): Kernel<'argmax' | 'argmin'> =>
    (inputs, out, p) => {
      const [x] = inputs;
      if (isFloat(x.dtype) && fitsMeta([x, out]) && numel(out.shape) > 0 && x.shape[p.dim] > 0) {
        if (isDense(x)) {
          const outer = numel(x.shape.slice(0, p.dim));
          const inner = numel(x.shape.slice(p.dim + 1));
          const xs = data(x).subarray(x.offset);
          const os = data(out).subarray(out.offset);
          if (A.argReduceDense(isMax ? 1 : 0, dtypeCode[x.dtype], os, xs, outer, x.shape[p.dim], inner))
            return;
        }
        const keptShape = x.shape.filter((_, d) => d !== p.dim);
        const ks = denseStrides(keptShape);
        let k = 0;
        writeLanes(
          x,
          out.offset,
          x.shape.map((_, d) => (d === p.dim ? 0 : ks[k++])),
          p.dim,
        );
        if (A.argReduce(isMax ? 1 : 0, dtypeCode[x.dtype], data(out), data(x))) return;
      }
      (isMax ? jsKernels.argmax : jsKernels.argmin)(inputs, out, p);
    };

  /**
   * Writes the sliding-window metadata of unfold/fold ([N, C, H, W] is the image side) and returns the
   * dense column/image input, or null when the addon cannot take this case.
   */
  const windowCall = (
    x0: TensorView,
    out: TensorView,
    image: readonly number[],
    p: {
      kernel: [number, number];
      stride: [number, number];
      padding: [number, number];
      dilation: [number, number];
    },
  ): TensorView | null => {
    if (!isFloat(x0.dtype) || !fitsMeta([x0, out]) || numel(out.shape) === 0) return null;
    const x = dense(x0);
    const [N, C, H, W] = image;
    const g = [N, C, H, W, ...p.kernel, ...p.stride, ...p.padding, ...p.dilation];
    g.push(geometryOut(H, p, 0), geometryOut(W, p, 1), x.offset, out.offset);
    meta.set(g);
    return x;
  };

  /**
   * Writes max pooling's metadata: the geometry, x's offset and strides (x is read in place, any
   * strides), the output's offset, then `extra` (the gradient's offset and strides).
   */
  const poolMeta = (
    x: TensorView,
    out: TensorView,
    Ho: number,
    Wo: number,
    p: MaxPoolParams,
    extra: readonly number[] = [],
  ): void => {
    const g = [...x.shape, ...p.kernel, ...p.stride, ...p.padding, ...p.dilation, Ho, Wo];
    g.push(x.offset, ...x.strides, out.offset, ...extra);
    meta.set(g);
  };

  const table: KernelTable = {
    ...jsKernels,
    ...nativeLapackKernels(A),
    ...perOp(UNARY_OPS, unary),
    ...perOp([...BINARY_OPS, ...COMPARE_OPS], binary),
    where: (inputs, out, p) => {
      const [c, a, b] = inputs;
      if (numel(out.shape) >= NATIVE_MIN_ELEMENTS && fitsMeta([...inputs, out]) && a.dtype === b.dtype) {
        writeStrided(out.shape, [out, c, a, b]);
        if (A.where(dtypeCode[out.dtype], data(out), data(c), data(a), data(b))) return;
      }
      jsKernels.where(inputs, out, p);
    },
    cast: (inputs, out, p) => {
      const [x] = inputs;
      if (numel(out.shape) >= NATIVE_MIN_ELEMENTS && fitsMeta([x, out])) {
        writeStrided(out.shape, [out, x]);
        if (A.cast(dtypeCode[x.dtype], dtypeCode[out.dtype], data(out), data(x))) return;
      }
      jsKernels.cast(inputs, out, p);
    },
    copy: (inputs, out, p) => {
      if (numel(out.shape) >= NATIVE_MIN_ELEMENTS) copyInto(inputs[0], out);
      else jsKernels.copy(inputs, out, p);
    },
    ...perOp(REDUCE_OPS, reduce),
    argmax: arg(true),
    argmin: arg(false),
    logSoftmax: (inputs, out, p) => {
      const [x] = inputs;
      // 0-d tensors have no lane dim in the metadata: the JS kernel takes them
      if (isFloat(x.dtype) && fitsMeta([x, out]) && numel(x.shape) > 0 && x.shape.length > 0) {
        writeLanes(x, out.offset, out.strides, p.dim);
        if (A.logSoftmax(dtypeCode[x.dtype], data(out), data(x))) return;
      }
      jsKernels.logSoftmax(inputs, out, p);
    },
    logSoftmaxGrad: (inputs, out, p) => {
      const [g, y] = inputs;
      if (
        isFloat(g.dtype) &&
        g.dtype === y.dtype &&
        fitsMeta([g, y, out]) &&
        numel(g.shape) > 0 &&
        g.shape.length > 0
      ) {
        const at = writeStrided(g.shape, [g, y, out]);
        meta[at] = p.dim;
        if (A.logSoftmaxGrad(dtypeCode[g.dtype], data(out), data(g), data(y))) return;
      }
      jsKernels.logSoftmaxGrad(inputs, out, p);
    },
    matmul: (inputs, out, p) => {
      const [a, b] = inputs;
      if (isFloat(a.dtype) && a.dtype === b.dtype && fitsMeta([a, b, out])) {
        const r = out.shape.length;
        const at = writeStrided(out.shape, [a, b]);
        meta[at] = a.shape[r - 1];
        if (A.matmul(dtypeCode[a.dtype], data(out), data(a), data(b), out.offset)) return;
      }
      jsKernels.matmul(inputs, out, p);
    },
    conv2d: (inputs, out, p) => {
      const [x0, w0] = inputs;
      if (isFloat(x0.dtype) && fitsMeta([x0, w0, out])) {
        const x = dense(x0);
        const w = dense(w0);
        const [N, C, H, W] = x.shape;
        const [O, , kh, kw] = w.shape;
        const [, , Ho, Wo] = out.shape;
        const G = p.groups;
        meta[0] = N;
        meta[1] = O;
        meta[2] = G;
        const g = [C / G, H, W, kh, kw, ...p.stride, ...p.padding, ...p.dilation, Ho, Wo];
        let at = 3;
        for (const v of g) meta[at++] = v;
        meta[at++] = x.offset;
        meta[at++] = w.offset;
        meta[at] = out.offset;
        if (A.conv2d(dtypeCode[x.dtype], data(out), data(x), data(w))) return;
      }
      jsKernels.conv2d(inputs, out, p);
    },
    unfold: (inputs, out, p) => {
      const x = windowCall(inputs[0], out, inputs[0].shape, p);
      if (x && A.unfold(dtypeCode[x.dtype], data(out), data(x), p.padValue)) return;
      jsKernels.unfold(inputs, out, p);
    },
    fold: (inputs, out, p) => {
      const x = windowCall(inputs[0], out, out.shape, p);
      if (x && A.fold(dtypeCode[x.dtype], data(out), data(x))) return;
      jsKernels.fold(inputs, out, p);
    },
    maxPool2d: (inputs, out, p) => {
      const [x] = inputs;
      if (isFloat(x.dtype) && fitsMeta([x, out]) && numel(out.shape) > 0) {
        poolMeta(x, out, out.shape[2], out.shape[3], p);
        if (A.maxPool2d(dtypeCode[x.dtype], data(out), data(x))) return;
      }
      jsKernels.maxPool2d(inputs, out, p);
    },
    maxPool2dGrad: (inputs, out, p) => {
      const [g, x] = inputs;
      if (isFloat(x.dtype) && g.dtype === x.dtype && fitsMeta([g, x, out]) && numel(out.shape) > 0) {
        poolMeta(x, out, g.shape[2], g.shape[3], p, [g.offset, ...g.strides]);
        if (A.maxPool2dGrad(dtypeCode[x.dtype], data(out), data(g), data(x))) return;
      }
      jsKernels.maxPool2dGrad(inputs, out, p);
    },
    pad: (inputs, out, p) => {
      const [x] = inputs;
      data(out).fill(p.value, out.offset, out.offset + numel(out.shape));
      const target = window(
        out,
        [...x.shape],
        p.pads.map((q) => q.lo),
        p.pads.map((q) => q.interior + 1),
      );
      copyInto(x, target);
    },
    flip: (inputs, out, p) => {
      const [x] = inputs;
      let offset = x.offset;
      const strides = [...x.strides];
      for (const d of p.dims) {
        if (x.shape[d] > 0) offset += (x.shape[d] - 1) * x.strides[d];
        strides[d] = -strides[d];
      }
      copyInto({ ...x, strides, offset }, out);
    },
    cat: (inputs, out, p) => {
      let at = 0;
      for (const x of inputs) {
        const starts = out.shape.map((_, d) => (d === p.dim ? at : 0));
        copyInto(
          x,
          window(
            out,
            [...x.shape],
            starts,
            out.shape.map(() => 1),
          ),
        );
        at += x.shape[p.dim];
      }
    },
    gather: (inputs, out, p) => {
      const [x, index] = inputs;
      if (numel(out.shape) > 0 && fitsMeta([x, index, out])) {
        const xs = x.strides.map((s, d) => (d === p.dim ? 0 : s));
        const at = writeStrided(index.shape, [out, index, { offset: x.offset, strides: xs }]);
        meta[at] = x.strides[p.dim];
        meta[at + 1] = x.shape[p.dim];
        if (A.gather(dtypeCode[x.dtype], data(out), data(index), data(x))) return;
        throw new IndexOutOfRangeError(
          `gather: an index is out of range for dimension ${p.dim} of size ${x.shape[p.dim]}`,
        );
      }
      jsKernels.gather(inputs, out, p);
    },
    scatterAdd: (inputs, out, p) => {
      const [x, index, src] = inputs;
      if (x.dtype !== 'bool' && numel(index.shape) > 0 && fitsMeta([x, index, src, out])) {
        copyInto(x, out);
        const os = denseStrides(out.shape);
        const at = writeStrided(index.shape, [
          src,
          index,
          { offset: out.offset, strides: os.map((s, d) => (d === p.dim ? 0 : s)) },
        ]);
        meta[at] = os[p.dim];
        meta[at + 1] = out.shape[p.dim];
        if (A.scatterAdd(dtypeCode[x.dtype], data(src), data(index), data(out))) return;
        throw new IndexOutOfRangeError(
          `scatterAdd: an index is out of range for dimension ${p.dim} of size ${out.shape[p.dim]}`,
        );
      }
      jsKernels.scatterAdd(inputs, out, p);
    },
  };
  return table;
}

/** Output length of a sliding window along one spatial axis. */
function geometryOut(
  n: number,
  p: {
    kernel: [number, number];
    stride: [number, number];
    padding: [number, number];
    dilation: [number, number];
  },
  d: 0 | 1,
): number {
  return Math.floor((n + 2 * p.padding[d] - p.dilation[d] * (p.kernel[d] - 1) - 1) / p.stride[d]) + 1;
}
