// Fused SGD and Adam/AdamW steps in WGSL: one dispatch per parameter, per-step scalars in the dispatch parameters.
import type { TensorView } from '../backend.js';
import type { FusedKernelTypes } from '../../core/fused-kernels.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { floatBits, grid, isDenseView, MAIN_ARGS, numelOf, THREAD_INDEX } from './wgsl.js';

/**
 * Binding 0 is the dispatch parameters (i32, floats as bit patterns): [n, offsets..., flags, scalars...].
 * `f(k)` reads slot k as a float. The storage arrays follow in the order the kernel passes them.
 */
function header(arrays: readonly [string, boolean][]): string {
  const lines = ['@group(0) @binding(0) var<storage, read> prm: array<i32>;'];
  arrays.forEach(([name, writable], k) =>
    lines.push(
      `@group(0) @binding(${k + 1}) var<storage, ${writable ? 'read_write' : 'read'}> ${name}: array<f32>;`,
    ),
  );
  lines.push('fn f(k: i32) -> f32 { return bitcast<f32>(prm[k]); }');
  return lines.join('\n');
}

/*
 * Both shaders follow the unfused op sequence of src/optim/updates.ts (and native/src/optim.cc) step by
 * step, so each product and sum is one float32 rounding as there; a driver may still contract a*b+c
 * into an FMA, so results agree to float32 rounding rather than bit for bit.
 */

/** SGD; prm = [n, offP, offG, offBuf, flags (1 maximize, 2 nesterov, 4 weight decay), wd, momentum, 1 - dampening, -lr]. */
const SGD_SOURCE = (momentum: boolean) => `${header(
  momentum
    ? [
        ['p', true],
        ['g', false],
        ['buf', true],
      ]
    : [
        ['p', true],
        ['g', false],
      ],
)}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let flags = prm[4];
  let pi = prm[1] + i;
  let p0 = p[pi];
  var d = g[prm[2] + i];
  if ((flags & 1) != 0) { d = -d; }
  if ((flags & 4) != 0) { d = d + p0 * f(5); }
${
  momentum
    ? `  let bi = prm[3] + i;
  let nb = buf[bi] * f(6) + d * f(7);
  buf[bi] = nb;
  if ((flags & 2) != 0) { d = d + nb * f(6); } else { d = nb; }`
    : ''
}
  p[pi] = p0 + d * f(8);
}`;

/**
 * Adam/AdamW; prm = [n, offP, offG, offM, offV, flags (1 maximize, 2 decoupled decay, 4 L2 decay),
 * decay (1 - lr*wd), wd, b1, 1 - b1, b2, 1 - b2, sqrt(1 - b2^t), eps, -lr / (1 - b1^t)].
 */
const ADAM_SOURCE = `${header([
  ['p', true],
  ['g', false],
  ['m', true],
  ['v', true],
])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let flags = prm[5];
  let pi = prm[1] + i;
  let mi = prm[3] + i;
  let vi = prm[4] + i;
  var p0 = p[pi];
  if ((flags & 2) != 0) { p0 = p0 * f(6); }
  var d = g[prm[2] + i];
  if ((flags & 1) != 0) { d = -d; }
  if ((flags & 4) != 0) { d = d + p0 * f(7); }
  let m1 = m[mi] * f(8) + d * f(9);
  let v1 = v[vi] * f(10) + (d * d) * f(11);
  m[mi] = m1;
  v[vi] = v1;
  let denom = sqrt(v1) / f(12) + f(13);
  p[pi] = p0 + (m1 / denom) * f(14);
}`;

/** True when every view is dense float32 with `n` elements on a live buffer, and no two share a buffer. */
function usable(be: WebGPUBackend, views: readonly TensorView[], n: number): boolean {
  const seen = new Set<GPUBuffer>();
  for (const v of views) {
    if (v.dtype !== 'float32' || v.storage.disposed || !isDenseView(v) || numelOf(v.shape) !== n)
      return false;
    if (v.storage.backend !== be) return false;
    const b = be.bufferOf(v);
    if (seen.has(b)) return false; // one buffer bound writable twice is a validation error
    seen.add(b);
  }
  return true;
}

/** The webgpu backend's fused optimizer steps (float32, dense views on distinct buffers). */
export function webgpuOptimizerSteps(be: WebGPUBackend): Pick<FusedKernelTypes, 'sgdStep' | 'adamStep'> {
  const accepts = (views: readonly TensorView[]) => usable(be, views, numelOf(views[0].shape));
  return {
    sgdStep: {
      accepts,
      run([p, g, buf0], h) {
        const buf = buf0 ?? null;
        const n = numelOf(p.shape);
        const views = buf ? [p, g, buf] : [p, g];
        const flags = (h.maximize ? 1 : 0) | (h.nesterov ? 2 : 0) | (h.weightDecay !== 0 ? 4 : 0);
        const meta = [
          n,
          p.offset,
          g.offset,
          buf ? buf.offset : 0,
          flags,
          floatBits(h.weightDecay),
          floatBits(h.momentum),
          floatBits(1 - h.dampening),
          floatBits(-h.lr),
        ];
        const key = buf ? 'optim:sgd:momentum' : 'optim:sgd';
        be.dispatch(
          key,
          () => SGD_SOURCE(buf !== null),
          meta,
          views.map((v) => be.bufferOf(v)),
          grid(n),
        );
      },
    },
    adamStep: {
      accepts,
      run(views, h) {
        const [p, g, m, v] = views;
        const n = numelOf(p.shape);
        const [b1, b2] = h.betas;
        const flags =
          (h.maximize ? 1 : 0) |
          (h.decoupled && h.weightDecay !== 0 ? 2 : 0) |
          (!h.decoupled && h.weightDecay !== 0 ? 4 : 0);
        const meta = [
          n,
          p.offset,
          g.offset,
          m.offset,
          v.offset,
          flags,
          floatBits(1 - h.lr * h.weightDecay),
          floatBits(h.weightDecay),
          floatBits(b1),
          floatBits(1 - b1),
          floatBits(b2),
          floatBits(1 - b2),
          floatBits(Math.sqrt(1 - b2 ** h.step)),
          floatBits(h.eps),
          floatBits(-(h.lr / (1 - b1 ** h.step))),
        ];
        be.dispatch(
          'optim:adam',
          () => ADAM_SOURCE,
          meta,
          views.map((x) => be.bufferOf(x)),
          grid(n),
        );
      },
    },
  };
}
