// gl.func and gl.vmap against functorch 1.13: jacrev/jacfwd/hessian (argnums, hasAux), nested vmap with dims,
// per-example gradients, functionalCall, an ensemble through stackModuleState, and the randomness modes' behaviour.
// Fixtures: test/fixtures/torch/func.json, written by test/fixtures/generate_func_fixtures.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

type Tensor = gl.Tensor;
type Enc = { shape: number[]; data: number[] };
type Any = any;
const fx = JSON.parse(readFileSync(new URL('../../fixtures/torch/func.json', import.meta.url), 'utf8')) as {
  cases: Record<string, Any>;
};
const C = fx.cases;
const T = (e: Enc): Tensor => gl.tensor(e.data, { shape: e.shape, dtype: 'float64' });
function close(got: Tensor, want: Enc, tol = 1e-12): void {
  expect(got.shape).toEqual(want.shape);
  const a = got.dataSync();
  want.data.forEach((v, i) =>
    expect(Math.abs(a[i] - v), `[${i}] ${a[i]} vs ${v}`).toBeLessThanOrEqual(tol * (1 + Math.abs(v))),
  );
}

describe('gl.func against functorch', () => {
  const x = T(C.jac.x);
  const w = T(C.jac.w);
  const f = (x: Tensor, w: Tensor) => w.matmul(x).sin().mul(x.sum());

  it('jacrev and jacfwd (argnums)', () => {
    const [jx, jw] = gl.func.jacrev(f, [0, 1])(x, w) as Tensor[];
    close(jx, C.jac.jacrev01[0]);
    close(jw, C.jac.jacrev01[1]);
    close(gl.func.jacfwd(f)(x, w), C.jac.jacfwd0);
    close(gl.func.jacfwd(f, 1)(x, w), C.jac.jacfwd1);
  });

  it('jacrev with hasAux and a tuple of outputs', () => {
    const [jac, aux] = gl.func.jacrev((x: Tensor) => [[x.exp(), x.mul(x.sum())], x.sum()], 0, {
      hasAux: true,
    })(T(C.aux.x));
    close(jac[0], C.aux.jac[0]);
    close(jac[1], C.aux.jac[1]);
    close(aux, C.aux.aux);
  });

  it('hessian, of one argument and of two', () => {
    const g = (x: Tensor) => x.sin().mul(x).sum().add(x.prod());
    close(gl.func.hessian(g)(T(C.hessian.x)), C.hessian.g, 1e-11);
    const h = (x: Tensor, w: Tensor) => w.matmul(x).tanh().sum();
    const H = gl.func.hessian(h, [0, 1])(T(C.hessian.x), T(C.hessian.w)) as Tensor[][];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) close(H[i][j], C.hessian.h[i][j], 1e-11);
  });

  it('nested vmap with inDims/outDims', () => {
    const pairs = gl.vmap((a: Tensor) => gl.vmap((b: Tensor) => a.mul(b).sum(), [0])(T(C.vmap.Y)))(
      T(C.vmap.X),
    );
    close(pairs, C.vmap.pairs);
    const wt = T(C.vmap.w).transpose(0, 1);
    close(gl.vmap((z: Tensor) => z.softmax(0).matmul(wt), 1, 1)(T(C.vmap.Z)), C.vmap.moved);
  });

  it('per-example gradients: vmap of grad', () => {
    const loss = (W: Tensor, xi: Tensor, ti: Tensor) => xi.matmul(W).tanh().sub(ti).pow(2).sum();
    const [, g] = gl.vmap(gl.valueAndGrad(loss), [null, 0, 0])(
      T(C.perExample.W),
      T(C.perExample.X),
      T(C.perExample.T),
    ) as unknown as [Tensor, Tensor];
    close(g, C.perExample.grads);
  });

  it('functionalCall and an ensemble through stackModuleState', () => {
    const M = C.modules;
    const make = (p: Record<string, Enc>) => {
      const m = new gl.nn.Linear(3, 2, { dtype: 'float64' });
      gl.noGrad(() => {
        m.weight.copy_(T(p.weight));
        m.bias!.copy_(T(p.bias));
      });
      return m;
    };
    const m1 = make(M.m1);
    const m2 = make(M.m2);
    const xin = T(M.x);
    close(gl.func.functionalCall(m1, { weight: T(M.W2) }, xin), M.functionalCall);
    close(m1.weight, M.m1.weight, 0); // its own weight is back
    const [params] = gl.func.stackModuleState([m1, m2]);
    const ens = gl.vmap((p: Record<string, Tensor>) => gl.func.functionalCall(m1, p, xin))(params);
    close(ens, M.ensemble);
  });

  it('randomness modes behave as in functorch', () => {
    for (const mode of ['error', 'different', 'same'] as const) {
      const run = () =>
        gl.vmap((a: Tensor) => a.add(gl.rand([3], { dtype: 'float64' })), 0, 0, { randomness: mode })(
          gl.zeros([4, 3], { dtype: 'float64' }),
        );
      const want = C.randomness[mode];
      if (want.raises) {
        expect(run).toThrow(gl.VmapError);
        continue;
      }
      const r = run();
      const equal = [1, 2, 3].every(
        (i) =>
          gl
            .select(r, 0, i)
            .sub(gl.select(r, 0, 0))
            .abs()
            .max()
            .item() === 0,
      );
      expect(equal).toBe(want.rowsEqual);
    }
  });
});
