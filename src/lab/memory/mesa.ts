// Mesa: saved activations kept in 8 bits (per-channel / per-head ranges as running estimates) or 16 bits.
import { ArgumentError, BackendError } from '../../core/errors.js';
import type { SavedTensorHooks } from '../../core/saved.js';
import { savedTensorHooks } from '../../core/saved.js';
import type { Tensor } from '../../core/tensor.js';
import { tensor } from '../../ops/tensor-like.js';
import type { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { f16ToF32, f32ToBf16, bf16ToF32, f32ToF16 } from './half.js';

/** Options of a Mesa policy. */
export interface MesaOptions {
  /** 8: affine uint8 per group (the paper); 16: half-precision storage. Default 8. */
  bits?: 8 | 16;
  /** 16-bit format: 'bfloat16' (default) or 'float16'. */
  format16?: 'bfloat16' | 'float16';
  /**
   * Which dim the groups run along: 'auto' (default) uses dim 1 of 4-D tensors (heads of [B,H,N,D]
   * attention tensors, channels of NCHW maps) and the last dim otherwise (channels of [B,N,C]).
   */
  groupDim?: 'auto' | number;
  /** Groups along that dim (it must divide its size, unless `fitGroups`); default one group per channel / head. */
  groups?: number;
  /**
   * When `groups` does not divide a tensor's group dim, use gcd(groups, size) groups for that tensor
   * instead of throwing — the paper's `convert_by_num_groups(model, heads)` applied to tensors whose
   * width is not a multiple of the head count (e.g. 10 logits with 4 heads: 2 groups). Default false.
   */
  fitGroups?: boolean;
  /** EMA decay λ of the per-group range estimates (paper: 0.9); 0 uses each tensor's own range. */
  emaDecay?: number;
  /** Stochastic rounding from a seeded stream (paper: on). Default true. */
  stochastic?: boolean;
  /** Seed of the rounding stream. Default 0. */
  seed?: number;
  /** Tensors with fewer elements stay exact (they cost little). Default 64. */
  minElements?: number;
}

/** What one Mesa policy has packed so far. */
export interface MesaStats {
  /** Entries compressed. */
  compressed: number;
  /** Entries kept exact (parameters, inputs, integer tensors, statistics, small tensors). */
  exact: number;
  /** Float32 bytes of the compressed entries, and the bytes they were stored in. */
  bytesIn: number;
  /** The bytes the compressed entries were stored in. */
  bytesOut: number;
}

interface Packed8 {
  shape: number[];
  q: Uint8Array;
  /** Per group: scale = (levels-1)/clip and shift. */
  scale: Float32Array;
  shift: Float32Array;
  dim: number;
  groupSize: number;
  inner: number;
}

interface Packed16 {
  shape: number[];
  h: Uint16Array;
  format: 'bfloat16' | 'float16';
}

interface Exact {
  exact: Tensor;
}

/**
 * Saved-tensor hooks that store activations compressed, as in Mesa (paper 02): forward is exact,
 * backward reads dequantized activations. Parameters and their views, leaf inputs, integer tensors,
 * per-row statistics (last dim 1, e.g. LayerNorm's mean and rstd) and tiny tensors stay exact.
 * Range estimates are kept per save site (the k-th save of a `run`).
 * @example
 * const mesa = gl.lab.memory.mesa({ bits: 8 });
 * const loss = mesa.run(() => lossFn(model.forward(x), y));
 * loss.backward();
 */
export class Mesa implements SavedTensorHooks {
  /** 8: affine uint8 per group; 16: half-precision storage. */
  readonly bits: 8 | 16;
  /** The 16-bit format. */
  readonly format16: 'bfloat16' | 'float16';
  /** The dim the groups run along ('auto': dim 1 of 4-D tensors, else the last). */
  readonly groupDim: 'auto' | number;
  /** Groups along that dim (undefined: one per channel / head). */
  readonly groups: number | undefined;
  /** Use gcd(groups, size) groups where `groups` does not divide the dim (else throw). */
  readonly fitGroups: boolean;
  /** EMA decay of the per-group range estimates (0: each tensor's own range). */
  readonly emaDecay: number;
  /** Stochastic rounding (else round to nearest). */
  readonly stochastic: boolean;
  /** Tensors with fewer elements stay exact. */
  readonly minElements: number;
  /** What this policy has packed so far. */
  readonly stats: MesaStats = { compressed: 0, exact: 0, bytesIn: 0, bytesOut: 0 };
  private readonly ranges = new Map<string, { clip: Float32Array; shift: Float32Array }>();
  private rngState: number;
  private site = 0;
  // a tensor saved by several ops is packed once (the core then counts the shared object once)
  private cache = new WeakMap<Tensor, { version: number; packed: unknown }>();

  constructor(opts: MesaOptions = {}) {
    this.bits = opts.bits ?? 8;
    if (this.bits !== 8 && this.bits !== 16)
      throw new ArgumentError(`mesa: bits must be 8 or 16, got ${String(opts.bits)}`);
    this.format16 = opts.format16 ?? 'bfloat16';
    this.groupDim = opts.groupDim ?? 'auto';
    this.groups = opts.groups;
    if (this.groups !== undefined && !(Number.isInteger(this.groups) && this.groups > 0))
      throw new ArgumentError(`mesa: groups must be a positive integer, got ${this.groups}`);
    this.fitGroups = opts.fitGroups ?? false;
    this.emaDecay = opts.emaDecay ?? 0.9;
    if (!(this.emaDecay >= 0 && this.emaDecay < 1))
      throw new ArgumentError(`mesa: emaDecay must be in [0, 1), got ${this.emaDecay}`);
    this.stochastic = opts.stochastic ?? true;
    this.minElements = opts.minElements ?? 64;
    this.rngState = (opts.seed ?? 0) | 0;
  }

  /**
   * Runs `fn` (a forward) with this policy packing what its ops save; save sites restart at 0.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(16, 32), new gl.nn.GELU(), new gl.nn.Linear(32, 4));
   * const mesa = gl.lab.memory.mesa({ bits: 8 });
   * mesa.run(() => model.forward(gl.randn([8, 16])).sum()).backward(); // activations saved as 8-bit
   */
  run<T>(fn: () => T): T {
    this.site = 0;
    this.cache = new WeakMap();
    return savedTensorHooks(this, fn);
  }

  pack(t: Tensor): unknown {
    const hit = this.cache.get(t);
    if (hit && hit.version === t._version.value) return hit.packed;
    const site = this.site++;
    let packed: unknown;
    if (this.keepExact(t)) {
      this.stats.exact++;
      packed = { exact: t } satisfies Exact;
    } else {
      if (!t.storage.backend.capabilities.syncRead)
        throw new BackendError(
          `mesa: compressing a saved tensor reads it on the host while the forward runs, which the '${t.device}' backend cannot do (no synchronous reads); run Mesa on a backend with synchronous reads (native, js)`,
        );
      const p = this.bits === 16 ? this.pack16(t) : this.pack8(t, site);
      this.stats.compressed++;
      this.stats.bytesIn += t.numel * 4;
      this.stats.bytesOut += packedSize(p);
      packed = p;
    }
    this.cache.set(t, { version: t._version.value, packed });
    return packed;
  }

  unpack(p: unknown): Tensor {
    if ((p as Exact).exact) return (p as Exact).exact;
    if ((p as Packed16).h) return unpack16(p as Packed16);
    return unpack8(p as Packed8);
  }

  private keepExact(t: Tensor): boolean {
    if (t.dtype !== 'float32') return true;
    if (t.gradFn === null || t instanceof Parameter || t._base instanceof Parameter) return true;
    if (t.numel < this.minElements || t.ndim === 0 || t.shape[t.ndim - 1] === 1) return true;
    return false;
  }

  private pack16(t: Tensor): Packed16 {
    const x = t.contiguous().dataSync() as Float32Array;
    const h = new Uint16Array(x.length);
    const conv = this.format16 === 'float16' ? f32ToF16 : f32ToBf16;
    for (let i = 0; i < x.length; i++) h[i] = conv(x[i]);
    return { shape: [...t.shape], h, format: this.format16 };
  }

  private pack8(t: Tensor, site: number): Packed8 {
    const shape = [...t.shape];
    const dim = this.groupDim === 'auto' ? (t.ndim === 4 ? 1 : t.ndim - 1) : this.groupDim;
    if (!Number.isInteger(dim) || dim < 0 || dim >= t.ndim)
      throw new ArgumentError(`mesa: groupDim ${dim} out of range for a saved tensor of shape [${shape}]`);
    const size = shape[dim];
    const want = Math.min(this.groups ?? size, size);
    const G = this.fitGroups ? gcd(want, size) : want;
    if (size % G !== 0)
      throw new ArgumentError(
        `mesa: ${G} groups do not divide dim ${dim} of size ${size} (shape [${shape}])`,
      );
    const groupSize = size / G;
    let inner = 1;
    for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
    const x = t.contiguous().dataSync() as Float32Array;
    const outer = x.length / (size * inner);
    // per-group min and max of this tensor
    const lo = new Float32Array(G).fill(Infinity);
    const hi = new Float32Array(G).fill(-Infinity);
    for (let o = 0, i = 0; o < outer; o++)
      for (let c = 0; c < size; c++) {
        const g = (c / groupSize) | 0;
        let l = lo[g];
        let h = hi[g];
        for (let j = 0; j < inner; j++, i++) {
          const v = x[i];
          if (v < l) l = v;
          if (v > h) h = v;
        }
        lo[g] = l;
        hi[g] = h;
      }
    // running estimates per save site (first call: this tensor's range)
    const key = `${site}:${shape.join('x')}:${dim}:${G}`;
    let r = this.ranges.get(key);
    if (!r || this.emaDecay === 0) {
      r = { clip: new Float32Array(G), shift: new Float32Array(G) };
      for (let g = 0; g < G; g++) {
        r.clip[g] = hi[g] - lo[g];
        r.shift[g] = lo[g];
      }
      this.ranges.set(key, r);
    } else {
      const l = this.emaDecay;
      for (let g = 0; g < G; g++) {
        r.clip[g] = l * r.clip[g] + (1 - l) * (hi[g] - lo[g]);
        r.shift[g] = l * r.shift[g] + (1 - l) * lo[g];
      }
    }
    const scale = new Float32Array(G);
    const shift = Float32Array.from(r.shift);
    for (let g = 0; g < G; g++) scale[g] = r.clip[g] > 0 ? 255 / r.clip[g] : 0;
    const q = new Uint8Array(x.length);
    // per-channel copies of the group parameters keep the hot loop free of divisions
    const scC = new Float32Array(size);
    const shC = new Float32Array(size);
    for (let c = 0; c < size; c++) {
      scC[c] = scale[(c / groupSize) | 0];
      shC[c] = shift[(c / groupSize) | 0];
    }
    // floor(v + u), u ~ U(0,1), rounds up with probability frac(v): unbiased; u = 0.5 rounds to nearest.
    // The mulberry32 stream is inlined here.
    let st = this.rngState;
    const stochastic = this.stochastic;
    for (let o = 0, i = 0; o < outer; o++)
      for (let c = 0; c < size; c++) {
        const sc = scC[c];
        const sh = shC[c];
        for (let j = 0; j < inner; j++, i++) {
          let u = 0.5;
          if (stochastic) {
            st = (st + 0x6d2b79f5) | 0;
            let r = Math.imul(st ^ (st >>> 15), st | 1);
            r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
            u = ((r ^ (r >>> 14)) >>> 0) / 4294967296;
          }
          const v = Math.floor((x[i] - sh) * sc + u);
          q[i] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    this.rngState = st;
    return { shape, q, scale, shift, dim, groupSize, inner };
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function packedSize(p: Packed8 | Packed16): number {
  return 'q' in p ? p.q.byteLength + p.scale.byteLength + p.shift.byteLength : p.h.byteLength;
}

function unpack8(p: Packed8): Tensor {
  const size = p.shape[p.dim];
  const out = new Float32Array(p.q.length);
  const outer = out.length / (size * p.inner);
  const inv = new Float32Array(size);
  const shC = new Float32Array(size);
  for (let c = 0; c < size; c++) {
    const g = (c / p.groupSize) | 0;
    inv[c] = p.scale[g] > 0 ? 1 / p.scale[g] : 0;
    shC[c] = p.shift[g];
  }
  const q = p.q;
  const inner = p.inner;
  for (let o = 0, i = 0; o < outer; o++)
    for (let c = 0; c < size; c++) {
      const a = inv[c];
      const b = shC[c];
      for (let j = 0; j < inner; j++, i++) out[i] = q[i] * a + b;
    }
  return tensor(out).reshape(p.shape);
}

function unpack16(p: Packed16): Tensor {
  const out = new Float32Array(p.h.length);
  const conv = p.format === 'float16' ? f16ToF32 : bf16ToF32;
  for (let i = 0; i < out.length; i++) out[i] = conv(p.h[i]);
  return tensor(out).reshape(p.shape);
}

/**
 * A Mesa policy (see Mesa).
 * @example const y = gl.lab.memory.mesa({ bits: 8, groups: 4 }).run(() => block.forward(x));
 */
export function mesa(opts: MesaOptions = {}): Mesa {
  return new Mesa(opts);
}

/**
 * Makes every forward of `model` run under a Mesa policy, in one line; returns the policy and a
 * function that restores the plain forward.
 * @example const { undo, policy } = gl.lab.memory.applyMesa(vit, { bits: 8 });
 */
export function applyMesa(
  model: Module,
  opts: MesaOptions | Mesa = {},
): {
  /** The policy every forward now runs under. */
  policy: Mesa;
  /** Restores the model's plain forward. */
  undo: () => void;
} {
  const policy = opts instanceof Mesa ? opts : new Mesa(opts);
  const target = model as unknown as { forward: (...a: unknown[]) => unknown };
  const inner = target.forward;
  target.forward = (...args: unknown[]) => policy.run(() => inner.apply(model, args));
  return {
    policy,
    undo: () => {
      target.forward = inner;
    },
  };
}
