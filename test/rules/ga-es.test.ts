// gl.rules.ga and gl.rules.es: one generation equals the hand-computed one; quick runs beat chance on CartPole and a toy.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { sampleHost } from '../../src/core/random/generator.js';

const P = gl.rules.population;
const toyTask: gl.rules.TaskSpec = { inputShape: [2], outputs: 3, kind: 'classification' };
const net = () => new gl.nn.Sequential(new gl.nn.Linear(2, 8), new gl.nn.Tanh(), new gl.nn.Linear(8, 3));
const spec = P.policySpec('test', net());

/** Three Gaussian blobs in 2-D (centers on a circle of radius 2, sd 0.5), 20 points each. */
function blobs(seed: number) {
  const g = new gl.Generator(seed);
  const n = sampleHost(g, 120, 'normal');
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < 60; i++) {
    const k = i % 3;
    xs.push([
      2 * Math.cos((2 * Math.PI * k) / 3) + 0.5 * n[2 * i],
      2 * Math.sin((2 * Math.PI * k) / 3) + 0.5 * n[2 * i + 1],
    ]);
    ys.push(k);
  }
  return { x: gl.tensor(xs), y: gl.tensor(ys, { dtype: 'int32' }) };
}

/** −cross-entropy of the genome's weights on (x, y), computed through an ordinary model. */
function negLoss(theta: Float32Array, x: gl.Tensor, y: gl.Tensor): number {
  const m = net();
  P.loadWeights(m, theta);
  return -gl.crossEntropy(m.forward(x) as gl.Tensor, y).item();
}

const accuracy = (scores: gl.Tensor, y: gl.Tensor) => gl.eq(gl.argmax(scores, -1), y).float().mean().item();

describe('gl.rules.ga', () => {
  it('one generation keeps the fittest genome as elite and breeds children of the top T, as worked by hand', async () => {
    const { x, y } = blobs(0);
    const model = net();
    const ga = gl.rules.ga.create(model, toyTask, {
      populationSize: 4,
      truncation: 2,
      sigma: 0.1,
      generator: new gl.Generator(3),
    });
    // replay the rule's stream: 4 initial seeds, then per generation the evaluation seed, 3 parent picks, 3 child seeds
    const g = new gl.Generator(3);
    let pop: number[][] = Array.from({ length: 4 }, () => [P.drawSeed(g)]);
    for (let gen = 0; gen < 2; gen++) {
      const fit = pop.map((gn) => negLoss(P.rebuildWeights(spec, gn, 0.1), x, y));
      const order = [0, 1, 2, 3].sort((a, b) => fit[b] - fit[a] || a - b);
      const { loss, stats } = await ga.step(x, y);
      expect(loss).toBeCloseTo(-fit[order[0]], 5);
      expect(ga.eliteGenome()).toEqual(pop[order[0]]);
      expect(stats.backwardCalls).toBe(0);
      expect(stats.forwardPasses).toBe(4);
      P.drawSeed(g); // the evaluation seed (unused by a supervised batch)
      const picks = sampleHost(g, 3, 'uniform');
      const parents = order.slice(0, 2).map((i) => pop[i]);
      pop = [pop[order[0]], ...Array.from(picks, (u) => [...parents[Math.floor(u * 2)], P.drawSeed(g)])];
    }
    // the model holds the elite's weights, bit for bit
    expect(Array.from(await P.readWeights(model))).toEqual(
      Array.from(P.rebuildWeights(spec, ga.eliteGenome(), 0.1)),
    );
    expect(ga.compression()).toBe((4 * 51) / (8 * ga.eliteGenome().length));
    await ga.close();
  });

  it('a quick run on CartPole raises the population mean and finds a balancing elite', async () => {
    const policy = new gl.nn.Sequential(new gl.nn.Linear(4, 16), new gl.nn.Tanh(), new gl.nn.Linear(16, 2));
    const ga = gl.rules.ga.create(
      policy,
      { inputShape: [4], outputs: 2, kind: 'classification' },
      {
        populationSize: 20,
        truncation: 5,
        eliteCandidates: 3,
        eliteEpisodes: 3,
        generator: new gl.Generator(1),
      },
    );
    const reports = [];
    for (let i = 0; i < 4; i++)
      reports.push(await ga.evolve({ kind: 'cartpole', episodes: 1, maxSteps: 200 }));
    // a random policy balances ~20 steps (chance); selection lifts the mean, the elite reaches the cap
    expect(reports[3].mean).toBeGreaterThan(reports[0].mean);
    expect(reports[3].elite).toBeGreaterThanOrEqual(150);
    await ga.close();
  });

  it('a quick supervised run beats chance on three blobs', async () => {
    const { x, y } = blobs(1);
    const ga = gl.rules.ga.create(net(), toyTask, {
      populationSize: 30,
      truncation: 6,
      sigma: 0.2,
      generator: new gl.Generator(2),
    });
    for (let i = 0; i < 10; i++) await ga.step(x, y);
    expect(accuracy(ga.predict(x), y)).toBeGreaterThan(0.6); // chance 1/3
    await ga.close();
  });
});

