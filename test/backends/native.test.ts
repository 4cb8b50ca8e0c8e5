// The native backend against the js backend (the reference) on inputs large and strided enough to take
// every addon path: broadcasting, transposed views, threads, BLAS layouts, windows and indexing.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { loadAddon } from '../../src/backends/native/addon.js';
import { apply } from '../../src/core/engine.js';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS } from '../../src/core/primitives.js';
import { useBackend } from '../helpers/backends.js';

type Tensor = gl.Tensor;
type DT = 'float32' | 'float64';
const hasNative = gl.availableBackends().includes('native');

describe('native availability', () => {
  it('loads here when CI requires it (GRADLAB_REQUIRE_NATIVE=1)', () => {
    if (process.env.GRADLAB_REQUIRE_NATIVE === '1') expect(gl.availableBackends()).toContain('native');
    else expect(typeof hasNative).toBe('boolean');
  });

  it('names the recorded build failure when the addon is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'gl-native-'));
    mkdirSync(join(root, 'native'));
    expect(() => loadAddon(root)).toThrow(/native addon not built: the addon was never built/);
    writeFileSync(join(root, 'native', 'build-failure.txt'), 'no CBLAS found by pkg-config\n');
    expect(() => loadAddon(root)).toThrow(gl.BackendError);
    expect(() => loadAddon(root)).toThrow(/native addon not built: no CBLAS found by pkg-config/);
  });
});

/** Deterministic values in [-2, 2) (mulberry32) with a few specials when asked. */
function values(n: number, seed: number, specials = false): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 4 - 2);
  }
  if (specials && n >= 8) [out[1], out[3], out[5], out[7]] = [NaN, Infinity, -Infinity, 0];
  return out;
}

/** Runs `fn` on js and on native with the same inputs; returns both results as plain arrays. */
async function both(
  make: () => Tensor | Tensor[],
): Promise<{ js: number[][]; native: number[][]; dtypes: string[] }> {
  const run = async (b: gl.BackendName) => {
    await useBackend(b);
    const r = make();
    const list = Array.isArray(r) ? r : [r];
    return {
      arrays: list.map((t) => Array.from(t.dataSync() as ArrayLike<number>)),
      dtypes: list.map((t) => t.dtype),
    };
  };
  const js = await run('js');
  const native = await run('native');
  await useBackend('native');
  return { js: js.arrays, native: native.arrays, dtypes: js.dtypes };
}

function close(a: number[], b: number[], rtol: number, atol: number): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return `element ${i}: ${x} vs ${y}`;
      continue;
    }
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(x))) return `element ${i}: js ${x} vs native ${y}`;
  }
  return null;
}

async function expectSame(
  make: () => Tensor | Tensor[],
  dtype: DT = 'float32',
  rtol?: number,
): Promise<void> {
  const r = await both(make);
  const tol = rtol ?? (dtype === 'float64' ? 1e-12 : 2e-6);
  r.js.forEach((a, k) => {
    expect(close(a, r.native[k], tol, tol)).toBeNull();
  });
}

const t = (shape: number[], seed: number, dtype: DT = 'float32', specials = false): Tensor =>
  gl
    .tensor(
      values(
        shape.reduce((a, b) => a * b, 1),
        seed,
        specials,
      ),
      { dtype },
    )
    .reshape(shape);

