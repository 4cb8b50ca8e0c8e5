// Arms of recipe `deep-ga`: the GA, random search, OpenAI-ES and REINFORCE with a value baseline on CartPole, and the checks.
import { availableBackends, backendByName } from '../core/backend-registry.js';
import { Generator, sampleHost } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { CartPole } from '../envs/cartpole.js';
import { CartPoleBatch } from '../envs/cartpole-batch.js';
import { Tanh } from '../nn/activation.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { mul, sub } from '../ops/elementwise.js';
import { argmax, mean as meanOf } from '../ops/reduce.js';
import { logSoftmax } from '../ops/nn.js';
import { gather } from '../ops/shape.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { Adam } from '../optim/adam.js';
import { es } from '../rules/es.js';
import { ga } from '../rules/ga.js';
import { episodeSeeds, evaluate } from '../rules/population/evaluate.js';
import { drawSeed, rebuildWeights, WeightCache, type Genome } from '../rules/population/genome.js';
import { loadWeights, readWeights } from '../rules/population/learner.js';
import { policySpec, type PolicySpec } from '../rules/population/spec.js';
import type { TaskSpec } from '../rules/types.js';

/** The policy of the notes: MLP 4-32-32-2, tanh; the action is the argmax of its two outputs. */
export function policyNet(): Sequential {
  return new Sequential(new Linear(4, 32), new Tanh(), new Linear(32, 32), new Tanh(), new Linear(32, 2));
}

export const CARTPOLE_TASK: TaskSpec = { inputShape: [4], outputs: 2, kind: 'classification' };

/** Population settings of one arm. */
export interface PopulationBudget {
  populationSize: number;
  truncation: number;
  eliteCandidates: number;
  eliteEpisodes: number;
  generations: number;
  sigma: number;
}

/** Mean return of fixed weights over `episodes` held-out episodes (seeded `seed`), lockstep. */
export async function heldOutReturn(
  spec: PolicySpec,
  theta: Float32Array,
  episodes: number,
  seed: number,
): Promise<number> {
  const f = await evaluate({
    spec,
    sigma: 0,
    center: theta,
    candidates: [{ kind: 'center' }],
    task: { kind: 'cartpole', episodes },
    seed,
  });
  return f[0];
}

/** The GA: per generation the elite's re-evaluated mean; the final elite genome. */
export async function runGa(
  seed: number,
  b: PopulationBudget,
  workers: number,
): Promise<{
  eliteByGen: number[];
  episodes: number;
  genome: Genome;
  theta: Float32Array;
  spec: PolicySpec;
  genMs: number[];
}> {
  const model = policyNet();
  const learner = ga.create(model, CARTPOLE_TASK, {
    populationSize: b.populationSize,
    truncation: b.truncation,
    eliteCandidates: b.eliteCandidates,
    eliteEpisodes: b.eliteEpisodes,
    sigma: b.sigma,
    workers,
    generator: new Generator(1000 + seed),
  });
  const eliteByGen: number[] = [];
  const genMs: number[] = [];
  try {
    for (let g = 0; g < b.generations; g++) {
      const t0 = performance.now();
      eliteByGen.push((await learner.evolve({ kind: 'cartpole', episodes: 1 })).elite);
      genMs.push(performance.now() - t0);
    }
  } finally {
    await learner.close();
  }
  return {
    eliteByGen,
    episodes: learner.episodes,
    genome: learner.eliteGenome(),
    theta: learner.eliteWeights(),
    spec: learner.spec,
    genMs,
  };
}

/**
 * Random search with the GA's episode budget and selection protocol: each round draws `populationSize`
 * fresh initial genomes (one episode each), re-evaluates its top `eliteCandidates` over `eliteEpisodes`, and
 * keeps the best re-evaluated genome seen so far.
 */
