// Small helpers shared by recipes: timing, means, gradient comparisons.
import type { Tensor } from '../core/tensor.js';

/** Wall time of `fn` in milliseconds, and its result. */
export function timed<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

/** Arithmetic mean (0 for an empty list). */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Median (the mean of the middle two for even lengths). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Each tensor's elements on the host, read asynchronously (so on every backend, webgpu included). */
async function readAll(ts: readonly Tensor[]): Promise<ArrayLike<number>[]> {
  return Promise.all(ts.map(async (t) => (await t.data()) as ArrayLike<number>));
}

/**
 * Largest |a − b| over lists of tensors of equal shapes (read asynchronously: works on every backend).
 * @example const diff = await maxAbsDiff(plain.grads, checkpointed.grads); // 0 when bit-identical
 */
export async function maxAbsDiff(a: readonly Tensor[], b: readonly Tensor[]): Promise<number> {
  const [xs, ys] = await Promise.all([readAll(a), readAll(b)]);
  let m = 0;
  xs.forEach((x, k) => {
    const y = ys[k];
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  });
  return m;
}

/**
 * Cosine similarity of two gradient lists seen as one flat vector each (read asynchronously).
 * @example const c = await cosine(bpttGrads, slttGrads); // 1 when parallel
 */
export async function cosine(a: readonly Tensor[], b: readonly Tensor[]): Promise<number> {
  const [xs, ys] = await Promise.all([readAll(a), readAll(b)]);
  let dot = 0;
  let na = 0;
  let nb = 0;
  xs.forEach((x, k) => {
    const y = ys[k];
    for (let i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
      na += x[i] * x[i];
      nb += y[i] * y[i];
    }
  });
  return dot / Math.sqrt(na * nb);
}

/** 0.2345 → '23.45%'-style helpers for summaries. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
export const ratio = (x: number): string => `${x.toFixed(2)}×`;
