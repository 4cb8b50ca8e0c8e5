// Backend-fused kernels that make a new tensor off the tape: used only where no gradient is recorded.
import type { Backend, TensorView } from './backend.js';
import type { DType } from './dtype.js';
import { contiguousStrides, numel } from './shape.js';
import { state } from './state.js';
import { Tensor } from './tensor.js';

/** True when an op on these inputs would not be recorded: grad mode is off or no input requires grad. */
export function offTape(inputs: readonly Tensor[]): boolean {
  if (!state.gradEnabled) return true;
  for (const t of inputs) if (t.requiresGrad) return false;
  return true;
}

/**
 * Allocates a dense `shape` tensor on the inputs' backend and lets `kernel` fill it. Returns the tensor,
 * or null when the inputs live on different backends or the kernel declined (its memory is released).
 * @example const dx = runFused([g, w], shape, g.dtype, (b, out) => b.fusedConvGrad?.inputGrad(g, w, out, p) ?? false)
 */
export function runFused(
  inputs: readonly Tensor[],
  shape: readonly number[],
  dtype: DType,
  kernel: (backend: Backend, out: TensorView) => boolean,
): Tensor | null {
  const backend = inputs[0].storage.backend;
  for (const t of inputs) {
    t._assertAlive('fused kernel');
    if (t.storage.backend !== backend) return null;
  }
  const out = new Tensor(
    backend.allocate(dtype, numel(shape)),
    [...shape],
    contiguousStrides(shape),
    0,
    dtype,
  );
  if (kernel(backend, out)) return out;
  out.dispose();
  return null;
}
