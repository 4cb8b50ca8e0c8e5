// crossEntropy's fused webgpu path against the composite (the same backend with the hook removed): values,
// gradients (first and second order), options, fallbacks, unchanged errors, dispatch counts. Skipped without an adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { fusedCrossEntropyStats } from '../../src/ops/fused-cross-entropy.js';
import { webgpuUnavailable } from '../helpers/backends.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`fused crossEntropy tests skipped: ${missing}`);

const gpu = () => backendByName('webgpu') as WebGPUBackend;

/** Runs `fn` with webgpu's fused cross-entropy hook removed (so crossEntropy takes the composite). */
async function composite<T>(fn: () => Promise<T>): Promise<T> {
  const be = gpu();
  const hook = be.fusedCrossEntropy;
  Object.defineProperty(be, 'fusedCrossEntropy', { value: undefined, configurable: true });
  try {
    return await fn();
  } finally {
    Object.defineProperty(be, 'fusedCrossEntropy', { value: hook, configurable: true });
  }
}

interface Case {
  N: number;
  C: number;
  opts: gl.CrossEntropyOptions & { ignoreRow?: boolean; classWeights?: boolean };
  /** logits given as the transpose of a [C, N] tensor (strided rows) */
  strided?: boolean;
}

/** Loss, upstream gradient for 'none', and d loss / d logits, read back. */
async function lossAndGrad(c: Case): Promise<{ loss: number[]; grad: number[] }> {
  const { N, C } = c;
  const data = Array.from({ length: N * C }, (_, i) => Math.sin(i * 1.37) * 4);
  const x = (
    c.strided ? gl.tensor(data).reshape([C, N]).transpose(0, 1) : gl.tensor(data).reshape([N, C])
  ).detach();
  x.requiresGrad_();
  const tgt = Array.from({ length: N }, (_, i) => (i * 3 + 1) % C);
  if (c.opts.ignoreRow) tgt[1] = c.opts.ignoreIndex ?? -100;
  const { ignoreRow: _i, classWeights, ...opts } = c.opts;
  if (classWeights) opts.weight = gl.tensor(Array.from({ length: C }, (_, k) => 0.25 + (k % 4) * 0.5));
  const loss = gl.crossEntropy(x, gl.tensor(Int32Array.from(tgt)), opts);
  const g =
    opts.reduction === 'none' ? gl.tensor(Array.from({ length: N }, (_, i) => 0.5 + i * 0.25)) : undefined;
  loss.backward(g);
  return { loss: Array.from(await loss.data()), grad: Array.from(await x.grad!.data()) };
}

const maxAbs = (a: number[]) => Math.max(...a.map(Math.abs));
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

const OPTIONS: Case['opts'][] = [
  {},
  { reduction: 'sum' },
  { reduction: 'none' },
  { ignoreRow: true },
  { ignoreRow: true, ignoreIndex: 3 },
  { classWeights: true },
  { labelSmoothing: 0.1 },
  { classWeights: true, labelSmoothing: 0.2, ignoreRow: true },
  { classWeights: true, labelSmoothing: 0.3, reduction: 'none' },
  { labelSmoothing: 1, reduction: 'sum' },
];
// short rows (one thread per row) and long rows (a 256-thread workgroup tree per row), dense and strided
const SHAPES: Omit<Case, 'opts'>[] = [
  { N: 9, C: 10 },
  { N: 5, C: 300 },
  { N: 6, C: 7, strided: true },
  { N: 3, C: 200, strided: true },
  { N: 600, C: 10 }, // rows and reduction in one workgroup: 3 rows per thread
  { N: 4100, C: 3 }, // over ROWS_REDUCED_MAX: rows, then the reduction
];

