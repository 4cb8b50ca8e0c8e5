// The safetensors byte layout of Hugging Face's `safetensors` library, to and from bytes (no files: browsers too).
import { allocArray, type DType, type TypedArray } from '../core/dtype.js';
import { ArgumentError, DTypeError, FileFormatError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';

/** Tensors by name, and the free-form string metadata (`__metadata__`) of a safetensors file. */
export interface SafetensorsContent {
  /** The tensors, by name. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings (empty when the file has none). */
  metadata: Record<string, string>;
}

/**
 * The format's dtypes in the order of the library's `Dtype` enum (increasing alignment). Files are
 * written with tensors sorted by this order descending, then by name, as the library does.
 */
const DTYPE_ORDER = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
] as const;
type StDType = (typeof DTYPE_ORDER)[number];

const ST_SIZE: Record<StDType, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const TO_ST: Record<DType, StDType> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** Largest header the library accepts (100 MB). */
const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Compares strings by their UTF-8 bytes, as Rust's `String` ordering does. */
function compareUtf8(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) if (ea[i] !== eb[i]) return ea[i] - eb[i];
  return ea.length - eb.length;
}

/** Little-endian bytes of a typed array (a copy on big-endian hosts). */
function leBytes(arr: TypedArray): Uint8Array {
  const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  if (LITTLE_ENDIAN || arr.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const w = arr.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let k = 0; k < w; k++) out[i + k] = bytes[i + w - 1 - k];
  return out;
}

function entriesOf(tensors: Record<string, Tensor> | Map<string, Tensor>): [string, Tensor][] {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of list) {
    if (name === '__metadata__' || name === '')
      throw new ArgumentError(`serializeSafetensors: invalid tensor name ${JSON.stringify(name)}`);
    if (!(t instanceof Tensor))
      throw new ArgumentError(
        `serializeSafetensors: ${JSON.stringify(name)} is not a Tensor, got ${typeof t}`,
      );
  }
  return list;
}

