// The simulated physical layer of recipe `phyff`: Phys(x) = normalize(AvgPool₂(|Mx|²)) with noise, its digital twins.
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { randn } from '../ops/creation.js';
import { add, div, mul, sub } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { mean, norm } from '../ops/reduce.js';
import { reshape, transpose } from '../ops/shape.js';
import { Module } from '../nn/module.js';

/** A physical system's state: its transmission matrix M ([2·out, in]), which drift may change. */
export interface PhysicalSystem {
  M: Tensor;
  readonly out: number;
}

/** A seeded physical system: M ~ N(0, 1/in), shape [2·out, in] (AvgPool₂ halves the 2·out intensities to `out`). */
export function physicalSystem(inFeatures: number, out: number, seed: number): PhysicalSystem {
  const M = noGrad(() =>
    mul(randn([2 * out, inFeatures], { generator: new Generator(seed) }), 1 / Math.sqrt(inFeatures)),
  );
  return { M, out };
}

/** normalize(AvgPool₂(|x Mᵀ|²)) for matrix M: unit-RMS rows (L2 norm √out). Differentiable (the digital twin's forward). */
export function physicsForward(x: Tensor, M: Tensor, out: number): Tensor {
  const z = matmul(x, transpose(M, 0, 1));
  const pooled = mean(reshape(mul(z, z), [x.shape[0], out, 2]), -1);
  return mul(div(pooled, add(norm(pooled, 2, -1, true), 1e-12)), Math.sqrt(out));
}

/** The physical forward: Phys(x) with 1% (by default) multiplicative Gaussian noise on every call, never recorded. */
export function physicalForward(sys: PhysicalSystem, gen: Generator, noise = 0.01): (x: Tensor) => Tensor {
  return (x) =>
    noGrad(() => {
      const p = physicsForward(x, sys.M, sys.out);
      return noise > 0 ? mul(p, add(mul(randn(p.shape, { generator: gen }), noise), 1)) : p;
    });
}

/** M + rel·σ(M)·ε (ε ~ N(0, 1)): a 30% mismatched twin's matrix (rel 0.3) or a 10% drift of the system (rel 0.1). */
export function perturbed(M: Tensor, rel: number, seed: number): Tensor {
  return noGrad(() => {
    const sigma = Math.sqrt(mean(mul(M, M)).item());
    return add(M, mul(randn(M.shape, { generator: new Generator(seed) }), rel * sigma));
  });
}

/**
 * Physics-aware training's layer: the forward value is the physical system's (noisy) output, the gradient the
 * digital twin's (matrix `twin`): twin(x) + (phys(x) − twin(x)).detach(). With an exact twin the gradient is the
 * noiseless model's; with a mismatched one it is that of a wrong model ("BP through a mismatched digital twin").
 */
export class TwinBackedPhysics extends Module {
  constructor(
    private readonly phys: (x: Tensor) => Tensor,
    private readonly twin: Tensor,
    private readonly out: number,
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    const real = this.phys(x);
    if (!x.requiresGrad) return real;
    const t = physicsForward(x, this.twin, this.out);
    return add(t, sub(real, t).detach());
  }
}