export async function randomSearch(
  seed: number,
  b: PopulationBudget,
): Promise<{ bestByRound: number[]; episodes: number; theta: Float32Array }> {
  const spec = policySpec('random-search', policyNet());
  const gen = new Generator(2000 + seed);
  const cache = new WeightCache(0);
  let best: { genome: Genome; score: number } | null = null;
  const bestByRound: number[] = [];
  let episodes = 0;
  for (let r = 0; r < b.generations; r++) {
    const genomes: Genome[] = Array.from({ length: b.populationSize }, () => [drawSeed(gen)]);
    const cands = genomes.map((genome) => ({ kind: 'genome' as const, genome }));
    const fit = await evaluate(
      {
        spec,
        sigma: b.sigma,
        candidates: cands,
        task: { kind: 'cartpole', episodes: 1 },
        seed: drawSeed(gen),
      },
      cache,
    );
    const top = Array.from(fit.keys())
      .sort((i, j) => fit[j] - fit[i] || i - j)
      .slice(0, b.eliteCandidates);
    const re = await evaluate(
      {
        spec,
        sigma: b.sigma,
        candidates: top.map((i) => cands[i]),
        task: { kind: 'cartpole', episodes: b.eliteEpisodes },
        seed: drawSeed(gen),
      },
      cache,
    );
    episodes += b.populationSize + top.length * b.eliteEpisodes;
    re.forEach((v, k) => {
      if (!best || v > best.score) best = { genome: genomes[top[k]], score: v };
    });
    bestByRound.push(best!.score);
  }
  return { bestByRound, episodes, theta: rebuildWeights(spec, best!.genome, b.sigma) };
}

/** OpenAI-ES until it has used `budget` episodes; the center's return per generation. */
export async function runEs(
  seed: number,
  opts: { populationSize: number; sigma: number; lr: number; eliteEpisodes: number; budget: number },
): Promise<{ centerByGen: number[]; episodes: number; theta: Float32Array }> {
  const learner = es.create(policyNet(), CARTPOLE_TASK, {
    populationSize: opts.populationSize,
    sigma: opts.sigma,
    lr: opts.lr,
    eliteEpisodes: opts.eliteEpisodes,
    generator: new Generator(3000 + seed),
  });
  const centerByGen: number[] = [];
  while (learner.episodes + opts.populationSize + opts.eliteEpisodes <= opts.budget)
    centerByGen.push((await learner.evolve({ kind: 'cartpole', episodes: 1 })).elite);
  await learner.close();
  return { centerByGen, episodes: learner.episodes, theta: learner.eliteWeights() };
}

/**
 * REINFORCE with a learned value baseline (a backprop policy gradient), written with gl ops: episodes
 * of a batch run in lockstep with actions sampled from the softmax policy; then one update of
 * −mean(log π(a|s) · Â) + ½·mean((V(s) − G)²), Â the normalized advantage G − V(s), G the discounted
 * return-to-go (γ = 0.99), Adam on both nets.
 */
