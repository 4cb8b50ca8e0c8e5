// Layer attributions: activation capture, LayerGradCam/GradCam, LayerIntegratedGradients, and the NormGrad family (paper 26).
import { ArgumentError } from '../../core/errors.js';
import { grad } from '../../core/functional.js';
import { punfold } from '../../core/primitive-calls.js';
import { enableGrad, noGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { zerosLike } from '../../ops/creation.js';
import { interpolate } from '../../ops/interpolate.js';
import type { Module } from '../../nn/module.js';
import {
  ExplainError,
  asTuple,
  baselinesFor,
  callForward,
  selectTarget,
  targetIndices,
  type Baseline,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
} from './common.js';
import { pathSteps, type IntegrationMethod } from './integrated-gradients.js';

/**
 * Runs the forward with `layer`'s output (or input) captured; `replace` may substitute the output.
 * A layer run more than once in one forward is an error (which call would be meant is ambiguous).
 */
export function withLayer(
  forward: ForwardFn,
  layer: Module,
  xs: readonly Tensor[],
  extra: readonly unknown[],
  opts: { input?: boolean; replace?: (a: Tensor) => Tensor } = {},
): { out: Tensor; act: Tensor } {
  let act: Tensor | null = null;
  let calls = 0;
  const handle = layer.registerForwardHook((_m, args, output) => {
    calls++;
    if (opts.input) {
      act = args[0] as Tensor;
      return undefined;
    }
    if (!(output instanceof Tensor)) throw new ExplainError('the layer must return a tensor');
    act = opts.replace ? opts.replace(output) : output;
    return act;
  });
  try {
    const out = callForward(forward, xs, extra);
    if (calls !== 1) throw new ExplainError(`the layer ran ${calls} times in one forward (expected once)`);
    return { out, act: act! };
  } finally {
    handle.remove();
  }
}

/**
 * The target's gradient with respect to a layer's activation, with the activation: both [B, ...layer shape].
 * @example
 * const conv = new gl.nn.Conv2d(1, 4, 3, { padding: 1 });
 * const model = new gl.nn.Sequential(conv, new gl.nn.ReLU(), new gl.nn.Flatten(), new gl.nn.Linear(4 * 8 * 8, 3));
 * const { activation, gradient } = gl.explain.layerGradient(model, conv, gl.rand([2, 1, 8, 8]), { target: 0 }); // both [2, 4, 8, 8]
 */
export function layerGradient(
  forward: ForwardFn,
  layer: Module,
  inputs: Inputs,
  opts: CommonOptions & { attributeToLayerInput?: boolean } = {},
): {
  /** The layer's activation (or input). */
  activation: Tensor;
  /** The target's gradient with respect to it. */
  gradient: Tensor;
  /** The target scores [B]. */
  scores: Tensor;
} {
  const { xs } = asTuple(inputs);
  const idx = targetIndices(opts.target, xs[0].shape[0]);
  return enableGrad(() => {
    const leaves = xs.map((x) => x.detach().requiresGrad_());
    const { out, act } = withLayer(forward, layer, leaves, opts.additionalForwardArgs ?? [], {
      input: opts.attributeToLayerInput,
    });
    const scores = selectTarget(out, idx);
    const [g] = grad(scores.sum(), [act], { allowUnused: true });
    return { activation: act.detach(), gradient: g ?? zerosLike(act), scores: scores.detach() };
  });
}

/** Options of LayerGradCam.attribute. */
export interface LayerGradCamOptions extends CommonOptions {
  /** Explain the layer's input instead of its output (default false). */
  attributeToLayerInput?: boolean;
  /** Apply ReLU to the map (default false, Captum's; GradCam sets it). */
  reluAttributions?: boolean;
}

/**
 * Grad-CAM at a layer, Captum's `LayerGradCam`: Σ_c mean_{h,w}(∂f/∂A_c) · A_c, one channel [B, 1, h, w]
 * (for a [B, C, h, w] activation; [B, 1] dims after the first are averaged for other ranks).
 * @example const cam = new gl.explain.LayerGradCam(model, model.conv2).attribute(x, { target: 3 });
 */
export class LayerGradCam {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  /** The layer whose activation is explained. */
  readonly layer: Module;
  constructor(forward: ForwardFn, layer: Module) {
    this.forward = forward;
    this.layer = layer;
  }
  /**
   * The map at the layer's resolution, [B, 1, ...spatial].
   * @example
   * const conv = new gl.nn.Conv2d(1, 4, 3, { padding: 1 });
   * const model = new gl.nn.Sequential(conv, new gl.nn.ReLU(), new gl.nn.Flatten(), new gl.nn.Linear(4 * 8 * 8, 3));
   * new gl.explain.LayerGradCam(model, conv).attribute(gl.rand([2, 1, 8, 8]), { target: 0 }).shape; // [2, 1, 8, 8]
   */
  attribute(inputs: Inputs, opts: LayerGradCamOptions = {}): Tensor {
    const { activation: a, gradient: g } = layerGradient(this.forward, this.layer, inputs, opts);
    return noGrad(() => {
      const spatial = Array.from({ length: a.ndim - 2 }, (_, i) => i + 2);
      const w = spatial.length ? g.mean(spatial, true) : g;
      const cam = a.mul(w).sum(1, true);
      return opts.reluAttributions ? cam.relu() : cam;
    });
  }

  /**
   * Captum's `LayerAttribution.interpolate`: resizes a [B, C, h, w] map (bilinear by default).
   * @example
   * const cam = gl.rand([2, 1, 7, 7]); // a layer's coarse map
   * gl.explain.LayerGradCam.interpolate(cam, [28, 28]).shape; // [2, 1, 28, 28]
   */
  static interpolate(map: Tensor, size: [number, number], mode: 'nearest' | 'bilinear' = 'bilinear'): Tensor {
    return interpolate(map, { size, mode });
  }
}

/**
 * Grad-CAM as Selvaraju et al. draw it: ReLU of LayerGradCam, upsampled bilinearly to the input's size.
 * @example const cam = new gl.explain.GradCam(model, model.conv2).attribute(x, { target: 3 }); // [B, 1, H, W]
 */
export class GradCam {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  /** The layer whose activation is explained. */
  readonly layer: Module;
  constructor(forward: ForwardFn, layer: Module) {
    this.forward = forward;
    this.layer = layer;
  }
  /**
   * [B, 1, H, W] for [B, C, H, W] inputs.
   * @example
   * const conv = new gl.nn.Conv2d(1, 4, 3, { padding: 1 });
   * const model = new gl.nn.Sequential(conv, new gl.nn.ReLU(), new gl.nn.Flatten(), new gl.nn.Linear(4 * 8 * 8, 3));
   * new gl.explain.GradCam(model, conv).attribute(gl.rand([2, 1, 8, 8]), { target: 0 }).shape; // [2, 1, 8, 8]
   */
  attribute(inputs: Tensor, opts: CommonOptions = {}): Tensor {
    const cam = new LayerGradCam(this.forward, this.layer).attribute(inputs, {
      ...opts,
      reluAttributions: true,
    });
    if (inputs.ndim !== 4)
      throw new ArgumentError(`GradCam: expected [B, C, H, W] inputs, got rank ${inputs.ndim}`);
    return noGrad(() => interpolate(cam, { size: [inputs.shape[2], inputs.shape[3]], mode: 'bilinear' }));
  }
}

/** Options of LayerIntegratedGradients.attribute. */
export interface LayerIntegratedGradientsOptions extends CommonOptions {
  /** Baseline inputs (default 0); the layer's baseline activation is its output at them. */
  baselines?: Baseline | readonly Baseline[];
  /** Number of path points (default 50). */
  nSteps?: number;
  /** Integration rule (default 'gausslegendre'). */
  method?: IntegrationMethod;
  /** Multiply by the activation difference (default true). */
  multiplyByInputs?: boolean;
}

/**
 * Integrated gradients in a layer's activation space, Captum's `LayerIntegratedGradients`: the layer's
 * output is replaced along the straight path from its baseline activation to its activation at x.
 * @example const a = new gl.explain.LayerIntegratedGradients(model, model.conv1).attribute(x, { target: 0 });
 */
export class LayerIntegratedGradients {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  /** The layer whose activation is explained. */
  readonly layer: Module;
  constructor(forward: ForwardFn, layer: Module) {
    this.forward = forward;
    this.layer = layer;
  }
  /**
   * Attributions of the layer output's shape.
   * @example
   * const conv = new gl.nn.Conv2d(1, 4, 3, { padding: 1 });
   * const model = new gl.nn.Sequential(conv, new gl.nn.ReLU(), new gl.nn.Flatten(), new gl.nn.Linear(4 * 8 * 8, 3));
   * new gl.explain.LayerIntegratedGradients(model, conv).attribute(gl.rand([2, 1, 8, 8]), { target: 0 }).shape; // [2, 4, 8, 8]
   */
  attribute(inputs: Inputs, opts: LayerIntegratedGradientsOptions = {}): Tensor {
    const { xs } = asTuple(inputs);
    const extra = opts.additionalForwardArgs ?? [];
    const bases = baselinesFor(xs, opts.baselines);
    const idx = targetIndices(opts.target, xs[0].shape[0]);
    const n = opts.nSteps ?? 50;
    const { alphas, weights } = pathSteps(opts.method ?? 'gausslegendre', n);
    const ax = noGrad(() => withLayer(this.forward, this.layer, xs, extra).act);
    const ab = noGrad(() => withLayer(this.forward, this.layer, bases, extra).act);
    const d = noGrad(() => ax.sub(ab));
    let total = noGrad(() => d.mul(0));
    for (let k = 0; k < n; k++) {
      const g = enableGrad(() => {
        const point = noGrad(() => ab.add(d.mul(alphas[k]))).requiresGrad_();
        const { out } = withLayer(this.forward, this.layer, xs, extra, { replace: () => point });
        const [gr] = grad(selectTarget(out, idx).sum(), [point], { allowUnused: true });
        return gr ?? zerosLike(point);
      });
      total = noGrad(() => total.add(g.mul(weights[k])));
    }
    return noGrad(() => (opts.multiplyByInputs === false ? total : total.mul(d)));
  }
}

/** NormGrad's phase 1 (the virtual identity layer's per-location parameter gradient), paper 26's names. */
export type NormGradPhase1 = 'scaling' | 'conv1x1' | 'conv3x3' | 'conv3x3_depthwise' | 'bias';
/** NormGrad's phase 2 (aggregation over the per-location vector). */
export type NormGradPhase2 = 'sum' | 'norm' | 'filter_norm' | 'max';

/** Options of NormGrad.attribute. */
export interface NormGradOptions extends CommonOptions {
  /** Default 'conv1x1' (NormGrad proper). */
  phase1?: NormGradPhase1;
  /** Default 'norm'. */
  phase2?: NormGradPhase2;
}

/** Per-location extracted vectors e_u: [B, K, h, w] (K the vector length) for an activation x and gradient g [B, C, h, w]. */
function extract(x: Tensor, g: Tensor, phase1: NormGradPhase1): Tensor {
  const [B, C, h, w] = x.shape;
  const cols = (t: Tensor) =>
    punfold(t, { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], padValue: 0 }).reshape([
      B,
      C * 9,
      h,
      w,
    ]);
  switch (phase1) {
    case 'scaling':
      return x.mul(g);
    case 'bias':
      return g;
    case 'conv1x1':
      // vec(x_u g_uᵀ): [B, C, C, h, w] flattened to C² entries per location
      return x
        .reshape([B, C, 1, h, w])
        .mul(g.reshape([B, 1, C, h, w]))
        .reshape([B, C * C, h, w]);
    case 'conv3x3':
      return cols(x)
        .reshape([B, C * 9, 1, h, w])
        .mul(g.reshape([B, 1, C, h, w]))
        .reshape([B, C * 9 * C, h, w]);
    case 'conv3x3_depthwise':
      return cols(x)
        .reshape([B, C, 9, h, w])
        .mul(g.reshape([B, C, 1, h, w]))
        .reshape([B, C * 9, h, w]);
    default:
      throw new ArgumentError(
        `NormGrad: phase1 must be scaling|conv1x1|conv3x3|conv3x3_depthwise|bias, got ${JSON.stringify(phase1)}`,
      );
  }
}

