// gl.curvature against a dense eigendecomposition (gl.linalg.eigh) of the full Hessian of a small float64
// network built column by column from HVPs; HVPs against finite differences of gradients; SLQ nodes, Hutchinson
// trace, replayed dropout draws, the BatchNorm refusal, bad input and the sharpness callback.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';
import { errorOf } from '../helpers/catch-error.js';

const F64 = { dtype: 'float64' } as const;

function setup(opts: { dropout?: boolean; batchNorm?: boolean } = {}) {
  gl.manualSeed(3);
  const layers: gl.nn.Module[] = [new gl.nn.Linear(3, 4, F64)];
  if (opts.batchNorm) layers.push(new gl.nn.BatchNorm1d(4, F64));
  layers.push(new gl.nn.Tanh());
  if (opts.dropout) layers.push(new gl.nn.Dropout(0.3));
  layers.push(new gl.nn.Linear(4, 3, F64));
  const model = new gl.nn.Sequential(...layers);
  const x = gl.randn([8, 3], F64);
  const y = gl.tensor([0, 1, 2, 0, 1, 2, 1, 0], { dtype: 'int32' });
  const loss = () => gl.crossEntropy(model.forward(x), y);
  return { model, loss, params: model.parameters() as gl.Tensor[] };
}

/** The full Hessian, column i = H e_i from one gl.curvature.hvp call each. */
function denseHessian(loss: () => gl.Tensor, params: gl.Tensor[]): { H: Float64Array; n: number } {
  const n = params.reduce((a, p) => a + p.numel, 0);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const e = new Float64Array(n);
    e[i] = 1;
    let off = 0;
    const vs = params.map((p) => {
      const t = gl.tensor(Array.from(e.subarray(off, off + p.numel)), F64).reshape(p.shape);
      off += p.numel;
      return t;
    });
    const col = gl.curvature.hvp(loss, params, vs).flatMap((t) => Array.from(t.dataSync()));
    col.forEach((v, r) => (H[r * n + i] = v));
  }
  return { H, n };
}

function flat(ts: gl.Tensor[]): number[] {
  return ts.flatMap((t) => Array.from(t.dataSync()));
}

describe('gl.curvature on a small float64 network', () => {
  let H: Float64Array;
  let n: number;
  let exact: number[]; // eigenvalues, descending
  let exactVecs: number[][];
  let net: ReturnType<typeof setup>;
  beforeAll(async () => {
    await useBackend('js');
    net = setup();
    ({ H, n } = denseHessian(net.loss, net.params));
    const { eigenvalues, eigenvectors } = gl.linalg.eigh(gl.tensor(Array.from(H), F64).reshape([n, n]));
    const vals = Array.from(eigenvalues.dataSync());
    const V = eigenvectors.dataSync();
    const order = vals.map((_, i) => i).sort((a, b) => vals[b] - vals[a]);
    exact = order.map((i) => vals[i]);
    exactVecs = order.map((i) => Array.from({ length: n }, (_, r) => V[r * n + i]));
  });

  it('the HVP-built Hessian is symmetric and its columns match finite differences of gradients', () => {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) expect(Math.abs(H[i * n + j] - H[j * n + i])).toBeLessThan(1e-12);
    // column 5 by central differences of the gradient along e_5
    const h = 1e-5;
    const gradAt = (d: number) => {
      const p = net.params[0]; // the first weight [4, 3]: element 5 is flat parameter 5
      const step = gl
        .tensor(
          Array.from({ length: 12 }, (_, i) => (i === 5 ? d : 0)),
          F64,
        )
        .reshape(p.shape);
      gl.noGrad(() => p.add_(step));
      const gs = gl.grad([net.loss()], net.params).map((g) => g!);
      gl.noGrad(() => p.sub_(step));
      return flat(gs);
    };
    const [gp, gm] = [gradAt(h), gradAt(-h)];
    for (let r = 0; r < n; r++) expect(Math.abs((gp[r] - gm[r]) / (2 * h) - H[r * n + 5])).toBeLessThan(1e-8);
  });

  it('Lanczos top-3 eigenpairs equal the dense eigendecomposition to 1e-6', () => {
    const r = gl.curvature.topEigen(net.loss, net.model, { k: 3, iters: n });
    expect(r.eigenvalues).toHaveLength(3);
    r.eigenvalues.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThan(1e-6));
    r.eigenvectors.forEach((vec, i) => {
      const v = flat(vec);
      const c = v.reduce((a, x, j) => a + x * exactVecs[i][j], 0);
      expect(Math.abs(Math.abs(c) - 1)).toBeLessThan(1e-6);
    });
  });

  it('power iteration with deflation finds the eigenvalues largest in magnitude to 1e-6', () => {
    const byMagnitude = [...exact].sort((a, b) => Math.abs(b) - Math.abs(a)).slice(0, 2);
    const r = gl.curvature.topEigen(net.loss, net.params, {
      k: 2,
      method: 'power',
      iters: 20000,
      tol: 1e-15,
    });
    const want = [...byMagnitude].sort((a, b) => b - a);
    r.eigenvalues.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
  });

  it('SLQ with n steps has the distinct eigenvalues as nodes, weights summing to 1; Hutchinson is within 4 standard errors', () => {
    // repeated eigenvalues (the null space of the softmax shift, among others) appear once in a Krylov space
    const distinct = exact.filter((v, i) => i === 0 || exact[i - 1] - v > 1e-7);
    expect(distinct.length).toBeLessThan(n);
    const d = gl.curvature.spectralDensity(net.loss, net.model, { iters: n, probes: 2 });
    for (let p = 0; p < 2; p++) {
      const nodes = [...d.nodes[p]].sort((a, b) => b - a);
      expect(nodes).toHaveLength(distinct.length);
      nodes.forEach((v, i) => expect(Math.abs(v - distinct[i])).toBeLessThan(1e-6));
      expect(Math.abs(d.weights[p].reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-10);
    }
    const tr = exact.reduce((a, b) => a + b, 0);
    const est = gl.curvature.trace(net.loss, net.model, { samples: 200, seed: 1 });
    expect(est.stdError).toBeGreaterThan(0);
    expect(Math.abs(est.trace - tr)).toBeLessThan(4 * est.stdError);
  });
});

