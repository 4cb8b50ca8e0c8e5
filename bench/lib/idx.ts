// A tiny IDX (MNIST file format) reader for gzip files, and the Fashion-MNIST training set as float32/int32 arrays.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX buffer of unsigned bytes (type code 0x08), any rank.
 * @example parseIdx(gunzipSync(readFileSync('train-labels-idx1-ubyte.gz'))).dims // [60000]
 */
export function parseIdx(buf: Uint8Array): IdxArray {
  if (buf.length < 4) throw new Error(`IDX: file too short (${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint16(0) !== 0) throw new Error('IDX: bad magic (first two bytes must be zero)');
  const type = buf[2];
  const rank = buf[3];
  if (type !== 0x08)
    throw new Error(`IDX: only unsigned-byte data (0x08) is supported, got 0x${type.toString(16)}`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length - start !== count)
    throw new Error(`IDX: header says ${count} values, file holds ${buf.length - start}`);
  return { dims, data: buf.subarray(start) };
}

export const readIdxGz = (path: string): IdxArray => parseIdx(gunzipSync(readFileSync(path)));

export interface Dataset {
  /** [n, rows*cols] pixels scaled to [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
  features: number;
}

/** The first `limit` (default all) Fashion-MNIST training images and labels from `dir`. */
export function loadFashionMnist(dir: string, limit?: number): Dataset {
  const img = readIdxGz(join(dir, 'train-images-idx3-ubyte.gz'));
  const lab = readIdxGz(join(dir, 'train-labels-idx1-ubyte.gz'));
  if (img.dims[0] !== lab.dims[0])
    throw new Error(`Fashion-MNIST: ${img.dims[0]} images but ${lab.dims[0]} labels`);
  const n = Math.min(limit ?? img.dims[0], img.dims[0]);
  const features = img.dims.slice(1).reduce((a, b) => a * b, 1);
  const images = new Float32Array(n * features);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
  return { images, labels: Int32Array.from(lab.data.subarray(0, n)), n, features };
}

/** Batch boundaries [start, end) covering n samples in order; the last batch may be shorter. */
export function batches(n: number, batch: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += batch) out.push([s, Math.min(n, s + batch)]);
  return out;
}
