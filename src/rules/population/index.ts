// gl.rules.population: what GA and ES are built from — seed-chain genomes, the stacked forward, pure evaluation, the ES estimate.
export {
  rebuildWeights,
  initialWeights,
  mutateInPlace,
  noise,
  drawSeed,
  genomeBytes,
  compressionRatio,
  WeightCache,
  GENOME_ENTRY_BYTES,
  type Genome,
} from './genome.js';
export { policySpec, paramCount, type PolicySpec, type PolicyActivation } from './spec.js';
export { stackWeights, stackedForward, type StackedWeights } from './forward.js';
export {
  evaluate,
  episodeSeeds,
  candidateWeights,
  type EvalJob,
  type Candidate,
  type CartPoleTask,
  type SupervisedTask,
  type PopulationTask,
} from './evaluate.js';
export {
  makeEvaluator,
  inProcessEvaluator,
  PopulationWorkerError,
  type PopulationEvaluator,
} from './evaluator.js';
export { esGradient, esGradientFromFitness, centeredRanks, type FitnessShaping } from './es-gradient.js';
export {
  loadWeights,
  readWeights,
  type PopulationOptions,
  type PopulationLearner,
  type GenerationReport,
  type PopulationRule,
} from './learner.js';
