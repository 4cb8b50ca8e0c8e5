// gl.interpolate against torch.nn.functional.interpolate (fixtures from test/fixtures/generate_interpolate_fixtures.py,
// PyTorch 1.13): outputs and input gradients on every backend, plus its named errors.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

interface T {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  options: gl.InterpolateOptions;
  input: T;
  output: T;
  cotangent: T;
  grad: T;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch/interpolate.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

function close(got: ArrayLike<number>, exp: number[], tol: number): void {
  expect(got.length).toBe(exp.length);
  let worst = 0;
  for (let i = 0; i < exp.length; i++)
    worst = Math.max(worst, Math.abs(got[i] - exp[i]) / (1 + Math.abs(exp[i])));
  expect(worst).toBeLessThan(tol);
}

for (const backend of await allTestBackends()) {
  describe(`interpolate on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    const dtype: gl.DType = backend === 'webgpu' ? 'float32' : 'float64';
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    for (const c of fixture.cases)
      it(c.name, async () => {
        const x = gl.tensor(c.input.data, { dtype, shape: c.input.shape, requiresGrad: true });
        const y = gl.interpolate(x, c.options);
        expect(y.shape).toEqual(c.output.shape);
        close(await y.data(), c.output.data, tol);
        const g = gl.tensor(c.cotangent.data, { dtype, shape: c.cotangent.shape });
        const [gx] = gl.grad(y.mul(g).sum(), [x]);
        close(await gx!.data(), c.grad.data, tol);
      });
  });
}

describe('interpolate: bad input', () => {
  const x = gl.zeros([1, 1, 4, 4]);
  it('names what it expected', () => {
    expect(() => gl.interpolate(gl.zeros([4, 4]), { size: 2 })).toThrow(
      /expected an \[N, C, H, W\] tensor, got \[4,4\]/,
    );
    expect(() => gl.interpolate(x, {})).toThrow(/exactly one of size and scaleFactor/);
    expect(() => gl.interpolate(x, { size: 2, scaleFactor: 2 })).toThrow(
      /exactly one of size and scaleFactor/,
    );
    expect(() => gl.interpolate(x, { size: 2, mode: 'bicubic' as never })).toThrow(
      /mode must be 'nearest' or 'bilinear', got "bicubic"/,
    );
    expect(() => gl.interpolate(x, { size: 2, alignCorners: true })).toThrow(
      /alignCorners applies to mode 'bilinear' only/,
    );
    expect(() => gl.interpolate(x, { size: [2, 0] })).toThrow(gl.ArgumentError);
    expect(() => gl.interpolate(x, { size: 2.5 })).toThrow(/size must be integers/);
    expect(() => gl.interpolate(x, { scaleFactor: 0.1 })).toThrow(/empty output/);
    expect(() => gl.interpolate(gl.zeros([1, 1, 2, 2], { dtype: 'int32' }), { size: 4 })).toThrow(
      /float tensor, got int32/,
    );
  });
});
