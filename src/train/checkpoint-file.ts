// Checkpoint files: model weights, optimizer state and trainer state in one atomically written safetensors file.
import fs from 'node:fs';
import path from 'node:path';
import { FileError, FileFormatError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { backendByName } from '../core/backend-registry.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import type { DataLoaderState } from '../data/dataloader.js';
import { writeFileAtomic } from '../io/files.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import type { JsonValue } from './metrics.js';

/** The `format` metadata value of a gradlab checkpoint file. */
export const CHECKPOINT_FORMAT = 'gradlab.checkpoint/1';

/** The pointer file a checkpoint folder keeps to its newest checkpoint. */
export const LATEST_FILE = 'latest.json';

/** One finished epoch's metrics (training and evaluation). */
export interface EpochRecord {
  /** The epoch, from 0. */
  epoch: number;
  /** Steps done at its end. */
  step: number;
  /** Its training metrics and `val*` metrics. */
  metrics: Record<string, number>;
}

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface TrainerState {
  /** Optimizer steps done. */
  step: number;
  /** The epoch in progress (or the next one, at an epoch boundary), from 0. */
  epoch: number;
  /** Batches of `epoch` done. */
  iteration: number;
  /** The training loader's position and shuffle stream. */
  loader: DataLoaderState | null;
  /** States of the saved random generators (`default` is gl.defaultGenerator). */
  generators: Record<
    string,
    {
      /** The Philox key. */
      key: [number, number];
      /** The block counter. */
      counter: number;
    }
  >;
  /** The scheduler's stateDict (null without a scheduler). */
  scheduler: JsonValue;
  /** Running states of the training metrics of the epoch in progress. */
  metrics: Record<string, JsonValue>;
  /** Callback states by key (or list position). */
  callbacks: Record<string, JsonValue>;
  /** Every finished epoch's metrics. */
  history: EpochRecord[];
  /** Anything the caller stores alongside (the CLI keeps its run config and run id here). */
  extra: JsonValue;
}

/** A checkpoint as read back: tensors (`model.*`, `optimizer.*`), the optimizer's JSON and the trainer state. */
export interface CheckpointContent {
  /** The file read. */
  file: string;
  /** Model (`model.*`) and optimizer (`optimizer.*`) tensors by name. */
  tensors: Record<string, Tensor>;
  /** The optimizer's state dict JSON (flattenStateDict's JSON part). */
  optimizer: string;
  /** The trainer's state. */
  state: TrainerState;
}

/**
 * `step-00001234.safetensors`: names sort in step order.
 * @example gl.train.checkpointFileName(1234); // 'step-00001234.safetensors'
 */
export function checkpointFileName(step: number): string {
  return `step-${String(step).padStart(8, '0')}.safetensors`;
}

/**
 * Writes one checkpoint file atomically (temporary file, fsync, rename) and points `latest.json`
 * in the same folder at it. The tensors are read with asynchronous reads, so this works on every
 * backend (webgpu included); the bytes written do not depend on the backend.
 * @example
 * declare const trainer: gl.train.Trainer;
 * declare const model: gl.nn.Module;
 * declare const optimizer: gl.optim.Adam;
 * const tensors = Object.fromEntries(model.stateDict());
 * await gl.train.writeCheckpoint('ckpt/step-00000100.safetensors', tensors, JSON.stringify(optimizer.stateDict()), trainer.state());
 */
export async function writeCheckpoint(
  file: string,
  tensors: Record<string, Tensor>,
  optimizerJson: string,
  state: TrainerState,
): Promise<void> {
  const names = Object.keys(tensors);
  const values = await Promise.all(names.map((k) => tensors[k].data()));
  const host: Record<string, Tensor> = {};
  names.forEach(
    (k, i) => (host[k] = fromTypedArray(values[i], tensors[k].shape, tensors[k].dtype, backendByName('js'))),
  );
  try {
    saveSafetensors(file, host, {
      format: CHECKPOINT_FORMAT,
      optimizer: optimizerJson,
      trainer: JSON.stringify(state),
    });
  } finally {
    for (const t of Object.values(host)) t.dispose();
  }
  const latest = {
    file: path.basename(file),
    step: state.step,
    epoch: state.epoch,
    iteration: state.iteration,
    time: new Date().toISOString(),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(latest, null, 2) + '\n');
  writeFileAtomic(path.join(path.dirname(file), LATEST_FILE), [bytes], 'checkpoint');
}

/**
 * Reads a checkpoint written by writeCheckpoint; a file that is not one is a FileFormatError.
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * const file = await new gl.train.Trainer({ model, optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }), checkpoint: { dir: 'ckpt' } }).saveCheckpoint();
 * const { state } = gl.train.readCheckpoint(file);
 * state.step; // 0
 */
export function readCheckpoint(file: string): CheckpointContent {
  const { tensors, metadata } = loadSafetensors(file);
  const fail = (why: string): never => {
    for (const t of Object.values(tensors)) t.dispose();
    throw new FileFormatError(`checkpoint ${file}: ${why}`);
  };
  if (metadata.format !== CHECKPOINT_FORMAT)
    fail(
      `not a gradlab checkpoint (metadata format ${JSON.stringify(metadata.format ?? null)}, expected "${CHECKPOINT_FORMAT}")`,
    );
  let state: TrainerState | undefined;
  try {
    state = JSON.parse(metadata.trainer ?? '') as TrainerState;
  } catch {
    fail('the trainer state is not valid JSON');
  }
  if (
    !state ||
    !Number.isInteger(state.step) ||
    !Number.isInteger(state.epoch) ||
    !Number.isInteger(state.iteration)
  )
    fail('the trainer state lacks step, epoch or iteration');
  if (typeof metadata.optimizer !== 'string') fail('no optimizer state');
  return { file, tensors, optimizer: metadata.optimizer, state: state as TrainerState };
}

/**
 * Checkpoint files in a folder, oldest step first.
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * await new gl.train.Trainer({ model, optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }), checkpoint: { dir: 'ckpt' } }).saveCheckpoint();
 * gl.train.listCheckpoints('ckpt'); // ['ckpt/step-00000000.safetensors']
 */
export function listCheckpoints(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new FileError(`checkpoint folder ${dir}: ${(e as Error).message}`);
  }
  return names
    .filter((n) => /^step-\d+\.safetensors$/.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

/**
 * The checkpoint file that `where` names: the file itself, or in a folder the one `latest.json`
 * points to (else the highest step). Throws FileError when there is none.
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * await new gl.train.Trainer({ model, optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }), checkpoint: { dir: 'ckpt' } }).saveCheckpoint();
 * gl.train.resolveCheckpoint('ckpt'); // 'ckpt/step-00000000.safetensors': the newest one
 */
export function resolveCheckpoint(where: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(where);
  } catch {
    throw new FileError(`no checkpoint at ${where}: no such file or folder`);
  }
  if (!stat.isDirectory()) return where;
  try {
    const latest = JSON.parse(fs.readFileSync(path.join(where, LATEST_FILE), 'utf8')) as { file?: unknown };
    if (typeof latest.file === 'string') {
      const f = path.join(where, path.basename(latest.file));
      if (fs.existsSync(f)) return f;
    }
  } catch {
    // no usable pointer: fall back to the highest step
  }
  const files = listCheckpoints(where);
  if (files.length === 0) throw new FileError(`no checkpoint in ${where} (no step-*.safetensors files)`);
  return files[files.length - 1];
}
