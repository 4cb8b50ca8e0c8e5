// Named error classes: every message says which op failed, what it expected and what it got.

/**
 * Base class of every error gradlab throws on purpose.
 * @example
 * try {
 *   gl.ones([2, 3]).matmul(gl.ones([4, 5]));
 * } catch (e) {
 *   if (e instanceof gl.GradlabError) console.log(e.name, e.message); // ShapeError matmul: shapes [2,3] x [4,5] ...
 * }
 */
export class GradlabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Shapes that do not fit an op (`ShapeError: matmul: [2,3] x [4,5] ...`).
 * @example
 * try {
 *   gl.ones([2, 3]).matmul(gl.ones([4, 5]));
 * } catch (e) {
 *   if (e instanceof gl.ShapeError) console.log(e.message); // matmul: shapes [2,3] x [4,5] do not fit (inner dimensions 3 and 4)
 * }
 */
export class ShapeError extends GradlabError {}

/**
 * Two shapes that cannot be broadcast together.
 * @example
 * try {
 *   gl.ones([2, 3]).add(gl.ones([4]));
 * } catch (e) {
 *   if (e instanceof gl.BroadcastError) console.log(e.message); // add: shapes [2,3] and [4] cannot be broadcast ...
 * }
 */
export class BroadcastError extends ShapeError {}

/**
 * A dtype an op does not accept, or two dtypes that do not mix.
 * @example
 * try {
 *   gl.tensor([1, 2], { dtype: 'int32' }).requiresGrad_();
 * } catch (e) {
 *   if (e instanceof gl.DTypeError) console.log(e.message); // requiresGrad: only float tensors can require gradients, got int32
 * }
 */
export class DTypeError extends GradlabError {}

/**
 * An index or dimension outside the valid range.
 * @example
 * try {
 *   gl.ones([2, 3]).select(0, 5);
 * } catch (e) {
 *   if (e instanceof gl.IndexOutOfRangeError) console.log(e.message); // ... out of range for dim 0 of size 2
 * }
 */
export class IndexOutOfRangeError extends GradlabError {}

/**
 * A matrix a linear-algebra op cannot handle (not positive-definite, singular): names the op and, for a
 * batch, the matrix's index, as PyTorch does (`linalg.cholesky: (Batch element 3): The factorization...`).
 * @example
 * try {
 *   gl.linalg.cholesky(gl.tensor([[1, 2], [2, 1]]));
 * } catch (e) {
 *   if (e instanceof gl.LinAlgError) console.log(e.message); // linalg.cholesky: ... not positive-definite ...
 * }
 */
export class LinAlgError extends GradlabError {
  constructor(
    /** The op that failed, e.g. 'linalg.cholesky'. */
    readonly op: string,
    /** Index of the failing matrix in the flattened batch (0 for a single matrix). */
    readonly batchIndex: number,
    /** Whether the input was a batch (the message then names the element). */
    readonly batched: boolean,
    /** What went wrong, without the op's name. */
    readonly detail: string,
  ) {
    super(`${op}: ${batched ? `(Batch element ${batchIndex}): ` : ''}${detail}`);
  }

  /**
   * The same failure reported under the name of the op the user called.
   * @example
   * declare const e: gl.LinAlgError;
   * throw e.renamed('linalg.inv'); // the same failure, named after the op the user called
   */
  renamed(op: string): LinAlgError {
    return new LinAlgError(op, this.batchIndex, this.batched, this.detail);
  }
}

/**
 * A bad argument value (negative size, unknown option, wrong type).
 * @example
 * try {
 *   gl.ones([-1]);
 * } catch (e) {
 *   if (e instanceof gl.ArgumentError) console.log(e.message); // full: shape [-1] must hold non-negative integers
 * }
 */
export class ArgumentError extends GradlabError {}

/**
 * Gradient requests that cannot be served (non-scalar output without gradOutput, unused input...).
 * @example
 * try {
 *   gl.ones([2], { requiresGrad: true }).mul(2).backward();
 * } catch (e) {
 *   if (e instanceof gl.GradError) console.log(e.message); // backward: gradient can be implicitly created only for scalar outputs ...
 * }
 */
export class GradError extends GradlabError {}

/**
 * backward() through a graph whose saved tensors were already freed.
 * @example
 * const y = gl.ones([2], { requiresGrad: true }).exp().sum();
 * y.backward();
 * try {
 *   y.backward(); // a second time, without { retainGraph: true }
 * } catch (e) {
 *   if (e instanceof gl.GraphFreedError) console.log(e.message);
 * }
 */
