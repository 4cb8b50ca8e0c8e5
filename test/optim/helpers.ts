// Shared pieces of the optim tests: the fixture file, its loss function and a builder for scheduler specs.
import { readFileSync } from 'node:fs';
import * as gl from '../../src/index.js';

export interface OptCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad' | 'Adamax';
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  sign: number;
  dtype: 'float32' | 'float64';
  init: { shape: number[]; data: number[] }[];
  targets: number[][];
  scales: number[][];
  trajectory: number[][][];
}

export interface SchedSpec {
  kind: string;
  args?: unknown[];
  options?: Record<string, unknown>;
  schedulers?: SchedSpec[];
  milestones?: number[];
  constructOrder?: number[];
  metrics?: number[];
}

export interface SchedCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  spec: SchedSpec;
  lrs: number[][];
  momenta: number[][];
}

export interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | 'inf';
  dtype: 'float32' | 'float64';
  grads: { shape: number[]; data: number[] }[];
  totalNorm: number;
  clipped: number[][];
}

export const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch/optim.json', import.meta.url), 'utf8'),
) as { source: string; optimizers: OptCase[]; schedules: SchedCase[]; clipGradNorm: ClipCase[] };

/** The fixture's parameters, fresh leaves requiring grad. */
export function initParams(c: OptCase): gl.Tensor[] {
  return c.init.map((p) => gl.tensor(p.data, { dtype: c.dtype }).reshape(p.shape).detach().requiresGrad_());
}

/** sign * sum_i( sum(scale_i * (p_i - target_i)^2) + 0.1 * sum(sin(3 p_i)) ) over the first two parameters. */
export function fixtureLoss(c: OptCase, params: gl.Tensor[]): gl.Tensor {
  let total: gl.Tensor | null = null;
  for (let i = 0; i < 2; i++) {
    const p = params[i];
    const t = gl.tensor(c.targets[i], { dtype: c.dtype }).reshape(p.shape);
    const s = gl.tensor(c.scales[i], { dtype: c.dtype }).reshape(p.shape);
    const term = s
      .mul(p.sub(t).pow(2))
      .sum()
      .add(gl.sin(p.mul(3)).sum().mul(0.1));
    total = total ? total.add(term) : term;
  }
  return total!.mul(c.sign);
}

/** Builds the optimizer of an optimizer case (groups by parameter index). */
export function makeOptimizer(c: OptCase, params: gl.Tensor[]): gl.optim.Optimizer<any> {
  const spec = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) : params;
  const Cls = gl.optim[c.optimizer] as unknown as new (p: unknown, o: unknown) => gl.optim.Optimizer<any>;
  return new Cls(spec, c.options);
}

/** The same user functions as LAMBDAS in the generator. */
export const lambdas: Record<string, (step: number) => number> = {
  inverse: (step) => 1.0 / (1.0 + 0.1 * step),
  warmup_then_halving: (step) => (step < 4 ? (step + 1) / 5.0 : 0.5 ** Math.floor((step - 4) / 6)),
};

type Sched = gl.optim.Schedule;

/** Builds a scheduler from a fixture spec, constructing children in the spec's order. */
export function buildSchedule(spec: SchedSpec, opt: gl.optim.Optimizer<any>): Sched {
  const o = gl.optim;
  const args = spec.args ?? [];
  const opts = spec.options ?? {};
  switch (spec.kind) {
    case 'StepLR':
      return new o.StepLR(opt, args[0] as number, opts);
    case 'MultiStepLR':
      return new o.MultiStepLR(opt, args[0] as number[], opts);
    case 'ExponentialLR':
      return new o.ExponentialLR(opt, args[0] as number);
    case 'CosineAnnealingLR':
      return new o.CosineAnnealingLR(opt, args[0] as number, opts);
    case 'CosineAnnealingWarmRestarts':
      return new o.CosineAnnealingWarmRestarts(opt, args[0] as number, opts);
    case 'LinearLR':
      return new o.LinearLR(opt, opts);
    case 'OneCycleLR':
      return new o.OneCycleLR(opt, args[0] as number | number[], opts);
    case 'LambdaLR':
      return new o.LambdaLR(opt, lambdas[args[0] as string]);
    case 'ReduceLROnPlateau':
      return new o.ReduceLROnPlateau(opt, opts);
    case 'SequentialLR': {
      const subs = spec.schedulers!;
      const order = spec.constructOrder ?? subs.map((_, i) => i);
      const built: gl.optim.LRScheduler[] = [];
      for (const i of order) built[i] = buildSchedule(subs[i], opt) as gl.optim.LRScheduler;
      return new o.SequentialLR(opt, built, spec.milestones!);
    }
    case 'ChainedScheduler':
      return new o.ChainedScheduler(
        spec.schedulers!.map((s) => buildSchedule(s, opt) as gl.optim.LRScheduler),
      );
    default:
      throw new Error(`unknown scheduler kind ${spec.kind}`);
  }
}

/** The optimizer the schedule fixtures use: two groups (lr 0.1 and 0.01), SGD momentum 0.9 or Adam. */
export function scheduleOptimizer(kind: 'SGD' | 'Adam'): gl.optim.Optimizer<any> {
  const a = gl.zeros([2], { requiresGrad: true });
  const b = gl.zeros([2], { requiresGrad: true });
  const groups = [{ params: [a] }, { params: [b], lr: 0.01 }];
  return kind === 'SGD'
    ? new gl.optim.SGD(groups, { lr: 0.1, momentum: 0.9 })
    : new gl.optim.Adam(groups, { lr: 0.1 });
}

/** Each group's momentum (SGD) or beta1 (Adam). */
export function momenta(opt: gl.optim.Optimizer<any>): number[] {
  return opt.paramGroups.map((g) =>
    Array.isArray(g.betas) ? (g.betas as number[])[0] : (g.momentum as number),
  );
}

/** Largest |a - b| / max(1, |b|) over two arrays. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}
