// Turning a timing (from a JS child or the Python peer) or an error into a result record, the same way for every system.
import type { Timing } from './protocol.js';
import type { WorkloadResult } from './result.js';
import { summarize } from './stats.js';
import { figure, type WorkloadSpec } from './workloads.js';

/** The result of a measured workload: the figure at the median step time, and its spread. */
export function timedResult(system: string, spec: WorkloadSpec, t: Timing, check?: string): WorkloadResult {
  const stepS = summarize(t.samples);
  const fig = (s: number) => figure(spec, s);
  return {
    system,
    workload: spec.id,
    unit: spec.unit,
    status: 'ok',
    value: fig(stepS.median),
    // the fastest step gives the best figure whichever way the figure runs
    spread: { best: fig(stepS.min), worst: fig(stepS.max), q1: fig(stepS.q1), q3: fig(stepS.q3) },
    stepS,
    reps: t.samples.length,
    inner: t.inner,
    warmupS: t.warmupS,
    warmupSteps: t.warmupSteps,
    check,
    note: t.note,
  };
}
