// BlockMNIST (Shah et al. 2021, paper 25): a digit block and a fixed null block stacked vertically, the digit's position random.
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { generatorFrom, uniforms, type SeedOptions } from './random.js';

/** Options of blockMnist. */
export interface BlockMnistOptions extends SeedOptions {
  /** Side of the null block's square outline, centred in its block (default 10). */
  patchSize?: number;
  /** Value of the outline's pixels (default 1; the rest of the null block is 0). */
  patchValue?: number;
}

/** BlockMNIST images with their labels and where each digit went. */
export interface BlockMnist {
  /** Images [n, 1, 2H, W]: the digit block and the null block stacked vertically. */
  x: Tensor;
  /** The digits' labels (int32 [n], as given). */
  y: Tensor;
  /** 1 where the digit is the top block, 0 where it is the bottom one (int32 [n]). */
  signalTop: Tensor;
}

/**
 * BlockMNIST: each H×W digit image becomes a 2H×W image whose signal block (the digit) is on top or at the
 * bottom with probability 1/2 each (seeded), the other block being the fixed null patch: a square outline
 * (default 10×10, value 1) centred in a zero block. The label is the digit's; the null block carries no class
 * information, so attributions on it are "feature leakage". Digits are given (e.g. MNIST 0 and 1 from
 * `loadDataset('mnist-10k')`) as [n, 1, H, W] or [n, H, W] floats.
 * @example
 * const digits = gl.rand([4, 1, 28, 28]);
 * const labels = gl.tensor([0, 1, 2, 3], { dtype: 'int32' });
 * const { x, y, signalTop } = gl.data.blockMnist(digits, labels, { seed: 0 });
 * x.shape; // [4, 1, 56, 28]
 */
export function blockMnist(images: Tensor, labels: Tensor, opts: BlockMnistOptions = {}): BlockMnist {
  const shape =
    images.ndim === 3 ? [images.shape[0], 1, images.shape[1], images.shape[2]] : [...images.shape];
  if (shape.length !== 4 || shape[1] !== 1)
    throw new ShapeError(
      `blockMnist: expected digit images [n, 1, H, W] or [n, H, W], got ${fmtShape(images.shape)}`,
    );
  const [n, , H, W] = shape;
  if (labels.ndim !== 1 || labels.shape[0] !== n)
    throw new ShapeError(`blockMnist: expected labels [${n}], got ${fmtShape(labels.shape)}`);
  const p = opts.patchSize ?? 10;
  if (!Number.isInteger(p) || p < 2 || p > Math.min(H, W))
    throw new ArgumentError(`blockMnist: patchSize must be an integer in [2, ${Math.min(H, W)}], got ${p}`);
  const value = opts.patchValue ?? 1;
  const gen = generatorFrom(opts, 'blockMnist');
  const null1 = new Float32Array(H * W);
  const r0 = Math.floor((H - p) / 2);
  const c0 = Math.floor((W - p) / 2);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++)
      if (i === 0 || j === 0 || i === p - 1 || j === p - 1) null1[(r0 + i) * W + c0 + j] = value;
  const src = images.dataSync();
  const u = uniforms(gen, n);
  const out = new Float32Array(n * 2 * H * W);
  const top = new Int32Array(n);
  const block = H * W;
  for (let k = 0; k < n; k++) {
    top[k] = u[k] < 0.5 ? 1 : 0;
    const base = k * 2 * block;
    const digit = src.subarray(k * block, (k + 1) * block);
    out.set(digit, top[k] ? base : base + block);
    out.set(null1, top[k] ? base + block : base);
  }
  return {
    x: fromTypedArray(out, [n, 1, 2 * H, W], 'float32'),
    y: fromTypedArray(Int32Array.from(labels.dataSync()), [n], 'int32'),
    signalTop: fromTypedArray(top, [n], 'int32'),
  };
}
