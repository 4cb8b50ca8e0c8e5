// gl.linalg on webgpu (float32, one thread per matrix): every function's values and gradients against the js
// backend's float64 ones on the same inputs, and the same LinAlgError (op, batch index, words), raised by the next read.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { webgpuUnavailable } from '../../helpers/backends.js';

type Tensor = gl.Tensor;
const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu linalg tests skipped: ${missing}`);

const randn = (shape: number[], seed: number) =>
  gl.randn(shape, { dtype: 'float64', generator: new gl.Generator(seed) });
const mT = (x: Tensor) => gl.transpose(x, -2, -1);
const sym = (x: Tensor) => gl.add(x, mT(x));
/** X X^T + n I: symmetric positive-definite. */
const spd = (x: Tensor) => {
  const n = x.shape[x.ndim - 1];
  return gl.add(gl.matmul(x, mT(x)), gl.mul(gl.eye(n, n, { dtype: x.dtype }), n));
};
/** X + 3 I: well conditioned for these small X. */
const well = (x: Tensor) => gl.add(x, gl.mul(gl.eye(x.shape[x.ndim - 1], undefined, { dtype: x.dtype }), 3));
/** Each column times the sign of its first entry: eigen/singular vectors without their arbitrary sign. */
const fixCols = (v: Tensor) => gl.mul(v, gl.sign(gl.narrow(v, -2, 0, 1)).detach());

/** A float32 copy on the current backend of a js float64 tensor. */
const toF32 = (x: Float64Array, shape: readonly number[]) =>
  gl.tensor(Float32Array.from(x), { dtype: 'float32' }).reshape([...shape]);

/**
 * float32 against float64: relative 2e-3 and absolute 2e-4 times the largest reference magnitude (the
 * tolerance of the webgpu gradient checks: inputs rounded to float32, float32 arithmetic throughout).
 */
function expectClose(name: string, got: ArrayLike<number>, ref: ArrayLike<number>): void {
  expect(got.length, name).toBe(ref.length);
  let scale = 1;
  for (let j = 0; j < ref.length; j++) scale = Math.max(scale, Math.abs(ref[j]));
  for (let j = 0; j < ref.length; j++) {
    const ok = Math.abs(got[j] - ref[j]) <= 2e-4 * scale + 2e-3 * Math.abs(ref[j]);
    if (!ok) throw new Error(`${name}: element ${j}: webgpu float32 ${got[j]} vs js float64 ${ref[j]}`);
  }
}

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
}

/** Values and gradients (of sum(f * v) in every input) on js float64 and on webgpu float32. */
async function compareOnBoth(c: Case): Promise<void> {
  await gl.setBackend('js');
  const xs = c.inputs();
  const host = xs.map((x) => Float64Array.from(x.dataSync() as Float64Array));
  const run = (ins: Tensor[], v: (shape: readonly number[]) => Tensor) => {
    const leaves = ins.map((x) => x.detach().requiresGrad_());
    const y = gl.enableGrad(() => c.fn(...leaves));
    const w = v(y.shape);
    const gs = gl.grad([y], leaves, { gradOutputs: [w], allowUnused: true });
    return { y, gs };
  };
  let vHost: Float64Array | null = null;
  const ref = run(xs, (shape) => {
    const v = randn([...shape], 99);
    vHost = Float64Array.from(v.dataSync() as Float64Array);
    return v;
  });
  const refY = Float64Array.from(ref.y.dataSync() as Float64Array);
  const refG = ref.gs.map((g) => (g ? Float64Array.from(g.dataSync() as Float64Array) : null));
  await gl.setBackend('webgpu');
  try {
    const got = run(
      host.map((h, i) => toF32(h, xs[i].shape)),
      (shape) => toF32(vHost!, shape),
    );
    expectClose(`${c.name} value`, await got.y.data(), refY);
    for (let i = 0; i < refG.length; i++) {
      const g = got.gs[i];
      if (!refG[i]) expect(g).toBeNull();
      else expectClose(`${c.name} gradient of input ${i}`, await g!.data(), refG[i]!);
    }
  } finally {
    await gl.setBackend('js');
  }
}

const CASES: Case[] = [
  { name: 'cholesky (batched)', fn: (x) => gl.linalg.cholesky(spd(x)), inputs: () => [randn([2, 3, 3], 1)] },
  {
    name: 'cholesky upper',
    fn: (x) => gl.linalg.cholesky(spd(x), { upper: true }),
    inputs: () => [randn([4, 4], 2)],
  },
  { name: 'choleskyEx L', fn: (x) => gl.linalg.choleskyEx(spd(x)).L, inputs: () => [randn([3, 3], 3)] },
  {
    name: 'solve (batch broadcast)',
    fn: (a, b) => gl.linalg.solve(well(a), b),
    inputs: () => [randn([2, 3, 3], 4), randn([3, 2], 5)],
  },
  {
    name: 'solve right, vector',
    fn: (a, b) => gl.linalg.solve(well(a), b, { left: false }),
    inputs: () => [randn([4, 4], 6), randn([4], 7)],
  },
  {
    name: 'solveTriangular lower',
    fn: (a, b) => gl.linalg.solveTriangular(gl.tril(well(a)), b, { upper: false }),
    inputs: () => [randn([2, 3, 3], 8), randn([3, 2], 9)],
  },
  {
    name: 'solveTriangular upper, unit, right',
    fn: (a, b) => gl.linalg.solveTriangular(gl.triu(a), b, { upper: true, unitriangular: true, left: false }),
    inputs: () => [randn([3, 3], 10), randn([2, 3], 11)],
  },
  {
    name: 'inv (strided input)',
    fn: (a) => gl.linalg.inv(mT(well(a))),
    inputs: () => [randn([2, 4, 4], 12)],
  },
  { name: 'det', fn: (a) => gl.linalg.det(well(a)), inputs: () => [randn([3, 3, 3], 13)] },
  {
    name: 'slogdet',
    fn: (a) => gl.stack([gl.linalg.slogdet(a).sign, gl.linalg.slogdet(a).logabsdet]),
    inputs: () => [randn([3, 4, 4], 14)],
  },
  { name: 'qr Q (tall)', fn: (a) => gl.linalg.qr(a).Q, inputs: () => [randn([5, 3], 16)] },
  { name: 'qr R (wide, batched)', fn: (a) => gl.linalg.qr(a).R, inputs: () => [randn([2, 3, 4], 17)] },
  { name: 'qr complete Q', fn: (a) => gl.linalg.qr(a, 'complete').Q, inputs: () => [randn([3, 3], 18)] },
  { name: 'eigvalsh', fn: (x) => gl.linalg.eigvalsh(sym(x)), inputs: () => [randn([2, 4, 4], 19)] },
  {
    name: 'eigh vectors',
    fn: (x) => fixCols(gl.linalg.eigh(sym(x)).eigenvectors),
    inputs: () => [randn([4, 4], 20)],
  },
  {
    name: "eigh 'U' values",
    fn: (x) => gl.linalg.eigh(gl.triu(x), 'U').eigenvalues,
    inputs: () => [randn([3, 3], 21)],
  },
  { name: 'svdvals (batched)', fn: (x) => gl.linalg.svdvals(x), inputs: () => [randn([2, 4, 3], 22)] },
  {
    name: 'svd U thin',
    fn: (x) => fixCols(gl.linalg.svd(x, { fullMatrices: false }).U),
    inputs: () => [randn([4, 3], 23)],
  },
  {
    name: 'svd Vh thin (wide)',
    fn: (x) => fixCols(mT(gl.linalg.svd(x, { fullMatrices: false }).Vh)),
    inputs: () => [randn([3, 4], 24)],
  },
  {
    name: 'lstsq',
    fn: (a, b) => gl.linalg.lstsq(a, b).solution,
    inputs: () => [randn([5, 3], 25), randn([5, 2], 26)],
  },
  { name: 'pinv', fn: (a) => gl.linalg.pinv(a), inputs: () => [randn([4, 3], 27)] },
  // 1-norms above the Padé threshold (one squaring): the scaling is chosen on the device, every squaring masked by it
  { name: 'matrixExp', fn: (a) => gl.linalg.matrixExp(gl.mul(a, 4)), inputs: () => [randn([2, 3, 3], 28)] },
  { name: 'matrixNorm nuc', fn: (a) => gl.linalg.matrixNorm(a, 'nuc'), inputs: () => [randn([2, 3, 4], 29)] },
];

/** The LinAlgError a js float64 run throws synchronously. */
function jsError(f: () => unknown): gl.LinAlgError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(gl.LinAlgError);
    return e as gl.LinAlgError;
  }
  throw new Error('expected a LinAlgError on js');
}

/** The LinAlgError webgpu reports at the next read of `f`'s result (the op itself queues its check). */
async function gpuError(f: () => Tensor): Promise<gl.LinAlgError> {
  const y = f();
  try {
    await y.data();
  } catch (e) {
    expect(e).toBeInstanceOf(gl.LinAlgError);
    return e as gl.LinAlgError;
  }
  throw new Error('expected a LinAlgError on webgpu');
}

/** Runs `f` on js (float64) and webgpu (float32) with `data`: both raise the same LinAlgError. */
async function sameError(data: number[][][] | number[][], f: (a: Tensor) => Tensor): Promise<string> {
  await gl.setBackend('js');
  const want = jsError(() => f(gl.tensor(data, { dtype: 'float64' })));
  await gl.setBackend('webgpu');
  try {
    const got = await gpuError(() => f(gl.tensor(data, { dtype: 'float32' })));
    expect([got.op, got.batchIndex, got.batched, got.message]).toEqual([
      want.op,
      want.batchIndex,
      want.batched,
      want.message,
    ]);
    return got.message;
  } finally {
    await gl.setBackend('js');
  }
}

const singular = [
  [1, 2],
  [2, 4],
];
const good = [
  [4, 1],
  [1, 3],
];

describe.skipIf(missing !== null)('gl.linalg on webgpu', () => {
  afterAll(() => gl.setBackend('js'));

  it.each(CASES.map((c) => [c.name, c] as const))('%s: values and gradients as on js', async (_, c) => {
    await compareOnBoth(c);
  });

  it('singular and not positive-definite matrices: the same LinAlgError, reported by the next read', async () => {
    expect(await sameError([good, singular], (a) => gl.linalg.inv(a))).toMatch(
      /^linalg\.inv: \(Batch element 1\): .*inversion/,
    );
    expect(await sameError(singular, (a) => gl.linalg.solve(a, gl.onesLike(a)))).toMatch(
      /^linalg\.solve: The solver failed/,
    );
    expect(
      await sameError(
        [
          good,
          [
            [1, 2],
            [2, 1],
          ],
        ],
        (a) => gl.linalg.cholesky(a),
      ),
    ).toMatch(/^linalg\.cholesky: \(Batch element 1\): .*leading minor of order 2/);
    expect(
      await sameError(
        [
          [1, 0],
          [3, 0],
        ],
        (a) => gl.linalg.solveTriangular(a, gl.onesLike(a), { upper: false }),
      ),
    ).toMatch(/diagonal element 2 is zero/);
    expect(
      await sameError(
        [
          [1, 0],
          [NaN, 2],
        ],
        (a) => gl.linalg.eigvalsh(a),
      ),
    ).toMatch(/^linalg\.eigvalsh: .*NaN/);
    expect(
      await sameError(
        [
          good,
          [
            [1, Infinity],
            [0, 2],
          ],
        ],
        (a) => gl.linalg.qr(a).Q,
      ),
    ).toMatch(/^linalg\.qr: \(Batch element 1\)/);
    // a NaN anywhere in the batch is reported before a singular matrix earlier in it, as on the CPU
    expect(
      await sameError(
        [
          singular,
          [
            [1, NaN],
            [0, 1],
          ],
        ],
        (a) => gl.linalg.solve(a, gl.onesLike(a)),
      ),
    ).toMatch(/\(Batch element 1\).*NaN/);
  });

  it("a backward pass's failed solve is named after the forward op, and choleskyEx reports info instead", async () => {
    const grad = (a: Tensor) => {
      const x = a.detach().requiresGrad_();
      const [g] = gl.grad([gl.sum(gl.linalg.slogdet(x).logabsdet)], [x]);
      return g!;
    };
    expect(await sameError(singular, grad)).toMatch(/^linalg\.slogdet \(backward\): /);
    await gl.setBackend('webgpu');
    try {
      const { L, info } = gl.linalg.choleskyEx(
        gl.tensor([
          good,
          [
            [1, 2],
            [2, 1],
          ],
        ]),
      );
      expect(Array.from(await info.data())).toEqual([0, 2]);
      expect(Array.from(await L.data()).slice(4)).toEqual([1, 0, 2, 0]);
      // the failure of one read does not leak into the next
      expect(Array.from(await gl.linalg.det(gl.tensor(good)).data())[0]).toBeCloseTo(11, 4);
    } finally {
      await gl.setBackend('js');
    }
  });
});