export class GraphFreedError extends GradError {}

/**
 * A tensor saved for backward was modified in place before backward read it.
 * @example
 * const h = gl.ones([2], { requiresGrad: true }).mul(1);
 * const y = h.mul(h); // saves h for backward
 * h.add_(1);
 * try {
 *   y.sum().backward();
 * } catch (e) {
 *   if (e instanceof gl.InplaceModificationError) console.log(e.message); // mul: a tensor of shape [2] saved for backward was modified in place ...
 * }
 */
export class InplaceModificationError extends GradError {}

/**
 * NaN or Inf produced by an op while anomaly detection is on.
 * @example
 * try {
 *   gl.detectAnomaly(() => gl.tensor([-1]).log().sum());
 * } catch (e) {
 *   if (e instanceof gl.AnomalyError) console.log(e.message); // log produced NaN in forward: output shape [1], element 0
 * }
 */
export class AnomalyError extends GradlabError {}

/**
 * gl.testing.checkGrad found analytic derivatives that disagree with finite differences (or jvp with vjp).
 * @example
 * declare const f: (x: gl.Tensor) => gl.Tensor; // a function with a hand-written gradient
 * try {
 *   gl.testing.checkGrad(f, [gl.randn([3], { dtype: 'float64' })]);
 * } catch (e) {
 *   if (e instanceof gl.GradientCheckError) console.log(e.message); // which input and element disagree, by how much
 * }
 */
export class GradientCheckError extends GradlabError {}

/**
 * A backend that cannot load or cannot run a kernel.
 * @example
 * // doc-test: no-run: starts WebGPU where there is an adapter
 * try {
 *   await gl.setBackend('webgpu');
 * } catch (e) {
 *   if (e instanceof gl.BackendError) console.log('no WebGPU here:', e.message);
 * }
 */
export class BackendError extends GradlabError {}

/**
 * Use of a tensor after dispose().
 * @example
 * const x = gl.ones([2]);
 * x.dispose();
 * try {
 *   x.add(1);
 * } catch (e) {
 *   if (e instanceof gl.DisposedError) console.log(e.message); // add: tensor of shape [2] was disposed
 * }
 */
export class DisposedError extends GradlabError {}

/**
 * A broken internal invariant: a bug in gradlab rather than in the calling program (please report it
 * with the message).
 * @example
 * declare function trainStep(): void;
 * try {
 *   trainStep();
 * } catch (e) {
 *   if (e instanceof gl.InternalError) console.error('a gradlab bug, please report:', e.message);
 * }
 */
export class InternalError extends GradlabError {}

/**
 * A file that cannot be found, read or written; the message names the file.
 * @example
 * try {
 *   gl.loadSafetensors('missing.safetensors');
 * } catch (e) {
 *   if (e instanceof gl.FileError) console.log(e.message); // loadSafetensors: cannot read missing.safetensors: no such file
 * }
 */
export class FileError extends GradlabError {}

/**
 * A file whose contents are corrupt or of the wrong format (bad magic number, truncated...).
 * @example
 * import * as fs from 'node:fs';
 * import * as gl from 'gradlab';
 * fs.writeFileSync('junk.safetensors', 'not a safetensors file');
 * try {
 *   gl.loadSafetensors('junk.safetensors');
 * } catch (e) {
 *   if (e instanceof gl.FileFormatError) console.log(e.message);
 * }
 */
export class FileFormatError extends FileError {}
/**
 * A run store that cannot be opened or read (not SQLite, newer schema, corrupt, unwritable, unknown run).
 * @example
 * import { RunStore } from 'gradlab/store';
 * import * as gl from 'gradlab';
 * try {
 *   RunStore.open('/proc/no-store-here');
 * } catch (e) {
 *   if (e instanceof gl.StoreError) console.log(e.message);
 * }
 */
export class StoreError extends GradlabError {}

/**
 * Formats a shape the way error messages show it: [2,3].
 * @example gl.fmtShape([2, 3]); // '[2,3]'
 */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * A vmap misuse: bad inDims/outDims, mismatched batch sizes, a random op under randomness 'error', a data read inside vmap.
 * @example
 * try {
 *   gl.vmap((a: gl.Tensor, b: gl.Tensor) => a.add(b))(gl.ones([2, 3]), gl.ones([4, 3]));
 * } catch (e) {
 *   if (e instanceof gl.VmapError) console.log(e.message); // mismatched batch sizes 2 and 4
 * }
 */
export class VmapError extends GradlabError {}
