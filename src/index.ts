// gradlab's public API in Node: the portable API (./portable.ts) plus the native backend, files, named datasets,
// the Trainer and the recipes. Browsers get ./browser.ts instead (package.json's `browser` condition).
import { registerBackend } from './core/backend-registry.js';
import { createNativeBackend } from './backends/native/index.js';
import { registerWorkerPool } from './rules/population/evaluator.js';
import { createWorkerPool } from './rules/population/worker-pool.js';

registerBackend('native', createNativeBackend, 10);
registerWorkerPool(createWorkerPool);

export * from './portable.js';
export { nativeInfo } from './backends/native/index.js';
export type { NativeInfo } from './backends/native/index.js';
export type { BlasInfo } from './backends/native/addon.js';
// shadows portable's gl.data (which lacks the file readers and named datasets)
export * as data from './data/index.js';
export { saveSafetensors, loadSafetensors } from './io/safetensors.js';
// PNG rendering lives in the Node entry only: the browser entry's module graph holds no package
export * as png from './io/png.js';
export { saveImagePng } from './io/png-file.js';
export type { SaveImageOptions } from './io/png-file.js';
export * as recipes from './recipes/index.js';
export * as train from './train/index.js';
