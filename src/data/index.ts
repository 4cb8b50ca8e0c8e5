// gl.data: datasets, seeded resumable data loaders, splits, file readers, named and synthetic datasets.
export { TensorDataset, Subset, mapDataset } from './dataset.js';
export type { Dataset, Example } from './dataset.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions, DataLoaderState, Batch } from './dataloader.js';
export { defaultCollate } from './collate.js';
export { randomSplit, trainValSplit } from './split.js';
export { permutation } from './random.js';
export type { SeedOptions } from './random.js';
export { parseIdx, readIdx } from './readers/idx.js';
export type { IdxArray, IdxOptions, IdxType } from './readers/idx.js';
export { parseCifar10, readCifar10, CIFAR10_RECORD } from './readers/cifar10.js';
export type { Cifar10Batch } from './readers/cifar10.js';
export { parseCsv, readCsv } from './readers/csv.js';
export type { CsvOptions, CsvTable } from './readers/csv.js';
export {
  loadDataset,
  loadDigits,
  loadMnistLike,
  loadCifar10,
  FASHION_MNIST_DIR,
  DATASET_NAMES,
} from './datasets.js';
export type { LoadedDataset, LoadDatasetOptions, DatasetName } from './datasets.js';
export { loadMnist10k, mnist10kFiles, hasMnist10k, OptionalDependencyError } from './mnist10k.js';
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
