// Split-K for products with few output tiles and a long K (conv weight gradients): partial products per K chunk, then one sum.
import type { TensorView } from '../backend.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { reduceKernel } from './reduce.js';
import { denseStrides } from './wgsl.js';

/** Shortest K worth splitting; below it one workgroup per tile finishes soon enough. */
const SPLIT_MIN_K = 1024;
/** Workgroups the split aims for (a large GPU has 100+ cores, each wanting a couple of workgroups). */
const SPLIT_TARGET_GROUPS = 256;
/** Fewest K steps per chunk, so that partial sums stay worth their memory traffic. */
const SPLIT_MIN_CHUNK = 128;
/** Output edge of the tiles a product is cut into when it is not split (the narrow kernel's). */
const TILE = 64;

/**
 * Into how many K chunks an unbatched [M, K]·[K, N] product is cut (1: not split). Only products whose
 * output covers fewer than half the target workgroups are split: e.g. a conv weight gradient
 * [32, 43264]·[43264, 9] is one 64x64 tile, whose single workgroup would walk all 43,264 steps alone.
 *
 * @example
 * splitCount(32, 9, 43264, 1); // 256 chunks of 169
 */
export function splitCount(M: number, N: number, K: number, batches: number): number {
  if (batches !== 1 || K < SPLIT_MIN_K) return 1;
  const tiles = Math.ceil(M / TILE) * Math.ceil(N / TILE);
  if (tiles >= SPLIT_TARGET_GROUPS / 2) return 1;
  return Math.max(1, Math.min(Math.ceil(SPLIT_TARGET_GROUPS / tiles), Math.floor(K / SPLIT_MIN_CHUNK)));
}

/**
 * out = a·b computed as `parts` batched products over K chunks into a temporary [parts, M, N], summed
 * over the chunks into `out` (dense). `a` is [..., M, K] and `b` [..., K, N] with one batch at most;
 * `matmul` is the unsplit product (chunks are batches to it).
 */
export function splitKInto(
  be: WebGPUBackend,
  a: TensorView,
  b: TensorView,
  out: TensorView,
  parts: number,
  matmul: (be: WebGPUBackend, a: TensorView, b: TensorView, out: TensorView) => void,
): void {
  const r = out.shape.length;
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const [aRs, aCs, bRs, bCs] = [a.strides[r - 2], a.strides[r - 1], b.strides[r - 2], b.strides[r - 1]];
  const chunk = Math.floor(K / parts);
  const rest = K - parts * chunk;
  const all = parts + (rest ? 1 : 0);
  const tmp = be.allocate(out.dtype, all * M * N);
  const slice = (src: TensorView, offset: number, shape: number[], strides: number[]): TensorView => ({
    ...src,
    offset,
    shape,
    strides,
  });
  const inTmp = (offset: number, shape: number[]): TensorView => ({
    storage: tmp,
    dtype: out.dtype,
    offset,
    shape,
    strides: denseStrides(shape),
  });
  matmul(
    be,
    slice(a, a.offset, [parts, M, chunk], [chunk * aCs, aRs, aCs]),
    slice(b, b.offset, [parts, chunk, N], [chunk * bRs, bRs, bCs]),
    inTmp(0, [parts, M, N]),
  );
  if (rest)
    matmul(
      be,
      slice(a, a.offset + parts * chunk * aCs, [M, rest], [aRs, aCs]),
      slice(b, b.offset + parts * chunk * bRs, [rest, N], [bRs, bCs]),
      inTmp(parts * M * N, [M, N]),
    );
  const stacked = inTmp(0, [all, ...out.shape]);
  reduceKernel('sum')(be, [stacked], out, { dims: [0], keepdim: false });
  be.dispose(tmp);
}
