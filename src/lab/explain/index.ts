// gl.explain: Captum-style attribution methods, layer methods, NormGrad, meta-saliency, metrics and sanity checks.
export { ExplainError } from './common.js';
export type { ForwardFn, Inputs, Attr, WithDelta, Target, Baseline, CommonOptions } from './common.js';
export {
  Saliency,
  InputXGradient,
  GuidedBackprop,
  Deconvolution,
  GUIDED_RELU,
  DECONV_RELU,
} from './gradient.js';
export type { SaliencyOptions } from './gradient.js';
export { IntegratedGradients, pathSteps, gaussLegendre } from './integrated-gradients.js';
export type { IntegratedGradientsOptions, IntegrationMethod } from './integrated-gradients.js';
export { DeepLift, DeepLiftShap, UnsupportedNonlinearityError, DEEPLIFT_KINDS } from './deeplift.js';
export type { DeepLiftOptions, DeepLiftKind } from './deeplift.js';
export { NoiseTunnel, GradientShap } from './noise-tunnel.js';
export type {
  NoiseTunnelOptions,
  NoiseTunnelType,
  GradientShapOptions,
  AttributionMethod,
} from './noise-tunnel.js';
export { Occlusion, FeatureAblation } from './perturbation.js';
export type { OcclusionOptions, FeatureAblationOptions } from './perturbation.js';
export {
  LayerGradCam,
  GradCam,
  LayerIntegratedGradients,
  NormGrad,
  combineMaps,
  normalizeMap,
  layerGradient,
} from './layer.js';
export type {
  LayerGradCamOptions,
  LayerIntegratedGradientsOptions,
  NormGradOptions,
  NormGradPhase1,
  NormGradPhase2,
} from './layer.js';
export { metaSaliency } from './meta.js';
export type { MetaSaliencyOptions } from './meta.js';
export {
  infidelity,
  sensitivityMax,
  completenessGap,
  modelRandomisationCheck,
  spearman,
  pearson,
} from './metrics.js';
export type { InfidelityOptions, SensitivityOptions } from './metrics.js';
export { roarMask, diffRoar } from './diffroar.js';
export type { RoarKeep, AttributedSet, DiffRoarOptions, DiffRoarRow } from './diffroar.js';
