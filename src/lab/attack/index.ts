// gl.attacks: adversarial attacks (FGSM, PGD/BIM, C&W-L2, DeepFool, APGD-CE), targeted modes, the robustness report and defences.
export { fgsm } from './fgsm.js';
export type { FgsmOptions, ClampRange } from './fgsm.js';
export { pgd, bim } from './pgd.js';
export type { PgdOptions, PgdNorm } from './pgd.js';
export { cw } from './cw.js';
export type { CwOptions } from './cw.js';
export { deepfool } from './deepfool.js';
export type { DeepFoolOptions } from './deepfool.js';
export { apgd } from './apgd.js';
export type { ApgdOptions } from './apgd.js';
export { resolveTargets } from './targets.js';
export type { TargetSpec, TargetOptions } from './targets.js';
export { withEvalMode, inputGradient, attackForward } from './model.js';
export type { AttackModel, Normalization, CommonAttackOptions, AttackForward } from './model.js';
export { robustnessReport, ATTACKS, ATTACK_NAMES } from './report.js';
export type {
  AttackName,
  NamedAttackSettings,
  RobustnessRow,
  RobustnessReport,
  RobustnessOptions,
} from './report.js';
export { AttackOptionError, AttackLabelError, AttackInputError, ModelOutputError } from './errors.js';
export { softTargetCrossEntropy, temperatureLoss, softLabels, zeroFraction } from './distill.js';
export { adversarialGrid } from './png.js';
export type { GridOptions } from './png.js';
export { pgdTraining } from './adversarial-training.js';
