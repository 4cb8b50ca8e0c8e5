// The bias + activation epilogue the matmul shaders apply as they write C: its WGSL, parameters and pipeline-key suffix.
import type { TensorView } from '../backend.js';
import type { EpilogueActivation } from '../../core/fused-kernels.js';
import { helpersFor } from './wgsl.js';

/**
 * What a matmul adds and applies to each output element before it is stored: `activation(c + bias[i])`,
 * where i is the output column n (`along: 'col'`, Linear's bias) or, for the product of batch `batch`,
 * `(batch % groups) * M + m` (`along: 'row'`, a convolution's output channel: conv2d multiplies each
 * group's weights [O/groups, K] with the columns of each image, batches [N, groups]).
 */
export interface GpuEpilogue {
  bias: TensorView;
  along: 'col' | 'row';
  groups: number;
  activation: EpilogueActivation;
}

/** The part of an epilogue a shader is specialised on (the bias itself travels as a binding and parameters). */
export type EpiShape = Pick<GpuEpilogue, 'along' | 'activation'>;

/** WGSL of each activation of `h` (relu as the relu kernel writes it: NaN passes through). */
const ACT: { readonly [A in EpilogueActivation]: (h: string) => string } = {
  none: (h) => h,
  relu: (h) => `select(${h}, 0.0, ${h} <= 0.0)`,
  tanh: (h) => `tanh_(${h})`,
  sigmoid: (h) => `sigmoid_(${h})`,
};

/** The pipeline-key suffix of an epilogue ('' without one). */
export function epilogueKey(e: EpiShape | null): string {
  return e ? `:epi-${e.along}-${e.activation}` : '';
}

/** The parameters an epilogue appends to the matmul's: the bias's offset and stride, and `groups`. */
export function epilogueMeta(e: GpuEpilogue): number[] {
  return [e.bias.offset, e.bias.strides[0] ?? 1, e.groups];
}

/**
 * WGSL declaring the bias (binding `binding`) and `epi(v, m, n, batch)` / `epi4(v, m, n, batch)` (four
 * neighbouring columns from n), which the shader calls on each value it stores. The epilogue's
 * parameters follow the matmul's, at 12 + 3 * batch rank (see `epilogueMeta`).
 *
 * @example
 * const wgsl = epilogueSource({ along: 'col', activation: 'relu' }, 4);
 */
export function epilogueSource(e: EpiShape, binding: number): string {
  const index = e.along === 'col' ? 'n' : '(batch % prm[at + 2]) * prm[0] + m';
  const body = ACT[e.activation]('h');
  return `@group(0) @binding(${binding}) var<storage, read> bias_: array<f32>;
${helpersFor(body)}
fn epi(v: f32, m: i32, n: i32, batch: i32) -> f32 {
  let at = 12 + 3 * prm[3];
  let h = v + bias_[prm[at] + (${index}) * prm[at + 1]];
  return ${body};
}
fn epi4(v: vec4<f32>, m: i32, n: i32, batch: i32) -> vec4<f32> {
  return vec4<f32>(epi(v.x, m, n, batch), epi(v.y, m, n + 1, batch), epi(v.z, m, n + 2, batch), epi(v.w, m, n + 3, batch));
}`;
}
