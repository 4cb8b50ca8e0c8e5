// Recipe `normgrad`'s saliency maps (input gradient, Grad-CAM, NormGrad family, products, meta) and their scores.
import { tidy, type Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import { Saliency } from '../lab/explain/gradient.js';
import {
  combineMaps,
  GradCam,
  NormGrad,
  type NormGradPhase1,
  type NormGradPhase2,
} from '../lab/explain/layer.js';
import { metaSaliency } from '../lab/explain/meta.js';
import { pearson } from '../lab/explain/metrics.js';
import { inBox } from './common/digit-canvas.js';

export const METHODS = [
  'gradient',
  'gradcam3',
  'gradcam2',
  'normgrad3',
  'normgrad2',
  'selective3',
  'linear3',
  'product',
  'meta3',
] as const;
export type MethodName = (typeof METHODS)[number];
export const PHASE1: readonly NormGradPhase1[] = [
  'scaling',
  'conv1x1',
  'conv3x3',
  'conv3x3_depthwise',
  'bias',
];
export const PHASE2: readonly NormGradPhase2[] = ['sum', 'norm', 'filter_norm', 'max'];
/** Meta-saliency's SGD step (the notes' small-scale protocol). */
export const META_LR = 1e-3;

/** The layers explained: the ReLU outputs after conv2 and conv3. */
export interface Layers {
  conv2: Module;
  conv3: Module;
}

/** A map [B, side·side] on the host for `method` with per-example targets. */
export async function saliencyMap(
  model: Module,
  layers: Layers,
  method: MethodName | { phase1: NormGradPhase1; phase2: NormGradPhase2 },
  x: Tensor,
  target: number[],
): Promise<Float32Array> {
  const side = x.shape[2];
  const up = (m: Tensor) => combineMaps([m], [side, side]);
  const ng = (layer: Module, o: { phase1?: NormGradPhase1; phase2?: NormGradPhase2 } = {}) =>
    new NormGrad(model, layer).attribute(x, { target, ...o });
  const t = tidy((): Tensor => {
    if (typeof method === 'object') return up(ng(layers.conv3, method));
    switch (method) {
      case 'gradient':
        return new Saliency(model).attribute(x, { target });
      case 'gradcam3':
        return new GradCam(model, layers.conv3).attribute(x, { target });
      case 'gradcam2':
        return new GradCam(model, layers.conv2).attribute(x, { target });
      case 'normgrad3':
        return up(ng(layers.conv3));
      case 'normgrad2':
        return up(ng(layers.conv2));
      case 'selective3':
        return up(ng(layers.conv3, { phase1: 'scaling', phase2: 'filter_norm' }));
      case 'linear3':
        return up(ng(layers.conv3, { phase1: 'scaling', phase2: 'sum' }));
      case 'product':
        return combineMaps([ng(layers.conv2), ng(layers.conv3)], [side, side]);
      case 'meta3':
        return up(metaSaliency(model, x, () => ng(layers.conv3), { target, lr: META_LR }));
    }
  });
  const out = Float32Array.from(await t.data());
  t.dispose();
  return out;
}

/** Pointing-game hits: the map's argmax inside the box of the target's digit, dilated by `dilate` pixels. */
export function pointingHits(
  maps: Float32Array,
  side: number,
  boxes: readonly { row: number; col: number }[],
  d: number,
  dilate: number,
): number {
  const per = side * side;
  let hits = 0;
  boxes.forEach((box, i) => {
    let best = 0;
    for (let p = 1; p < per; p++) if (maps[i * per + p] > maps[i * per + best]) best = p;
    if (inBox(best, side, box, d, dilate)) hits++;
  });
  return hits;
}

/** Mean over images of the Pearson correlation of two sets of maps [B, per]. */
export function meanCorrelation(a: Float32Array, b: Float32Array, n: number): number {
  const per = a.length / n;
  let s = 0;
  for (let i = 0; i < n; i++)
    s += pearson(a.subarray(i * per, (i + 1) * per), b.subarray(i * per, (i + 1) * per));
  return s / n;
}
