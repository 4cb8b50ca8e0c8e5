// gl.data's parts that need no Node: datasets, seeded resumable data loaders, splits, synthetic datasets.
export { TensorDataset, Subset, mapDataset } from './dataset.js';
export type { Dataset, Example } from './dataset.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions, DataLoaderState, Batch } from './dataloader.js';
export { defaultCollate } from './collate.js';
export { randomSplit, trainValSplit } from './split.js';
export { permutation } from './random.js';
export type { SeedOptions } from './random.js';
export {
  twoSpirals,
  moons,
  circles,
  blobs,
  xorClusters,
  linearRegression,
  polynomialRegression,
  randomSequences,
} from './synthetic.js';
export type { XY, ClassificationOptions, RegressionOptions, SequenceTask } from './synthetic.js';
export { transMoons, texturedDomain, greyToRgb } from './domains.js';
export type { TwoDomains, TransMoonsOptions, TexturedDomainOptions } from './domains.js';
export { pointMassOffline, pointMassStep, pointMassStarts, POINT_MASS } from './offline-rl.js';
export type { OfflineDataset, PointMassOfflineOptions } from './offline-rl.js';
export { weatherPairs, WEATHERS } from './weather.js';
export type { WeatherPairs } from './weather.js';
export { blockMnist } from './block-mnist.js';
export type { BlockMnist, BlockMnistOptions } from './block-mnist.js';
