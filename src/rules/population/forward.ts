// Many policies at once: their weights stacked along a leading genome axis, one batched matmul per layer.
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { relu, sigmoid, tanh, add } from '../../ops/elementwise.js';
import { matmul } from '../../ops/matmul.js';
import { fromTypedArray } from '../../ops/tensor-like.js';
import { paramCount, type PolicySpec } from './spec.js';
import { ArgumentError } from '../../core/errors.js';

/** Per layer, the G genomes' weights stacked and transposed [G, in, out] (contiguous) and biases [G, 1, out]. */
export interface StackedWeights {
  /** Per layer: [G, in, out]. */
  weights: Tensor[];
  /** Per layer: [G, 1, out], or null for a layer without bias. */
  biases: (Tensor | null)[];
  /** G, the number of stacked policies. */
  genomes: number;
}

/**
 * Stacks `thetas` (one flat float32 vector per genome, `model.parameters()` order) layer by layer.
 * @example
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * const thetas = [1, 2, 3].map((seed) => gl.rules.population.initialWeights(spec, seed));
 * const w = gl.rules.population.stackWeights(spec, thetas); // 3 genomes, layer by layer
 */
export function stackWeights(spec: PolicySpec, thetas: readonly Float32Array[]): StackedWeights {
  const P = paramCount(spec);
  const G = thetas.length;
  for (const t of thetas)
    if (t.length !== P)
      throw new ArgumentError(`stackWeights: expected ${P} weights per genome, got ${t.length}`);
  const weights: Tensor[] = [];
  const biases: (Tensor | null)[] = [];
  let o = 0;
  for (const l of spec.layers) {
    const nw = l.in * l.out;
    const w = new Float32Array(G * nw);
    // stored [out, in] (PyTorch's layout); written transposed so each genome's matmul reads contiguous rows
    thetas.forEach((t, g) => {
      const base = g * nw;
      for (let r = 0; r < l.out; r++)
        for (let c = 0; c < l.in; c++) w[base + c * l.out + r] = t[o + r * l.in + c];
    });
    weights.push(fromTypedArray(w, [G, l.in, l.out], 'float32'));
    o += nw;
    if (l.bias) {
      const b = new Float32Array(G * l.out);
      thetas.forEach((t, g) => b.set(t.subarray(o, o + l.out), g * l.out));
      biases.push(fromTypedArray(b, [G, 1, l.out], 'float32'));
      o += l.out;
    } else biases.push(null);
  }
  return { weights, biases, genomes: G };
}

/**
 * The outputs of every genome's policy: `x` is [G, E, in] (each genome its own inputs) or [E, in]
 * (shared), the result [G, E, out]. One batched matmul per layer; no graph is recorded.
 * @example
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * const w = gl.rules.population.stackWeights(spec, [1, 2, 3].map((s) => gl.rules.population.initialWeights(spec, s)));
 * gl.rules.population.stackedForward(spec, w, gl.randn([5, 4])).shape; // [3, 5, 2]: genomes × inputs × outputs
 */
export function stackedForward(spec: PolicySpec, w: StackedWeights, x: Tensor): Tensor {
  return noGrad(() => {
    let h = x;
    spec.layers.forEach((_, i) => {
      h = matmul(h, w.weights[i]);
      const b = w.biases[i];
      if (b) h = add(h, b);
      const a = spec.activations[i];
      if (a === 'relu') h = relu(h);
      else if (a === 'tanh') h = tanh(h);
      else if (a === 'sigmoid') h = sigmoid(h);
    });
    return h;
  });
}
