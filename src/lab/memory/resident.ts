// Training memory as the LST paper counts it: everything a training step keeps resident, split by kind.
import type { Storage } from '../../core/backend.js';
import { itemSize } from '../../core/dtype.js';
import { ArgumentError } from '../../core/errors.js';
import { onSaved, type SavedAccount, type SavedObserver } from '../../core/saved.js';
import type { Module } from '../../nn/module.js';

/** Bytes a training step keeps resident, by kind; `total` is their sum. */
export interface ResidentMemory {
  /** Every parameter of the model, trainable or frozen, each storage once. */
  weights: number;
  /** The trainable part of `weights`. */
  trainableWeights: number;
  /**
   * Peak bytes the tape holds for backward during the step, parameter storages left out (they are in
   * `weights`): saved activations and saved inputs, packed sizes where a pack hook (Mesa) compressed them.
   */
  activations: number;
  /** Gradients of the trainable parameters (one per trainable element, as the step left them). */
  gradients: number;
  /** Optimizer state: `optimizerSlots` tensors of each trainable parameter's size (Adam: 2 moments). */
  optimizerState: number;
  /** weights + activations + gradients + optimizerState. */
  total: number;
}

/** Options of residentMemory. */
export interface ResidentOptions {
  /** Optimizer state tensors per trainable parameter: Adam/AdamW 2, SGD with momentum 1, plain SGD 0. */
  optimizerSlots: number;
}

/**
 * Runs one training step `step` (forward and backward) of `model` and returns what training keeps
 * resident — the memory metric of Ladder Side-Tuning (Sung et al. 2022): weights (frozen ones too),
 * saved activations at their peak, gradients and optimizer state — with each part apart, so a caller
 * can also judge the activation-only part. The same definition holds for every arm of a comparison:
 * a frozen weight counts once as a weight whether or not a rule also saves it for backward.
 * @example
 * const m = gl.lab.memory.residentMemory(model, () => loss(model.forward(x), y).backward(), { optimizerSlots: 2 });
 * m.total;       // weights + activations + gradients + Adam moments, bytes
 * m.activations; // the activation-only part
 */
export function residentMemory(model: Module, step: () => void, opts: ResidentOptions): ResidentMemory {
  if (typeof step !== 'function')
    throw new ArgumentError(`lab.memory.residentMemory: expected a step function, got ${typeof step}`);
  if (!Number.isInteger(opts.optimizerSlots) || opts.optimizerSlots < 0)
    throw new ArgumentError(
      `lab.memory.residentMemory: optimizerSlots must be a non-negative integer, got ${opts.optimizerSlots}`,
    );
  const params = model.parameters();
  const paramStorages = new Set<Storage>();
  let weights = 0;
  let trainableWeights = 0;
  for (const p of params) {
    if (!paramStorages.has(p.storage)) {
      paramStorages.add(p.storage);
      weights += p.storage.byteLength;
    }
    if (p.requiresGrad) trainableWeights += p.numel * itemSize(p.dtype);
  }
  let held = 0;
  let peak = 0;
  const counted = new WeakSet<SavedAccount>();
  const observer: SavedObserver = {
    onSave(info) {
      if (info.account.storage && paramStorages.has(info.account.storage)) return;
      counted.add(info.account);
      held += info.addedBytes;
      peak = Math.max(peak, held);
    },
    onRelease(account, freed) {
      if (counted.has(account)) held -= freed;
    },
  };
  const unsubscribe = onSaved(observer);
  try {
    step();
  } finally {
    unsubscribe();
  }
  let gradients = 0;
  for (const p of params) if (p.requiresGrad && p.grad) gradients += p.grad.numel * itemSize(p.grad.dtype);
  const optimizerState = opts.optimizerSlots * trainableWeights;
  const activations = peak;
  return {
    weights,
    trainableWeights,
    activations,
    gradients,
    optimizerState,
    total: weights + activations + gradients + optimizerState,
  };
}
