// m-coherence of a model's per-example gradients on a sample, from gl.perExampleGrads' streamed statistics (never all gradients at once).
import { ArgumentError } from '../../core/errors.js';
import { enableGrad } from '../../core/state.js';
import { tidy, type Tensor } from '../../core/tensor.js';
import type { Module } from '../../nn/module.js';
import { perExampleGrads } from '../../nn/func/per-example.js';

/** What `modelCoherence` measures. */
export interface ModelCoherence {
  /** The number of examples m. */
  m: number;
  /** α = ‖(1/m) Σ gᵢ‖² / ((1/m) Σ ‖gᵢ‖²). */
  alpha: number;
  /** m·α: about how many examples a step on one example helps (1 for orthogonal gradients, m for equal ones). */
  mCoherence: number;
  /** The mean per-example loss. */
  loss: number;
}

/**
 * The m-coherence of the per-example gradients of `lossFn(model(xᵢ), yᵢ)` over the m examples of `x`, from the
 * streamed sums Σgᵢ and Σ‖gᵢ‖² of `gl.perExampleGrads(…, { stats: true })`, in chunks of `chunkSize` examples
 * (default 100); equal to `mCoherence(perExampleGradients(…))` without storing m × P numbers.
 * @example
 * const model = new gl.nn.Linear(3, 2);
 * const x = gl.randn([8, 3]);
 * const y = gl.tensor([0, 1, 0, 1, 1, 0, 1, 0], { dtype: 'int32' });
 * const { mCoherence } = await gl.lab.coherence.modelCoherence(model, gl.crossEntropy, x, y);
 */
export async function modelCoherence(
  model: Module,
  lossFn: (out: Tensor, target: Tensor) => Tensor,
  x: Tensor,
  y: Tensor,
  opts: { chunkSize?: number } = {},
): Promise<ModelCoherence> {
  const m = x.shape[0];
  if (y.shape[0] !== m)
    throw new ArgumentError(`modelCoherence: x has ${m} examples but y has ${y.shape[0]}`);
  if (m === 0) throw new ArgumentError('modelCoherence: expected at least one example, got none');
  const chunk = opts.chunkSize ?? 100;
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new ArgumentError(`modelCoherence: chunkSize must be a positive integer, got ${chunk}`);
  const sums = new Map<string, Float64Array>();
  let sq = 0;
  let lossSum = 0;
  for (let a = 0; a < m; a += chunk) {
    const n = Math.min(chunk, m - a);
    const s = enableGrad(() =>
      perExampleGrads(
        model,
        (out: Tensor, t: Tensor | null) => lossFn(out, t!),
        x.narrow(0, a, n),
        y.narrow(0, a, n),
        {
          stats: true,
        },
      ),
    );
    for (const [name, t] of Object.entries(s.sum)) {
      const v = (await t.data()) as ArrayLike<number>;
      let acc = sums.get(name);
      if (!acc) sums.set(name, (acc = new Float64Array(v.length)));
      for (let j = 0; j < v.length; j++) acc[j] += v[j];
    }
    for (const t of Object.values(s.sumSquaredNorms)) sq += ((await t.data()) as ArrayLike<number>)[0];
    lossSum += ((await tidy(() => s.losses.sum()).data()) as ArrayLike<number>)[0];
    for (const t of [...Object.values(s.sum), ...Object.values(s.sumSquaredNorms), s.losses, s.norms])
      t.dispose();
  }
  let s2 = 0;
  for (const v of sums.values()) for (const e of v) s2 += e * e;
  const alpha = sq === 0 ? 0 : s2 / (m * m) / (sq / m);
  return { m, alpha, mCoherence: m * alpha, loss: lossSum / m };
}