export async function reinforce(
  seed: number,
  opts: { budget: number; batch: number; lr: number; gamma: number },
): Promise<{ returnByUpdate: number[]; episodes: number; theta: Float32Array }> {
  const gen = new Generator(4000 + seed);
  // initial policy: the same seeded initialization as a GA genome
  const policy = policyNet();
  const spec = policySpec('reinforce', policy);
  loadWeights(policy, rebuildWeights(spec, [drawSeed(gen)], 0.1));
  const value = new Sequential(new Linear(4, 32), new Tanh(), new Linear(32, 1));
  const opt = new Adam([...policy.parameters(), ...value.parameters()], { lr: opts.lr });
  const returnByUpdate: number[] = [];
  let episodes = 0;
  while (episodes + opts.batch <= opts.budget) {
    const B = opts.batch;
    const envs = new CartPoleBatch(B);
    envs.reset(Array.from({ length: B }, () => drawSeed(gen)));
    const obs: number[] = [];
    const acts: number[] = [];
    const who: number[] = []; // episode of each row
    const stepOf: number[] = [];
    while (!envs.allDone()) {
      const o = envs.observations();
      const logits = noGrad(() => policy.forward(fromTypedArray(o, [B, 4], 'float32')) as Tensor);
      const l = await logits.data();
      logits.dispose();
      const u = sampleHost(gen, B, 'uniform');
      const a = new Int32Array(B);
      for (let i = 0; i < B; i++) {
        if (!envs.running[i]) continue;
        const p1 = 1 / (1 + Math.exp(l[2 * i] - l[2 * i + 1]));
        a[i] = u[i] < p1 ? 1 : 0;
        for (let k = 0; k < 4; k++) obs.push(o[4 * i + k]);
        acts.push(a[i]);
        who.push(i);
        stepOf.push(envs.steps[i]);
      }
      envs.step(a);
    }
    episodes += B;
    // discounted returns-to-go: each step earns 1, episode i lasted envs.steps[i]
    const R = acts.length;
    const G = new Float32Array(R);
    for (let r = 0; r < R; r++) {
      const left = envs.steps[who[r]] - stepOf[r];
      G[r] = (1 - opts.gamma ** left) / (1 - opts.gamma);
    }
    let total = 0;
    for (const v of envs.returns) total += v / B;
    returnByUpdate.push(total);
    opt.zeroGrad();
    tidy(() => {
      const X = fromTypedArray(Float32Array.from(obs), [R, 4], 'float32');
      const A = fromTypedArray(Int32Array.from(acts), [R, 1], 'int32');
      const ret = fromTypedArray(G, [R, 1], 'float32');
      const logp = gather(logSoftmax(policy.forward(X) as Tensor, -1), 1, A); // [R, 1]
      const v = value.forward(X) as Tensor;
      const adv = sub(ret, v.detach());
      const advN = mul(
        sub(adv, meanOf(adv)),
        1 / (Math.sqrt(meanOf(mul(adv, adv)).item() - meanOf(adv).item() ** 2) + 1e-8),
      );
      const d = sub(v, ret);
      const loss = sub(mul(meanOf(mul(d, d)), 0.5), meanOf(mul(logp, advN.detach())));
      loss.backward();
    });
    opt.step();
  }
  return { returnByUpdate, episodes, theta: await readWeights(policy) };
}

/**
 * How many 32-bit words differ between the genome's weights rebuilt once and the same weights rebuilt
 * again (no cache) or read back after a round trip through each backend present (0: bit-identical everywhere).
 */
export async function bitMismatches(
  spec: PolicySpec,
  genome: Genome,
  sigma: number,
): Promise<{ mismatches: number; backends: string[] }> {
  const a = rebuildWeights(spec, genome, sigma);
  const ref = new Uint32Array(a.buffer);
  const differing = (x: Float32Array) =>
    new Uint32Array(x.buffer).reduce((n, v, i) => n + (v === ref[i] ? 0 : 1), 0);
  let mismatches = differing(rebuildWeights(spec, genome, sigma));
  const backends = availableBackends();
  for (const name of backends) {
    const t = fromTypedArray(a, [a.length], 'float32', backendByName(name));
    mismatches += differing(new Float32Array((await t.data()) as Float32Array));
    t.dispose();
  }
  return { mismatches, backends };
}

/**
 * Mean return of `theta` over the episodes of `seed` twice: from the lockstep evaluator (stacked weights,
 * one batched matmul per layer) and from an ordinary model stepping one CartPole at a time.
 */
export async function lockstepVersusSingle(
  spec: PolicySpec,
  theta: Float32Array,
  episodes: number,
  seed: number,
): Promise<{ lockstep: number; single: number }> {
  const model: Module = policyNet();
  loadWeights(model, theta);
  let total = 0;
  for (const s of episodeSeeds(seed, episodes)) {
    const env = new CartPole();
    let obs = env.reset(new Generator(s));
    for (;;) {
      const a = noGrad(() => argmax(model.forward(fromTypedArray(obs, [1, 4], 'float32')) as Tensor, -1));
      const r = env.step((await a.data())[0]);
      a.dispose();
      total += r.reward;
      if (r.terminated || r.truncated) break;
      obs = r.observation;
    }
  }
  const lockstep = await heldOutReturn(spec, theta, episodes, seed);
  return { lockstep, single: total / episodes };
}
