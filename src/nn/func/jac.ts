// torch.func's Jacobians: jacrev (vmap over vjp rows), jacfwd (vmap over jvp columns) and hessian (jacfwd of jacrev).
import { ArgumentError } from '../../core/errors.js';
import { grad } from '../../core/functional.js';
import { enableGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { leaves, mapLeaves, vmap } from '../../core/vmap/index.js';
import { eye, zeros } from '../../ops/creation.js';
import { narrow, reshape } from '../../ops/shape.js';

/** Options of jacrev, jacfwd and hessian. */
export interface JacOptions {
  /** fn returns [output, aux]: the Jacobian is of the output, aux is returned beside it unchanged. */
  hasAux?: boolean;
}

/** The arguments with those at `argnums` made differentiable (kept as they are when they already require grad, so transforms nest). */
function differentiable(args: unknown[], argnums: number | readonly number[], what: string) {
  const nums = typeof argnums === 'number' ? [argnums] : [...argnums];
  const call = [...args];
  const ins = nums.map((i) => {
    const a = args[i];
    if (!Number.isInteger(i) || i < 0 || i >= args.length)
      throw new ArgumentError(`${what}: argnum ${i} is out of range for ${args.length} arguments`);
    if (!(a instanceof Tensor))
      throw new ArgumentError(`${what}: argument ${i} must be a tensor, got ${typeof a}`);
    const x = a.requiresGrad ? a : a.detach().requiresGrad_();
    call[i] = x;
    return x;
  });
  return { call, ins };
}

function outputsOf(raw: unknown, hasAux: boolean | undefined, what: string): [unknown, unknown, Tensor[]] {
  if (hasAux && !(Array.isArray(raw) && raw.length === 2))
    throw new ArgumentError(`${what}: with hasAux the function must return [output, aux]`);
  const out = hasAux ? (raw as unknown[])[0] : raw;
  const outs = leaves(out);
  for (const o of outs)
    if (!(o instanceof Tensor) || (o.dtype !== 'float32' && o.dtype !== 'float64'))
      throw new ArgumentError(`${what}: the function must return float tensors (or arrays/objects of them)`);
  return [out, hasAux ? (raw as unknown[])[1] : undefined, outs as Tensor[]];
}

function assemble(out: unknown, perOutput: Tensor[][], many: boolean): unknown {
  return mapLeaves(out, (_o, j) => (many ? perOutput[j] : perOutput[j][0]));
}

/**
 * The Jacobian of `fn` with respect to the arguments at `argnums`, by reverse mode: one batched vjp
 * over the rows of the identity (`torch.func.jacrev`). For an output of shape O and an input of shape
 * I the Jacobian has shape [...O, ...I]; several argnums give an array, a tree of outputs a tree.
 * @example
 * const J = gl.func.jacrev((x: gl.Tensor) => x.sin())(gl.tensor([0, 1])); // diag(cos x), [2, 2]
 */
export function jacrev<A extends unknown[]>(
  fn: (...args: A) => unknown,
  argnums: number | readonly number[] = 0,
  opts: JacOptions = {},
): (...args: A) => any {
  return (...args: A) =>
    enableGrad(() => {
      const { call, ins } = differentiable(args, argnums, 'jacrev');
      const [out, aux, outs] = outputsOf(fn(...(call as A)), opts.hasAux, 'jacrev');
      const sizes = outs.map((o) => o.numel);
      const offsets = sizes.map((_, j) => sizes.slice(0, j).reduce((a, b) => a + b, 0));
      const M = sizes.reduce((a, b) => a + b, 0);
      const live = outs.map((o, j) => j).filter((j) => outs[j].requiresGrad);
      const rows: Tensor[] = live.length
        ? (vmap((e: Tensor) => {
            const cts = live.map((j) => reshape(narrow(e, 0, offsets[j], sizes[j]), outs[j].shape));
            const g = grad(
              live.map((j) => outs[j]),
              ins,
              { gradOutputs: cts, createGraph: true, allowUnused: true },
            );
            return g.map((gi, k) => gi ?? zeros(ins[k].shape, { dtype: ins[k].dtype }));
          })(eye(M, M, { dtype: outs[0].dtype })) as Tensor[])
        : ins.map((x) => zeros([M, ...x.shape], { dtype: x.dtype }));
      const per = outs.map((o, j) =>
        ins.map((x, k) => reshape(narrow(rows[k], 0, offsets[j], sizes[j]), [...o.shape, ...x.shape])),
      );
      const jac = assemble(out, per, typeof argnums !== 'number');
      return opts.hasAux ? [jac, aux] : jac;
    });
}

/**
 * The Jacobian of `fn` with respect to the arguments at `argnums`, by forward mode: one batched jvp
 * over the columns of the identity (`torch.func.jacfwd`; the jvp is the double-vjp trick). Same shapes
 * as `jacrev`.
 * @example
 * const J = gl.func.jacfwd((x: gl.Tensor) => x.mul(x))(gl.tensor([1, 2])); // diag(2x)
 */
export function jacfwd<A extends unknown[]>(
  fn: (...args: A) => unknown,
  argnums: number | readonly number[] = 0,
  opts: JacOptions = {},
): (...args: A) => any {
  return (...args: A) =>
    enableGrad(() => {
      const { call, ins } = differentiable(args, argnums, 'jacfwd');
      const [out, aux, outs] = outputsOf(fn(...(call as A)), opts.hasAux, 'jacfwd');
      const live = outs.map((o, j) => j).filter((j) => outs[j].requiresGrad);
      // stand-in cotangents u: the vjp J^T u is linear in u, so its derivative along t is J t
      const us = live.map((j) => zeros(outs[j].shape, { dtype: outs[j].dtype }).requiresGrad_());
      const gx = live.length
        ? grad(
            live.map((j) => outs[j]),
            ins,
            { gradOutputs: us, createGraph: true, allowUnused: true },
          )
        : ins.map(() => null);
      const zerosJ = (o: Tensor, x: Tensor) => zeros([...o.shape, ...x.shape], { dtype: o.dtype });
      const perInput = ins.map((x, k) => {
        const g = gx[k];
        if (!g || !g.requiresGrad) return outs.map((o) => zerosJ(o, x));
        const n = x.numel;
        const cols = vmap((e: Tensor) => {
          const jv = grad([g], us, {
            gradOutputs: [reshape(e, x.shape)],
            createGraph: true,
            allowUnused: true,
          });
          return live.map((j, i) => jv[i] ?? zeros(outs[j].shape, { dtype: outs[j].dtype }));
        })(eye(n, n, { dtype: x.dtype })) as Tensor[];
        return outs.map((o, j) => {
          const i = live.indexOf(j);
          if (i < 0) return zerosJ(o, x);
          const c = cols[i]; // [n, ...o.shape]
          const moved = c.permute([...o.shape.map((_, d) => d + 1), 0]);
          return reshape(moved.contiguous(), [...o.shape, ...x.shape]);
        });
      });
      const per = outs.map((_o, j) => ins.map((_x, k) => perInput[k][j]));
      const jac = assemble(out, per, typeof argnums !== 'number');
      return opts.hasAux ? [jac, aux] : jac;
    });
}

/**
 * The Hessian of a scalar `fn` with respect to the arguments at `argnums`: `jacfwd(jacrev(fn))`, as
 * `torch.func.hessian` computes it. For an input of shape I the result has shape [...I, ...I].
 * @example
 * const H = gl.func.hessian((x: gl.Tensor) => x.pow(3).sum())(gl.tensor([1, 2])); // diag(6x)
 */
export function hessian<A extends unknown[]>(
  fn: (...args: A) => unknown,
  argnums: number | readonly number[] = 0,
  opts: JacOptions = {},
): (...args: A) => any {
  return jacfwd(jacrev(fn, argnums, opts), argnums, opts);
}
