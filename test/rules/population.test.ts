// gl.rules.population: genome → weights bit-identical (rebuilds, cache, backends), the stacked forward, 1 vs 2 workers, the ES estimate.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { makeEvaluator, inProcessEvaluator } from '../../src/rules/population/evaluator.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';

const P = gl.rules.population;
const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 2, kind: 'classification' };
const policy = () => new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.Tanh(), new gl.nn.Linear(8, 2));
const spec = P.policySpec('test', policy());
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('seed-chain genomes', () => {
  it('rebuild the same bits twice, with or without the parent cache, and follow θ ← fround(θ + fround(σ·ε))', () => {
    const genome = [11, 22, 33];
    const a = P.rebuildWeights(spec, genome, 0.1);
    const b = P.rebuildWeights(spec, genome, 0.1);
    expect(bits(a)).toEqual(bits(b));
    const cache = new P.WeightCache();
    P.rebuildWeights(spec, [11, 22], 0.1, cache); // the parent, cached
    expect(bits(P.rebuildWeights(spec, genome, 0.1, cache))).toEqual(bits(a));
    // by hand: initial weights N(0,1)/√fan_in in float32 with zero biases, then two float32 mutations
    const theta = P.initialWeights(spec, 11);
    expect(theta.length).toBe(4 * 8 + 8 + 8 * 2 + 2);
    expect(Array.from(theta.subarray(32, 40))).toEqual(new Array(8).fill(0)); // first layer's biases
    const e0 = P.noise(11, theta.length);
    expect(theta[5]).toBe(Math.fround(e0[5] * Math.fround(1 / 2))); // fan_in 4
    for (const s of [22, 33]) {
      const eps = P.noise(s, theta.length);
      for (let i = 0; i < theta.length; i++)
        theta[i] = Math.fround(theta[i] + Math.fround(Math.fround(0.1) * eps[i]));
    }
    expect(bits(theta)).toEqual(bits(a));
    expect(bits(P.rebuildWeights(spec, [11, 22, 34], 0.1))).not.toEqual(bits(a));
    expect(P.compressionRatio(spec, genome)).toBe((4 * theta.length) / (3 * 8));
  });

  it('load into a model with the same bits on every backend', async () => {
    const theta = P.rebuildWeights(spec, [5, 6, 7, 8], 0.1);
    const before = gl.getBackend();
    for (const b of await allTestBackends()) {
      await useBackend(b);
      const m = policy();
      P.loadWeights(m, theta);
      expect(bits(await P.readWeights(m)), b).toEqual(bits(theta));
    }
    await useBackend(before);
  });

  it('stacked forward of G genomes equals each genome loaded into the model', () => {
    const genomes = [[1], [2, 3], [4, 5, 6]];
    const thetas = genomes.map((g) => P.rebuildWeights(spec, g, 0.2));
    const x = gl.randn([5, 4], { generator: new gl.Generator(9) });
    const out = P.stackedForward(spec, P.stackWeights(spec, thetas), x);
    expect(out.shape).toEqual([3, 5, 2]);
    thetas.forEach((t, g) => {
      const m = policy();
      P.loadWeights(m, t);
      const want = (m.forward(x) as gl.Tensor).toArray() as number[][];
      const got = out.select(0, g).toArray() as number[][];
      got.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i], 5));
    });
  });

  it('reject models they cannot rebuild with a RuleModelError', () => {
    const conv = new gl.nn.Sequential(new gl.nn.Conv2d(1, 2, 3), new gl.nn.Flatten(), new gl.nn.Linear(2, 2));
    expect(() => gl.rules.ga.check(conv, task)).toThrow(gl.rules.RuleModelError);
    expect(() => gl.rules.es.check(conv, task)).toThrow(/Conv2d/);
  });
});

describe('population evaluation', () => {
  const learners: gl.rules.population.PopulationLearner[] = [];
  afterAll(async () => {
    for (const l of learners) await l.close();
  });

  it('gives the same generations with 0 (this thread), 1 and 2 workers for the same seeds', async () => {
    const run = async (workers: number) => {
      const ga = gl.rules.ga.create(policy(), task, {
        workers,
        populationSize: 8,
        truncation: 3,
        eliteCandidates: 3,
        eliteEpisodes: 2,
        generator: new gl.Generator(4),
      });
      learners.push(ga);
      const reports = [];
      for (let g = 0; g < 2; g++)
        reports.push(await ga.evolve({ kind: 'cartpole', episodes: 2, maxSteps: 60 }));
      const es = gl.rules.es.create(policy(), task, {
        workers,
        populationSize: 6,
        generator: new gl.Generator(4),
      });
      learners.push(es);
      reports.push(await es.evolve({ kind: 'cartpole', episodes: 1, maxSteps: 60 }));
      return { reports, elite: ga.eliteGenome(), center: Array.from(es.eliteWeights()) };
    };
    const one = await run(1);
    expect(await run(2)).toEqual(one);
    expect(await run(0)).toEqual(one);
    expect(one.reports[0].evaluated).toBe(8);
    expect(one.reports[0].episodes).toBe(8 * 2 + 3 * 2);
  });
});

