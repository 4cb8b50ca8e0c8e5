// Data types, their typed-array storage, and the promotion rules of mixed-dtype ops.
import { DTypeError } from './errors.js';

/** Element types a tensor can hold. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that stores each dtype. */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}
/** The typed arrays a tensor's data comes in: one per dtype (bool is stored as Uint8Array). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

const itemSizes: { [D in DType]: number } = { float32: 4, float64: 8, int32: 4, bool: 1 };
const rank: { [D in DType]: number } = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Bytes per element. */
export function itemSize(dtype: DType): number {
  return itemSizes[dtype];
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Allocates a zero-filled typed array for `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** The dtype a typed array stores natively. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

/** PyTorch-style promotion of two tensor dtypes: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/** The dtype a JS number takes when combined with a tensor of `other` dtype (numbers are "weak"). */
export function scalarDType(value: number | boolean, other: DType): DType {
  if (typeof value === 'boolean') return other;
  if (other === 'bool') return Number.isInteger(value) ? 'int32' : 'float32';
  if (other === 'int32' && !Number.isInteger(value)) return 'float32';
  return other;
}

export function assertDType(value: unknown, where: string): DType {
  if (typeof value === 'string' && (DTYPES as readonly string[]).includes(value)) return value as DType;
  throw new DTypeError(
    `${where}: unknown dtype ${JSON.stringify(value)}; expected one of ${DTYPES.join(', ')}`,
  );
}