describe.skipIf(!hasNative)('native kernels equal the js kernels', () => {
  afterAll(() => useBackend(hasNative ? 'native' : 'js'));

  const unaryOps = UNARY_OPS;
  for (const dtype of ['float32', 'float64'] as const)
    for (const op of unaryOps)
      it(`${op} ${dtype}: contiguous, transposed, with NaN/Inf/0`, async () => {
        const f = (gl as unknown as Record<string, (x: Tensor) => Tensor>)[op];
        await expectSame(
          () => [f(t([37, 41], 1, dtype, true)), f(t([37, 41], 2, dtype).transpose(0, 1))],
          dtype,
        );
      });

  const binaryOps = [...BINARY_OPS, ...COMPARE_OPS];
  for (const dtype of ['float32', 'float64'] as const)
    for (const op of binaryOps)
      it(`${op} ${dtype}: same shape, row/column/scalar broadcast, strided`, async () => {
        const f = (gl as unknown as Record<string, (a: Tensor, b: Tensor) => Tensor>)[op];
        await expectSame(() => {
          const a = t([33, 40], 3, dtype, true);
          return [
            f(a, t([33, 40], 4, dtype)),
            f(a, t([40], 5, dtype)),
            f(t([33, 1], 6, dtype), a),
            f(a, t([], 7, dtype)),
            f(a.transpose(0, 1), t([40, 33], 8, dtype).slice(1, 0, undefined, 1)),
          ];
        }, dtype);
      });

  it('elementwise over more elements than the parallel threshold', async () => {
    await expectSame(() => {
      const a = t([600, 600], 9);
      return [gl.add(a, t([600], 10)), gl.exp(a), gl.mul(a.transpose(0, 1), a)];
    });
  });

  it('where, cast (NaN/Inf/huge to int32, to bool, from int and bool) and strided copy_', async () => {
    await expectSame(() => {
      const x = t([20, 30], 11, 'float32', true);
      const big = gl.mul(x, 3e9);
      return [
        gl.where(gl.gt(x, 0), x, t([30], 12)),
        // dense rows with a dense or a broadcast-scalar `b` (the branch-free paths), and a transposed one
        gl.where(gl.gt(x, 0), x, gl.tensor(0)),
        gl.where(gl.lt(x, 0.5), t([20, 30], 21), x),
        gl.where(gl.gt(x, 0).transpose(0, 1), x.transpose(0, 1), gl.tensor(-1)),
        gl.where(gl.gt(x, 0), gl.cast(x, 'float64'), gl.tensor(0, { dtype: 'float64' })),
        gl.cast(big, 'int32'),
        gl.cast(x, 'bool'),
        gl.cast(gl.cast(big, 'int32'), 'float64'),
        gl.cast(gl.gt(x, 0), 'float32'),
        gl.zeros([30, 20]).transpose(0, 1).copy_(x),
      ];
    });
  });

  it('reductions over every dim set, keepdim, with NaN lanes for amax/amin', async () => {
    await expectSame(
      () => {
        const x = t([6, 7, 8], 13);
        const xn = t([6, 7, 8], 14, 'float32', true);
        return [
          gl.sum(x),
          gl.sum(x, 0),
          gl.sum(x, 1, true),
          gl.sum(x, [0, 2]),
          gl.sum(x.transpose(0, 2), [1]),
          gl.amax(xn, 2),
          gl.amin(xn, [0, 1]),
          gl.prod(gl.add(gl.mul(x, 0.1), 1), 1),
          gl.mean(x, -1),
        ];
      },
      'float32',
      1e-5,
    );
  });

  it('argmax/argmin with ties and NaN, logSoftmax along any dim', async () => {
    await expectSame(
      () => {
        const ties = gl.tensor([
          [1, 3, 3, 0],
          [2, 2, 1, 2],
          [NaN, 5, 7, 1],
        ]);
        const x = t([9, 11, 13], 15);
        return [
          gl.argmax(ties, 1),
          gl.argmin(ties, 1),
          gl.argmax(x, 0),
          gl.argmin(x, 2, true),
          gl.logSoftmax(x, 0),
          gl.logSoftmax(x, -1),
          gl.logSoftmax(x.transpose(1, 2), 1),
        ];
      },
      'float32',
      1e-5,
    );
  });

  for (const dtype of ['float32', 'float64'] as const)
    it(`logSoftmax and logSoftmaxGrad ${dtype}: 96,000 elements along every dim (threads), strided`, async () => {
      const lsg = (g: Tensor, y: Tensor, dim: number) => apply('logSoftmaxGrad', [g, y], { dim });
      await expectSame(
        () => {
          const x = t([64, 300, 5], 30, dtype);
          const g = t([64, 300, 5], 31, dtype);
          const ys = [0, 1, 2].map((d) => gl.logSoftmax(x, d));
          const gT = t([300, 64], 32, dtype).transpose(0, 1);
          return [
            ...ys,
            ...ys.map((y, d) => lsg(g, y, d)),
            lsg(gT, gl.logSoftmax(t([64, 300], 33, dtype), 1), 1),
            lsg(g.permute([2, 0, 1]), ys[1].permute([2, 0, 1]), 2),
          ];
        },
        dtype,
        dtype === 'float64' ? 1e-12 : 1e-5,
      );
    });

  for (const dtype of ['float32', 'float64'] as const)
    it(`matmul ${dtype}: every transpose combination, batched, broadcast, stacked, strided, degenerate`, async () => {
      await expectSame(
        () => {
          const a = t([23, 17], 16, dtype);
          const b = t([17, 29], 17, dtype);
          const at = t([17, 23], 18, dtype).transpose(0, 1);
          const bt = t([29, 17], 19, dtype).transpose(0, 1);
          const every2 = t([46, 34], 20, dtype).slice(0, 0, undefined, 2).slice(1, 0, undefined, 2);
          return [
            gl.matmul(a, b),
            gl.matmul(at, b),
            gl.matmul(a, bt),
            gl.matmul(at, bt),
            gl.matmul(every2, b),
            gl.matmul(t([4, 3, 23, 17], 21, dtype), t([3, 17, 29], 22, dtype)),
            gl.matmul(t([5, 23, 17], 23, dtype), b),
            gl.matmul(t([1, 17], 24, dtype), b),
            gl.matmul(a, t([17, 1], 25, dtype)),
            gl.matmul(t([23, 0], 26, dtype), t([0, 29], 27, dtype)),
          ];
        },
        dtype,
        dtype === 'float64' ? 1e-12 : 1e-5,
      );
    });

  it('conv2d with stride, padding, dilation and groups; unfold and fold', async () => {
    await expectSame(
      () => {
        const x = t([3, 4, 11, 9], 28);
        const geometry = {
          kernel: [3, 2] as [number, number],
          stride: [2, 1] as [number, number],
          padding: [1, 0] as [number, number],
          dilation: [1, 2] as [number, number],
        };
        const cols = apply('unfold', [x], { ...geometry, padValue: -Infinity });
        const cols0 = apply('unfold', [x], { ...geometry, padValue: 0 });
        return [
          gl.conv2d(x, t([6, 4, 3, 3], 29)),
          gl.conv2d(x, t([6, 2, 3, 2], 30), t([6], 31), {
            stride: 2,
            padding: 1,
            dilation: [1, 2],
            groups: 2,
          }),
          gl.conv2d(x.transpose(2, 3), t([5, 4, 1, 1], 32)),
          cols,
          apply('fold', [cols0], { ...geometry, outputSize: [11, 9] }),
        ];
      },
      'float32',
      1e-5,
    );
  });

  it('gather and scatterAdd along each dim, with repeated indices', async () => {
    await expectSame(() => {
      const x = t([7, 9], 33);
      const idx0 = gl.tensor(
        [
          [0, 6, 3, 3, 1, 0, 2, 5, 4],
          [6, 6, 6, 0, 0, 0, 1, 1, 1],
        ],
        { dtype: 'int32' },
      );
      const idx1 = gl.tensor(
        Array.from({ length: 7 }, (_, i) => [i % 9, (i * 5) % 9, 8, 0]),
        { dtype: 'int32' },
      );
      return [
        gl.gather(x, 0, idx0),
        gl.gather(x, 1, idx1),
        gl.gather(
          x.transpose(0, 1),
          1,
          gl.tensor(
            [
              [0, 6],
              [1, 1],
            ],
            { dtype: 'int32' },
          ),
        ),
        gl.scatterAdd(x, 0, idx0, t([2, 9], 34)),
        gl.scatterAdd(x, 1, idx1, t([7, 4], 35)),
      ];
    });
  });

  it('pad (with crops), flip and cat of strided inputs', async () => {
    await expectSame(() => {
      const x = t([5, 6, 7], 36);
      return [
        gl.pad(x, [1, 2, 0, 3], { value: -1 }),
        gl.pad(x, [-1, 2]),
        gl.flip(x.transpose(0, 2), [0, 2]),
        gl.cat([x, x.flip(1), t([5, 6, 2], 37)], 2),
      ];
    });
  });

  for (const dtype of ['float32', 'float64'] as const)
    it(`maxPool2d and maxPool2dGrad ${dtype}: large permuted inputs, padding, dilation, NaN, strided gradients`, async () => {
      await expectSame(
        () => {
          // [8, 16, 33, 29] seen through a permutation: no dim is contiguous in the kernel's order
          const x = t([33, 8, 29, 16], 41, dtype, true).permute([1, 3, 0, 2]);
          const geometries = [
            { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] },
            { kernel: [3, 3], stride: [2, 1], padding: [1, 1], dilation: [1, 2] },
          ] as {
            kernel: [number, number];
            stride: [number, number];
            padding: [number, number];
            dilation: [number, number];
          }[];
          return geometries.flatMap((p) => {
            const y = apply('maxPool2d', [x], p);
            const g = t([y.shape[3], y.shape[1], y.shape[0], y.shape[2]], 42, dtype).permute([2, 1, 3, 0]);
            return [
              y,
              apply('maxPool2dGrad', [g, x], p),
              apply('maxPool2dGrad', [g.contiguous(), x.contiguous()], p),
            ];
          });
        },
        dtype,
        0,
      );
    });

  it('trains an MLP to the same loss curve as js (float64)', async () => {
    await expectSame(
      () => {
        const w1 = t([16, 8], 40, 'float64').requiresGrad_();
        const w2 = t([3, 16], 41, 'float64').requiresGrad_();
        const x = t([32, 8], 42, 'float64');
        const y = gl.tensor(
          Array.from({ length: 32 }, (_, i) => i % 3),
          { dtype: 'int32' },
        );
        const losses: number[] = [];
        for (let s = 0; s < 5; s++) {
          const loss = gl.crossEntropy(
            gl.matmul(gl.relu(gl.matmul(x, w1.transpose(0, 1))), w2.transpose(0, 1)),
            y,
          );
          loss.backward();
          losses.push(loss.item());
          gl.noGrad(() => {
            for (const w of [w1, w2]) {
              w.sub_(gl.mul(w.grad!, 0.5));
              w.grad = null;
            }
          });
        }
        return [gl.tensor(losses, { dtype: 'float64' }), w1, w2];
      },
      'float64',
      1e-10,
    );
  });
});
