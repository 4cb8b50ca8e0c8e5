// Shared workload definitions: ids, shapes, units and seeds that gradlab and every peer run identically.

/** The families a workload belongs to; `--only` accepts a family or a workload id. */
export type Family = 'matmul' | 'overhead' | 'mlp' | 'cnn' | 'epoch' | 'per-example';

/** Whether the headline figure is better when higher (throughput) or lower (latency). */
export type Direction = 'higher' | 'lower';

interface Base {
  /** Unique id, e.g. `matmul-1024`. */
  id: string;
  family: Family;
  /** Human-readable description for the table. */
  title: string;
  unit: string;
  direction: Direction;
  /** Seed of the counter-based input generator (lib/prng.ts, mirrored in peers/torch_bench.py). */
  seed: number;
}

/** C = A·B with A, B float32 [n, n]; figure: GFLOP/s (2n³ flops per product). */
export interface MatmulSpec extends Base {
  family: 'matmul';
  n: number;
}

/** `opsPerStep` additions of two float32 [size] tensors, the first requiring grad; figure: µs per op. */
export interface OverheadSpec extends Base {
  family: 'overhead';
  size: number;
  opsPerStep: number;
}

/**
 * How gradlab's training loop is written: `plain` as a PyTorch user writes it (`opt.zeroGrad();
 * loss.backward(); opt.step()`, nothing released by hand), `tidy` the same step inside `gl.tidy`.
 * The peers run their one step for both (PyTorch has no tidy).
 */
export type Loop = 'plain' | 'tidy';

/** One SGD training step of an MLP (ReLU between layers, cross-entropy on the logits); figure: samples/s. */
export interface MlpSpec extends Base {
  family: 'mlp';
  loop: Loop;
  /** Layer widths, input first: [784, 512, 512, 10]. */
  sizes: number[];
  batch: number;
  lr: number;
}

/**
 * One SGD training step of the small CNN:
 * conv(1→c1, k×k)-ReLU-maxpool2-conv(c1→c2, k×k)-ReLU-maxpool2-FC(flat→hidden)-ReLU-FC(hidden→classes);
 * convolutions are unpadded with stride 1. Figure: samples/s.
 */
export interface CnnSpec extends Base {
  family: 'cnn';
  loop: Loop;
  batch: number;
  image: number;
  c1: number;
  c2: number;
  kernel: number;
  hidden: number;
  classes: number;
  lr: number;
}

/** One epoch of the MLP over the Fashion-MNIST training set, in file order; figure: seconds. */
export interface EpochSpec extends Base {
  family: 'epoch';
  sizes: number[];
  batch: number;
  lr: number;
  /** Folder holding train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz. */
  dataDir: string;
  /** Use only the first `limit` training images (tests and --quick); undefined = all 60,000. */
  limit?: number;
}

/**
 * How per-example gradients are computed: `fast` from saved activations and output gradients (gradlab's
 * gl.perExampleGrads fast path; PyTorch has none built in), `vmap` by vmap(grad) (gradlab's vmap path,
 * functorch in PyTorch 1.13), `loop` by one backward call per example.
 */
export type PerExampleMethod = 'fast' | 'vmap' | 'loop';

/** Per-example gradients of an MLP's cross-entropy (ReLU between layers), every parameter; figure: examples/s. */
export interface PerExampleSpec extends Base {
  family: 'per-example';
  method: PerExampleMethod;
  /** Layer widths, input first: [784, 128, 10]. */
  sizes: number[];
  batch: number;
}

export type WorkloadSpec = MatmulSpec | OverheadSpec | MlpSpec | CnnSpec | EpochSpec | PerExampleSpec;

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const SEED = 20240607;

export const matmul = (n: number): MatmulSpec => ({
  id: `matmul-${n}`,
  family: 'matmul',
  title: `matmul ${n}³ float32`,
  unit: 'GFLOP/s',
  direction: 'higher',
  seed: SEED,
  n,
});

export const overhead = (size = 32, opsPerStep = 1000): OverheadSpec => ({
  id: 'overhead',
  family: 'overhead',
  title: `per-op overhead (add ${size}+${size}, grad on)`,
  unit: 'µs/op',
  direction: 'lower',
  seed: SEED,
  size,
  opsPerStep,
});

