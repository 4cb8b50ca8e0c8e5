// saveImagePng: an image, an image tensor or a batch of them written as a PNG file (Node).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { encodeImagePng, imagesFromTensor, upscale, type RgbImage } from './png.js';

/** Options of saveImagePng for tensors. */
export interface SaveImageOptions {
  /** Value range mapped to 0..255 (default: the tensor's min and max). */
  range?: [number, number];
  /** Grid columns for a batch [N, C, H, W] (default min(8, N)). */
  cols?: number;
  /** Integer enlargement (nearest neighbour; default 1). */
  scale?: number;
}

/**
 * Writes a PNG: an RgbImage, an image tensor ([H, W], [1|3, H, W]) or a batch [N, 1|3, H, W] as a
 * grid. Creates the folder; a write failure is a FileError naming the file.
 * @example gl.saveImagePng('adv.png', xAdv, { range: [0, 1], scale: 4 });
 */
export function saveImagePng(file: string, image: RgbImage | Tensor, opts: SaveImageOptions = {}): void {
  let img = image instanceof Tensor ? imagesFromTensor(image, opts) : image;
  if (opts.scale && opts.scale !== 1) img = upscale(img, opts.scale);
  const bytes = encodeImagePng(img);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  } catch (e) {
    throw new FileError(`saveImagePng: cannot write ${file}: ${(e as Error).message}`);
  }
}