describe.skipIf(missing !== null)('fused crossEntropy (webgpu)', () => {
  beforeAll(async () => {
    await gl.setBackend('webgpu');
  });
  afterAll(() => gl.setBackend('js'));

  for (const shape of SHAPES)
    for (const opts of OPTIONS) {
      const c: Case = { ...shape, opts };
      it(`[${c.N}, ${c.C}]${c.strided ? ' strided' : ''} ${JSON.stringify(opts)}: equals the composite`, async () => {
        const f0 = fusedCrossEntropyStats.forward;
        const b0 = fusedCrossEntropyStats.backward;
        const fused = await lossAndGrad(c);
        expect(fusedCrossEntropyStats.forward - f0).toBe(1);
        expect(fusedCrossEntropyStats.backward - b0).toBe(1);
        const ref = await composite(() => lossAndGrad(c));
        expect(fusedCrossEntropyStats.forward - f0).toBe(1); // the composite did not take it
        // per-row losses follow the composite's float32 steps (same max, same exp-sum order); the
        // reductions sum in another order: 2e-6 relative. Gradients: other float32 rounding order, 1e-6
        // of the largest gradient (measured here: at most 1.2e-7 absolute).
        const scale = Math.max(1, maxAbs(ref.loss));
        expect(maxDiff(fused.loss, ref.loss)).toBeLessThanOrEqual(2e-6 * scale);
        expect(maxDiff(fused.grad, ref.grad)).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(ref.grad)));
        if (opts.ignoreRow) {
          const row1 = fused.grad.slice(c.C, 2 * c.C);
          expect(row1.every((v) => v === 0)).toBe(true);
        }
      });
    }

  it('equals the definition computed in float64 (lse - x[t], softmax - onehot)', async () => {
    // loss of row n = lse(x_n) - x_n[t_n]; mean over 2 rows; gradient softmax - onehot over 2
    const xs = [
      [1, 2, 3],
      [0.5, -1, 2],
    ];
    const t = [2, 0];
    const x = gl.tensor(xs).requiresGrad_();
    const loss = gl.crossEntropy(x, gl.tensor(Int32Array.from(t)));
    loss.backward();
    let want = 0;
    const wantGrad: number[] = [];
    xs.forEach((row, n) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      want += (lse - row[t[n]]) / 2;
      row.forEach((v, k) => wantGrad.push((Math.exp(v - lse) - (k === t[n] ? 1 : 0)) / 2));
    });
    expect(Math.abs((await loss.itemAsync()) - want)).toBeLessThan(1e-6);
    expect(maxDiff(Array.from(await x.grad!.data()), wantGrad)).toBeLessThan(1e-6);
  });

  const SECOND: [string, (w: gl.Tensor) => gl.CrossEntropyOptions][] = [
    ['weights, smoothing, mean', (w) => ({ weight: w, labelSmoothing: 0.15 })],
    ['smoothing, none', () => ({ labelSmoothing: 0.1, reduction: 'none' })],
    ['sum', () => ({ reduction: 'sum' })],
  ];
  for (const [name, opts] of SECOND)
    it(`second-order gradients (createGraph) go through the composite gradient: ${name}`, async () => {
      const run = async () => {
        const x = gl
          .tensor(Array.from({ length: 4 * 6 }, (_, i) => Math.cos(i * 0.9) * 2))
          .reshape([4, 6])
          .requiresGrad_();
        const w = gl.tensor([0.5, 1, 1.5, 2, 1, 0.75]);
        const t = gl.tensor(Int32Array.from([1, -100, 5, 0]));
        const o = opts(w);
        const loss = gl.crossEntropy(x, t, o);
        const up = o.reduction === 'none' ? [gl.tensor([1, 2, 0.5, -1])] : undefined;
        const [gx] = gl.grad([loss], [x], { createGraph: true, gradOutputs: up });
        const [hx] = gl.grad([gl.sum(gl.mul(gx!, gx!))], [x]);
        return { gx: Array.from(await gx!.data()), hx: Array.from(await hx!.data()) };
      };
      const f0 = fusedCrossEntropyStats.forward;
      const b0 = fusedCrossEntropyStats.backward;
      const fused = await run();
      expect(fusedCrossEntropyStats.forward - f0).toBe(1);
      expect(fusedCrossEntropyStats.backward - b0).toBe(0); // createGraph: the differentiable composite
      const ref = await composite(run);
      // the same math in another op order, float32: 1e-6 of the largest value
      expect(maxDiff(fused.gx, ref.gx)).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(ref.gx)));
      expect(maxDiff(fused.hx, ref.hx)).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(ref.hx)));
      expect(maxAbs(ref.hx)).toBeGreaterThan(1e-3); // the second derivative is not trivially zero
    });

  it('falls back to the composite where it does not fuse, with the same values', async () => {
    const cases: [string, () => gl.Tensor][] = [
      ['probability targets', () => gl.crossEntropy(x3(), gl.softmax(x3(), 1))],
      [
        '[N, C, d] logits',
        () =>
          gl.crossEntropy(
            gl.reshape(x3(), [2, 3, 2]),
            gl.tensor(Int32Array.from([0, 2, 1, 1]), {}).reshape([2, 2]),
          ),
      ],
      [
        'unbatched [C] logits',
        () => gl.crossEntropy(gl.reshape(x3(), [12]), gl.tensor(Int32Array.from([5])).reshape([])),
      ],
      [
        'class weights requiring grad',
        () =>
          gl.crossEntropy(x3(), gl.tensor(Int32Array.from([0, 3, 1, 2])), {
            weight: gl.tensor([1, 2, 0.5]).requiresGrad_(),
          }),
      ],
    ];
    for (const [name, make] of cases) {
      const f0 = fusedCrossEntropyStats.forward;
      const got = Array.from(await make().data());
      expect(fusedCrossEntropyStats.forward - f0, name).toBe(0);
      const ref = await composite(async () => Array.from(await make().data()));
      expect(got, name).toEqual(ref);
    }
  });

  it('rejects bad input with the composite errors, unchanged', async () => {
    const x = x3();
    const bad: [string, () => gl.Tensor][] = [
      [
        'smoothing',
        () => gl.crossEntropy(x, gl.tensor(Int32Array.from([0, 1, 2, 0])), { labelSmoothing: 1.5 }),
      ],
      [
        'reduction',
        () => gl.crossEntropy(x, gl.tensor(Int32Array.from([0, 1, 2, 0])), { reduction: 'avg' as 'sum' }),
      ],
      ['target shape', () => gl.crossEntropy(x, gl.tensor(Int32Array.from([0, 1, 2])))],
      ['target dtype', () => gl.crossEntropy(x, gl.tensor([0, 1, 2, 0], { dtype: 'bool' }))],
    ];
    for (const [name, make] of bad) {
      let fusedErr: unknown = null;
      let refErr: unknown = null;
      try {
        make();
      } catch (e) {
        fusedErr = e;
      }
      await composite(async () => {
        try {
          make();
        } catch (e) {
          refErr = e;
        }
      });
      expect(refErr, name).toBeInstanceOf(Error);
      expect(fusedErr, name).toBeInstanceOf((refErr as Error).constructor);
      expect((fusedErr as Error).message, name).toBe((refErr as Error).message);
    }
  });

  // short rows (C < 128) of batches up to 4096: rows and reduction in one dispatch; long rows: two
  for (const [C, forward] of [
    [10, 1],
    [300, 2],
  ])
    it(`runs the forward over [32, ${C}] in ${forward} dispatch(es) and the backward in 1`, async () => {
      const x = gl.tensor(Array.from({ length: 32 * C }, (_, i) => Math.sin(i))).reshape([32, C]);
      x.requiresGrad_();
      const t = gl.tensor(Int32Array.from({ length: 32 }, (_, i) => i % C));
      const g = gl.tensor(1); // the upstream gradient, made before counting
      const d0 = gpu().stats().dispatches;
      const loss = gl.crossEntropy(x, t, { labelSmoothing: 0.1 });
      const d1 = gpu().stats().dispatches;
      loss.backward(g);
      const d2 = gpu().stats().dispatches;
      expect(d1 - d0).toBe(forward);
      expect(d2 - d1).toBe(1);
      await x.grad!.data();
    });

  it('saves the logits: modifying them in place before backward raises the version error', () => {
    const x = gl.tensor([1, 2, 3, 4, 5, 6]).reshape([2, 3]).requiresGrad_();
    const h = gl.mul(x, 2);
    const loss = gl.crossEntropy(h, gl.tensor(Int32Array.from([0, 2])));
    gl.noGrad(() => h.add_(1));
    expect(() => loss.backward()).toThrow(/version/);
  });

  it('keeps GPU memory flat over repeated fused steps', async () => {
    const x = gl.tensor(Array.from({ length: 16 * 12 }, (_, i) => Math.sin(i))).reshape([16, 12]);
    x.requiresGrad_();
    const t = gl.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 12));
    const step = () =>
      gl.tidy(() => {
        gl.crossEntropy(x, t, { labelSmoothing: 0.05 }).backward();
        x.grad!.dispose();
        x.grad = null;
      });
    // a buffer released while its commands are unsubmitted is reused after the next submit: sync each step
    for (let i = 0; i < 3; i++) {
      step();
      await gpu().sync();
    }
    const before = { ...gpu().stats(), live: gl.memory().tensors };
    for (let i = 0; i < 50; i++) {
      step();
      await gpu().sync();
    }
    const after = { ...gpu().stats(), live: gl.memory().tensors };
    expect(after.createdBuffers).toBe(before.createdBuffers);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.live).toBe(before.live);
  });
});

/** A [4, 3] float32 tensor on the current backend. */
function x3(): gl.Tensor {
  return gl.tensor(Array.from({ length: 12 }, (_, i) => Math.sin(i * 2.1) * 2)).reshape([4, 3]);
}
