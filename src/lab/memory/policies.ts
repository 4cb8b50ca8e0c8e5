// Checkpoint policies: which blocks of a sequence run under gl.checkpoint (every k-th, √n segments, predicate).
import { checkpoint } from '../../core/grad-checkpoint.js';
import { ArgumentError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { Module } from '../../nn/module.js';
import type { Sequential } from '../../nn/containers.js';

/** A run of consecutive blocks [start, end), checkpointed as one region or run plainly. */
export interface Segment {
  /** Index of the first block. */
  start: number;
  /** Index one past the last block. */
  end: number;
  /** Run under gl.checkpoint (else plainly). */
  checkpointed: boolean;
}

/** Decides, for a sequence of blocks, which runs of them are checkpointed. */
export interface CheckpointPolicy {
  /** A name for tables and messages (e.g. 'sqrt'). */
  readonly name: string;
  /** Splits the blocks (with their names) into consecutive segments covering them all, in order. */
  plan(blocks: readonly Module[], names: readonly string[]): Segment[];
}

function checkCount(fn: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`${fn}: expected a positive integer, got ${k}`);
}

function chunks(n: number, size: number): Segment[] {
  const out: Segment[] = [];
  for (let s = 0; s < n; s += size) out.push({ start: s, end: Math.min(n, s + size), checkpointed: true });
  return out;
}

/**
 * Segments of `size` consecutive blocks, each checkpointed: only segment inputs stay saved, and one
 * segment's activations are recomputed at a time in backward.
 * @example gl.lab.memory.checkpointSequence(blocks, x, gl.lab.memory.segments(4));
 */
export function segments(size: number): CheckpointPolicy {
  checkCount('segments', size);
  return { name: `segments(${size})`, plan: (b) => chunks(b.length, size) };
}

/**
 * The √n schedule (Chen et al. 2016): ⌈√n⌉ blocks per segment, so about √n segment inputs are kept
 * plus one segment's activations during its backward — O(√n) saved memory for one extra forward.
 * @example gl.lab.memory.checkpointSequence(blocks, x, gl.lab.memory.sqrtSegments());
 */
export function sqrtSegments(): CheckpointPolicy {
  return {
    name: 'sqrt(n) segments',
    plan: (b) => chunks(b.length, Math.max(1, Math.ceil(Math.sqrt(b.length)))),
  };
}

/**
 * Checkpoints every k-th block on its own (blocks k-1, 2k-1, ...); the others run plainly.
 * @example gl.lab.memory.everyKth(2) // blocks 1, 3, 5, ... recomputed in backward
 */
export function everyKth(k: number): CheckpointPolicy {
  checkCount('everyKth', k);
  return {
    name: `every ${k}th`,
    plan: (b) => b.map((_, i) => ({ start: i, end: i + 1, checkpointed: i % k === k - 1 })),
  };
}

/**
 * Checkpoints the blocks for which `pred(block, index, name)` holds, each on its own.
 * @example gl.lab.memory.wherePredicate((m) => m instanceof gl.nn.TransformerEncoderLayer)
 */
export function wherePredicate(
  pred: (block: Module, index: number, name: string) => boolean,
): CheckpointPolicy {
  return {
    name: 'predicate',
    plan: (b, names) => b.map((m, i) => ({ start: i, end: i + 1, checkpointed: pred(m, i, names[i]) })),
  };
}

/**
 * The segments a policy gives for n blocks, validated (contiguous, covering all blocks).
 * @example
 * const blocks = [1, 2, 3, 4].map(() => new gl.nn.Linear(8, 8));
 * gl.lab.memory.planSegments(gl.lab.memory.segments(2), blocks).length; // 2 segments of 2 blocks
 */
export function planSegments(
  policy: CheckpointPolicy,
  blocks: readonly Module[],
  names?: readonly string[],
): Segment[] {
  const segs = policy.plan(blocks, names ?? blocks.map((_, i) => String(i)));
  let at = 0;
  for (const s of segs) {
    if (s.start !== at || s.end <= s.start)
      throw new ArgumentError(
        `checkpoint policy ${policy.name}: segments must cover blocks 0..${blocks.length} in order; got [${s.start}, ${s.end}) after ${at}`,
      );
    at = s.end;
  }
  if (at !== blocks.length)
    throw new ArgumentError(
      `checkpoint policy ${policy.name}: segments end at ${at}, expected ${blocks.length}`,
    );
  return segs;
}

/**
 * Runs `blocks` one after another on `x`, checkpointing the segments the policy picks. Gradients are
 * identical to running them plainly; dropout inside replays its random numbers.
 * @example const y = gl.lab.memory.checkpointSequence(model.blocks, x, gl.lab.memory.sqrtSegments());
 */
export function checkpointSequence(
  blocks: readonly Module[] | Sequential,
  x: Tensor,
  policy: CheckpointPolicy,
): Tensor {
  const list = blocks instanceof Module ? [...(blocks as Sequential)] : [...blocks];
  const names = blocks instanceof Module ? blocks.namedChildren().map(([n]) => n) : undefined;
  let h = x;
  for (const s of planSegments(policy, list, names)) {
    const run = (t: Tensor): Tensor => {
      let y = t;
      for (let i = s.start; i < s.end; i++) y = list[i].forward(y) as Tensor;
      return y;
    };
    h = s.checkpointed ? checkpoint(run, h) : run(h);
  }
  return h;
}

/**
 * Makes a Sequential run under a checkpoint policy from now on (one line for a model); returns a
 * function that restores plain execution.
 * @example const undo = gl.lab.memory.applyCheckpointPolicy(model.blocks, gl.lab.memory.sqrtSegments());
 */
export function applyCheckpointPolicy(seq: Sequential, policy: CheckpointPolicy): () => void {
  const target = seq as unknown as { forward: (x: Tensor) => Tensor };
  const inner = target.forward;
  target.forward = (x: Tensor) => checkpointSequence(seq, x, policy);
  return () => {
    target.forward = inner;
  };
}
