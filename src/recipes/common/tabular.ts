// Tabular helpers for the boosting/kernel recipes: flattened standardised image splits and the Friedman #1 regression.
import { Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, sub } from '../../ops/elementwise.js';
import { mean, std } from '../../ops/reduce.js';
import { flatten } from '../../ops/shape.js';
import { fromTypedArray } from '../../ops/tensor-like.js';
import { normals, uniforms } from '../../data/random.js';
import type { Split } from './train.js';

/** Train and test flattened to [n, features] and standardised with the training set's mean and sd per feature. */
export function standardized(train: Split, test: Split): { train: Split; test: Split; features: number } {
  return noGrad(() => {
    const xtr = flatten(train.x, 1);
    const xte = flatten(test.x, 1);
    const mu = mean(xtr, 0, true);
    const sd = add(std(xtr, 0, { keepdim: true, correction: 0 }), 1e-6);
    return {
      train: { x: div(sub(xtr, mu), sd), y: train.y },
      test: { x: div(sub(xte, mu), sd), y: test.y },
      features: xtr.shape[1],
    };
  });
}

/**
 * Friedman #1 (Friedman 1991; sklearn's make_friedman1): x ~ U[0, 1]^10, y = 10 sin(π x₁x₂) + 20(x₃ − ½)² + 10x₄ + 5x₅
 * + noise·N(0, 1); features 6–10 are irrelevant. Seeded; x [n, 10] and y [n, 1], float32.
 */
export function friedman1(n: number, seed: number, noise = 1): { x: Tensor; y: Tensor } {
  const gen = new Generator(seed);
  const u = uniforms(gen, n * 10);
  const z = normals(gen, n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = u.subarray(i * 10, i * 10 + 10);
    y[i] =
      10 * Math.sin(Math.PI * r[0] * r[1]) + 20 * (r[2] - 0.5) ** 2 + 10 * r[3] + 5 * r[4] + noise * z[i];
  }
  return {
    x: fromTypedArray(Float32Array.from(u), [n, 10], 'float32'),
    y: fromTypedArray(y, [n, 1], 'float32'),
  };
}