function aggregate(e: Tensor, phase2: NormGradPhase2): Tensor {
  switch (phase2) {
    case 'sum':
      return e.sum(1, true);
    case 'norm':
      return e.mul(e).sum(1, true).sqrt();
    case 'filter_norm': {
      const p = e.relu();
      return p.mul(p).sum(1, true).sqrt();
    }
    case 'max':
      return e.amax(1, true);
    default:
      throw new ArgumentError(
        `NormGrad: phase2 must be sum|norm|filter_norm|max, got ${JSON.stringify(phase2)}`,
      );
  }
}

/**
 * NormGrad and its extract-and-aggregate family (Rebuffi et al., CVPR 2020) at a layer with a
 * [B, C, h, w] output x and target gradient g = ∂f_c/∂x: phase 1 forms per-location vectors
 * (scaling x⊙g, conv1x1 vec(x gᵀ), conv3x3 vec(unfold₃(x) gᵀ), conv3x3_depthwise, bias g), phase 2
 * aggregates them over channels (sum, L2 norm, L2 norm of the positive part, max). conv1x1 + norm is
 * NormGrad, ‖g_u‖·‖x_u‖; scaling + filter_norm is selective NormGrad; scaling + sum the linear
 * approximation; bias + norm the gradient norm. Returns [B, 1, h, w].
 * @example const m = new gl.explain.NormGrad(model, model.conv3).attribute(x, { target: 3 });
 */
