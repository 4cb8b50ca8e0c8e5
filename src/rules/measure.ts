// Measures what one learning-rule step costs: backward walks, the largest walked sub-graph, peak saved bytes, parameters changed.
import { onBackward } from '../core/autograd.js';
import { memory, resetPeakMemory } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import type { StepStats } from './types.js';

/** A running count of forward passes a rule reports into (`counter.add(2)` for FF's positive and negative pass). */
export interface ForwardCounter {
  /** Counts `passes` forward passes over the batch (default 1). */
  add(passes?: number): void;
}

/**
 * Runs one step and measures it. `params` are the tensors whose change counts as an update (a
 * parameter counts when its version or its storage changed); `step` reports its forward passes.
 * @example
 * const { value, stats } = await measureStep(model.parameters(), async (fwd) => {
 *   fwd.add();
 *   const loss = gl.crossEntropy(model.forward(x), y);
 *   loss.backward();
 *   opt.step();
 *   return loss.item();
 * });
 * stats.backwardCalls; // 1
 */
export async function measureStep<T>(
  params: readonly Tensor[],
  step: (forward: ForwardCounter) => T | Promise<T>,
): Promise<{
  /** What `step` returned. */
  value: T;
  /** What the step did. */
  stats: StepStats;
}> {
  const before = params.map((p) => [p._version.value, p.storage] as const);
  let backwardCalls = 0;
  let largestBackwardOps = 0;
  let forwardPasses = 0;
  const counter: ForwardCounter = { add: (n = 1) => void (forwardPasses += n) };
  const stop = onBackward((info) => {
    backwardCalls++;
    if (info.nodes > largestBackwardOps) largestBackwardOps = info.nodes;
  });
  resetPeakMemory();
  const start = memory().savedBytes;
  let value: T;
  try {
    value = await step(counter);
  } finally {
    stop();
  }
  const peakSavedBytes = Math.max(0, memory().peakSavedBytes - start);
  let paramsUpdated = 0;
  params.forEach((p, i) => {
    if (p._version.value !== before[i][0] || p.storage !== before[i][1]) paramsUpdated++;
  });
  return {
    value,
    stats: { backwardCalls, largestBackwardOps, peakSavedBytes, paramsUpdated, forwardPasses },
  };
}
