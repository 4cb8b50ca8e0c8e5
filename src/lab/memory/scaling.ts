// How saved memory grows with depth: peak saved bytes of plain and checkpointed steps per depth, and log-log slopes.
import { ArgumentError } from '../../core/errors.js';
import { memory, resetPeakMemory } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import type { Sequential } from '../../nn/containers.js';
import { checkpointSequence, sqrtSegments, type CheckpointPolicy } from './policies.js';

/**
 * Least-squares fit of log y = slope · log x + c: the exponent of a power law y ∝ x^slope, with R².
 * @example gl.lab.memory.logLogSlope([16, 64, 256], [4, 8, 16]).slope; // 0.5
 */
export function logLogSlope(
  xs: readonly number[],
  ys: readonly number[],
): {
  /** The fitted exponent. */
  slope: number;
  /** The fitted log-space intercept c (natural log). */
  intercept: number;
  /** Coefficient of determination of the fit in log space. */
  r2: number;
} {
  if (xs.length !== ys.length || xs.length < 2)
    throw new ArgumentError(
      `logLogSlope: expected two equally long lists of ≥ 2 values, got ${xs.length} and ${ys.length}`,
    );
  if ([...xs, ...ys].some((v) => !(v > 0)))
    throw new ArgumentError('logLogSlope: every x and y must be positive (their logarithms are fitted)');
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const n = lx.length;
  const mx = lx.reduce((a, b) => a + b, 0) / n;
  const my = ly.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
    syy += (ly[i] - my) ** 2;
  }
  if (sxx === 0) throw new ArgumentError('logLogSlope: all x values are equal');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** Peak saved bytes (gl.memory(), recomputation in backward counted) of one step at one depth. */
export interface DepthPeak {
  /** The depth n given to build. */
  depth: number;
  /** Peak saved bytes of the plain step. */
  plain: number;
  /** Peak saved bytes of the checkpointed step. */
  checkpointed: number;
}

/**
 * Peak saved bytes of one forward + backward step of `build(n)` at each depth n, run plainly and under
 * `policy` (default: the √n segments of Chen et al. 2016), with `loss` of the output.
 * @example
 * const rows = gl.lab.memory.depthSweep([16, 64, 256], (n) => mlp(n), () => gl.randn([32, 16]), (y) => y.square().mean());
 * gl.lab.memory.logLogSlope(rows.map((r) => r.depth), rows.map((r) => r.checkpointed)).slope; // ≈ 0.5
 */
export function depthSweep(
  depths: readonly number[],
  build: (depth: number) => Sequential,
  input: () => Tensor,
  loss: (y: Tensor) => Tensor,
  policy: CheckpointPolicy = sqrtSegments(),
): DepthPeak[] {
  if (depths.length === 0 || depths.some((d) => !Number.isInteger(d) || d < 1))
    throw new ArgumentError(`depthSweep: expected positive integer depths, got [${depths.join(', ')}]`);
  const peak = (net: Sequential, x: Tensor, ck: boolean): number => {
    net.zeroGrad({ setToNone: true });
    const base = memory().savedBytes;
    resetPeakMemory();
    const y = ck ? checkpointSequence(net, x, policy) : (net.forward(x) as Tensor);
    loss(y).backward();
    const p = memory().peakSavedBytes - base;
    net.zeroGrad({ setToNone: true });
    return p;
  };
  return depths.map((depth) => {
    const net = build(depth);
    const x = input();
    return { depth, plain: peak(net, x, false), checkpointed: peak(net, x, true) };
  });
}