export class NormGrad {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  /** The layer whose activation is explained. */
  readonly layer: Module;
  constructor(forward: ForwardFn, layer: Module) {
    this.forward = forward;
    this.layer = layer;
  }
  /**
   * The map at the layer's resolution, [B, 1, h, w].
   * @example
   * const conv = new gl.nn.Conv2d(1, 4, 3, { padding: 1 });
   * const model = new gl.nn.Sequential(conv, new gl.nn.ReLU(), new gl.nn.Flatten(), new gl.nn.Linear(4 * 8 * 8, 3));
   * new gl.explain.NormGrad(model, conv).attribute(gl.rand([2, 1, 8, 8]), { target: 0 }).shape; // [2, 1, 8, 8]
   */
  attribute(inputs: Inputs, opts: NormGradOptions = {}): Tensor {
    const { activation: x, gradient: g } = layerGradient(this.forward, this.layer, inputs, opts);
    if (x.ndim !== 4)
      throw new ExplainError(`NormGrad: the layer's output must be [B, C, h, w], got rank ${x.ndim}`);
    const p1 = opts.phase1 ?? 'conv1x1';
    const p2 = opts.phase2 ?? 'norm';
    return noGrad(() => {
      // closed forms that avoid the C×C outer products (equal to the explicit ones; tested)
      if (p1 === 'conv1x1' && p2 === 'norm')
        return x.mul(x).sum(1, true).sqrt().mul(g.mul(g).sum(1, true).sqrt());
      if (p1 === 'conv1x1' && p2 === 'sum') return x.sum(1, true).mul(g.sum(1, true));
      return aggregate(extract(x, g, p1), p2);
    });
  }

