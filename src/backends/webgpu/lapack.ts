// The factorization primitives on WebGPU: one thread per matrix (lapack-wgsl.ts); failures are checked on the device
// and raised by the next read as the same LinAlgError the CPU backends throw at the op.
import type { TensorView } from '../backend.js';
import { notPositiveDefinite, zeroDiagonal } from '../js/lapack/cholesky.js';
import { pendingChecks, queueCheck } from '../../core/deferred-checks.js';
import { BackendError, LinAlgError } from '../../core/errors.js';
import { deferredLinAlgError } from '../../core/linalg-report.js';
import type { LinalgPrimitive, PrimitiveParams } from '../../core/primitives.js';
import { keep, Tensor } from '../../core/tensor.js';
import { copyInto } from './elementwise.js';
import type { GpuStorage, WebGPUBackend } from './gpu-backend.js';
import { LAPACK_WG, SCRATCH, VERDICT_SOURCE, lapackSource } from './lapack-wgsl.js';
import { contiguousView } from './views.js';
import { grid, isDenseView, numelOf } from './wgsl.js';

/** The op name each primitive's errors carry (as the JS kernels'). */
const OP_NAME: { [P in LinalgPrimitive]: string } = {
  cholesky: 'linalg.cholesky',
  triangularSolve: 'linalg.solve_triangular',
  solve: 'linalg.solve',
  slogdet: 'linalg.slogdet',
  qr: 'linalg.qr',
  eigh: 'linalg.eigh',
  svd: 'linalg.svd',
};

/** The text of a failure at 1-based index `order` (the ops whose factorization can fail on finite input). */
const FAILURE: { [P in LinalgPrimitive]: ((order: number) => string) | null } = {
  cholesky: notPositiveDefinite,
  triangularSolve: (i) => zeroDiagonal(i, 'solve'),
  solve: (i) => zeroDiagonal(i, 'solve'),
  slogdet: null,
  qr: null,
  eigh: null,
  svd: null,
};

/** The columns of the output's k parameter: B's columns for the solves, Q's for qr, else 0. */
function kOf<P extends LinalgPrimitive>(
  op: P,
  inputs: readonly TensorView[],
  params: PrimitiveParams[P],
): number {
  const [a, b] = inputs;
  const r = a.shape.length;
  if (op === 'triangularSolve' || op === 'solve') return b.shape[b.shape.length - 1];
  if (op === 'qr')
    return (params as PrimitiveParams['qr']).complete
      ? a.shape[r - 2]
      : Math.min(a.shape[r - 2], a.shape[r - 1]);
  return 0;
}

/**
 * The WebGPU kernel of a factorization primitive: the JS kernel's algorithm in float32, one thread per
 * matrix. A matrix holding NaN or infinity in the part the op reads, or failing (cholesky with check, a
 * zero pivot of solve or solve_triangular), is reported by the next read as a LinAlgError with the
 * words, op and batch index the CPU backends give at the op (relabelled by the calling function).
 */
export function lapackKernel<P extends LinalgPrimitive>(op: P) {
  return (
    be: WebGPUBackend,
    inputs: readonly TensorView[],
    out: TensorView,
    params: PrimitiveParams[P],
  ): void => {
    const a0 = inputs[0];
    const r = a0.shape.length;
    const [m, n] = [a0.shape[r - 2], a0.shape[r - 1]];
    const B = numelOf(a0.shape.slice(0, -2));
    if (numelOf(out.shape) === 0 || B === 0) return;
    const k = kOf(op, inputs, params);
    const temps: GpuStorage[] = [];
    const dense = (v: TensorView): TensorView => {
      if (isDenseView(v)) return v;
      const s = be.allocate(v.dtype, numelOf(v.shape));
      temps.push(s);
      const d = contiguousView(s, v.shape);
      copyInto(be, v, d);
      return d;
    };
    const ins = inputs.map(dense);
    const scratchPer = SCRATCH[op](m, n);
    const scratch = be.allocate('float32', Math.max(1, B * scratchPer));
    const info = be.allocate('int32', B);
    temps.push(scratch);
    const flags =
      op === 'triangularSolve'
        ? ((params as PrimitiveParams['triangularSolve']).upper ? 1 : 0) |
          ((params as PrimitiveParams['triangularSolve']).unitriangular ? 2 : 0)
        : 0;
    const meta = [B, m, n, k, flags, ins[0].offset, ins[1]?.offset ?? 0, out.offset, scratchPer];
    const buffers = [be.bufferOf(out), info.buffer!, scratch.buffer!, ...ins.map((v) => be.bufferOf(v))];
    be.dispatch(`lapack:${op}`, () => lapackSource(op), meta, buffers, grid(B, LAPACK_WG));
    const checked = op !== 'cholesky' || (params as PrimitiveParams['cholesky']).check;
    if (checked) queueVerdict(be, op, info, B, n, r > 2);
    else be.dispose(info);
    for (const s of temps) be.dispose(s);
  };
}

/** Merges this op's per-matrix `info` into the backend's running check verdict (see core/deferred-checks.ts). */
function queueVerdict(
  be: WebGPUBackend,
  op: LinalgPrimitive,
  info: GpuStorage,
  B: number,
  n: number,
  batched: boolean,
): void {
  const stride = n + 2; // codes 0 (not finite) .. n (failure at n - 1)
  if (B * stride >= 2 ** 31)
    throw new BackendError(
      `webgpu: ${OP_NAME[op]} over ${B} matrices of size ${n} is more than its check can report`,
    );
  const running = pendingChecks(be);
  const id = be.allocate('int32', 1);
  const value = be.allocate('int32', 1);
  const runId = running ? (running.id.storage as GpuStorage).buffer! : info.buffer!;
  const runValue = running ? (running.value.storage as GpuStorage).buffer! : info.buffer!;
  const meta = [
    B,
    stride,
    running?.next ?? 1,
    running ? 1 : 0,
    running?.id.offset ?? 0,
    running?.value.offset ?? 0,
  ];
  be.dispatch(
    'lapack:verdict',
    () => VERDICT_SOURCE,
    meta,
    [id.buffer!, value.buffer!, info.buffer!, runId, runValue],
    [1, 1, 1],
  );
  be.dispose(info);
  const failure = FAILURE[op];
  const make = (v: number): LinAlgError => {
    const code = v % stride;
    const at = (v - code) / stride;
    const detail = code === 0 || !failure ? 'The input matrix holds NaN or infinity.' : failure(code);
    return new LinAlgError(OP_NAME[op], at, batched, detail);
  };
  queueCheck(
    be,
    deferredLinAlgError(make),
    keep(new Tensor(id, [], [], 0, 'int32')),
    keep(new Tensor(value, [], [], 0, 'int32')),
  );
}