describe('gl.rules.es', () => {
  it('one step is SGD up the antithetic rank-shaped estimate, as worked by hand', async () => {
    const { x, y } = blobs(2);
    const model = net();
    const es = gl.rules.es.create(model, toyTask, {
      populationSize: 6,
      sigma: 0.1,
      lr: 0.05,
      optimizer: 'sgd',
      generator: new gl.Generator(5),
    });
    const g = new gl.Generator(5);
    const theta = P.initialWeights(spec, P.drawSeed(g));
    expect(Array.from(await P.readWeights(model))).toEqual(Array.from(theta));
    const seeds = [P.drawSeed(g), P.drawSeed(g), P.drawSeed(g)];
    const at = (s: number, sign: number) => {
      const eps = P.noise(s, theta.length);
      return negLoss(
        theta.map((v, j) => Math.fround(v + sign * Math.fround(Math.fround(0.1) * eps[j]))),
        x,
        y,
      );
    };
    const fit = [...seeds.map((s) => at(s, 1)), ...seeds.map((s) => at(s, -1))];
    // centered ranks by hand: rank r of 6 values → r/5 − 0.5
    const sorted = [...fit].sort((a, b) => a - b);
    const rank = fit.map((f) => sorted.indexOf(f) / 5 - 0.5);
    const grad = new Float64Array(theta.length);
    seeds.forEach((s, i) => {
      const eps = P.noise(s, theta.length);
      for (let j = 0; j < theta.length; j++) grad[j] += ((rank[i] - rank[i + 3]) * eps[j]) / (2 * 3 * 0.1);
    });
    const { stats } = await es.step(x, y);
    expect(stats.backwardCalls).toBe(0);
    expect(stats.paramsUpdated).toBe(4);
    // SGD (momentum 0.9, first step): θ − lr·(−ĝ)
    const after = await P.readWeights(model);
    after.forEach((v, j) => expect(v).toBeCloseTo(theta[j] + 0.05 * grad[j], 5));
    await es.close();
  });

  it('a quick supervised run beats chance on three blobs', async () => {
    const { x, y } = blobs(3);
    const es = gl.rules.es.create(net(), toyTask, {
      populationSize: 20,
      lr: 0.1,
      generator: new gl.Generator(2),
    });
    for (let i = 0; i < 15; i++) await es.step(x, y);
    expect(accuracy(es.predict(x), y)).toBeGreaterThan(0.6); // chance 1/3
    await es.close();
  });

  it('a quick run on CartPole raises the center return over the initial one', async () => {
    const policy = new gl.nn.Sequential(new gl.nn.Linear(4, 16), new gl.nn.Tanh(), new gl.nn.Linear(16, 2));
    const es = gl.rules.es.create(
      policy,
      { inputShape: [4], outputs: 2, kind: 'classification' },
      {
        populationSize: 20,
        lr: 0.1,
        eliteEpisodes: 3,
        generator: new gl.Generator(3),
      },
    );
    const reports = [];
    for (let i = 0; i < 5; i++)
      reports.push(await es.evolve({ kind: 'cartpole', episodes: 1, maxSteps: 200 }));
    expect(Math.max(...reports.map((r) => r.elite))).toBeGreaterThan(reports[0].mean);
    expect(reports[4].mean).toBeGreaterThan(reports[0].mean);
    await es.close();
  });

  it('names bad options', () => {
    expect(() => gl.rules.es.create(net(), toyTask, { populationSize: 5 })).toThrow(gl.ArgumentError);
    expect(() => gl.rules.ga.create(net(), toyTask, { truncation: 200 })).toThrow(/truncation/);
    expect(() => gl.rules.ga.create(net(), toyTask, { sigma: -1 })).toThrow(gl.ArgumentError);
  });
});
