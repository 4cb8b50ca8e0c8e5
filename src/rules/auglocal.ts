// AugLocal: each local block's auxiliary net is a fresh copy of uniformly sampled later blocks, depths in a pyramid.
import { ArgumentError } from '../core/errors.js';
import { defaultGenerator } from '../core/random/generator.js';
import { Sequential } from '../nn/containers.js';
import type { Module } from '../nn/module.js';
import { requireParameters } from './bp.js';
import { type Block, freshChain, splitBlocks } from './local-blocks.js';
import { localLearner } from './local-learning.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';

/** AugLocal's options. */
export interface AugLocalOptions extends CommonRuleOptions {
  /** Auxiliary depth d of the first block: later hidden blocks copied into its auxiliary net (default 3). */
  depth?: number;
  /** Pyramid coefficient c in [0, 1]: depth falls linearly from d to d(1 − c) + c over the blocks (default 0.5; 0 = constant d). */
  pyramid?: number;
}

/** Python's round (half to even), as the official code rounds (2.5 → 2). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The pyramidal depth schedule of AugLocal (`networks/resnet.py` of the official code): for local modules
 * i = 0 … K−2 of K (K counts the output block), d_i = max(1, round(d·(1 − i·c/(K−2)) + i·c/(K−2))). K ≤ 2 gives [d].
 * @example gl.rules.auglocalDepths(12, 3, 0.5) // [3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2]
 */
export function auglocalDepths(modules: number, depth: number, pyramid: number): number[] {
  if (!Number.isInteger(modules) || modules < 2)
    throw new ArgumentError(`auglocalDepths: modules must be an integer >= 2, got ${modules}`);
  if (!Number.isInteger(depth) || depth < 1)
    throw new ArgumentError(`auglocalDepths: depth must be an integer >= 1, got ${depth}`);
  if (!(pyramid >= 0 && pyramid <= 1))
    throw new ArgumentError(`auglocalDepths: pyramid must be in [0, 1], got ${pyramid}`);
  const span = modules - 2;
  return Array.from({ length: modules - 1 }, (_, i) => {
    const r = span > 0 ? (i * pyramid) / span : 0;
    return Math.max(1, roundHalfEven(depth * (1 - r) + r));
  });
}

/**
 * The hidden blocks copied into block l's auxiliary net: round(l + (H − l − 1)/d · j) for j = 1 … d among the
 * H hidden blocks (every later one when d ≥ H − 1 − l), as the official code's uniform sampling.
 * @example gl.rules.auglocalSample(0, 12, 3) // [4, 7, 11]
 */
export function auglocalSample(block: number, hidden: number, depth: number): number[] {
  const remaining = hidden - 1 - block;
  if (remaining <= 0) return [];
  if (depth >= remaining) return Array.from({ length: remaining }, (_, j) => block + 1 + j);
  return Array.from({ length: depth }, (_, j) => roundHalfEven(block + (remaining / depth) * (j + 1)));
}

function checkOptions(o: AugLocalOptions): { depth: number; pyramid: number } {
  const depth = o.depth ?? 3;
  const pyramid = o.pyramid ?? 0.5;
  if (!Number.isInteger(depth) || depth < 1)
    throw new ArgumentError(`auglocal: depth must be an integer >= 1, got ${o.depth}`);
  if (!(pyramid >= 0 && pyramid <= 1))
    throw new ArgumentError(`auglocal: pyramid must be in [0, 1], got ${o.pyramid}`);
  return { depth, pyramid };
}

/** Builds the auxiliary nets: for hidden block i, fresh copies of its sampled later hidden blocks, then of the output block. */
export function auglocalAux(blocks: Block[], depth: number, pyramid: number): Sequential[] {
  const hidden = blocks.length - 1;
  const depths = auglocalDepths(blocks.length, depth, pyramid);
  return blocks.slice(0, hidden).map((b, i) => {
    const picked = auglocalSample(i, hidden, depths[i]).map((j) => blocks[j]);
    const layers = [...picked, blocks[hidden]].flatMap((p) => p.layers);
    return new Sequential(...freshChain('auglocal', layers, b.outShape));
  });
}

/**
 * AugLocal (Ma et al., ICLR 2024): local learning whose auxiliary nets copy the architecture (fresh weights) of
 * uniformly sampled later blocks plus the output block, with the pyramidal depth schedule. Works on a
 * Sequential of Linear/Conv2d/BatchNorm/Residual layers and parameter-free layers; Adam lr 1e-3 by default.
 * @example
 * const learner = gl.rules.auglocal.create(model, task, { depth: 3, pyramid: 0.5 });
 * await learner.step(x, y); // one backward per block, each on its block and auxiliary net only
 */
export const auglocal: LearningRule<AugLocalOptions> = {
  name: 'auglocal',
  summary: 'local learning with auxiliary nets copied from sampled later blocks (pyramidal depth)',
  source: 'paper 21 (AugLocal, Ma et al. ICLR 2024)',
  check(model: Module, task: TaskSpec): void {
    requireParameters('auglocal', model);
    const blocks = splitBlocks('auglocal', model, task);
    // every later layer can be rebuilt; the trial build leaves the global random stream where it was
    const state = defaultGenerator.getState();
    try {
      auglocalAux(blocks, blocks.length, 0).forEach((a) => a.parameters().forEach((p) => p.dispose()));
    } finally {
      defaultGenerator.setState(state);
    }
  },
  create(model: Module, task: TaskSpec, options: AugLocalOptions = {}): Learner {
    const { depth, pyramid } = checkOptions(options);
    requireParameters('auglocal', model);
    const blocks = splitBlocks('auglocal', model, task);
    const aux = auglocalAux(blocks, depth, pyramid);
    return localLearner('auglocal', model, task, blocks, aux, options);
  },
};
