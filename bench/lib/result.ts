// Result records exchanged between the child processes and the parent, and the child-side line protocol.
import type { Summary } from './stats.js';

/** ok: measured; unsupported: the system cannot run this workload; failed/timeout: it tried and did not finish; missing: the system is not installed; skipped: over the time cap. */
export type Status = 'ok' | 'unsupported' | 'failed' | 'timeout' | 'missing' | 'skipped';

export interface WorkloadResult {
  system: string;
  workload: string;
  status: Status;
  reason?: string;
  unit?: string;
  /** The headline figure from the median step time (with several rounds: the median of the rounds' figures). */
  value?: number;
  /** With several rounds: each round's figure, in round order. */
  roundValues?: number[];
  /** The figure at the best and worst repetition and at the quartiles of step time. */
  spread?: { best: number; worst: number; q1: number; q3: number };
  /** Seconds per step over the timed repetitions. */
  stepS?: Summary;
  reps?: number;
  /** Steps per repetition. */
  inner?: number;
  /** Seconds of the first (up to 5) warm-up steps, and how many warm-up steps ran. */
  warmupS?: number[];
  warmupSteps?: number;
  check?: string;
  note?: string;
}

export interface SystemInfo {
  system: string;
  /** Package and version (e.g. `@tensorflow/tfjs 4.22.0`). */
  version: string;
  /** The backend that ran (gradlab: js or native). */
  backend: string;
  threads: string;
  notes: string[];
}

export type ChildEvent =
  | { type: 'info'; info: SystemInfo }
  | { type: 'start'; workload: string }
  | { type: 'result'; result: WorkloadResult }
  /** From the Python peer: raw timings, summarized by the parent exactly like the JS children's. */
  | {
      type: 'timing';
      workload: string;
      samples: number[];
      inner: number;
      warmupS: number[];
      warmupSteps: number;
      check?: string;
      note?: string;
    }
  | { type: 'fatal'; status: 'missing' | 'failed'; reason: string };

/** Prefix of protocol lines on a child's stdout (everything else is the peer's own chatter). */
export const LINE_PREFIX = '@@bench ';

export function emit(e: ChildEvent): void {
  process.stdout.write(LINE_PREFIX + JSON.stringify(e) + '\n');
}