/** The header JSON and the data chunks, in file order. */
export function safetensorsChunks(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata: Record<string, string> | undefined,
): Uint8Array[] {
  const list = entriesOf(tensors).map(([name, t]) => ({ name, t, st: TO_ST[t.dtype] }));
  list.sort((a, b) => DTYPE_ORDER.indexOf(b.st) - DTYPE_ORDER.indexOf(a.st) || compareUtf8(a.name, b.name));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort(compareUtf8)) {
      if (typeof metadata[k] !== 'string')
        throw new ArgumentError(
          `serializeSafetensors: metadata values must be strings, got ${typeof metadata[k]} for ${JSON.stringify(k)}`,
        );
      meta[k] = metadata[k];
    }
    header.__metadata__ = meta;
  }
  const data: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, st } of list) {
    const bytes = leBytes(t.dataSync());
    header[name] = { dtype: st, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    data.push(bytes);
  }
  let json = JSON.stringify(header);
  let jsonBytes = new TextEncoder().encode(json);
  const pad = (8 - (jsonBytes.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    jsonBytes = new TextEncoder().encode(json);
  }
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  return [len, jsonBytes, ...data];
}

/**
 * The bytes of a safetensors file holding `tensors` (float32 → F32, float64 → F64, int32 → I32,
 * bool → BOOL) and optional string `metadata`, laid out exactly as the Python/Rust library writes them:
 * tensors sorted by dtype alignment (largest first) then by name, header padded with spaces to 8 bytes.
 * @example const bytes = gl.serializeSafetensors({ w: gl.ones([2, 2]) }, { format: 'pt' });
 */
export function serializeSafetensors(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const chunks = safetensorsChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function bad(source: string, what: string): FileFormatError {
  return new FileFormatError(`safetensors: ${source}: ${what}`);
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Decodes one tensor's bytes into a supported dtype (see parseSafetensors for the conversions). */
function decode(
  st: StDType,
  bytes: Uint8Array,
  n: number,
  name: string,
  source: string,
): [TypedArray, DType] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const copy = (): ArrayBuffer => new Uint8Array(bytes).buffer;
  switch (st) {
    case 'F32':
      return [
        LITTLE_ENDIAN
          ? new Float32Array(copy())
          : Float32Array.from({ length: n }, (_, i) => dv.getFloat32(4 * i, true)),
        'float32',
      ];
    case 'F64':
      return [
        LITTLE_ENDIAN
          ? new Float64Array(copy())
          : Float64Array.from({ length: n }, (_, i) => dv.getFloat64(8 * i, true)),
        'float64',
      ];
    case 'I32':
      return [
        LITTLE_ENDIAN
          ? new Int32Array(copy())
          : Int32Array.from({ length: n }, (_, i) => dv.getInt32(4 * i, true)),
        'int32',
      ];
    case 'BOOL':
      return [Uint8Array.from(bytes, (b) => (b ? 1 : 0)), 'bool'];
    case 'F16':
      return [Float32Array.from({ length: n }, (_, i) => f16ToF32(dv.getUint16(2 * i, true))), 'float32'];
    case 'BF16': {
      const out = new Float32Array(n);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      return [out, 'float32'];
    }
    case 'U8':
      return [Int32Array.from(bytes), 'int32'];
    case 'I8':
      return [Int32Array.from({ length: n }, (_, i) => dv.getInt8(i)), 'int32'];
    case 'I16':
      return [Int32Array.from({ length: n }, (_, i) => dv.getInt16(2 * i, true)), 'int32'];
    case 'U16':
      return [Int32Array.from({ length: n }, (_, i) => dv.getUint16(2 * i, true)), 'int32'];
    case 'U32':
    case 'I64':
    case 'U64': {
      const out = allocArray('int32', n) as Int32Array;
      const w = ST_SIZE[st];
      for (let i = 0; i < n; i++) {
        const v =
          st === 'U32'
            ? dv.getUint32(4 * i, true)
            : st === 'I64'
              ? dv.getBigInt64(w * i, true)
              : dv.getBigUint64(w * i, true);
        if (v > 2147483647 || v < -2147483648)
          throw new DTypeError(
            `safetensors: ${source}: tensor ${JSON.stringify(name)} (${st}) holds ${v}, outside the int32 range gradlab converts ${st} to`,
          );
        out[i] = Number(v);
      }
      return [out, 'int32'];
    }
    default:
      throw new DTypeError(
        `safetensors: ${source}: tensor ${JSON.stringify(name)} has dtype ${st}, which gradlab cannot read (supported: F32, F64, I32, BOOL, F16, BF16, U8, I8, I16, U16, U32, I64, U64)`,
      );
  }
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * Parses the bytes of a safetensors file. F32/F64/I32/BOOL load as float32/float64/int32/bool;
 * F16 and BF16 convert to float32; U8, I8, I16, U16, U32, I64 and U64 convert to int32 (a value
 * outside the int32 range is a DTypeError). Corrupt input is a FileFormatError naming `source`.
 * @example const { tensors, metadata } = gl.parseSafetensors(bytes);
 */
export function parseSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsContent {
  if (bytes.length < 8)
    throw bad(source, `file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw bad(source, `header length ${n} exceeds the 100000000-byte limit`);
  const hlen = Number(n);
  if (8 + hlen > bytes.length)
    throw bad(
      source,
      `header length ${hlen} runs past the end of the file (${bytes.length - 8} bytes after the length)`,
    );
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hlen)));
  } catch (e) {
    throw bad(source, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw bad(
      source,
      `header must be a JSON object, got ${Array.isArray(header) ? 'an array' : typeof header}`,
    );
  const metadata: Record<string, string> = {};
  const infos: { name: string; st: StDType; shape: number[]; start: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        throw bad(source, `__metadata__ must be an object of strings`);
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string')
          throw bad(source, `__metadata__ value for ${JSON.stringify(k)} must be a string, got ${typeof s}`);
        metadata[k] = s;
      }
      continue;
    }
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (info === null || typeof info !== 'object')
      throw bad(source, `entry ${JSON.stringify(name)} must be an object with dtype, shape, data_offsets`);
    if (typeof info.dtype !== 'string' || !(DTYPE_ORDER as readonly string[]).includes(info.dtype))
      throw bad(source, `tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(info.dtype)}`);
    if (!isShape(info.shape))
      throw bad(source, `tensor ${JSON.stringify(name)} has an invalid shape ${JSON.stringify(info.shape)}`);
    const off = info.data_offsets;
    if (!isShape(off) || off.length !== 2)
      throw bad(source, `tensor ${JSON.stringify(name)} has invalid data_offsets ${JSON.stringify(off)}`);
    infos.push({ name, st: info.dtype as StDType, shape: info.shape, start: off[0], end: off[1] });
  }
  const dataStart = 8 + hlen;
  const dataLen = bytes.length - dataStart;
  infos.sort((a, b) => a.start - b.start || a.end - b.end);
  let expect = 0;
  for (const t of infos) {
    const q = JSON.stringify(t.name);
    if (t.end < t.start)
      throw bad(source, `tensor ${q} has data_offsets [${t.start},${t.end}] with end before start`);
    if (t.start < expect)
      throw bad(
        source,
        `tensor ${q} data_offsets [${t.start},${t.end}] overlap the previous tensor (ends at ${expect})`,
      );
    if (t.start > expect)
      throw bad(source, `tensor ${q} data_offsets [${t.start},${t.end}] leave a gap after byte ${expect}`);
    if (t.end > dataLen)
      throw bad(
        source,
        `tensor ${q} data_offsets [${t.start},${t.end}] run past the end of the data (${dataLen} bytes; file truncated?)`,
      );
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.end - t.start !== numel * ST_SIZE[t.st])
      throw bad(
        source,
        `tensor ${q} (${t.st}, shape [${t.shape.join(',')}]) needs ${numel * ST_SIZE[t.st]} bytes, data_offsets give ${t.end - t.start}`,
      );
    expect = t.end;
  }
  if (expect !== dataLen)
    throw bad(source, `the tensors cover ${expect} data bytes but the file has ${dataLen} after the header`);
  const tensors: Record<string, Tensor> = {};
  for (const t of infos) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const [arr, dtype] = decode(
      t.st,
      bytes.subarray(dataStart + t.start, dataStart + t.end),
      numel,
      t.name,
      source,
    );
    tensors[t.name] = fromTypedArray(arr, t.shape, dtype);
  }
  return { tensors, metadata };
}
