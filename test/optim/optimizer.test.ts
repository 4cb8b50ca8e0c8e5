// Optimizer behaviour beyond the PyTorch trajectories: groups, zeroGrad, closures, state dicts, errors, memory.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { fixture, fixtureLoss, initParams, makeOptimizer, type OptCase } from './helpers.js';

const gc = (globalThis as { gc?: () => void }).gc;
const caseNamed = (name: string): OptCase => fixture.optimizers.find((c) => c.name === name)!;
const snapshot = (ps: gl.Tensor[]) => ps.map((p) => [...p.dataSync()]);

function train(c: OptCase, params: gl.Tensor[], opt: gl.optim.Optimizer<any>, steps: number): void {
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    fixtureLoss(c, params).backward();
    opt.step();
  }
}

describe('parameter groups', () => {
  it('each group uses its own hyper-parameters and addParamGroup takes defaults', () => {
    const a = gl.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = gl.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const c = gl.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new gl.optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    opt.addParamGroup({ params: [c], weightDecay: 1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.weightDecay])).toEqual([
      [0.1, 0],
      [0.5, 0],
      [0.1, 1],
    ]);
    for (const p of [a, b, c]) p.sum().backward();
    opt.step();
    expect([...a.dataSync()]).toEqual([1 - 0.1, 2 - 0.1]);
    expect([...b.dataSync()]).toEqual([1 - 0.5, 2 - 0.5]);
    // weight decay 1: g = 1 + p
    expect([...c.dataSync()]).toEqual([1 - 0.1 * 2, 2 - 0.1 * 3]);
  });

  it('accepts any iterable of tensors (a generator, like model.parameters())', () => {
    const ps = [gl.zeros([2], { requiresGrad: true }), gl.zeros([3], { requiresGrad: true })];
    function* gen() {
      yield* ps;
    }
    const opt = new gl.optim.Adam(gen());
    expect(opt.parameters()).toEqual(ps);
  });

  it('rejects empty lists, duplicates, non-leaves and mixes of tensors and groups', () => {
    const p = gl.zeros([2], { requiresGrad: true });
    expect(() => new gl.optim.Adam([])).toThrow(/empty parameter list/);
    expect(() => new gl.optim.Adam([{ params: [p] }, { params: [p] }])).toThrow(/more than one group/);
    expect(() => new gl.optim.Adam([p.mul(2)])).toThrow(/non-leaf/);
    expect(() => new gl.optim.Adam([p, { params: [p] }] as never)).toThrow(gl.ArgumentError);
  });
});

