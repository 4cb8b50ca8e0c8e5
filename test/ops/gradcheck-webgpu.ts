// Gradient checks on webgpu (float32 only): every finite-difference-checked case's analytic gradients
// (first order, and second order where the case asks for it) computed on webgpu in float32 must match
// the same gradients computed on the js backend in float64, which gradcheck verifies against finite
// differences. Cases that need float64 on the device are skipped with the reason printed.
import { expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { seedCaseInputs, type Case } from './gradcheck.cases.js';

type Tensor = gl.Tensor;

/**
 * float32 against float64: relative 2e-3, absolute 2e-4 times the largest reference magnitude
 * (inputs rounded to float32, float32 arithmetic, and GPU reductions summing in another order;
 * second-order terms compound the rounding of the first-order graph).
 */
const RTOL = 2e-3;
const ATOL = 2e-4;

/** Gradient of sum(fn(xs) * v) and, for order 2, of sum_i <grad_i, u_i>, on the current backend. */
function gradients(fn: Case['fn'], xs: Tensor[], v: Tensor, us: Tensor[] | null): (Tensor | null)[][] {
  const y = gl.enableGrad(() => fn(...xs));
  if (!y.requiresGrad) return [xs.map(() => null)];
  const g1 = gl.grad([y], xs, { gradOutputs: [v], allowUnused: true, createGraph: us !== null });
  if (!us) return [g1];
  const terms = g1
    .map((g, i) => (g ? gl.sum(gl.mul(g, us[i])) : null))
    .filter((t): t is Tensor => t !== null && t.requiresGrad);
  if (!terms.length) return [g1, xs.map(() => null)];
  const s = terms.reduce((a, b) => gl.add(a, b));
  return [g1, gl.grad([s], xs, { allowUnused: true })];
}

/** A float32 webgpu copy of a js float64 tensor (a fresh leaf). */
function toGpu(x: Tensor, requiresGrad: boolean): Tensor {
  const t = gl
    .tensor(Float32Array.from(x.dataSync() as Float64Array), { dtype: 'float32' })
    .reshape([...x.shape]);
  return requiresGrad ? t.requiresGrad_() : t;
}

async function compareGrads(name: string, got: (Tensor | null)[], ref: (Tensor | null)[]): Promise<void> {
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] ? Float64Array.from(ref[i]!.dataSync() as Float64Array) : null;
    const g = got[i] ? await got[i]!.data() : null;
    if (!r && !g) continue;
    const n = (r ?? g)!.length;
    const rv = (j: number) => (r ? r[j] : 0);
    const gv = (j: number) => (g ? g[j] : 0);
    let scale = 1;
    for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(rv(j)));
    for (let j = 0; j < n; j++) {
      const diff = Math.abs(gv(j) - rv(j));
      if (!(diff <= ATOL * scale + RTOL * Math.abs(rv(j))))
        throw new Error(`${name}: input ${i}, element ${j}: webgpu float32 ${gv(j)} vs js float64 ${rv(j)}`);
    }
  }
}

/** Registers the webgpu gradient comparison of every case (called inside a describe). */
export function gradcheckWebgpuSuite(all: readonly Case[]): void {
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const order = c.order ?? 1;
    it(`${c.name}${order === 2 ? ' [order 2]' : ''}`, async (ctx) => {
      await gl.setBackend('js');
      seedCaseInputs();
      const inputs = c.inputs();
      const gen = new gl.Generator(1234);
      const y0 = gl.noGrad(() => c.fn(...inputs));
      const v = gl.randn([...y0.shape], { dtype: 'float64', generator: gen });
      const us =
        order === 2 ? inputs.map((x) => gl.randn([...x.shape], { dtype: 'float64', generator: gen })) : null;
      const ref = gradients(
        c.fn,
        inputs.map((x) => x.detach().requiresGrad_()),
        v,
        us,
      );
      await gl.setBackend('webgpu');
      let got: (Tensor | null)[][];
      try {
        got = gradients(
          c.fn,
          inputs.map((x) => toGpu(x, true)),
          toGpu(v, false),
          us && us.map((u) => toGpu(u, false)),
        );
      } catch (err) {
        if (err instanceof gl.DTypeError && /float64/.test(err.message)) {
          console.info(
            `gradcheck on webgpu: '${c.name}' skipped: the case builds float64 tensors (${err.message})`,
          );
          ctx.skip();
          return;
        }
        throw err;
      }
      expect(got.length).toBe(ref.length);
      for (let k = 0; k < ref.length; k++) await compareGrads(`${c.name} order ${k + 1}`, got[k], ref[k]);
    });
  }
}
