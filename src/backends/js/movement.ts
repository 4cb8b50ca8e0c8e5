// Copying movement kernels of the JS backend: pad, flip, cat, gather, scatterAdd.
import type { Kernel, TensorView } from '../backend.js';
import { contiguousStrides } from '../../core/shape.js';
import { copyKernel } from './elementwise.js';
import { dataOf, offsetsOf } from './strided.js';

/** A strided window of the contiguous `out`, used to write a sub-block in place. */
export function window(out: TensorView, shape: number[], starts: number[], steps: number[]): TensorView {
  const base = contiguousStrides(out.shape);
  let offset = out.offset;
  for (let d = 0; d < shape.length; d++) offset += starts[d] * base[d];
  return { ...out, shape, strides: base.map((s, d) => s * steps[d]), offset };
}

export const padKernel: Kernel<'pad'> = ([x], out, { pads, value }) => {
  const dst = dataOf(out);
  let n = 1;
  for (const d of out.shape) n *= d;
  dst.fill(value, out.offset, out.offset + n);
  const target = window(
    out,
    [...x.shape],
    pads.map((p) => p.lo),
    pads.map((p) => p.interior + 1),
  );
  copyKernel([x], target, null);
};

export const flipKernel: Kernel<'flip'> = ([x], out, { dims }) => {
  let offset = x.offset;
  const strides = [...x.strides];
  for (const d of dims) {
    if (x.shape[d] > 0) offset += (x.shape[d] - 1) * x.strides[d];
    strides[d] = -strides[d];
  }
  copyKernel([{ ...x, strides, offset }], out, null);
};

export const catKernel: Kernel<'cat'> = (inputs, out, { dim }) => {
  let at = 0;
  for (const x of inputs) {
    const starts = out.shape.map((_, d) => (d === dim ? at : 0));
    copyKernel(
      [x],
      window(
        out,
        [...x.shape],
        starts,
        out.shape.map(() => 1),
      ),
      null,
    );
    at += x.shape[dim];
  }
};

/** Calls fn(indexOffset, dataOffsetWithoutDim, outPos) for each element of the index tensor. */
function walkIndex(
  index: TensorView,
  other: TensorView,
  dim: number,
  fn: (io: number, oo: number, pos: number) => void,
): void {
  const io = offsetsOf(index.shape, index.strides, index.offset);
  const strides = other.strides.map((s, d) => (d === dim ? 0 : s));
  const oo = offsetsOf(index.shape, strides, other.offset);
  for (let i = 0; i < io.length; i++) fn(io[i], oo[i], i);
}

export const gatherKernel: Kernel<'gather'> = ([x, index], out, { dim }) => {
  const src = dataOf(x);
  const idx = dataOf(index);
  const dst = dataOf(out);
  const st = x.strides[dim];
  walkIndex(index, x, dim, (io, xo, pos) => {
    dst[out.offset + pos] = src[xo + idx[io] * st];
  });
};

export const scatterAddKernel: Kernel<'scatterAdd'> = ([x, index, src], out, { dim }) => {
  copyKernel([x], out, null);
  const dst = dataOf(out);
  const idx = dataOf(index);
  const s = dataOf(src);
  const outStrides = contiguousStrides(out.shape);
  const outView = { ...out, strides: outStrides };
  const srcOffs = offsetsOf(index.shape, src.strides, src.offset);
  walkIndex(index, outView, dim, (io, oo, pos) => {
    dst[oo + idx[io] * outStrides[dim]] += s[srcOffs[pos]];
  });
};

export const fullKernel: Kernel<'full'> = (_inputs, out, { value }) => {
  let n = 1;
  for (const d of out.shape) n *= d;
  dataOf(out).fill(value, out.offset, out.offset + n);
};
