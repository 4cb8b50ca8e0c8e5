// Function-level autodiff: grad, valueAndGrad, vjp, jvp (by the double-vjp trick) and hvp.
import { runBackward, type BackwardOptions, type GradOptions } from './autograd.js';
import { GradError, fmtShape } from './errors.js';
import { pexpand, pzeros, scalarLike } from './primitive-calls.js';
import { enableGrad } from './state.js';
import { Tensor } from './tensor.js';

/**
 * Gradients of `outputs` with respect to `inputs`, like torch.autograd.grad; `.grad` is left alone.
 * @example const [gx] = gl.grad([y.sum()], [x], { createGraph: true });
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  opts: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  return runBackward(outs, opts.gradOutputs ?? outs.map(() => null), { ...opts, inputs: ins });
}

/** Accumulates gradients of `t` into the leaves' `.grad` (Tensor.prototype.backward). */
export function backward(t: Tensor, gradOutput?: Tensor | null, opts: BackwardOptions = {}): void {
  runBackward([t], [gradOutput ?? null], opts);
}

function asLeaf(t: unknown, what: string): Tensor {
  if (!(t instanceof Tensor)) throw new GradError(`${what}: expected a tensor argument, got ${typeof t}`);
  return t.detach().requiresGrad_();
}

/**
 * Wraps `fn` so that it returns its (scalar) value and its gradient with respect to the arguments
 * at `argnums` (JAX-style).
 * @example const [loss, [gw]] = gl.valueAndGrad((w) => f(w), [0])(w0);
 */
export function valueAndGrad<A extends unknown[]>(
  fn: (...args: A) => Tensor,
  argnums: number | number[] = 0,
): (...args: A) => [Tensor, Tensor | Tensor[]] {
  const nums = Array.isArray(argnums) ? argnums : [argnums];
  return (...args: A) => {
    const call = [...args] as A;
    const leaves = nums.map((i) => {
      const leaf = asLeaf(args[i], 'valueAndGrad');
      call[i] = leaf;
      return leaf;
    });
    const value = enableGrad(() => fn(...call));
    if (value.numel !== 1)
      throw new GradError(
        `valueAndGrad: fn must return a one-element tensor, got shape ${fmtShape(value.shape)}`,
      );
    const raw = value.requiresGrad ? grad([value], leaves, { allowUnused: true }) : leaves.map(() => null);
    const grads = raw.map((g, k) => g ?? pzeros(leaves[k].shape, leaves[k]));
    return [value.detach(), Array.isArray(argnums) ? grads : grads[0]];
  };
}

/**
 * Evaluates `fn(...inputs)` and pulls `cotangents` back through it: returns [outputs, input cotangents].
 * @example const [y, [gx]] = gl.vjp((x) => x.exp(), [x], [v]);
 */
export function vjp(
  fn: (...xs: Tensor[]) => Tensor | Tensor[],
  inputs: Tensor[],
  cotangents: Tensor[],
): [Tensor | Tensor[], Tensor[]] {
  const leaves = inputs.map((x) => asLeaf(x, 'vjp'));
  const out = enableGrad(() => fn(...leaves));
  const outs = Array.isArray(out) ? out : [out];
  const live = outs.map((o, k) => [o, cotangents[k]] as const).filter(([o]) => o.requiresGrad);
  const raw = live.length
    ? grad(
        live.map(([o]) => o),
        leaves,
        { gradOutputs: live.map(([, c]) => c), allowUnused: true },
      )
    : leaves.map(() => null);
  const gs = raw.map((g, k) => g ?? pzeros(leaves[k].shape, leaves[k]));
  return [Array.isArray(out) ? out.map((o) => o.detach()) : out.detach(), gs];
}

/**
 * Forward-mode product J·v, computed by differentiating a vjp with respect to its cotangent.
 * Returns [output, tangent of the output].
 * @example const [y, dy] = gl.jvp((x) => x.sin(), [x], [v]);
 */
export function jvp(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], tangents: Tensor[]): [Tensor, Tensor] {
  const leaves = inputs.map((x) => asLeaf(x, 'jvp'));
  return enableGrad(() => {
    const out = fn(...leaves);
    if (!out.requiresGrad) return [out.detach(), pzeros(out.shape, out)];
    // a stand-in cotangent: the vjp is linear in it, so differentiating with respect to it gives J·v
    const dummy = pexpand(scalarLike(0, out), out.shape).detach().requiresGrad_();
    const gx = grad([out], leaves, { gradOutputs: [dummy], createGraph: true, allowUnused: true });
    const used = gx.map((g, k) => [g, tangents[k]] as const).filter(([g]) => g && g.requiresGrad) as [
      Tensor,
      Tensor,
    ][];
    if (used.length === 0) return [out.detach(), pzeros(out.shape, out)];
    const [jv] = grad(
      used.map(([g]) => g),
      [dummy],
      { gradOutputs: used.map(([, t]) => t), allowUnused: true },
    );
    return [out.detach(), jv ?? pzeros(out.shape, out)];
  });
}

/**
 * Hessian-vector product of a scalar function: returns [value, H·v per input].
 * @example const [f0, [hv]] = gl.hvp((x) => x.pow(3).sum(), [x], [v]);
 */
export function hvp(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  vectors: Tensor[],
): [Tensor, Tensor[]] {
  const leaves = inputs.map((x) => asLeaf(x, 'hvp'));
  return enableGrad(() => {
    const value = fn(...leaves);
    if (!value.requiresGrad) return [value.detach(), leaves.map((l) => pzeros(l.shape, l))];
    const g = grad([value], leaves, { createGraph: true, allowUnused: true });
    const pairs = g.map((gi, k) => [gi, vectors[k]] as const).filter(([gi]) => gi && gi.requiresGrad) as [
      Tensor,
      Tensor,
    ][];
    const hv = pairs.length
      ? grad(
          pairs.map(([gi]) => gi),
          leaves,
          { gradOutputs: pairs.map(([, v]) => v), allowUnused: true },
        )
      : leaves.map(() => null);
    return [value.detach(), hv.map((h, k) => h ?? pzeros(leaves[k].shape, leaves[k]))];
  });
}
