// Schedule specs: one-line learning-rate schedules ("cosine", "step:30:0.1", "warmup:100+cosine") built on gl.optim.
import { ArgumentError } from '../core/errors.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler, Schedule } from '../optim/schedules/base.js';
import { CosineAnnealingLR } from '../optim/schedules/cosine.js';
import { LinearLR, linearWarmup } from '../optim/schedules/linear.js';
import { OneCycleLR } from '../optim/schedules/one-cycle.js';
import { ReduceLROnPlateau } from '../optim/schedules/plateau.js';
import { ExponentialLR, MultiStepLR, StepLR } from '../optim/schedules/step.js';
import type { BaseHyper } from '../optim/types.js';

/** A schedule built from a spec, and whether the trainer steps it per optimizer step or per epoch. */
export interface BuiltSchedule {
  /** The scheduler, or null for 'constant'. */
  scheduler: Schedule | null;
  /** 'step': stepped after every optimizer step; 'epoch': at every epoch end. */
  interval: 'step' | 'epoch';
}

/** The grammar, for help texts and errors. */
export const SCHEDULE_SYNTAX =
  'constant | cosine | linear | step:<epochs>[:<gamma>] | multistep:<e1>,<e2>,...[:<gamma>] | exp:<gamma> | ' +
  'onecycle | plateau[:<patience>[:<factor>]], optionally preceded by warmup:<steps>+ (or warmup:<steps> alone)';

function bad(spec: string, why: string): ArgumentError {
  return new ArgumentError(`schedule '${spec}': ${why} (expected ${SCHEDULE_SYNTAX})`);
}

function num(spec: string, text: string | undefined, what: string, check: (v: number) => boolean): number {
  const v = text !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!check(v)) throw bad(spec, `bad ${what} '${text ?? ''}'`);
  return v;
}

/**
 * Builds a learning-rate schedule from a one-line spec. Epoch counts (`step:30`, `multistep:10,20`,
 * `exp:0.9` per epoch) are converted to optimizer steps with `stepsPerEpoch`, and every schedule
 * except `plateau` is stepped after each optimizer step; `warmup:<n>` counts optimizer steps.
 * `cosine` and `linear` decay over the whole run (after the warm-up); `onecycle` peaks at the
 * optimizer's lr; `plateau` divides the lr by 1/factor (default 0.1) when the epoch's validation
 * loss (or training loss) has not improved for `patience` (default 3) epochs.
 *
 * @example
 * const { scheduler, interval } = gl.train.parseSchedule('warmup:100+cosine', opt, { stepsPerEpoch: 469, epochs: 5 });
 */
export function parseSchedule(
  spec: string,
  optimizer: Optimizer<BaseHyper>,
  run: { stepsPerEpoch: number; epochs: number },
): BuiltSchedule {
  const text = spec.trim();
  const total = run.stepsPerEpoch * run.epochs;
  let warm = 0;
  let main = text;
  const wm = /^warmup:([^+]*)(?:\+(.*))?$/.exec(text);
  if (wm) {
    warm = num(text, wm[1], 'warm-up step count', (v) => Number.isInteger(v) && v >= 1);
    main = wm[2] ?? 'constant';
  }
  const [name, ...args] = main.split(':');
  const rest = total - warm;
  let after: LRScheduler | undefined;
  const need = (n: number) => {
    if (args.length > n) throw bad(text, `too many fields after '${name}'`);
  };
  switch (name) {
    case 'constant':
    case 'none':
      need(0);
      break;
    case 'cosine':
      need(0);
      after = new CosineAnnealingLR(optimizer, Math.max(1, rest));
      break;
    case 'linear':
      need(0);
      after = new LinearLR(optimizer, { startFactor: 1, endFactor: 0, totalIters: Math.max(1, rest) });
      break;
    case 'step': {
      need(2);
      const every = num(text, args[0], 'epoch count', (v) => Number.isInteger(v) && v >= 1);
      const gamma = args[1] === undefined ? 0.1 : num(text, args[1], 'gamma', (v) => v > 0);
      after = new StepLR(optimizer, every * run.stepsPerEpoch, { gamma });
      break;
    }
    case 'multistep': {
      need(2);
      const ms = (args[0] ?? '')
        .split(',')
        .map((m) => num(text, m, 'milestone', (v) => Number.isInteger(v) && v >= 1));
      const gamma = args[1] === undefined ? 0.1 : num(text, args[1], 'gamma', (v) => v > 0);
      after = new MultiStepLR(
        optimizer,
        ms.map((m) => m * run.stepsPerEpoch),
        { gamma },
      );
      break;
    }
    case 'exp': {
      need(1);
      const gamma = num(text, args[0], 'gamma', (v) => v > 0);
      after = new ExponentialLR(optimizer, gamma ** (1 / run.stepsPerEpoch));
      break;
    }
    case 'onecycle': {
      need(0);
      if (warm > 0) throw bad(text, 'onecycle has its own warm-up; drop warmup:');
      const lr = optimizer.paramGroups[0].lr;
      return {
        scheduler: new OneCycleLR(optimizer, lr, { totalSteps: Math.max(1, total) }),
        interval: 'step',
      };
    }
    case 'plateau': {
      need(2);
      if (warm > 0) throw bad(text, 'plateau cannot follow a warm-up');
      const patience =
        args[0] === undefined ? 3 : num(text, args[0], 'patience', (v) => Number.isInteger(v) && v >= 0);
      const factor = args[1] === undefined ? 0.1 : num(text, args[1], 'factor', (v) => v > 0 && v < 1);
      return { scheduler: new ReduceLROnPlateau(optimizer, { patience, factor }), interval: 'epoch' };
    }
    default:
      throw bad(text, `unknown schedule '${name}'`);
  }
  if (warm > 0) return { scheduler: linearWarmup(optimizer, warm, after), interval: 'step' };
  return { scheduler: after ?? null, interval: 'step' };
}
