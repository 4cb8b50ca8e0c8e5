// How a tensor prints in Node (console.log, util.inspect): values like PyTorch's repr, then shape, dtype and gradFn.
import type { DType } from './dtype.js';

/** Node's inspect hook, found through the global symbol registry (no import of node:util). */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** Above this many elements only the first and last EDGE items of each dimension are shown. */
export const SUMMARY_THRESHOLD = 1000;
const EDGE = 3;

/** What printing needs of a tensor. */
export interface InspectableTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: string;
  readonly numel: number;
  readonly requiresGrad: boolean;
  readonly gradFn: { readonly op: string } | null;
  /** The values, or a reason they cannot be read synchronously (async backend, disposed). */
  readValues(): ArrayLike<number | boolean> | string;
}

/** Characters per printed line before rows wrap (PyTorch's default linewidth). */
const LINE_WIDTH = 80;

/**
 * `v.toFixed(4)` / `v.toExponential(4)` rounding exact ties to even, as C's printf (and so
 * PyTorch) does: 142.125 → "1.4212e+02", where JavaScript rounds half up ("1.4213e+2"). Thirty
 * digits tell a true tie from a near one for any double.
 */
function roundEven(v: number, exponential: boolean): string {
  const rounded = exponential ? v.toExponential(4) : v.toFixed(4);
  const exact = exponential ? v.toExponential(29) : v.toFixed(29);
  const tie = /^(-?\d*\.\d{4})50*(e.*)?$/.exec(exact);
  if (tie === null || Number(tie[1].slice(-1)) % 2 === 1) return rounded;
  return tie[1] + (tie[2] ?? '');
}

/** Four decimals in scientific notation with a two-digit exponent, as C's printf: 1.0000e-05. */
function exp4(v: number): string {
  return roundEven(v, true).replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * Formats every shown value the way PyTorch chooses for the whole tensor: integers-valued floats
 * as "1.", others with 4 decimals, both in scientific notation when the nonzero magnitudes span
 * more than 1000× or exceed 1e8 (or fall below 1e-4).
 */
function valueFormatter(values: (number | boolean)[], dtype: DType): (v: number | boolean) => string {
  if (dtype === 'bool') return (v) => String(Boolean(v));
  if (dtype === 'int32') return (v) => String(v);
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((a) => a > 0);
  const max = abs.length > 0 ? Math.max(...abs) : 0;
  const min = abs.length > 0 ? Math.min(...abs) : 0;
  const special = (v: number): string | null =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
  const wide = abs.length > 0 && (max / min > 1000 || max > 1e8);
  if (finite.every((v) => Number.isInteger(v))) {
    if (wide) return (v) => special(v as number) ?? exp4(v as number);
    return (v) => special(v as number) ?? `${(v as number).toFixed(0)}.`;
  }
  if (wide || (abs.length > 0 && min < 1e-4)) return (v) => special(v as number) ?? exp4(v as number);
  return (v) => special(v as number) ?? roundEven(v as number, false);
}

/** The indices shown along a dimension of size n (null marks the "..." gap). */
function shown(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [
    ...Array.from({ length: EDGE }, (_, i) => i),
    null,
    ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i),
  ];
}

/**
 * The values as nested brackets, rows aligned under the opening bracket at column `indent` and
 * wrapped at 80 columns: the layout of PyTorch's repr (test/fixtures/core/tensor_repr.json).
 */
export function formatValues(
  values: ArrayLike<number | boolean>,
  shape: readonly number[],
  dtype: DType,
  indent: number,
): string {
  const numel = shape.reduce((a, b) => a * b, 1);
  const summarize = numel > SUMMARY_THRESHOLD;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const picked: (number | boolean)[] = [];
  const collect = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      picked.push(values[offset]);
      return;
    }
    for (const i of shown(shape[dim], summarize)) if (i !== null) collect(dim + 1, offset + i * strides[dim]);
  };
  collect(0, 0);
  const fmt = valueFormatter(picked, dtype);
  const width = Math.max(0, ...picked.map((v) => fmt(v).length));
  const cell = (v: number | boolean): string => fmt(v).padStart(width);
  if (shape.length === 0) return fmt(values[0]);
  const render = (dim: number, offset: number, at: number): string => {
    const idx = shown(shape[dim], summarize);
    if (dim === shape.length - 1) {
      const data = idx.map((i) => (i === null ? ' ...' : cell(values[offset + i * strides[dim]])));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - at) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(at + 1))}]`;
    }
    const sep = ',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(at + 1);
    return `[${idx.map((i) => (i === null ? '...' : render(dim + 1, offset + i * strides[dim], at + 1))).join(sep)}]`;
  };
  return render(0, 0, indent);
}

/**
 * A tensor as PyTorch's repr shows it, plus its shape and dtype: values (summarised with "..."
 * above 1000 elements), then `shape`, `dtype`, `device` (the backend) and `gradFn` or
 * `requiresGrad`. Values that cannot be read synchronously are described instead.
 *
 * @example
 * inspectTensor(gl.tensor([[1, 2], [3, 4]], { requiresGrad: true }));
 * // tensor([[1., 2.],
 * //         [3., 4.]], shape=[2,2], dtype=float32, requiresGrad=true)
 */
export function inspectTensor(t: InspectableTensor): string {
  const values = t.readValues();
  const body =
    typeof values === 'string' ? `<${values}>` : formatValues(values, t.shape, t.dtype, 'tensor('.length);
  const parts = [body, `shape=[${t.shape.join(',')}]`, `dtype=${t.dtype}`, `device=${t.device}`];
  if (t.gradFn !== null) parts.push(`gradFn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) parts.push('requiresGrad=true');
  return `tensor(${parts.join(', ')})`;
}
