// Elementwise chains as one backend kernel (where the backend has fusedElementwise), used off the tape only.
import type { ElementwiseExpr, TensorView } from './backend.js';
import { offTape, runFused } from './fused.js';
import type { Tensor } from './tensor.js';

/** `t` seen with `shape` (numpy broadcasting: new leading dims and size-1 dims get stride 0). */
function broadcastView(t: Tensor, shape: readonly number[]): TensorView {
  const lead = shape.length - t.shape.length;
  const strides = shape.map((d, i) => {
    const k = i - lead;
    return k < 0 || t.shape[k] !== d ? 0 : t.strides[k];
  });
  return { storage: t.storage, shape, strides, offset: t.offset, dtype: t.dtype };
}

/**
 * expr(inputs) as one kernel, or null when no tape would record it, the backend has no fused
 * elementwise kernels, or they decline (float32 only). The inputs must broadcast to `shape`.
 * @example const dx = fusedMap(RELU_GRAD, [g, y], g.shape) ?? pwhere(binary('gt', y, zero), g, zero)
 */
export function fusedMap(
  expr: ElementwiseExpr,
  inputs: readonly Tensor[],
  shape: readonly number[],
): Tensor | null {
  if (!offTape(inputs)) return null;
  const kernels = inputs[0].storage.backend.fusedElementwise;
  if (!kernels) return null;
  return runFused(inputs, shape, 'float32', (_b, out) =>
    kernels.map(
      expr,
      inputs.map((t) => broadcastView(t, shape)),
      out,
    ),
  );
}

/** relu's input gradient from (g, y): where(y > 0, g, 0), the same selection as the composite rule. */
export const RELU_GRAD: ElementwiseExpr = {
  op: 'where',
  args: [{ op: 'gt', args: [{ input: 1 }, { value: 0 }] }, { input: 0 }, { value: 0 }],
};

/** tanh's input gradient from (g, y): g * (1 - y * y), the rule's op order. */
export const TANH_GRAD: ElementwiseExpr = {
  op: 'mul',
  args: [
    { input: 0 },
    { op: 'sub', args: [{ value: 1 }, { op: 'mul', args: [{ input: 1 }, { input: 1 }] }] },
  ],
};

/** sigmoid's input gradient from (g, y): g * (y * (1 - y)), the rule's op order. */
export const SIGMOID_GRAD: ElementwiseExpr = {
  op: 'mul',
  args: [
    { input: 0 },
    { op: 'mul', args: [{ input: 1 }, { op: 'sub', args: [{ value: 1 }, { input: 1 }] }] },
  ],
};
