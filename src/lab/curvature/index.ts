// gl.curvature: Hessian-vector products w.r.t. parameters, Lanczos and power iteration, SLQ density, Hutchinson trace, sharpness tracking.
export { HessianOperator } from './operator.js';
export type { LossClosure, ParamsLike, CurvatureOptions } from './operator.js';
export { TrainModeBatchNormError } from './errors.js';
export { hvp, topEigen, spectralDensity, trace } from './probes.js';
export type {
  TopEigenOptions,
  TopEigenResult,
  DensityOptions,
  SpectralDensity,
  TraceOptions,
  TraceEstimate,
} from './probes.js';
export { lanczos } from './lanczos.js';
export type { LanczosRun, SymmetricOperator } from './lanczos.js';
export { SharpnessCallback } from './sharpness.js';
export type { SharpnessOptions, SharpnessRecord } from './sharpness.js';
