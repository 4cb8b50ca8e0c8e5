// gl.attacks' FGSM and PGD without random start, and the soft-target cross-entropy, against PyTorch 1.13.
// Fixtures: test/fixtures/torch/attacks.json, written by test/fixtures/generate_attacks_fixtures.py
// (rerun: /usr/bin/python3 test/fixtures/generate_attacks_fixtures.py); the script writes torchattacks'
// definitions out and checks that no gradient sign is within float32 rounding of zero.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

interface Case {
  name: string;
  attack: 'fgsm' | 'pgd';
  eps: number;
  alpha?: number;
  steps?: number;
  norm?: 'inf' | '2';
  targeted?: boolean;
  normalised?: boolean;
  out: number[];
}
interface Fixture {
  model: { w1: number[]; b1: number[]; w2: number[]; b2: number[] };
  x: number[];
  xShape: number[];
  y: number[];
  targets: number[];
  mean: number[];
  std: number[];
  cases: Case[];
  softTargetCE: { T: number; logits: number[]; targets: number[]; loss: number; grad: number[] }[];
}

const fx = JSON.parse(
  readFileSync(new URL('../../fixtures/torch/attacks.json', import.meta.url), 'utf8'),
) as Fixture;

function model(): gl.nn.Sequential {
  const m = new gl.nn.Sequential(
    new gl.nn.Flatten(),
    new gl.nn.Linear(18, 8),
    new gl.nn.ReLU(),
    new gl.nn.Linear(8, 4),
  );
  m.loadStateDict(
    new Map([
      ['1.weight', gl.tensor(fx.model.w1, { shape: [8, 18] })],
      ['1.bias', gl.tensor(fx.model.b1)],
      ['3.weight', gl.tensor(fx.model.w2, { shape: [4, 8] })],
      ['3.bias', gl.tensor(fx.model.b2)],
    ]),
  );
  return m;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('gl.attacks against PyTorch (float32)', () => {
  const x = gl.tensor(fx.x, { shape: fx.xShape });
  const y = gl.tensor(fx.y, { dtype: 'int32' });
  const t = gl.tensor(fx.targets, { dtype: 'int32' });
  for (const c of fx.cases) {
    it(c.name, () => {
      const m = model();
      const normalization = c.normalised ? { mean: fx.mean, std: fx.std } : undefined;
      const adv =
        c.attack === 'fgsm'
          ? gl.attacks.fgsm(m, x, y, { eps: c.eps, target: c.targeted ? t : undefined })
          : gl.attacks.pgd(m, x, y, {
              eps: c.eps,
              alpha: c.alpha,
              steps: c.steps,
              norm: c.norm,
              randomStart: false,
              normalization,
            });
      expect(adv.shape).toEqual(fx.xShape);
      // float32 rounding of the last step only (signs are the same: the generator checks their margins)
      expect(maxAbs(adv.dataSync(), c.out)).toBeLessThan(2e-6);
      expect(maxAbs(adv.dataSync(), fx.x)).toBeGreaterThan(c.eps / 10); // the attack moved the inputs
    });
  }

  it('bim equals pgd without random start', () => {
    const m = model();
    const a = gl.attacks.bim(m, x, y, { eps: 0.1, alpha: 0.02, steps: 3 });
    const b = gl.attacks.pgd(m, x, y, { eps: 0.1, alpha: 0.02, steps: 3, randomStart: false });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  });
});

describe('softTargetCrossEntropy against PyTorch', () => {
  for (const s of fx.softTargetCE) {
    it(`T = ${s.T}: loss and gradient`, () => {
      const z = gl.tensor(s.logits, { shape: [4, 5] }).requiresGrad_();
      const tg = gl.tensor(s.targets, { shape: [4, 5] });
      const loss = gl.attacks.softTargetCrossEntropy(z, tg, { temperature: s.T });
      const [g] = gl.grad([loss], [z]);
      expect(Math.abs(loss.item() - s.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(s.loss)));
      expect(maxAbs(g!.dataSync(), s.grad)).toBeLessThan(1e-6);
    });
  }
});
