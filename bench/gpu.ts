// `npm run bench:gpu`: gradlab on WebGPU against PyTorch on CUDA, same GPU, same workloads; table + JSON (to $OUT).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpuWorkloads, checkTargets, GPU_USAGE, parseGpuArgs, type GpuOptions } from './lib/gpu-suite.js';
import { machine } from './lib/machine.js';
import { EPOCH_PROTOCOL, PROTOCOL, QUICK_PROTOCOL } from './lib/protocol.js';
import { ratios, table, fmt } from './lib/report.js';
import type { SystemInfo, WorkloadResult } from './lib/result.js';
import { childEnv, PYTHON, runSystem } from './lib/runner.js';
import { repoRoot } from './lib/paths.js';
import type { Job } from './child.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What `torch_bench.py --probe` reports about one Python. */
interface TorchProbe {
  python: string;
  executable: string;
  numpy: boolean;
  torch: string | null;
  why?: string;
  cuda?: boolean;
  cudaVersion?: string | null;
  gpu?: string;
  cudnn?: number;
}

/** The first Python with torch, preferring one that sees CUDA: $BENCH_PYTHON, python3, /usr/bin/python3, python. */
function choosePython(log: (s: string) => void): TorchProbe | null {
  const candidates = [...new Set([process.env.BENCH_PYTHON, 'python3', PYTHON, 'python'].filter(Boolean))];
  const script = join(repoRoot(), 'bench', 'peers', 'torch_bench.py');
  const found: TorchProbe[] = [];
  for (const py of candidates as string[]) {
    const r = spawnSync(py, [script, '--probe'], { encoding: 'utf8', timeout: 120_000 });
    if (r.error || r.status !== 0) {
      log(`python ${py}: not usable (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchProbe;
    log(
      `python ${py} (${p.executable}): ${p.torch ? `torch ${p.torch}, ${p.cuda ? `CUDA ${p.cudaVersion} on ${p.gpu}` : 'cuda unavailable'}` : `no torch (${p.why})`}`,
    );
    if (!p.torch) continue;
    p.executable = p.executable || py;
    if (p.cuda) return p;
    found.push(p);
  }
  return found[0] ?? null;
}

/** The GPUs nvidia-smi lists (empty without one). */
function nvidiaGpus(): string[] {
  const r = spawnSync(
    'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
}

async function main(): Promise<number> {
  let o: GpuOptions;
  let workloads;
  try {
    o = parseGpuArgs(process.argv.slice(2));
    workloads = gpuWorkloads(o.quick, o.only);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (o.help) {
    console.log(GPU_USAGE);
    return 0;
  }
  const log = (s: string) => process.stderr.write(s + '\n');
  const m = machine();
  const gpus = nvidiaGpus();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
  log(`nvidia-smi: ${gpus.length ? gpus.join('; ') : 'no NVIDIA GPU listed'}`);
  const { env } = childEnv();
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD) && !o.requireGpu) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    log(`VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (no Vulkan driver chosen: SwiftShader, the CPU)`);
  }
  if (o.requireGpu) env.GRADLAB_BENCH_REQUIRE_GPU = '1';

  // PyTorch first (a few seconds): with --require-cuda, nothing runs unless CUDA is there
  const probe = o.noTorch ? null : choosePython(log);
  if (o.requireCuda && !probe?.cuda) {
    log(
      `cuda unavailable: ${probe ? `torch ${probe.torch} under ${probe.executable} sees no CUDA device` : 'no Python with torch found'} (--require-cuda)`,
    );
    return 1;
  }
  const base = o.quick ? QUICK_PROTOCOL : PROTOCOL;
  const job: Job = {
    workloads,
    protocol: { ...base, reps: o.reps ?? base.reps },
    epochProtocol: EPOCH_PROTOCOL,
    torch: { device: 'cuda', cpuFallback: !o.requireCuda },
  };
  const systems = o.noTorch ? ['gradlab'] : ['gradlab', 'torch'];
  const infos = new Map<string, SystemInfo>();
  const results: WorkloadResult[] = [];
  // one child per system runs every workload (GPU setup and CUDA start once); a crash or a timeout
  // costs that workload only (the runner restarts the child on the rest)
  for (const system of systems) {
    if (system === 'torch' && !probe) {
      results.push(
        ...workloads.map((w) => ({
          system,
          workload: w.id,
          unit: w.unit,
          status: 'missing' as const,
          reason: 'no Python with torch found',
        })),
      );
      continue;
    }
    const r = await runSystem(system, job, { backend: 'webgpu', python: probe?.executable }, env, log);
    if (r.info) infos.set(system, r.info);
    results.push(...r.results);
    if (system === 'gradlab' && !r.info && o.requireGpu) {
      log(`gradlab could not start on a GPU (--require-gpu): ${r.results[0]?.reason}`);
      return 1;
    }
  }
  const rs = ratios(workloads, results);
  const torchDevice = infos.get('torch')?.backend ?? null;
  const targets = checkTargets(rs, torchDevice);
  const doc = {
    kind: 'gpu',
    machine: { ...m, gpus },
    gradlab: {
      backend: infos.get('gradlab')?.backend ?? null,
      adapter: infos.get('gradlab')?.threads ?? null,
    },
    torch: probe ? { ...probe, device: torchDevice } : null,
    quick: o.quick,
    protocol: job.protocol,
    workloads,
    systems: Object.fromEntries(
      systems.map((s) => [s, infos.get(s) ?? { system: s, status: 'did not start' }]),
    ),
    results,
    ratios: rs,
    targets,
  };
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ${m.date}`,
    `GPU (nvidia-smi): ${gpus.length ? gpus.join('; ') : 'none listed'}`,
    `protocol: at least ${job.protocol.warmup} warm-up steps and ${job.protocol.warmupMinS} s of them, up to ${job.protocol.reps} timed reps (each >= ${job.protocol.minRepS} s, stop after ${job.protocol.capS} s), median quoted${o.quick ? ' (--quick: tiny sizes, not a measurement)' : ''}`,
  ];
  if (probe && !probe.cuda)
    lines.push('cuda unavailable: PyTorch ran on the CPU, so the torch column is NOT a GPU figure');
  for (const s of systems) {
    const i = infos.get(s);
    lines.push(i ? `  ${s}: ${i.version}; backend ${i.backend}; ${i.threads}` : `  ${s}: did not start`);
    for (const n of i?.notes ?? []) lines.push(`      - ${n}`);
  }
  const targetLines = targets.map(
    (t) => `  ${t.what}: ${t.ratio === null ? '–' : `${fmt(t.ratio)}×`} ${t.verdict}`,
  );
  const text = `${lines.join('\n')}\n\n${table(workloads, systems, results, infos, { labelAll: true })}\n\ntargets (issue 6):\n${targetLines.join('\n')}\n`;
  const out = o.out ?? (process.env.OUT ? join(process.env.OUT, 'gpu-bench.json') : undefined);
  if (out) {
    writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    if (!o.out) writeFileSync(join(process.env.OUT!, 'gpu-bench.txt'), text);
    log(`wrote ${out}`);
  }
  if (o.json) console.log(JSON.stringify(doc, null, 2));
  else console.log(text);
  return 0;
}

// stdout may be a pipe that takes a long --json document in parts: let it drain before exiting
void main().then((code) => process.stdout.write('', () => process.exit(code)));