describe('gl.curvature: replayed draws, BatchNorm, bad input, sharpness callback', () => {
  beforeAll(() => useBackend('js'));

  it('a closure with dropout gets the same masks on every probe', () => {
    const net = setup({ dropout: true });
    const vs = net.params.map((p) => gl.onesLike(p));
    const a = flat(gl.curvature.hvp(net.loss, net.model, vs));
    gl.randn([5]); // the default stream moves on between probes
    const b = flat(gl.curvature.hvp(net.loss, net.model, vs));
    expect(b).toEqual(a);
    // a fresh closure draws fresh masks: the Hessian differs
    const c = flat(gl.curvature.hvp(() => net.loss(), net.model, vs));
    expect(c).not.toEqual(a);
  });

  it('refuses BatchNorm in training mode unless allowed; eval mode is fine', () => {
    const net = setup({ batchNorm: true });
    const err = errorOf(() => gl.curvature.topEigen(net.loss, net.model));
    expect(err).toBeInstanceOf(gl.curvature.TrainModeBatchNormError);
    expect(err.message).toMatch(/BatchNorm1d '1'.*model.eval\(\).*allowTrainBatchNorm/);
    expect(errorOf(() => gl.curvature.trace(net.loss, net.params, { model: net.model }))).toBeInstanceOf(
      gl.curvature.TrainModeBatchNormError,
    );
    expect(
      gl.curvature.topEigen(net.loss, net.model, { allowTrainBatchNorm: true, iters: 3 }).eigenvalues,
    ).toHaveLength(1);
    net.model.eval();
    expect(gl.curvature.topEigen(net.loss, net.model, { iters: 3 }).eigenvalues).toHaveLength(1);
  });

  it('names bad input', () => {
    const net = setup();
    expect(errorOf(() => gl.curvature.topEigen(net.loss, net.model, { k: 1000 })).message).toMatch(
      /k must be at most the number of parameters \(31\), got 1000/,
    );
    expect(errorOf(() => gl.curvature.topEigen(net.loss, net.model, { method: 'qr' as any }))).toBeInstanceOf(
      gl.ArgumentError,
    );
    expect(
      errorOf(() => gl.curvature.topEigen(() => net.model.forward(gl.ones([2, 3], F64)), net.model)),
    ).toBeInstanceOf(gl.ShapeError);
    expect(errorOf(() => gl.curvature.trace(net.loss, [gl.ones([2], F64)])).message).toMatch(
      /does not require grad/,
    );
    expect(errorOf(() => gl.curvature.hvp(net.loss, net.model, [])).message).toMatch(/expected 4 vectors/);
  });

  it('SharpnessCallback measures λ_max every N steps against 2/η and round-trips its state', () => {
    const net = setup();
    const top = gl.curvature.topEigen(net.loss, net.model, { iters: 31 }).eigenvalues[0];
    const cb = new gl.curvature.SharpnessCallback({
      loss: net.loss,
      params: net.model,
      every: 2,
      iters: 400,
    });
    const info = (step: number) => ({
      step,
      epoch: 0,
      iteration: step - 1,
      stepsPerEpoch: 10,
      metrics: {},
      lr: 0.5,
    });
    for (let s = 1; s <= 4; s++) cb.onStepEnd(info(s));
    expect(cb.history.map((r) => r.step)).toEqual([2, 4]);
    expect(Math.abs(cb.history[1].lambdaMax - top)).toBeLessThan(1e-6 * Math.abs(top));
    expect(cb.history[1].ratioToEdge).toBeCloseTo((top * 0.5) / 2, 6);
    const other = new gl.curvature.SharpnessCallback({ loss: net.loss, params: net.model });
    other.loadStateDict(cb.stateDict());
    expect(other.history).toEqual(cb.history);
  });
});
