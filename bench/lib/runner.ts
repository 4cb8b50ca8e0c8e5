// Runs one benchmark system in child processes (JS children or the Python peer) with a watchdog; shared by main.ts and gpu.ts.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LINE_PREFIX, type ChildEvent, type Status, type SystemInfo, type WorkloadResult } from './result.js';
import { timedResult } from './outcome.js';
import { repoRoot } from './paths.js';
import { cpuFlags, openblasCoreFor } from '../../src/backends/native/cpu.js';
import type { WorkloadSpec } from './workloads.js';
import type { Job } from '../child.js';

/** The Python that runs the PyTorch peer (Debian's, which has torch); BENCH_PYTHON overrides. */
export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Seconds a workload may run in its child before it is killed (a step far slower than the caps allow). */
export function hardLimitS(spec: WorkloadSpec, job: Job): number {
  return spec.family === 'epoch' ? job.epochProtocol.hardS * job.epochProtocol.reps : job.protocol.hardS;
}

function command(system: string, job: Job, python: string): [string, string[]] {
  if (system === 'torch')
    return [python, [join(repoRoot(), 'bench', 'peers', 'torch_bench.py'), JSON.stringify(job)]];
  return [process.execPath, [join(benchDir, 'child.js'), system, JSON.stringify(job)]];
}

const torchChecked = new Map<string, string | null>();
/** Why the torch peer cannot run under `python`, or null when `import torch` works (checked once per python). */
export function torchMissing(python: string = PYTHON): string | null {
  if (!torchChecked.has(python)) torchChecked.set(python, torchImportError(python));
  return torchChecked.get(python)!;
}

function torchImportError(python: string): string | null {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${python} not runnable (${r.error.message})`;
  if (r.status !== 0) return `${python} -c 'import torch' failed: ${r.stderr.trim().split('\n').pop()}`;
  return null;
}

/** How a system's children run: gradlab's backend (GRADLAB_BACKEND) and the Python of the torch peer. */
export interface RunOptions {
  backend?: string;
  python?: string;
}

export interface SystemRun {
  info?: SystemInfo;
  results: WorkloadResult[];
}

/** Runs one system's workloads in a child; a workload past its hard limit is killed and the rest rerun in a new child. */
export async function runSystem(
  system: string,
  job: Job,
  o: RunOptions,
  baseEnv: NodeJS.ProcessEnv,
  log: (s: string) => void,
): Promise<SystemRun> {
  const out: SystemRun = { results: [] };
  const fail = (specs: WorkloadSpec[], status: Status, reason: string) =>
    out.results.push(...specs.map((s) => ({ system, workload: s.id, status, reason, unit: s.unit })));
  if (system === 'torch') {
    const why = torchMissing(o.python);
    if (why) {
      fail(job.workloads, 'missing', why);
      return out;
    }
  }
  let remaining = [...job.workloads];
  while (remaining.length) {
    const [cmd, args] = command(system, { ...job, workloads: remaining }, o.python ?? PYTHON);
    const env = { ...baseEnv };
    if (system === 'gradlab' && o.backend) env.GRADLAB_BACKEND = o.backend;
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let current: WorkloadSpec | undefined;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let fatal: ChildEvent | undefined;
    let stderr = '';
    let buf = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith(LINE_PREFIX)) continue;
        const e = JSON.parse(line.slice(LINE_PREFIX.length)) as ChildEvent;
        if (e.type === 'info') {
          out.info = e.info;
          log(`${system}: ${e.info.version}, backend ${e.info.backend}, threads ${e.info.threads}`);
        } else if (e.type === 'start') {
          current = remaining.find((w) => w.id === e.workload);
          const limit = hardLimitS(current!, job);
          log(`${system}: ${e.workload} ...`);
          clearTimeout(timer);
          timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, limit * 1000);
        } else if (e.type === 'result' || e.type === 'timing') {
          clearTimeout(timer);
          const r =
            e.type === 'result'
              ? e.result
              : timedResult(
                  system,
                  remaining.find((w) => w.id === e.workload)!,
                  e,
                  e.check,
                );
          out.results.push(r);
          remaining = remaining.filter((w) => w.id !== r.workload);
          current = undefined;
          log(
            `${system}: ${r.workload} ${r.status === 'ok' ? `${r.value!.toPrecision(4)} ${r.unit}` : `${r.status}: ${r.reason}`}`,
          );
        } else if (e.type === 'fatal') fatal = e;
      }
    });
    const code: number | null = await new Promise((res) => child.on('close', (c) => res(c)));
    clearTimeout(timer);
    if (fatal?.type === 'fatal') {
      fail(remaining, fatal.status, fatal.reason);
      break;
    }
    if (!remaining.length) break;
    const lastErr = stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
    if (!current) {
      fail(remaining, 'failed', `child exited with code ${code} before starting a workload: ${lastErr}`);
      break;
    }
    const s = current;
    if (timedOut)
      fail(
        [s],
        'timeout',
        `killed after ${hardLimitS(s, job).toFixed(0)} s (the time limit for one workload)`,
      );
    else fail([s], 'failed', `child died (exit code ${code}): ${lastErr}`);
    log(`${system}: ${s.id} ${timedOut ? 'timed out' : 'crashed'}`);
    remaining = remaining.filter((w) => w.id !== s.id);
  }
  return out;
}

/**
 * The environment of every child. Debian's OpenBLAS 0.3.21 identifies this VM's CPU (CPUID model
 * "Intel Xeon Processor") as 'Prescott' and falls back to SSE3 kernels, 5-6x slower at GEMM; unless
 * the caller set OPENBLAS_CORETYPE, every child gets the kernel family gradlab's native backend picks
 * for this CPU (SkylakeX with AVX-512, Haswell with AVX2), so torch's BLAS and gradlab's run the same
 * kernels. OPENBLAS_THREAD_TIMEOUT is left to each system (gradlab sets 4 for itself, torch keeps
 * OpenBLAS's default) unless the caller sets it, which then reaches every child.
 */
export function childEnv(): { env: NodeJS.ProcessEnv; blasNote: string } {
  const env = { ...process.env };
  const timeout =
    env.OPENBLAS_THREAD_TIMEOUT === undefined
      ? "OPENBLAS_THREAD_TIMEOUT each system's own (gradlab 4, torch OpenBLAS's default)"
      : `OPENBLAS_THREAD_TIMEOUT=${env.OPENBLAS_THREAD_TIMEOUT} (from the environment)`;
  if (env.OPENBLAS_CORETYPE !== undefined)
    return { env, blasNote: `OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE} (from the environment); ${timeout}` };
  const core = openblasCoreFor(cpuFlags());
  if (!core)
    return { env, blasNote: `OPENBLAS_CORETYPE unset (OpenBLAS detects the CPU itself); ${timeout}` };
  env.OPENBLAS_CORETYPE = core;
  return {
    env,
    blasNote: `OPENBLAS_CORETYPE=${core} set for all children (the kernel family the CPU's flags allow; OpenBLAS's own detection picks the SSE3 'Prescott' kernels on this VM); ${timeout}`,
  };
}
