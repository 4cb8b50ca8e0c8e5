// gl.condense: dataset condensation by gradient matching (DC) and its contrastive variant (DCC), with DC's ConvNet and evaluation.
export { layerDistance, matchDistance } from './distance.js';
export { gradientMatchLoss, type ClassBatch, type MatchMode } from './match.js';
export { convNet, type ConvNetOptions } from './convnet.js';
export {
  condense,
  evaluateSynthetic,
  type CondenseOptions,
  type CondensedSet,
  type EvaluateOptions,
  type LabelledImages,
} from './condense.js';
export { CondenseOptionError } from './errors.js';