/** Suffix of a workload's id and title for its loop: the plain loop is the headline, `tidy` a second row. */
const loopId = (loop: Loop): string => (loop === 'plain' ? '' : '-tidy');
const loopTitle = (loop: Loop): string => (loop === 'plain' ? '' : ' in gl.tidy');

export const mlp = (sizes = [784, 512, 512, 10], batch = 128, loop: Loop = 'plain'): MlpSpec => ({
  id: `mlp${loopId(loop)}`,
  family: 'mlp',
  title: `MLP ${sizes.join('-')} b${batch} step${loopTitle(loop)}`,
  unit: 'samples/s',
  direction: 'higher',
  seed: SEED,
  loop,
  sizes,
  batch,
  lr: 0.01,
});

/** The CNN of the issue; the small overrides exist for the tests. */
export const cnn = (o: Partial<Omit<CnnSpec, 'family' | 'id'>> = {}): CnnSpec => {
  const s = {
    batch: 64,
    image: 28,
    c1: 32,
    c2: 64,
    kernel: 3,
    hidden: 128,
    classes: 10,
    lr: 0.01,
    loop: 'plain' as Loop,
    ...o,
  };
  return {
    id: `cnn${loopId(s.loop)}`,
    family: 'cnn',
    title: `CNN ${s.c1}/${s.c2}ch b${s.batch} step${loopTitle(s.loop)}`,
    unit: 'samples/s',
    direction: 'higher',
    seed: SEED,
    ...s,
  };
};

export const epoch = (
  o: { limit?: number; dataDir?: string; sizes?: number[]; batch?: number } = {},
): EpochSpec => ({
  id: 'epoch',
  family: 'epoch',
  title: `MLP epoch Fashion-MNIST (${o.limit ?? 60000})`,
  unit: 's',
  direction: 'lower',
  seed: SEED,
  sizes: o.sizes ?? [784, 512, 512, 10],
  batch: o.batch ?? 128,
  lr: 0.01,
  dataDir: o.dataDir ?? FASHION_MNIST_DIR,
  limit: o.limit,
});

export const perExample = (method: PerExampleMethod, sizes = [784, 128, 10], batch = 32): PerExampleSpec => ({
  id: `per-example-${method}`,
  family: 'per-example',
  title: `per-example grads ${sizes.join('-')} b${batch}, ${method}`,
  unit: 'examples/s',
  direction: 'higher',
  seed: SEED,
  method,
  sizes,
  batch,
});

/** Geometry of the CNN: spatial sizes after each conv/pool stage and the flattened width. */
export function cnnGeometry(s: CnnSpec): {
  conv1: number;
  pool1: number;
  conv2: number;
  pool2: number;
  flat: number;
} {
  const conv1 = s.image - s.kernel + 1;
  const pool1 = Math.floor(conv1 / 2);
  const conv2 = pool1 - s.kernel + 1;
  const pool2 = Math.floor(conv2 / 2);
  return { conv1, pool1, conv2, pool2, flat: s.c2 * pool2 * pool2 };
}

/** The headline figure from the time of one step (seconds). */
export function figure(spec: WorkloadSpec, stepSeconds: number): number {
  switch (spec.family) {
    case 'matmul':
      return (2 * spec.n ** 3) / stepSeconds / 1e9;
    case 'overhead':
      return (stepSeconds / spec.opsPerStep) * 1e6;
    case 'mlp':
    case 'cnn':
    case 'per-example':
      return spec.batch / stepSeconds;
    case 'epoch':
      return stepSeconds;
  }
}

/** Every workload; `quick` shortens the epoch to its first 1,280 images (10 batches). */
export function allWorkloads(quick: boolean): WorkloadSpec[] {
  return [
    matmul(256),
    matmul(1024),
    matmul(2048),
    overhead(),
    mlp(),
    mlp(undefined, undefined, 'tidy'),
    cnn(),
    cnn({ loop: 'tidy' }),
    perExample('fast'),
    perExample('vmap'),
    perExample('loop'),
    epoch(quick ? { limit: 1280 } : {}),
  ];
}

/** The default selection: all but the epoch (unless asked for); `quick` also drops the two large matmuls. */
export function suite(opts: { epoch: boolean; quick: boolean }): WorkloadSpec[] {
  return allWorkloads(opts.quick).filter(
    (w) => (w.family !== 'epoch' || opts.epoch) && !(opts.quick && w.family === 'matmul' && w.n > 256),
  );
}
