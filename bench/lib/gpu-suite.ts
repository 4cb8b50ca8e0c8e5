// The GPU comparison (npm run bench:gpu): its workloads, options, and the targets checked against the ratios.
import { flagValue, positiveInt } from './cli.js';
import type { Ratio } from './report.js';
import { cnn, matmul, mlp, overhead, type WorkloadSpec } from './workloads.js';

export interface GpuOptions {
  quick: boolean;
  json: boolean;
  /** Where the JSON document goes (default: $OUT/gpu-bench.json when OUT is set). */
  out?: string;
  reps?: number;
  only: string[];
  /** Exit 1 (before running anything) unless PyTorch sees CUDA. */
  requireCuda: boolean;
  /** Exit 1 (before running anything) when gradlab's WebGPU adapter is a CPU one (SwiftShader, llvmpipe). */
  requireGpu: boolean;
  /** Leave PyTorch out. */
  noTorch: boolean;
  help: boolean;
}

export const GPU_USAGE = `npm run bench:gpu -- [options]     (on the GPU machine: node dist/bench/gpu.js [options])
  --quick          tiny sizes and short caps: proves the script runs (SwiftShader, PyTorch on CPU)
  --only <ids>     workloads by id or family: matmul-1024, matmul-4096, overhead, mlp, cnn, matmul
  --reps <N>       timed repetitions per workload (default 7)
  --json           print the JSON document instead of the table
  --out <file>     write the JSON document there (default: $OUT/gpu-bench.json when $OUT is set)
  --require-cuda   stop with exit code 1 unless PyTorch sees a CUDA device
  --require-gpu    stop with exit code 1 if gradlab's WebGPU adapter is a CPU one (SwiftShader)
  --no-torch       gradlab only
  --help`;

/** Parses argv (without node and script). */
export function parseGpuArgs(argv: readonly string[]): GpuOptions {
  const o: GpuOptions = {
    quick: false,
    json: false,
    only: [],
    requireCuda: false,
    requireGpu: false,
    noTorch: false,
    help: false,
  };
  const value = (i: number, flag: string): string => flagValue(argv, i, flag);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--require-cuda') o.requireCuda = true;
    else if (a === '--require-gpu') o.requireGpu = true;
    else if (a === '--no-torch') o.noTorch = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--out') o.out = value(i++, a);
    else if (a === '--only') o.only.push(...value(i++, a).split(',').filter(Boolean));
    else if (a === '--reps') o.reps = positiveInt(value(i++, a), a);
    else throw new Error(`unknown option '${a}'\n${GPU_USAGE}`);
  }
  return o;
}

/**
 * The GPU workloads, defined by the suite's own constructors (same seeds, same steps as
 * `npm run bench`): matmul 1024² and 4096², per-op overhead, the MLP 784-512-512-10 at batch 128 and the
 * CNN at batch 64. `quick` shrinks every size so that SwiftShader runs them in seconds. The MLP and CNN run
 * their `gl.tidy` loop: on webgpu device memory is released by dispose / tidy only (never by the garbage
 * collector, see DESIGN's memory model), so the plain loop would keep every step's buffers.
 */
export function gpuWorkloads(quick: boolean, only: readonly string[] = []): WorkloadSpec[] {
  const all = quick
    ? [
        matmul(64),
        matmul(128),
        overhead(32, 50),
        mlp([64, 32, 32, 10], 16, 'tidy'),
        cnn({ batch: 4, image: 12, c1: 4, c2: 8, hidden: 16, loop: 'tidy' }),
      ]
    : [matmul(1024), matmul(4096), overhead(), mlp(undefined, undefined, 'tidy'), cnn({ loop: 'tidy' })];
  if (only.length === 0) return all;
  const known = new Set(all.flatMap((w) => [w.id, w.family]));
  for (const name of only)
    if (!known.has(name))
      throw new Error(`--only: unknown workload '${name}' (known: ${[...known].join(', ')})`);
  return all.filter((w) => only.includes(w.id) || only.includes(w.family));
}

/** A target of issue 6: gradlab (webgpu) at least `min` × PyTorch CUDA on `workload`. */
export interface Target {
  workload: string;
  min: number;
  what: string;
}

export const TARGETS: Target[] = [
  { workload: 'matmul-4096', min: 0.6, what: 'matmul 4096² ≥ 0.6× cuBLAS float32' },
  { workload: 'mlp-tidy', min: 0.5, what: 'MLP training ≥ 0.5× PyTorch CUDA' },
  { workload: 'cnn-tidy', min: 0.5, what: 'CNN training ≥ 0.5× PyTorch CUDA' },
];

export interface TargetCheck extends Target {
  ratio: number | null;
  /** met / missed, or why it was not evaluated. */
  verdict: string;
}

/** Each target's ratio against torch and whether it is met; only a CUDA-run torch counts. */
export function checkTargets(ratios: readonly Ratio[], torchDevice: string | null): TargetCheck[] {
  return TARGETS.map((t) => {
    const r = ratios.find((x) => x.workload === t.workload && x.peer === 'torch');
    if (!r) return { ...t, ratio: null, verdict: 'not measured' };
    if (torchDevice !== 'cuda')
      return { ...t, ratio: r.ratio, verdict: `not evaluated (PyTorch ran on ${torchDevice ?? 'nothing'})` };
    return { ...t, ratio: r.ratio, verdict: r.ratio >= t.min ? 'met' : 'missed' };
  });
}
