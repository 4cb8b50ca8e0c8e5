// Fused optimizer steps on the native backend give bit-for-bit the results of the unfused op sequence.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { runsOf, without, withFusedTableSync } from '../helpers/fused.js';
import { useBackend } from '../helpers/backends.js';

const hasNative = gl.availableBackends().includes('native');

type Make = (params: gl.Tensor[]) => { step(): void; zeroGrad(): void };

/** Runs 6 steps of an optimizer on a small least-squares problem; returns the parameters and fused-call count. */
function trajectory(
  make: Make,
  dtype: 'float32' | 'float64',
  fused: boolean,
): { values: number[][]; calls: number } {
  const backend = backendByName('native');
  const table = fused ? backend.fused! : without(backend, 'sgdStep', 'adamStep');
  const run = () => {
    const w = gl
      .tensor(
        Array.from({ length: 96 }, (_, i) => Math.sin(i) * 0.5),
        { dtype },
      )
      .reshape([12, 8])
      .requiresGrad_();
    const b = gl
      .tensor(
        Array.from({ length: 12 }, (_, i) => Math.cos(i) * 0.1),
        { dtype },
      )
      .requiresGrad_();
    const x = gl
      .tensor(
        Array.from({ length: 80 }, (_, i) => Math.cos(i * 0.7)),
        { dtype },
      )
      .reshape([10, 8]);
    const y = gl
      .tensor(
        Array.from({ length: 120 }, (_, i) => Math.sin(i * 0.3)),
        { dtype },
      )
      .reshape([10, 12]);
    const opt = make([w, b]);
    for (let s = 0; s < 6; s++) {
      opt.zeroGrad();
      gl.tidy(() => gl.mean(gl.pow(gl.sub(gl.add(gl.matmul(x, w.transpose(0, 1)), b), y), 2)).backward());
      opt.step();
    }
    return [Array.from(w.dataSync()), Array.from(b.dataSync())];
  };
  const sgd = runsOf('sgdStep', () => runsOf('adamStep', () => withFusedTableSync(backend, table, run)));
  return { values: sgd.result.result, calls: sgd.kernel + sgd.result.kernel };
}

const cases: [string, Make][] = [
  ['SGD', (p) => new gl.optim.SGD(p, { lr: 0.1 })],
  [
    'SGD momentum + dampening + weight decay',
    (p) => new gl.optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  ],
  [
    'SGD Nesterov, maximize',
    (p) => new gl.optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }),
  ],
  ['Adam', (p) => new gl.optim.Adam(p, { lr: 0.01 })],
  [
    'Adam weight decay, maximize',
    (p) => new gl.optim.Adam(p, { lr: 0.01, weightDecay: 0.1, maximize: true }),
  ],
  ['AdamW', (p) => new gl.optim.AdamW(p, { lr: 0.01, weightDecay: 0.05, betas: [0.8, 0.99] })],
];

describe.skipIf(!hasNative)('fused optimizer steps (native)', () => {
  afterAll(() => useBackend('native'));
  for (const dtype of ['float32', 'float64'] as const)
    for (const [name, make] of cases)
      it(`${name} ${dtype}: fused equals unfused bit for bit`, async () => {
        await useBackend('native');
        const plain = trajectory(make, dtype, false);
        const fused = trajectory(make, dtype, true);
        expect(plain.calls).toBe(0);
        expect(fused.calls).toBeGreaterThan(0);
        expect(fused.values).toEqual(plain.values);
      });

  it('AMSGrad is left to the unfused ops', async () => {
    await useBackend('native');
    const r = trajectory((p) => new gl.optim.Adam(p, { lr: 0.01, amsgrad: true }), 'float32', true);
    expect(r.calls).toBe(0);
  });
});
