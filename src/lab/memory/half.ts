// 16-bit float encodings for saved activations: bfloat16 and IEEE float16, round to nearest even.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * float32 → bfloat16 bits (the top 16 bits, rounded to nearest even; NaN stays NaN).
 * @example gl.lab.memory.f32ToBf16(1); // 0x3f80
 */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return (b >>> 16) | 0x40; // NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * bfloat16 bits → float32.
 * @example gl.lab.memory.bf16ToF32(0x3f80); // 1
 */
export function bf16ToF32(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/**
 * float32 → IEEE 754 binary16 bits (round to nearest even; overflow to ±Inf; subnormals kept).
 * @example
 * gl.lab.memory.f32ToF16(1); // 0x3c00
 * gl.lab.memory.f32ToF16(1e6); // 0x7c00: +Inf
 */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  const m = mant >>> 13;
  const rest = mant & 0x1fff;
  let out = sign | (e << 10) | m;
  // a carry out of the mantissa bumps the exponent, as it should (up to Inf)
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) out++;
  return out;
}

/**
 * IEEE binary16 bits → float32.
 * @example gl.lab.memory.f16ToF32(0x3c00); // 1
 */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
