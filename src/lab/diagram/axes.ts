// Named axes through the recorded ops: contractions keep their free axes, views move them, reductions drop them.

/** The names of a wire's axes, one per dim; null for an unnamed axis. */
export type AxisNames = (string | null)[];

const nulls = (n: number): AxisNames => Array.from({ length: n }, () => null);

/** Right-aligned broadcast of the inputs' names onto `out`: each output axis takes the first input name of the same size. */
export function broadcastNames(
  inputs: readonly { shape: readonly number[]; axes: AxisNames }[],
  out: readonly number[],
): AxisNames {
  return out.map((size, j) => {
    const fromRight = out.length - j;
    for (const x of inputs) {
      const i = x.shape.length - fromRight;
      if (i >= 0 && x.shape[i] === size && x.axes[i]) return x.axes[i];
    }
    return null;
  });
}

/** Names after a reshape: unchanged groups keep their name, merged groups join theirs with '·', split axes lose it. */
export function reshapeNames(from: readonly number[], names: AxisNames, to: readonly number[]): AxisNames {
  const res = nulls(to.length);
  let i = 0;
  let j = 0;
  while (i < from.length || j < to.length) {
    // skip size-1 axes on either side (they carry no data to follow)
    if (i < from.length && from[i] === 1 && !(j < to.length && to[j] === 1)) {
      i++;
      continue;
    }
    if (j < to.length && to[j] === 1 && !(i < from.length && from[i] === 1)) {
      j++;
      continue;
    }
    if (i >= from.length || j >= to.length) break;
    const i0 = i;
    const j0 = j;
    let a = from[i++];
    let b = to[j++];
    while (a !== b) {
      if (a < b && i < from.length) a *= from[i++];
      else if (b < a && j < to.length) b *= to[j++];
      else return res; // sizes disagree: leave the rest unnamed
    }
    if (i - i0 === 1 && j - j0 === 1) res[j0] = names[i0];
    else if (j - j0 === 1) {
      const parts = names.slice(i0, i).filter((n): n is string => !!n);
      res[j0] = parts.length === i - i0 ? parts.join('·') : null;
    }
  }
  return res;
}

/** Output names of one recorded op given its inputs' names (unknown ops: the names of an input of the same shape). */
export function propagateNames(
  op: string,
  params: unknown,
  inputs: readonly { shape: readonly number[]; axes: AxisNames }[],
  out: readonly number[],
): AxisNames {
  const a = inputs[0];
  const b = inputs[1];
  switch (op) {
    case 'matmul':
    case 'matmulEpilogue': {
      if (!a || !b) break;
      const batchA = a.shape.length >= 2 ? a.shape.slice(0, -2) : [];
      const batchB = b.shape.length >= 2 ? b.shape.slice(0, -2) : [];
      const nBatch = out.length - (a.shape.length >= 2 ? 1 : 0) - (b.shape.length >= 2 ? 1 : 0);
      const batch = broadcastNames(
        [
          { shape: batchA, axes: a.axes.slice(0, batchA.length) },
          { shape: batchB, axes: b.axes.slice(0, batchB.length) },
        ],
        out.slice(0, nBatch),
      );
      const m = a.shape.length >= 2 ? [a.axes[a.shape.length - 2]] : [];
      const n = b.shape.length >= 2 ? [b.axes[b.shape.length - 1]] : [];
      return [...batch, ...m, ...n];
    }
    case 'conv2d':
    case 'conv2dEpilogue':
      if (!a || !b) break;
      return [a.axes[0], b.axes[0], a.axes[2], a.axes[3]];
    case 'maxPool2d':
      return a ? [...a.axes] : nulls(out.length);
    case 'permute': {
      const dims = (params as { dims: number[] }).dims;
      return dims.map((d) => a.axes[d] ?? null);
    }
    case 'reshape':
      return reshapeNames(a.shape, a.axes, out);
    case 'expand':
      return broadcastNames([a], out);
    case 'sum':
    case 'amax':
    case 'amin':
    case 'prod': {
      const { dims, keepdim } = params as { dims: number[]; keepdim: boolean };
      const r = new Set(dims.map((d) => (d < 0 ? d + a.shape.length : d)));
      return keepdim ? a.axes.map((n, i) => (r.has(i) ? null : n)) : a.axes.filter((_, i) => !r.has(i));
    }
    case 'argmax':
    case 'argmin': {
      const { dim, keepdim } = params as { dim: number; keepdim: boolean };
      const d = dim < 0 ? dim + a.shape.length : dim;
      return keepdim ? a.axes.map((n, i) => (i === d ? null : n)) : a.axes.filter((_, i) => i !== d);
    }
    default:
      break;
  }
  // elementwise ops (broadcast), slices, pads, casts, softmax, normalisation, cat: names follow the inputs
  if (inputs.some((x) => x.shape.length === out.length) || inputs.length > 0) {
    const same = inputs.find((x) => x.shape.join() === out.join());
    if (same) return [...same.axes];
    const ranked = inputs.filter((x) => x.shape.length === out.length);
    if (ranked.length) return out.map((_, j) => ranked.find((x) => x.axes[j])?.axes[j] ?? null);
    return broadcastNames(inputs, out);
  }
  return nulls(out.length);
}
