// gl.explain runs the same on every backend: float32 attributions on native and webgpu equal the js backend's.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { allTestBackends, useBackend } from '../../helpers/backends.js';

type Run = () => gl.Tensor;

/** The methods on a small conv net with a tensor target, as float arrays. */
async function attributions(): Promise<number[][]> {
  gl.manualSeed(7);
  const model = new gl.nn.Sequential(
    new gl.nn.Conv2d(1, 3, 3, { padding: 1 }),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Flatten(),
    new gl.nn.Linear(48, 3),
  );
  const x = gl.randn([2, 1, 8, 8], { generator: new gl.Generator(3) });
  const target = gl.tensor([2, 0], { dtype: 'int32' });
  const e = gl.explain;
  const runs: Run[] = [
    () => new e.Saliency(model).attribute(x, { target }),
    () => new e.IntegratedGradients(model).attribute(x, { target, nSteps: 2 }),
    () => new e.DeepLift(model).attribute(x, { target, returnConvergenceDelta: true }).delta,
    () => new e.GuidedBackprop(model).attribute(x, { target }),
  ];
  const out: number[][] = [];
  for (const r of runs) out.push(Array.from(await r().data(), Number));
  return out;
}

describe('explain on every backend', () => {
  it('equals the js backend (float32)', async () => {
    await useBackend('js');
    const ref = await attributions();
    // DeepLift's delta is summation-to-delta: zero to float32 rounding
    expect(Math.max(...ref[2].map(Math.abs))).toBeLessThan(1e-5);
    for (const b of (await allTestBackends()).filter((n) => n !== 'js')) {
      await useBackend(b);
      const got = await attributions();
      got.forEach((g, k) =>
        g.forEach((v, i) =>
          expect(Math.abs(v - ref[k][i]), `${b} method ${k} at ${i}`).toBeLessThan(
            1e-4 * (1 + Math.abs(ref[k][i])),
          ),
        ),
      );
    }
    await useBackend('js');
  });
});
