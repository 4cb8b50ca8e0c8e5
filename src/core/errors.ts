// Named error classes: every message says which op failed, what it expected and what it got.

/** Base class of every error gradlab throws on purpose. */
export class GradlabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op (`ShapeError: matmul: [2,3] x [4,5] ...`). */
export class ShapeError extends GradlabError {}

/** Two shapes that cannot be broadcast together. */
export class BroadcastError extends ShapeError {}

/** A dtype an op does not accept, or two dtypes that do not mix. */
export class DTypeError extends GradlabError {}

/** An index or dimension outside the valid range. */
export class IndexOutOfRangeError extends GradlabError {}

/**
 * A matrix a linear-algebra op cannot handle (not positive-definite, singular): names the op and, for a
 * batch, the matrix's index, as PyTorch does (`linalg.cholesky: (Batch element 3): The factorization...`).
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

  /** The same failure reported under the name of the op the user called. */
  renamed(op: string): LinAlgError {
    return new LinAlgError(op, this.batchIndex, this.batched, this.detail);
  }
}

/** A bad argument value (negative size, unknown option, wrong type). */
export class ArgumentError extends GradlabError {}

/** Gradient requests that cannot be served (non-scalar output without gradOutput, unused input...). */
export class GradError extends GradlabError {}

/** backward() through a graph whose saved tensors were already freed. */
export class GraphFreedError extends GradError {}

/** A tensor saved for backward was modified in place before backward read it. */
export class InplaceModificationError extends GradError {}

/** NaN or Inf produced by an op while anomaly detection is on. */
export class AnomalyError extends GradlabError {}

/** gl.testing.checkGrad found analytic derivatives that disagree with finite differences (or jvp with vjp). */
export class GradientCheckError extends GradlabError {}

/** A backend that cannot load or cannot run a kernel. */
export class BackendError extends GradlabError {}

/** Use of a tensor after dispose(). */
export class DisposedError extends GradlabError {}

/**
 * A broken internal invariant: a bug in gradlab rather than in the calling program (please report it
 * with the message).
 */
export class InternalError extends GradlabError {}

/** A file that cannot be found, read or written; the message names the file. */
export class FileError extends GradlabError {}

/** A file whose contents are corrupt or of the wrong format (bad magic number, truncated...). */
export class FileFormatError extends FileError {}
/** A run store that cannot be opened or read (not SQLite, newer schema, corrupt, unwritable, unknown run). */
export class StoreError extends GradlabError {}

/**
 * Formats a shape the way error messages show it: [2,3].
 * @example gl.fmtShape([2, 3]); // '[2,3]'
 */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** A vmap misuse: bad inDims/outDims, mismatched batch sizes, a random op under randomness 'error', a data read inside vmap. */
export class VmapError extends GradlabError {}
