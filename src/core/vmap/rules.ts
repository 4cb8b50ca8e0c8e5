// The batching-rule table: one entry per primitive (a missing entry does not compile), mirroring the VJP table.
import type { Backend } from '../backend.js';
import { apply } from '../engine.js';
import { InternalError } from '../errors.js';
import { perOp, ELEMENTWISE_BINARY, ELEMENTWISE_UNARY, LINALG_OPS, REDUCE_OPS } from '../primitives.js';
import type { PrimitiveParams, ReduceOp } from '../primitives.js';
import { philoxWords } from '../random/philox.js';
import type { Tensor } from '../tensor.js';
import type { BatchArg, BatchRule, BatchRuleTable } from './rule-types.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);
/** The per-example rank of an argument. */
const lrank = (a: BatchArg) => a.t.shape.length - (a.batched ? 1 : 0);
const norm = (d: number, rank: number) => (d < 0 ? d + rank : d);

/** [B, ...s] -> [B, 1 (k times), ...s], as views (expand adds the ones in front, permute moves B back). */
export function insertAfterBatch(t: Tensor, k: number): Tensor {
  if (k <= 0) return t;
  const e = apply('expand', [t], { shape: [...Array<number>(k).fill(1), ...t.shape] });
  return apply('permute', [e], { dims: [k, ...range(k), ...range(t.shape.length - 1, k + 1)] });
}

/** The argument as a per-example tensor of rank `r` (batched ones get ones after the batch dim; shared ones broadcast). */
function alignTo(a: BatchArg, r: number): Tensor {
  return a.batched ? insertAfterBatch(a.t, r - lrank(a)) : a.t;
}

/** The argument with a batch dim in front (a shared one is expanded, a view). */
function materialise(a: BatchArg, B: number): Tensor {
  return a.batched ? a.t : apply('expand', [a.t], { shape: [B, ...a.t.shape] });
}

const contiguous = (t: Tensor) => (t.isContiguous ? t : apply('copy', [t], null));
const reshape = (t: Tensor, shape: number[]) => apply('reshape', [contiguous(t)], { shape });
/** [B, N, ...] -> [B*N, ...]. */
const mergeBatch = (t: Tensor) => reshape(t, [t.shape[0] * t.shape[1], ...t.shape.slice(2)]);
/** [B*N, ...] -> [B, N, ...]. */
const splitBatch = (t: Tensor, B: number) => reshape(t, [B, t.shape[0] / B, ...t.shape.slice(1)]);

/** Elementwise ops (with broadcasting): align every batched input to the result's per-example rank. */
function elementwise<P extends keyof PrimitiveParams>(op: P): BatchRule<P> {
  return (args, params) => {
    const r = Math.max(...args.map(lrank));
    return apply(
      op,
      args.map((a) => alignTo(a, r)),
      params,
    );
  };
}

function reduceRule(op: ReduceOp): BatchRule<ReduceOp> {
  return ([a], { dims, keepdim }) =>
    apply(op, [a.t], { dims: dims.map((d) => norm(d, lrank(a)) + 1), keepdim });
}

/** Ops over one dim of one input (the others materialised): shift the dim past the batch. */
function alongDim<
  P extends 'argmax' | 'argmin' | 'argsort' | 'cumsum' | 'logSoftmax' | 'logSoftmaxGrad' | 'flip',
>(op: P): BatchRule<P> {
  return (args, params, B) => {
    const r = lrank(args[0]);
    const p = { ...params } as Record<string, unknown>;
    if ('dim' in params) p.dim = norm((params as { dim: number }).dim, r) + 1;
    if ('dims' in params) p.dims = (params as { dims: number[] }).dims.map((d) => norm(d, r) + 1);
    return apply(
      op,
      args.map((a) => materialise(a, B)),
      p as PrimitiveParams[P],
    );
  };
}

/** Ops batched over their leading dims already (one input): the batch is one more leading dim. */
const leadingBatched =
  <P extends keyof PrimitiveParams>(op: P): BatchRule<P> =>
  ([a], params) =>
    apply(op, [a.t], params);

/** Ops over [N, C, H, W]-like inputs (every input materialised): fold the batch into N, run, unfold it. */
function imageRule<P extends 'unfold' | 'fold' | 'maxPool2d' | 'maxPool2dGrad'>(op: P): BatchRule<P> {
  return (args, params, B) =>
    splitBatch(
      apply(
        op,
        args.map((a) => mergeBatch(materialise(a, B))),
        params,
      ),
      B,
    );
}

/** A fresh Philox key for a batched draw: the logical draw reserved its counter range only for one example. */
function batchKey(key: [number, number], counter: number): [number, number] {
  const w = philoxWords([(key[0] ^ 0x5bd1e995) >>> 0, (key[1] + 0x27d4eb2f) >>> 0], counter, 2);
  return [w[0], w[1]];
}

