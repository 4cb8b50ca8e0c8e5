// `npm run bench`: runs every system in its own child process, one after another, and prints the table or JSON.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, selectWorkloads, USAGE, type Options, type SystemName } from './lib/cli.js';
import { machine } from './lib/machine.js';
import { EPOCH_PROTOCOL, PROTOCOL, QUICK_PROTOCOL, type Protocol } from './lib/protocol.js';
import {
  LINE_PREFIX,
  type ChildEvent,
  type Status,
  type SystemInfo,
  type WorkloadResult,
} from './lib/result.js';
import { ratios, table } from './lib/report.js';
import { timedResult } from './lib/outcome.js';
import { repoRoot } from './lib/paths.js';
import type { WorkloadSpec } from './lib/workloads.js';
import type { Job } from './child.js';

/** The Python that runs the PyTorch peer (Debian's, which has torch); BENCH_PYTHON overrides. */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));

/** Seconds a workload may run in its child before it is killed (a step far slower than the caps allow). */
function hardLimitS(spec: WorkloadSpec, job: Job): number {
  return spec.family === 'epoch' ? job.epochProtocol.hardS * job.epochProtocol.reps : job.protocol.hardS;
}

function command(system: SystemName, job: Job): [string, string[]] {
  if (system === 'torch')
    return [PYTHON, [join(repoRoot(), 'bench', 'peers', 'torch_bench.py'), JSON.stringify(job)]];
  return [process.execPath, [join(here, 'child.js'), system, JSON.stringify(job)]];
}

let torchChecked: { why: string | null } | undefined;
/** Why the torch peer cannot run, or null when `import torch` works (checked once). */
function torchMissing(): string | null {
  if (torchChecked) return torchChecked.why;
  torchChecked = { why: torchImportError() };
  return torchChecked.why;
}

function torchImportError(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${PYTHON} not runnable (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} -c 'import torch' failed: ${r.stderr.trim().split('\n').pop()}`;
  return null;
}

interface SystemRun {
  info?: SystemInfo;
  results: WorkloadResult[];
}

/** Runs one system's workloads in a child; a workload past its hard limit is killed and the rest rerun in a new child. */
async function runSystem(
  system: SystemName,
  job: Job,
  o: Options,
  baseEnv: NodeJS.ProcessEnv,
  log: (s: string) => void,
): Promise<SystemRun> {
  const out: SystemRun = { results: [] };
  const fail = (specs: WorkloadSpec[], status: Status, reason: string) =>
    out.results.push(...specs.map((s) => ({ system, workload: s.id, status, reason, unit: s.unit })));
  if (system === 'torch') {
    const why = torchMissing();
    if (why) {
      fail(job.workloads, 'missing', why);
      return out;
    }
  }
  let remaining = [...job.workloads];
  while (remaining.length) {
    const [cmd, args] = command(system, { ...job, workloads: remaining });
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
 * the caller set OPENBLAS_CORETYPE, every child gets 'Haswell' (AVX2) where the CPU has AVX2.
 * This reaches torch's BLAS and any OpenBLAS that gradlab's native backend loads alike.
 */
function childEnv(): { env: NodeJS.ProcessEnv; blasNote: string } {
  const env = { ...process.env };
  if (env.OPENBLAS_CORETYPE !== undefined)
    return { env, blasNote: `OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE} (from the environment)` };
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: OpenBLAS's own detection stands
  }
  if (!/\bavx2\b/.test(flags))
    return { env, blasNote: 'OPENBLAS_CORETYPE unset (OpenBLAS detects the CPU itself)' };
  env.OPENBLAS_CORETYPE = 'Haswell';
  return {
    env,
    blasNote:
      "OPENBLAS_CORETYPE=Haswell set for all children (OpenBLAS's own detection picks the SSE3 'Prescott' kernels on this VM)",
  };
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (o.help) {
    console.log(USAGE);
    return;
  }
  const workloads = selectWorkloads(o);
  const base: Protocol = o.quick ? QUICK_PROTOCOL : PROTOCOL;
  const epochCap = o.epochCapS ?? EPOCH_PROTOCOL.capS;
  const job: Job = {
    workloads,
    protocol: { ...base, reps: o.reps ?? base.reps },
    epochProtocol: {
      ...EPOCH_PROTOCOL,
      reps: o.reps ?? EPOCH_PROTOCOL.reps,
      warmup: o.quick ? 1 : EPOCH_PROTOCOL.warmup,
      capS: epochCap,
      // the projection can be off (the first batches run cold): leave room before killing
      hardS: Math.max(EPOCH_PROTOCOL.hardS, 2 * epochCap + 60),
    },
  };
  const log = (s: string) => process.stderr.write(s + '\n');
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
  const { env, blasNote } = childEnv();
  log(blasNote);
  const infos = new Map<string, SystemInfo>();
  const results: WorkloadResult[] = [];
  const status: Record<string, string> = {};
  // workload-major order: every system runs a workload close in time to the others (this machine is
  // shared, so load drifts); each (system, workload) pair gets a fresh child process
  const dead = new Map<string, { status: Status; reason?: string }>();
  for (const spec of workloads)
    for (const system of o.systems) {
      const d = dead.get(system);
      if (d) {
        results.push({ system, workload: spec.id, unit: spec.unit, ...d });
        continue;
      }
      const r = await runSystem(system, { ...job, workloads: [spec] }, o, env, log);
      if (r.info && !infos.has(system)) infos.set(system, r.info);
      results.push(...r.results);
      if (!r.info && r.results[0])
        dead.set(system, { status: r.results[0].status, reason: r.results[0].reason });
    }
  for (const s of o.systems)
    status[s] = infos.has(s) ? 'ran' : `${dead.get(s)?.status}: ${dead.get(s)?.reason}`;
  const loadEnd = Math.round(os.loadavg()[0] * 100) / 100;
  const doc = {
    machine: { ...m, loadAvgEnd: loadEnd },
    protocol: job.protocol,
    epochProtocol: job.epochProtocol,
    workloads,
    systems: Object.fromEntries(o.systems.map((s) => [s, infos.get(s) ?? { system: s, status: status[s] }])),
    results,
    ratios: ratios(workloads, results),
  };
  if (o.out) writeFileSync(o.out, JSON.stringify(doc, null, 2) + '\n');
  if (o.json) {
    console.log(JSON.stringify(doc, null, 2));
    return;
  }
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ${m.date}`,
    `load average (1 min) at start ${m.loadAvg}, at end ${loadEnd} (the machine is shared; above ~${m.cores} means contended figures)`,
    blasNote,
    `protocol: ${job.protocol.warmup} warm-up steps, up to ${job.protocol.reps} timed reps (each >= ${job.protocol.minRepS} s, stop after ${job.protocol.capS} s), median quoted`,
  ];
  for (const s of o.systems) {
    const i = infos.get(s);
    lines.push(
      i ? `  ${s}: ${i.version}; backend ${i.backend}; threads ${i.threads}` : `  ${s}: ${status[s]}`,
    );
    for (const n of i?.notes ?? []) lines.push(`      - ${n}`);
  }
  console.log(lines.join('\n') + '\n\n' + table(workloads, o.systems, results, infos));
}

void main();
