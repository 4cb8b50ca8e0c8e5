// safetensors files: the byte layout of Hugging Face's `safetensors` library, read and written atomically.
import type { Tensor } from '../core/tensor.js';
import { readFileBytes, writeFileAtomic } from './files.js';
import { parseSafetensors, safetensorsChunks, type SafetensorsContent } from './safetensors-format.js';

export { serializeSafetensors, parseSafetensors } from './safetensors-format.js';
export type { SafetensorsContent } from './safetensors-format.js';

/**
 * Writes `tensors` to a safetensors file atomically (temporary file in the same directory, fsync,
 * rename): a crash never leaves a half-written file under `path`.
 * @example gl.saveSafetensors('model.safetensors', model.stateDict(), { epoch: '3' });
 */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, safetensorsChunks(tensors, metadata), 'saveSafetensors');
}

/**
 * Reads a safetensors file (see parseSafetensors for dtype conversions).
 * @example
 * gl.saveSafetensors('model.safetensors', new gl.nn.Linear(4, 2).stateDict());
 * const { tensors, metadata } = gl.loadSafetensors('model.safetensors'); // tensors.weight [2, 4], tensors.bias [2]
 */
export function loadSafetensors(path: string): SafetensorsContent {
  return parseSafetensors(readFileBytes(path, 'loadSafetensors'), path);
}