/** B independent draws of `p`'s shape ([B, ...p.shape]) on `backend` (the current one by default). */
export function batchedDraw(p: PrimitiveParams['random'], B: number, backend?: Backend): Tensor {
  return apply('random', [], { ...p, shape: [B, ...p.shape], key: batchKey(p.key, p.counter) }, backend);
}

const unary = perOp(ELEMENTWISE_UNARY, (op) => elementwise(op)) as {
  [K in (typeof ELEMENTWISE_UNARY)[number]]: BatchRule<K>;
};
const binaryRules = perOp(ELEMENTWISE_BINARY, (op) => elementwise(op)) as {
  [K in (typeof ELEMENTWISE_BINARY)[number]]: BatchRule<K>;
};
const reductions = perOp(REDUCE_OPS, reduceRule) as { [K in ReduceOp]: BatchRule<K> };
const linalg = perOp(LINALG_OPS, (op) => {
  if (op === 'solve' || op === 'triangularSolve')
    return ((args: readonly BatchArg[], params: never, B: number) =>
      apply(
        op,
        args.map((a) => contiguous(materialise(a, B))),
        params,
      )) as BatchRule<typeof op>;
  return leadingBatched(op);
}) as { [K in (typeof LINALG_OPS)[number]]: BatchRule<K> };

export const batchRules: BatchRuleTable = {
  ...unary,
  ...binaryRules,
  where: elementwise('where'),
  cast: elementwise('cast'),
  copy: elementwise('copy'),
  ...reductions,
  argmax: alongDim('argmax'),
  argmin: alongDim('argmin'),
  argsort: alongDim('argsort'),
  cumsum: alongDim('cumsum'),
  logSoftmax: alongDim('logSoftmax'),
  logSoftmaxGrad: alongDim('logSoftmaxGrad'),
  matmul: (args) => {
    const r = Math.max(...args.map(lrank));
    return apply(
      'matmul',
      args.map((a) => alignTo(a, r)),
      null,
    );
  },
  ...linalg,
  reshape: ([a], { shape }) => reshape(a.t, [a.t.shape[0], ...shape]),
  permute: ([a], { dims }) => apply('permute', [a.t], { dims: [0, ...dims.map((d) => d + 1)] }),
  expand: ([a], { shape }) => {
    // [B, ...x] -> [...lead, B, ...tail] (expand adds and widens dims) -> [B, ...lead, ...tail]
    const B = a.t.shape[0];
    const k = shape.length - lrank(a);
    const e = apply('expand', [a.t], { shape: [...shape.slice(0, k), B, ...shape.slice(k)] });
    return apply('permute', [e], { dims: [k, ...range(k), ...range(shape.length - k, k + 1)] });
  },
  slice: ([a], { starts, ends, steps }) =>
    apply('slice', [a.t], { starts: [0, ...starts], ends: [a.t.shape[0], ...ends], steps: [1, ...steps] }),
  pad: ([a], { pads, value }) =>
    apply('pad', [a.t], { pads: [{ lo: 0, hi: 0, interior: 0 }, ...pads], value }),
  flip: alongDim('flip'),
  cat: (args, { dim }, B) =>
    apply(
      'cat',
      args.map((a) => materialise(a, B)),
      { dim: norm(dim, lrank(args[0])) + 1 },
    ),
  gather: (args, { dim }, B) =>
    apply(
      'gather',
      args.map((a) => materialise(a, B)),
      { dim: norm(dim, lrank(args[0])) + 1 },
    ),
  scatterAdd: (args, { dim }, B) =>
    apply(
      'scatterAdd',
      args.map((a) => contiguous(materialise(a, B))),
      { dim: norm(dim, lrank(args[0])) + 1 },
    ),
  conv2d: ([x, w], p, B) => {
    if (!w.batched) return splitBatch(apply('conv2d', [mergeBatch(x.t), w.t], p), B);
    // per-example weights: the batch becomes B groups of channels (functorch's rule)
    const xb = materialise(x, B); // [B, N, C, H, W]
    const [, N, C, H, W] = xb.shape;
    const xg = reshape(apply('permute', [xb], { dims: [1, 0, 2, 3, 4] }), [N, B * C, H, W]);
    const [, O, Cg, kh, kw] = w.t.shape;
    const wg = reshape(w.t, [B * O, Cg, kh, kw]);
    const y = apply('conv2d', [xg, wg], { ...p, groups: p.groups * B }); // [N, B*O, Ho, Wo]
    const [, , Ho, Wo] = y.shape;
    return apply('permute', [reshape(y, [N, B, O, Ho, Wo])], { dims: [1, 0, 2, 3, 4] });
  },
  unfold: imageRule('unfold'),
  fold: imageRule('fold'),
  maxPool2d: imageRule('maxPool2d'),
  maxPool2dGrad: imageRule('maxPool2dGrad'),
  full: () => {
    throw new InternalError('full: a creation op has no tensor inputs, so it never runs batched');
  },
  // a draw per example (randomness 'different'): dispatch.ts calls this with the batch size
  random: (_args, p, B) => batchedDraw(p, B),
};
