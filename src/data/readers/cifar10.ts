// CIFAR-10 binary batches: records of one label byte and 3x32x32 pixel bytes (red, green, blue planes).
import { FileFormatError } from '../../core/errors.js';
import { readMaybeGzip } from '../../io/files.js';

/** Bytes per CIFAR-10 record: 1 label + 3 * 32 * 32 pixels. */
export const CIFAR10_RECORD = 1 + 3 * 32 * 32;

/** The examples of one batch file: `count` images as [count, 3, 32, 32] uint8 and their labels 0..9. */
export interface Cifar10Batch {
  /** Number of images. */
  count: number;
  /** Pixels, [count, 3, 32, 32] row-major, 0..255. */
  images: Uint8Array;
  /** Labels 0..9, one per image. */
  labels: Uint8Array;
}

/**
 * Decodes a CIFAR-10 binary batch; a size that is not a whole number of 3073-byte records, or a label
 * above 9, is a FileFormatError naming `source`.
 * @example const { images, labels } = gl.data.parseCifar10(bytes, 'data_batch_1.bin');
 */
export function parseCifar10(bytes: Uint8Array, source = '<bytes>'): Cifar10Batch {
  const who = `CIFAR-10 batch ${source}`;
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD !== 0)
    throw new FileFormatError(
      `${who}: size ${bytes.length} bytes is not a positive multiple of the ${CIFAR10_RECORD}-byte record (truncated or not a CIFAR-10 binary file; a full batch is 10000 records = 30730000 bytes)`,
    );
  const count = bytes.length / CIFAR10_RECORD;
  const images = new Uint8Array(count * (CIFAR10_RECORD - 1));
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR10_RECORD;
    const label = bytes[at];
    if (label > 9)
      throw new FileFormatError(
        `${who}: record ${i} has label ${label}, expected 0..9 (not a CIFAR-10 binary file?)`,
      );
    labels[i] = label;
    images.set(bytes.subarray(at + 1, at + CIFAR10_RECORD), i * (CIFAR10_RECORD - 1));
  }
  return { count, images, labels };
}

/**
 * Reads a CIFAR-10 binary batch file (raw or gzip).
 * @example
 * // doc-test: no-run: needs the CIFAR-10 binary files
 * const { images, labels } = gl.data.readCifar10('cifar-10-batches-bin/data_batch_1.bin'); // bytes, 3072 per image, and 10000 labels
 */
export function readCifar10(file: string): Cifar10Batch {
  return parseCifar10(readMaybeGzip(file, 'readCifar10'), file);
}
