// gl.data: datasets, seeded resumable data loaders, splits, file readers, named and synthetic datasets.
// (In browsers, gradlab/browser's gl.data is ./portable.ts: everything but the file readers and named datasets.)
export * from './portable.js';
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
