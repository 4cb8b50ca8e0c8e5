// Philox4x32-10 counter-based generator: the one bit stream every backend reproduces exactly.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 values. */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const hilo = aHi * bLo;
  const lohi = aLo * bHi;
  const hihi = aHi * bHi;
  const cross = (lolo >>> 16) + (hilo & 0xffff) + lohi;
  return (hihi + (hilo >>> 16) + Math.floor(cross / 0x10000)) >>> 0;
}

/**
 * Philox4x32-10 of the 128-bit counter (c0, c1, c2, c3) under key (k0, k1). Writes four uint32
 * words into `out` at `at`.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  at: number,
): void {
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[at] = c0;
  out[at + 1] = c1;
  out[at + 2] = c2;
  out[at + 3] = c3;
}

/** `n` uint32 words of the stream under `key`, starting at 128-bit block `counter`. */
export function philoxWords(key: readonly [number, number], counter: number, n: number): Uint32Array {
  const blocks = Math.ceil(n / 4);
  const out = new Uint32Array(blocks * 4);
  for (let b = 0; b < blocks; b++) {
    const c = counter + b;
    philox4x32(c >>> 0, Math.floor(c / 0x100000000) >>> 0, 0, 0, key[0], key[1], out, b * 4);
  }
  return out;
}

/** Blocks of 4 words that a draw of `n` values of `dist` consumes (normals use two words each). */
export function blocksFor(n: number, dist: 'uniform' | 'normal'): number {
  return Math.ceil((dist === 'normal' ? 2 * n : n) / 4);
}

const TWO_POW_M24 = 1 / 16777216;

/** Uniform [0,1) from one word using its top 24 bits (exact in float32, identical in every backend). */
export function wordToUniform(w: number): number {
  return (w >>> 8) * TWO_POW_M24;
}

/**
 * Fills `out` with `n` values of `dist` (uniform [0,1), or standard normal by Box-Muller on word
 * pairs), computed in float64 and rounded by the destination array.
 */
export function philoxFill(
  out: { [i: number]: number; length: number },
  key: readonly [number, number],
  counter: number,
  dist: 'uniform' | 'normal',
): void {
  const n = out.length;
  const words = philoxWords(key, counter, dist === 'normal' ? 2 * n : n);
  if (dist === 'uniform') {
    for (let i = 0; i < n; i++) out[i] = wordToUniform(words[i]);
  } else {
    for (let i = 0; i < n; i++) {
      const u1 = ((words[2 * i] >>> 8) + 1) * TWO_POW_M24; // (0, 1]: log is finite
      const u2 = wordToUniform(words[2 * i + 1]);
      out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}
