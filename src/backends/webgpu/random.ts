// Philox4x32-10 in WGSL: the same bit stream as src/core/random/philox.ts (uniform values bit-identical).
import type { TensorView } from '../backend.js';
import type { RandomParams } from '../../core/primitives.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { bindings, grid, helpersFor, MAIN_ARGS, numelOf, THREAD_INDEX, wgslType } from './wgsl.js';

const SOURCE = (t: string) => `${bindings(t, [])}
${helpersFor('sincos_(')}
fn mulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let hl = ah * bl; let lh = al * bh; let hh = ah * bh;
  let cross = (ll >> 16u) + (hl & 0xffffu) + lh;
  return hh + (hl >> 16u) + (cross >> 16u);
}
fn philox(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr; var k = key;
  for (var r = 0; r < 10; r = r + 1) {
    let hi0 = mulhi(0xd2511f53u, c.x); let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi(0xcd9e8d57u, c.z); let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}
fn word(w: u32, key: vec2<u32>) -> u32 {
  let block = w / 4u;
  let lo = bitcast<u32>(prm[3]) + block;
  let carry = select(0u, 1u, lo < block);
  let r = philox(vec4<u32>(lo, bitcast<u32>(prm[4]) + carry, 0u, 0u), key);
  return r[w % 4u];
}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let key = vec2<u32>(bitcast<u32>(prm[1]), bitcast<u32>(prm[2]));
  let scale = 1.0 / 16777216.0;
  var v: f32;
  if (prm[5] == 0) {
    v = f32(word(u32(i), key) >> 8u) * scale;
  } else {
    let u1 = f32((word(2u * u32(i), key) >> 8u) + 1u) * scale;
    let u2 = f32(word(2u * u32(i) + 1u, key) >> 8u) * scale;
    v = sqrt(-2.0 * log(u1)) * sincos_(6.283185307179586 * u2, 1);
  }
  dst[prm[6] + i] = ${t}(v);
}`;

export function randomKernel(
  be: WebGPUBackend,
  _i: readonly TensorView[],
  out: TensorView,
  p: RandomParams,
): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  const t = wgslType(out.dtype);
  const meta = [
    n,
    p.key[0] | 0,
    p.key[1] | 0,
    (p.counter >>> 0) | 0,
    Math.floor(p.counter / 0x100000000) | 0,
    p.dist === 'normal' ? 1 : 0,
    out.offset,
  ];
  be.dispatch(`random:${t}`, () => SOURCE(t), meta, [be.bufferOf(out)], grid(n));
}