  /**
   * The explicit phase-1 vectors (for checks and other aggregations): [B, K, h, w].
   * @example
   * const x = gl.randn([2, 4, 8, 8]); // a layer's input
   * const g = gl.randn([2, 4, 8, 8]); // the gradient at its output
   * gl.explain.NormGrad.extract(x, g, 'scaling').shape; // [2, 4, 8, 8]
   */
  static extract(x: Tensor, g: Tensor, phase1: NormGradPhase1): Tensor {
    return extract(x, g, phase1);
  }
}

/**
 * Combines maps of several layers as paper 26 does: each is upsampled bilinearly to `size`,
 * min–max normalised per example, and the results are multiplied.
 * @example const m = gl.explain.combineMaps([m2, m3], [28, 28]);
 */
export function combineMaps(maps: readonly Tensor[], size: [number, number]): Tensor {
  if (!maps.length) throw new ArgumentError('combineMaps: expected at least one map');
  return noGrad(() =>
    maps.map((m) => normalizeMap(interpolate(m, { size, mode: 'bilinear' }))).reduce((a, b) => a.mul(b)),
  );
}

/**
 * Min–max normalisation of each example's map to [0, 1] (a constant map becomes 0).
 * @example gl.explain.normalizeMap(gl.tensor([[[2, 4], [6, 10]]])); // [[[0, 0.25], [0.5, 1]]]
 */
export function normalizeMap(m: Tensor): Tensor {
  return noGrad(() => {
    const B = m.shape[0];
    const flat = m.reshape([B, -1]);
    const lo = flat.amin(1, true);
    const span = flat.amax(1, true).sub(lo);
    const safe = span.add(span.eq(0).to(m.dtype));
    return flat.sub(lo).div(safe).reshape(m.shape);
  });
}
