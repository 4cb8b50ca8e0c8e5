// The fused bias + activation epilogue of Linear and Conv2d (and a following ReLU/Tanh/Sigmoid in a Sequential): same values, gradients and saved bytes as the separate ops, on every backend.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { allTestBackends, testBackends, useBackend } from '../helpers/backends.js';

const { nn } = gl;
const ACTS = [
  ['relu', () => new nn.ReLU()],
  ['tanh', () => new nn.Tanh()],
  ['sigmoid', () => new nn.Sigmoid()],
  ['none', null],
] as const;

/** The model's output, its loss's gradients w.r.t. the input and every parameter, and its top tape op. */
async function run(
  model: gl.nn.Module,
  x: gl.Tensor,
  fused: boolean,
): Promise<{ op: string | undefined; values: number[][] }> {
  const was = nn.setLayerFusion(fused);
  try {
    const xi = x.detach().requiresGrad_();
    model.zeroGrad();
    const y = model.forward(xi);
    const op = y.gradFn?.op;
    // a loss that weights every output differently, so each gradient element matters
    const w = gl.arange(0, y.numel, 1, { dtype: y.dtype }).reshape(y.shape).mul(0.01).add(0.5);
    y.mul(w).sum().backward();
    const ts = [y, xi.grad!, ...[...model.parameters()].map((p) => p.grad!)];
    return { op, values: await Promise.all(ts.map(async (t) => Array.from(await t.data()))) };
  } finally {
    nn.setLayerFusion(was);
  }
}

function close(a: number[][], b: number[][], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i].length);
    row.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i][j]))));
  });
}

const cpuBackends = [...testBackends()]; // before allTestBackends, which may add webgpu to the list
const backends = await allTestBackends();
afterAll(() => useBackend('js'));

describe.each(backends)('epilogue on %s', (backend) => {
  it.each(ACTS)('Linear + %s: one node, same values and gradients as the separate ops', async (act, make) => {
    await useBackend(backend);
    gl.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(6, 5), ...(make ? [make()] : []), new nn.Linear(5, 3));
    const first = new nn.Sequential(model.at(0), ...(make ? [model.at(1)] : []));
    const x = gl.randn([4, 6]);
    const fused = await run(first, x, true);
    const plain = await run(first, x, false);
    expect(fused.op).toBe('matmulEpilogue');
    expect(plain.op).not.toBe('matmulEpilogue');
    close(fused.values, plain.values, 1e-5);
    close((await run(model, x, true)).values, (await run(model, x, false)).values, 1e-5);
  });

  it.each(ACTS)('Conv2d + %s: one node, same values and gradients as the separate ops', async (act, make) => {
    await useBackend(backend);
    gl.manualSeed(2);
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1, stride: 2 });
    const model = new nn.Sequential(conv, ...(make ? [make()] : []));
    const x = gl.randn([2, 2, 7, 6]);
    const fused = await run(model, x, true);
    const plain = await run(model, x, false);
    expect(fused.op).toBe('conv2dEpilogue');
    expect(plain.op).not.toBe('conv2dEpilogue');
    close(fused.values, plain.values, 1e-5);
  });
});

describe.each(cpuBackends)('epilogue on %s, float64', (backend) => {
  it.each(ACTS.filter(([a]) => a !== 'none'))(
    'second-order gradients of Linear + %s and Conv2d + it equal the separate ops',
    async (_act, make) => {
      await useBackend(backend);
      gl.manualSeed(3);
      const model = new nn.Sequential(
        new nn.Conv2d(1, 2, 2, { dtype: 'float64' }),
        make!(),
        new nn.Flatten(),
        new nn.Linear(2 * 3 * 3, 4, { dtype: 'float64' }),
        make!(),
      );
      const x0 = gl.randn([2, 1, 4, 4], { dtype: 'float64' });
      const second = (fused: boolean) => {
        const was = nn.setLayerFusion(fused);
        try {
          const x = x0.detach().requiresGrad_();
          const y = model.forward(x);
          const [gx] = gl.grad(y.pow(2).sum(), [x], { createGraph: true });
          const params = [...model.parameters()];
          const gs = gl.grad(gx!.pow(2).sum(), [x, ...params]);
          return { op: y.gradFn!.op, values: [gx!, ...gs].map((g) => Array.from(g!.dataSync())) };
        } finally {
          nn.setLayerFusion(was);
        }
      };
      const fused = second(true);
      expect(fused.op).toBe('matmulEpilogue');
      close(fused.values, second(false).values, 1e-10);
    },
  );
});

describe('epilogue residuals', () => {
  it('saves no more bytes than the separate ops', async () => {
    await useBackend('js');
    const model = new nn.Sequential(
      new nn.Conv2d(3, 8, 3),
      new nn.ReLU(),
      new nn.Flatten(),
      new nn.Linear(8 * 6 * 6, 10),
      new nn.Tanh(),
    );
    const x = gl.randn([4, 3, 8, 8]);
    const bytes = (fused: boolean) => {
      const was = nn.setLayerFusion(fused);
      try {
        return gl.savedResiduals((t: gl.Tensor) => model.forward(t).sum(), x).totalBytes;
      } finally {
        nn.setLayerFusion(was);
      }
    };
    expect(bytes(true)).toBeLessThanOrEqual(bytes(false));
  });
});
