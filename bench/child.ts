// Child process entry: runs the requested workloads for one JavaScript system and reports results as JSON lines.
// Usage (spawned by main.ts): node dist/bench/child.js <system> <job-json>
import { measure, OverCapError, type Prepared, type Protocol } from './lib/protocol.js';
import { timedResult } from './lib/outcome.js';
import { emit, type WorkloadResult } from './lib/result.js';
import { errorLine, isUnsupported, type BenchSystem } from './lib/system.js';
import type { WorkloadSpec } from './lib/workloads.js';

export interface Job {
  workloads: WorkloadSpec[];
  protocol: Protocol;
  epochProtocol: Protocol;
  /** The PyTorch peer's device (default cpu); `cpuFallback`: run on the CPU when CUDA is unavailable. */
  torch?: { device: 'cpu' | 'cuda'; cpuFallback?: boolean };
}

async function loadSystem(name: string): Promise<BenchSystem> {
  switch (name) {
    case 'gradlab':
      return (await import('./gradlab/index.js')).gradlabSystem;
    case 'tfjs-cpu':
      return (await import('./peers/tfjs.js')).tfjsSystem('cpu');
    case 'tfjs-wasm':
      return (await import('./peers/tfjs.js')).tfjsSystem('wasm');
    case 'jax-js':
      return (await import('./peers/jaxjs.js')).jaxjsSystem;
    default:
      throw new Error(`unknown system '${name}'`);
  }
}

/** Times one workload and turns the outcome (figure, unsupported, failure) into a result record. */
export async function runWorkload(
  sys: BenchSystem,
  system: string,
  spec: WorkloadSpec,
  proto: Protocol,
): Promise<WorkloadResult> {
  let prepared: Prepared | undefined;
  try {
    prepared = await sys.prepare(spec);
    const t = await measure(prepared, proto);
    return timedResult(system, spec, t, prepared.check ? await prepared.check() : undefined);
  } catch (err) {
    const base = { system, workload: spec.id, unit: spec.unit };
    if (err instanceof OverCapError) return { ...base, status: 'skipped', reason: err.message };
    return { ...base, status: isUnsupported(err) ? 'unsupported' : 'failed', reason: errorLine(err) };
  } finally {
    try {
      prepared?.dispose?.();
    } catch {
      // a failed workload may leave nothing to dispose
    }
  }
}

async function main(): Promise<void> {
  const [system, jobJson] = process.argv.slice(2);
  const job = JSON.parse(jobJson) as Job;
  let sys: BenchSystem;
  try {
    sys = await loadSystem(system);
    emit({ type: 'info', info: await sys.setup() });
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    emit({ type: 'fatal', status: missing ? 'missing' : 'failed', reason: errorLine(err) });
    await flushStdout();
    process.exit(0);
  }
  for (const spec of job.workloads) {
    emit({ type: 'start', workload: spec.id });
    const proto = spec.family === 'epoch' ? job.epochProtocol : job.protocol;
    emit({ type: 'result', result: await runWorkload(sys, system, spec, proto) });
  }
  await flushStdout();
  process.exit(0);
}

/** Resolves once everything written to stdout has been handed to the OS (a pipe may take it in parts). */
function flushStdout(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