describe('population workers on the backend the user chose', () => {
  const job = (task: gl.rules.population.PopulationTask): gl.rules.population.EvalJob => ({
    spec,
    sigma: 0.1,
    candidates: [[1], [2, 3], [4, 5], [6]].map((genome) => ({ kind: 'genome' as const, genome })),
    task,
    seed: 3,
  });
  const x = Float32Array.from({ length: 12 * 4 }, (_, i) => Math.sin(i));
  const supervised: gl.rules.population.SupervisedTask = {
    kind: 'supervised',
    x,
    n: 12,
    y: Int32Array.from({ length: 12 }, (_, i) => i % 2),
    classification: true,
    fitness: 'neg-loss',
  };

  it.each(['js', 'native', 'webgpu'] as const)(
    '%s: workers (threads on js, processes elsewhere) compute on it, with the fitness of this thread',
    async (name) => {
      if (!(await allTestBackends()).includes(name))
        return console.info(`${name} workers case skipped: not here`);
      const before = gl.getBackend();
      await useBackend(name);
      // webgpu: one process opening its own device, on a supervised batch (CartPole steps cost a dispatch each)
      const task = name === 'webgpu' ? supervised : { kind: 'cartpole' as const, episodes: 2, maxSteps: 40 };
      const workers = name === 'webgpu' ? 1 : 2;
      const pool = makeEvaluator('test', workers);
      try {
        expect(pool.backend).toBe(name);
        const want = Array.from(await inProcessEvaluator().evaluate(job(task)));
        expect(Array.from(await pool.evaluate(job(task)))).toEqual(want);
      } finally {
        await pool.close();
        await useBackend(before);
      }
    },
  );
});

describe('ES gradient estimate', () => {
  it('points along the analytic gradient of a quadratic (cosine), raw and rank-shaped', () => {
    // f(θ) = −½‖θ − c‖², ∇f = c − θ. Antithetic pairs cancel the quadratic term, so the raw estimate is
    // (1/n) Σ ε εᵀ ∇f, whose cosine with ∇f is about √(n / (n + d + 1)) ≈ 0.97 for n = 200 pairs, d = 10.
    const d = 10;
    const c = Float32Array.from({ length: d }, (_, i) => Math.sin(i + 1) * 3);
    const theta = new Float32Array(d);
    const f = (t: Float32Array) => -0.5 * t.reduce((a, v, i) => a + (v - c[i]) ** 2, 0);
    const cos = (g: Float64Array) => {
      let dot = 0,
        na = 0,
        nb = 0;
      g.forEach((v, i) => {
        dot += v * (c[i] - theta[i]);
        na += v * v;
        nb += (c[i] - theta[i]) ** 2;
      });
      return dot / Math.sqrt(na * nb);
    };
    const raw = P.esGradient(f, theta, { sigma: 0.1, pairs: 200, seed: 1, shaping: 'none' });
    expect(cos(raw)).toBeGreaterThan(0.9);
    // unbiased: magnitude close to ‖∇f‖ as well
    const norm = Math.sqrt(raw.reduce((a, v) => a + v * v, 0));
    expect(norm / Math.sqrt(c.reduce((a, v) => a + v * v, 0))).toBeGreaterThan(0.8);
    // ranks keep the direction (only the order of fitness values is used), not the scale
    const ranked = P.esGradient(f, theta, { sigma: 0.1, pairs: 200, seed: 1, shaping: 'centered-ranks' });
    expect(cos(ranked)).toBeGreaterThan(0.8);
    // a wrong sign would point away: the estimate at the optimum's mirror image flips
    const away = P.esGradient((t) => -f(t), theta, { sigma: 0.1, pairs: 200, seed: 1, shaping: 'none' });
    expect(cos(away)).toBeLessThan(-0.9);
  });

  it('centered ranks span [−0.5, 0.5] in fitness order', () => {
    expect(Array.from(P.centeredRanks([3, -1, 10]))).toEqual([0, -0.5, 0.5]);
  });
});
