// IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed, with named errors for bad files.
import { numel } from '../../core/shape.js';
import { FileFormatError } from '../../core/errors.js';
import { isGzip, gunzipBytes, readFileBytes } from '../../io/files.js';

/** Element types an IDX file can declare (third byte of the magic number). */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
const TYPES: Record<number, [IdxType, number]> = {
  0x08: ['uint8', 1],
  0x09: ['int8', 1],
  0x0b: ['int16', 2],
  0x0c: ['int32', 4],
  0x0d: ['float32', 4],
  0x0e: ['float64', 8],
};

/** The decoded contents of an IDX file: its element type, its shape and its values in row-major order. */
export interface IdxArray {
  /** The element type named by the file's magic number. */
  type: IdxType;
  /** The dims from the header. */
  shape: number[];
  /** The values, row-major, in the typed array of `type`. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** What readIdx checks the file against. */
export interface IdxOptions {
  /** The number of dimensions the file must have (1 for labels, 3 for images). */
  ndim?: number;
  /** The element type the file must have (MNIST files are uint8). */
  type?: IdxType;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/**
 * Decodes IDX bytes: magic number 00 00 <type> <ndim>, ndim big-endian int32 sizes, then big-endian data.
 * `source` names the file in errors (wrong magic number, truncated file, extra bytes).
 * @example const { shape, data } = gl.data.parseIdx(bytes, 'train-labels-idx1-ubyte');
 */
export function parseIdx(bytes: Uint8Array, source = '<bytes>', opts: IdxOptions = {}): IdxArray {
  const who = `IDX file ${source}`;
  if (bytes.length < 4)
    throw new FileFormatError(
      `${who}: truncated: ${bytes.length} bytes, expected at least a 4-byte magic number`,
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, false);
  const t = TYPES[bytes[2]];
  const ndim = bytes[3];
  const code = (type: IdxType | undefined): string =>
    type === undefined
      ? 'TT'
      : Number(Object.keys(TYPES).find((k) => TYPES[+k][0] === type))
          .toString(16)
          .padStart(2, '0');
  const expectedMagic =
    opts.type !== undefined || opts.ndim !== undefined
      ? `0x0000${code(opts.type ?? t?.[0])}${opts.ndim !== undefined ? opts.ndim.toString(16).padStart(2, '0') : 'NN'}`
      : '0x0000TTNN';
  if (
    bytes[0] !== 0 ||
    bytes[1] !== 0 ||
    !t ||
    (opts.ndim !== undefined && ndim !== opts.ndim) ||
    (opts.type !== undefined && t[0] !== opts.type)
  )
    throw new FileFormatError(`${who}: wrong magic number ${hex(magic)}, expected ${expectedMagic}`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen)
    throw new FileFormatError(
      `${who}: truncated header: ${bytes.length} bytes, expected ${headerLen} for ${ndim} dimensions`,
    );
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(dv.getUint32(4 + 4 * d, false));
  const [type, size] = t;
  const n = numel(shape);
  const want = headerLen + n * size;
  if (bytes.length !== want)
    throw new FileFormatError(
      `${who}: ${bytes.length < want ? 'truncated' : 'wrong size'}: shape [${shape.join(',')}] of ${type} needs ${want} bytes, the file has ${bytes.length}`,
    );
  const body = bytes.subarray(headerLen);
  let data: IdxArray['data'];
  switch (type) {
    case 'uint8':
      data = new Uint8Array(body);
      break;
    case 'int8':
      data = new Int8Array(new Uint8Array(body).buffer);
      break;
    case 'int16':
      data = Int16Array.from({ length: n }, (_, i) => dv.getInt16(headerLen + 2 * i, false));
      break;
    case 'int32':
      data = Int32Array.from({ length: n }, (_, i) => dv.getInt32(headerLen + 4 * i, false));
      break;
    case 'float32':
      data = Float32Array.from({ length: n }, (_, i) => dv.getFloat32(headerLen + 4 * i, false));
      break;
    case 'float64':
      data = Float64Array.from({ length: n }, (_, i) => dv.getFloat64(headerLen + 8 * i, false));
      break;
  }
  return { type, shape, data };
}

/**
 * Reads an IDX file, gunzipping it first when it starts with the gzip magic number.
 * @example const images = gl.data.readIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', { ndim: 3 });
 */
export function readIdx(file: string, opts: IdxOptions = {}): IdxArray {
  const raw = readFileBytes(file, 'readIdx');
  return parseIdx(isGzip(raw) ? gunzipBytes(raw, file, 'readIdx') : raw, file, opts);
}
