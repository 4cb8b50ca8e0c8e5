// The timing protocol: warm-up, then repetitions (each of one or more steps) until the count or the time cap is reached.

export interface Protocol {
  /** Warm-up steps before timing (at least one). */
  warmup: number;
  /**
   * Warm-up continues until it has also lasted this many seconds (bounded by capS): JIT-compiled systems
   * reach their steady state only after some hundred steps (gradlab's MLP step: 5.2 ms over its first 100
   * steps, 3.3 ms after 300, measured in one process).
   */
  warmupMinS: number;
  /** Timed repetitions wanted; fewer are run when the cap is reached (never fewer than one). */
  reps: number;
  /** Seconds of timed repetitions after which no new repetition starts. */
  capS: number;
  /** A repetition runs enough steps to last at least this long (fast steps are batched). */
  minRepS: number;
  /** A workload still running after this many seconds is killed and reported as a timeout. */
  hardS: number;
}

export const PROTOCOL: Protocol = { warmup: 2, warmupMinS: 2, reps: 7, capS: 4, minRepS: 0.25, hardS: 180 };
export const QUICK_PROTOCOL: Protocol = {
  warmup: 1,
  warmupMinS: 0,
  reps: 2,
  capS: 0.5,
  minRepS: 0.02,
  hardS: 20,
};
/** The epoch: three warm-up batches, one timed epoch; capS here bounds the projected epoch time. */
export const EPOCH_PROTOCOL: Protocol = {
  warmup: 3,
  warmupMinS: 0,
  reps: 1,
  capS: 150,
  minRepS: 0,
  hardS: 330,
};

/** A first step longer than this many caps is the only one run (reported as a cold step). */
export const COLD_ONLY = 5;

/** What one system prepared for one workload. */
export interface Prepared {
  /** One timed step (a training step, a matmul, a loop of small ops, or a whole epoch). */
  step: () => unknown;
  /** A warm-up unit when it differs from `step` (the epoch warms up on single batches). */
  warm?: () => unknown;
  /** How many warm-up units one step costs, to project a step's time from warm-up (default 1). */
  unitsPerStep?: number;
  /** A short sanity line read after timing (e.g. the loss before and after). */
  check?: () => string | Promise<string>;
  dispose?: () => void;
}

export interface Timing {
  /** Seconds per step, one sample per repetition. */
  samples: number[];
  /** Steps per repetition. */
  inner: number;
  /** Seconds of the first (up to 5) warm-up units; a timed 2 s warm-up of a fast step runs thousands. */
  warmupS: number[];
  /** How many warm-up units ran. */
  warmupSteps: number;
  note?: string;
}

/** Raised when the projected step time exceeds the cap, so the workload is skipped rather than timed. */
export class OverCapError extends Error {
  override name = 'OverCapError';
}

const now = () => performance.now() / 1000;

/**
 * Times `p.step` under the protocol. Steps may return promises; they are awaited.
 * @example const t = await measure({ step: () => gl.matmul(a, b).dispose() }, PROTOCOL);
 */
export async function measure(p: Prepared, proto: Protocol): Promise<Timing> {
  const warm = p.warm ?? p.step;
  const warmupS: number[] = [];
  let warmTotal = 0;
  for (let i = 1; ; i++) {
    const t0 = now();
    await warm();
    const dt = now() - t0;
    warmupS.push(dt);
    warmTotal += dt;
    if (warmTotal > proto.capS) break;
    if (i >= Math.max(1, proto.warmup) && warmTotal >= proto.warmupMinS) break;
  }
  const est = warmupS[warmupS.length - 1] * (p.unitsPerStep ?? 1);
  if (p.unitsPerStep && est > proto.capS)
    throw new OverCapError(
      `projected ${est.toFixed(0)} s per step from warm-up exceeds the ${proto.capS} s cap`,
    );
  if (!p.unitsPerStep && warmupS[0] > COLD_ONLY * proto.capS)
    // a step far slower than the cap is run once: that single (cold) step is the figure
    return {
      samples: [warmupS[0]],
      inner: 1,
      warmupS: [],
      warmupSteps: 0,
      note: `one cold step only (it took over ${COLD_ONLY}× the ${proto.capS} s cap)`,
    };
  const inner = est >= proto.minRepS ? 1 : Math.min(100_000, Math.ceil(proto.minRepS / Math.max(est, 1e-7)));
  const samples: number[] = [];
  let total = 0;
  for (let r = 0; r < Math.max(1, proto.reps); r++) {
    const t0 = now();
    for (let k = 0; k < inner; k++) await p.step();
    const dt = now() - t0;
    samples.push(dt / inner);
    total += dt;
    if (total > proto.capS) break;
  }
  const note = samples.length < proto.reps ? `${samples.length} of ${proto.reps} reps (time cap)` : undefined;
  return { samples, inner, warmupS: warmupS.slice(0, 5), warmupSteps: warmupS.length, note };
}
