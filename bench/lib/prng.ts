// Seeded, counter-based inputs (a 32-bit integer hash of seed, stream and index), mirrored in peers/torch_bench.py.

/** A bijective 32-bit integer mixer (the "lowbias32" constants). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniforms in [0, 1) with 24 random bits: element i of stream `stream` under `seed`. */
function unitStream(seed: number, stream: number, n: number, each: (i: number, u: number) => void): void {
  const key = mix32((seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
  for (let i = 0; i < n; i++) each(i, (mix32((key + i) >>> 0) >>> 8) / 16777216);
}

/**
 * `n` float32 values uniform in [lo, hi).
 * @example uniform(1, 0, 4, -1, 1) // the same four numbers in every system
 */
export function uniform(seed: number, stream: number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  unitStream(seed, stream, n, (i, u) => (out[i] = lo + (hi - lo) * u));
  return out;
}

/** `n` int32 class labels in [0, classes). */
export function labels(seed: number, stream: number, n: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  unitStream(seed, stream, n, (i, u) => (out[i] = Math.floor(u * classes)));
  return out;
}

/** A layer's weight or bias, uniform in ±1/sqrt(fanIn) (PyTorch's default bound for Linear/Conv). */
export const param = (seed: number, stream: number, n: number, fanIn: number): Float32Array =>
  uniform(seed, stream, n, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));

/** Streams used by every system, so that all of them start from identical inputs and parameters. */
export const STREAM = {
  a: 0,
  b: 1,
  x: 2,
  y: 3,
  /** Stream of layer `i`'s weight; its bias is the next one. */
  weight: (i: number) => 10 + 2 * i,
  bias: (i: number) => 11 + 2 * i,
} as const;