describe('bad options raise ArgumentError naming the option', () => {
  const p = () => [gl.zeros([2], { requiresGrad: true })];
  const cases: [string, () => unknown, RegExp][] = [
    ['SGD without lr', () => new gl.optim.SGD(p(), {} as never), /SGD: lr is required/],
    ['SGD negative lr', () => new gl.optim.SGD(p(), { lr: -1 }), /SGD: invalid lr.*-1/],
    ['SGD negative momentum', () => new gl.optim.SGD(p(), { lr: 1, momentum: -0.1 }), /invalid momentum/],
    ['SGD nesterov w/o momentum', () => new gl.optim.SGD(p(), { lr: 1, nesterov: true }), /invalid nesterov/],
    [
      'SGD nesterov with dampening',
      () => new gl.optim.SGD(p(), { lr: 1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      /invalid nesterov/,
    ],
    ['Adam negative lr', () => new gl.optim.Adam(p(), { lr: -1e-3 }), /Adam: invalid lr/],
    ['Adam NaN lr', () => new gl.optim.Adam(p(), { lr: NaN }), /Adam: invalid lr/],
    ['Adam beta1 = 1', () => new gl.optim.Adam(p(), { betas: [1, 0.999] }), /invalid betas\[0\]/],
    ['Adam beta2 < 0', () => new gl.optim.Adam(p(), { betas: [0.9, -0.1] }), /invalid betas\[1\]/],
    ['Adam betas not a pair', () => new gl.optim.Adam(p(), { betas: [0.9] as never }), /invalid betas/],
    ['Adam negative eps', () => new gl.optim.Adam(p(), { eps: -1 }), /invalid eps/],
    [
      'AdamW negative weightDecay',
      () => new gl.optim.AdamW(p(), { weightDecay: -1 }),
      /AdamW: invalid weightDecay/,
    ],
    ['Adam amsgrad not boolean', () => new gl.optim.Adam(p(), { amsgrad: 1 as never }), /invalid amsgrad/],
    [
      'Adam snake_case option',
      () => new gl.optim.Adam(p(), { weight_decay: 0.1 } as never),
      /unknown option 'weight_decay'/,
    ],
    ['RMSprop negative alpha', () => new gl.optim.RMSprop(p(), { alpha: -0.5 }), /RMSprop: invalid alpha/],
    ['Adagrad negative lrDecay', () => new gl.optim.Adagrad(p(), { lrDecay: -1 }), /invalid lrDecay/],
    [
      'Adagrad negative accumulator',
      () => new gl.optim.Adagrad(p(), { initialAccumulatorValue: -1 }),
      /invalid initialAccumulatorValue/,
    ],
    [
      'Adamax negative lr in a group',
      () => new gl.optim.Adamax([{ params: p(), lr: -2 }]),
      /Adamax: invalid lr/,
    ],
    ['StepLR stepSize 0', () => new gl.optim.StepLR(new gl.optim.SGD(p(), { lr: 1 }), 0), /invalid stepSize/],
    [
      'LinearLR startFactor 0',
      () => new gl.optim.LinearLR(new gl.optim.SGD(p(), { lr: 1 }), { startFactor: 0 }),
      /invalid startFactor/,
    ],
    [
      'OneCycleLR without steps',
      () => new gl.optim.OneCycleLR(new gl.optim.SGD(p(), { lr: 1 }), 1),
      /totalSteps/,
    ],
    [
      'OneCycleLR without momentum',
      () => new gl.optim.OneCycleLR(new gl.optim.Adagrad(p()), 1, { totalSteps: 5 }),
      /cycleMomentum/,
    ],
    [
      'Plateau factor 1',
      () => new gl.optim.ReduceLROnPlateau(new gl.optim.SGD(p(), { lr: 1 }), { factor: 1 }),
      /invalid factor/,
    ],
    [
      'Plateau bad mode',
      () => new gl.optim.ReduceLROnPlateau(new gl.optim.SGD(p(), { lr: 1 }), { mode: 'up' as never }),
      /invalid mode/,
    ],
    [
      'scheduler on a non-optimizer',
      () => new gl.optim.ExponentialLR({} as never, 0.9),
      /expected an optimizer/,
    ],
    ['clipGradNorm negative max', () => gl.optim.clipGradNorm(p(), -1), /invalid maxNorm/],
    ['clipGradNorm bad normType', () => gl.optim.clipGradNorm(p(), 1, { normType: 0 }), /invalid normType/],
    [
      'accumulator every 0',
      () => new gl.optim.GradientAccumulator(new gl.optim.SGD(p(), { lr: 1 }), 0),
      /invalid every/,
    ],
  ];
  it.each(cases)('%s', (_n, make, message) => {
    expect(make).toThrow(gl.ArgumentError);
    expect(make).toThrow(message);
  });

  it('OneCycleLR refuses to step past totalSteps', () => {
    const opt = new gl.optim.SGD(p(), { lr: 1, momentum: 0.9 });
    const s = new gl.optim.OneCycleLR(opt, 1, { totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    expect(() => s.step()).toThrow(/tried to step 5 times; the specified number of total steps is 3/);
  });
});

describe('zeroGrad and step(closure)', () => {
  it('zeroGrad drops gradients by default and zeroes them with setToNone: false', () => {
    const p = gl.ones([3], { requiresGrad: true });
    const opt = new gl.optim.SGD([p], { lr: 0.1 });
    p.mul(2).sum().backward();
    opt.zeroGrad({ setToNone: false });
    expect([...p.grad!.dataSync()]).toEqual([0, 0, 0]);
    p.mul(2).sum().backward();
    expect([...p.grad!.dataSync()]).toEqual([2, 2, 2]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('step(closure) evaluates the closure with grad enabled and returns its value', () => {
    const p = gl.tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new gl.optim.SGD([p], { lr: 0.25 });
    const loss = gl.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.mul(p).sum();
        l.backward();
        return l.item();
      }),
    );
    expect(loss).toBe(9);
    expect(p.item()).toBe(3 - 0.25 * 6);
  });

  it('the lr a schedule writes into the group is used by the next step', () => {
    const p = gl.tensor([0], { dtype: 'float64', requiresGrad: true });
    const opt = new gl.optim.SGD([p], { lr: 1 });
    const sched = new gl.optim.StepLR(opt, 1, { gamma: 0.5 });
    const seen: number[] = [];
    for (let k = 0; k < 3; k++) {
      const before = p.item();
      opt.zeroGrad();
      p.mul(-1).sum().backward(); // gradient -1: each step adds lr
      opt.step();
      seen.push(p.item() - before);
      sched.step();
    }
    expect(seen).toEqual([1, 0.5, 0.25]);
  });

  it('the update table is fixed; SGD goes through the sgdStep fused entry (kernel or composite)', () => {
    expect(Object.isFrozen(gl.optim.updates)).toBe(true);
    expect(() => {
      (gl.optim.updates as { sgd: unknown }).sgd = () => undefined;
    }).toThrow(TypeError);
    const before = gl.fusedStats().sgdStep;
    const p = gl.ones([2], { requiresGrad: true });
    const opt = new gl.optim.SGD([p], { lr: 0.1 });
    p.sum().backward();
    opt.step();
    const after = gl.fusedStats().sgdStep;
    expect(after.kernel + after.composite - before.kernel - before.composite).toBe(1);
    expect([...p.dataSync()].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.9, 0.9]);
  });
});

describe('stateDict / loadStateDict', () => {
  it.each([
    'adam_groups',
    'sgd_nesterov_wd',
    'rmsprop_centered_momentum_alpha',
    'adagrad_decay_init_wd',
    'adamax_plain',
    'adamw_amsgrad_wd',
  ])('%s: resuming from a flattened state gives the identical trajectory', (name) => {
    const c = caseNamed(name);
    const params = initParams(c);
    const opt = makeOptimizer(c, params);
    train(c, params, opt, 3);
    const { tensors, metadata } = gl.optim.flattenStateDict(opt.stateDict(), 'optimizer.');
    expect(Object.keys(tensors).length).toBeGreaterThan(0);
    expect(Object.keys(tensors).every((k) => k.startsWith('optimizer.state.'))).toBe(true);
    // a new run: same parameter values, fresh optimizer, state restored (through JSON text)
    const params2 = initParams(c);
    params2.forEach((p, i) => gl.noGrad(() => p.copy_(params[i])));
    const opt2 = makeOptimizer(c, params2);
    opt2.loadStateDict(
      gl.optim.unflattenStateDict({ tensors, metadata: JSON.parse(JSON.stringify(metadata)) }),
    );
    train(c, params, opt, 4);
    train(c, params2, opt2, 4);
    expect(snapshot(params2)).toEqual(snapshot(params));
  });

  it('has PyTorch layout: state by parameter index, groups with params indices', () => {
    const c = caseNamed('adam_groups');
    const params = initParams(c);
    const opt = makeOptimizer(c, params);
    train(c, params, opt, 2);
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    expect(sd.paramGroups[0]).toMatchObject({ lr: 0.2, betas: [0.5, 0.6], amsgrad: false });
    expect(Object.keys(sd.state)).toEqual(['0', '2']); // params[2] (index 1) never had a gradient
    expect(Object.keys(sd.state[2]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    expect(sd.state[0].step).toBe(2);
    // stateDict copies: training on does not change it
    const before = [...(sd.state[0].exp_avg as gl.Tensor).dataSync()];
    train(c, params, opt, 1);
    expect([...(sd.state[0].exp_avg as gl.Tensor).dataSync()]).toEqual(before);
  });

  it('rejects states that do not fit', () => {
    const a = gl.zeros([2], { requiresGrad: true });
    const b = gl.zeros([3], { requiresGrad: true });
    const opt = new gl.optim.Adam([a, b]);
    a.sum().backward();
    b.sum().backward();
    opt.step();
    const sd = opt.stateDict();
    expect(() => new gl.optim.Adam([a]).loadStateDict(sd)).toThrow(
      /group 0 has 2 parameters in the state, 1/,
    );
    expect(() => new gl.optim.Adam([{ params: [a] }, { params: [b] }]).loadStateDict(sd)).toThrow(
      /state has 1 parameter groups, the optimizer 2/,
    );
    expect(() => new gl.optim.Adam([b, a]).loadStateDict(sd)).toThrow(gl.ShapeError);
    expect(() => gl.optim.unflattenStateDict({ tensors: {}, metadata: '{"x":1}' })).toThrow(
      /not a gradlab.optim/,
    );
  });
});

describe('memory', () => {
  it('steps free their temporaries: live storages stay exactly flat without GC', () => {
    const c = caseNamed('adam_amsgrad_betas');
    const params = initParams(c);
    const opt = makeOptimizer(c, params);
    train(c, params, opt, 1); // creates the state
    fixtureLoss(c, params).backward();
    const before = gl.memory().storages;
    for (let k = 0; k < 5; k++) opt.step();
    expect(gl.memory().storages).toBe(before);
  });

  it('live tensors stay flat over 400 steps with transforms and a schedule', async () => {
    expect(typeof gc).toBe('function');
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc!();
        await new Promise((r) => setImmediate(r));
      }
      return gl.memory();
    };
    gl.manualSeed(0);
    const w = gl.randn([8, 4], { requiresGrad: true });
    const b = gl.zeros([4], { requiresGrad: true });
    const x = gl.randn([16, 8]);
    const opt = new gl.optim.AdamW([w, b], {
      lr: 1e-2,
      transforms: [gl.optim.clipByNorm(1), gl.optim.gradNoise(1e-3, { seed: 1 })],
    });
    const sched = gl.optim.linearWarmup(opt, 10, new gl.optim.CosineAnnealingLR(opt, 390));
    const snaps: gl.MemoryInfo[] = [];
    for (let step = 1; step <= 400; step++) {
      opt.zeroGrad();
      x.matmul(w).add(b).tanh().pow(2).mean().backward();
      opt.step();
      sched.step();
      if (step === 100 || step === 400) snaps.push(await settle());
    }
    // a leak shows as growth (garbage of earlier tests may still be collected in between: a decrease);
    // one leaked tensor per step would add 300
    expect(snaps[1].tensors - snaps[0].tensors).toBeLessThanOrEqual(20);
    expect(snaps[1].storages - snaps[0].storages).toBeLessThanOrEqual(20);
    expect(snaps[1].bytes - snaps[0].bytes).toBeLessThanOrEqual(4096);
  });
});
