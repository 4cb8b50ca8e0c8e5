// gl.distributions against torch.distributions (PyTorch 1.13) in float64: logProb, entropy, mean, variance, gradients.
// Fixtures: test/fixtures/torch/distributions.json, written by test/fixtures/generate_distributions_fixtures.py
// (rerun: /usr/bin/python3 test/fixtures/generate_distributions_fixtures.py).
// Tolerance 1e-9 (absolute + relative): the formulas are PyTorch's; lgamma/digamma here are series with error
// below 1e-11 (src/distributions/special.ts), PyTorch's come from its own special-function code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

interface Enc {
  shape: number[];
  data: (number | null)[];
}
interface Case {
  name: string;
  dist: 'Normal' | 'Bernoulli' | 'Categorical' | 'Gamma' | 'Dirichlet';
  form: 'positional' | 'keyword';
  params: Record<string, Enc>;
  value: Enc & { dtype: 'int32' | 'float64' };
  batchShape: number[];
  eventShape: number[];
  logProb: Enc;
  entropy: Enc;
  mean: Enc;
  variance: Enc;
  gradLogProb: Record<string, number[]>;
  gradEntropy: Record<string, number[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch/distributions.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const TOL = 1e-9;

function build(c: Case, params: Record<string, gl.Tensor>): gl.distributions.Distribution {
  const p = Object.values(params);
  switch (c.dist) {
    case 'Normal':
      return new gl.distributions.Normal(p[0], p[1]);
    case 'Gamma':
      return new gl.distributions.Gamma(p[0], p[1]);
    case 'Dirichlet':
      return new gl.distributions.Dirichlet(p[0]);
    case 'Bernoulli':
      return new gl.distributions.Bernoulli(
        params.probs ? { probs: params.probs } : { logits: params.logits },
      );
    case 'Categorical':
      return new gl.distributions.Categorical(
        params.probs ? { probs: params.probs } : { logits: params.logits },
      );
  }
}

function close(got: gl.Tensor | number[], want: Enc | number[]): void {
  const g = Array.isArray(got) ? got : Array.from(got.dataSync());
  const w = Array.isArray(want) ? want : want.data;
  if (!Array.isArray(got) && !Array.isArray(want)) expect(got.shape).toEqual(want.shape);
  expect(g.length).toBe(w.length);
  g.forEach((v, i) => {
    const ref = w[i];
    if (ref === null) expect(Number.isNaN(v)).toBe(true);
    else expect(Math.abs(v - ref)).toBeLessThanOrEqual(TOL * (1 + Math.abs(ref)));
  });
}

const tensorOf = (e: Enc, dtype: 'float64' | 'int32', requiresGrad = false) =>
  gl.reshape(gl.tensor(e.data as number[], { dtype, requiresGrad }), e.shape);

describe('gl.distributions match torch.distributions', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const leaves = Object.fromEntries(
        Object.entries(c.params).map(([k, e]) => [
          k,
          gl.tensor(e.data as number[], { dtype: 'float64', requiresGrad: true }),
        ]),
      );
      const params = Object.fromEntries(
        Object.entries(leaves).map(([k, t]) => [k, gl.reshape(t, c.params[k].shape)]),
      );
      const value = tensorOf(c.value, c.value.dtype);
      const d = build(c, params);
      expect(d.batchShape).toEqual(c.batchShape);
      expect(d.eventShape).toEqual(c.eventShape);
      const lp = d.logProb(value);
      close(lp, c.logProb);
      close(d.entropy(), c.entropy);
      close(d.mean, c.mean);
      close(d.variance, c.variance);
      const gl1 = gl.grad(gl.sum(lp), Object.values(leaves), { allowUnused: true });
      Object.keys(leaves).forEach((k, i) =>
        close(gl1[i] ? Array.from(gl1[i]!.dataSync()) : c.gradLogProb[k].map(() => 0), c.gradLogProb[k]),
      );
      const ge = gl.grad(gl.sum(build(c, params).entropy()), Object.values(leaves), { allowUnused: true });
      Object.keys(leaves).forEach((k, i) =>
        close(ge[i] ? Array.from(ge[i]!.dataSync()) : c.gradEntropy[k].map(() => 0), c.gradEntropy[k]),
      );
    });
  }
});
