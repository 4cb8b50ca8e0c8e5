// OneCycleLR: warm up to maxLr, then anneal far below the start (cosine or linear), cycling momentum inversely.
import { ArgumentError } from '../../core/errors.js';
import { boolean, inRange, integer, knownKeys, oneOf, positive } from '../validate.js';
import { LRScheduler, perGroup } from './base.js';

/** Options of OneCycleLR (PyTorch's, camelCased). Give totalSteps, or epochs and stepsPerEpoch. */
export interface OneCycleOptions {
  /** Steps in the whole cycle (or give epochs and stepsPerEpoch). */
  totalSteps?: number;
  /** Epochs, with stepsPerEpoch: totalSteps = epochs * stepsPerEpoch. */
  epochs?: number;
  /** Batches per epoch, with epochs. */
  stepsPerEpoch?: number;
  /** Fraction of the steps spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** Shape of the lr's changes: 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (SGD's momentum or Adam's beta1) between maxMomentum and baseMomentum (default true). */
  cycleMomentum?: boolean;
  /** Momentum at the lr's peak (one value or one per group; default 0.85). */
  baseMomentum?: number | number[];
  /** Momentum at the start and the end (one value or one per group; default 0.95). */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) instead of two (default false). */
  threePhase?: boolean;
}

/** One phase of the cycle: its last step and the group keys its lr and momentum move between. */
interface Phase {
  /** The phase's last step. */
  endStep: number;
  /** Group key of the lr at the phase's start ('initialLr', 'maxLr' or 'minLr'). */
  startLr: string;
  /** Group key of the lr at the phase's end. */
  endLr: string;
  /** Group key of the momentum at the start ('maxMomentum' or 'baseMomentum'). */
  startMomentum: string;
  /** Group key of the momentum at the end. */
  endMomentum: string;
}

/**
 * The one-cycle policy (Smith & Topin): call step() after every batch, totalSteps times in all.
 * @example const sched = new gl.optim.OneCycleLR(opt, 0.1, { totalSteps: 1000 });
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the whole cycle: step() may be called this many times. */
  totalSteps: number;
  /** The two (or three) phases of the cycle. */
  phases: Phase[];
  /** Shape of the changes: 'cos' or 'linear'. */
  annealStrategy: 'cos' | 'linear';
  /** Whether the momentum cycles too. */
  cycleMomentum: boolean;
  /** The optimizer has `betas` (Adam family): the cycled momentum is beta1 (else SGD's `momentum`). */
  useBeta1: boolean;

  constructor(optimizer: unknown, maxLr: number | number[], opts: OneCycleOptions = {}) {
    super('OneCycleLR', optimizer);
    const O = 'OneCycleLR';
    knownKeys(O, opts, [
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
    ]);
    if (opts.totalSteps !== undefined) {
      integer(O, 'totalSteps', opts.totalSteps, 1);
      this.totalSteps = opts.totalSteps;
    } else if (opts.epochs !== undefined && opts.stepsPerEpoch !== undefined) {
      integer(O, 'epochs', opts.epochs, 1);
      integer(O, 'stepsPerEpoch', opts.stepsPerEpoch, 1);
      this.totalSteps = opts.epochs * opts.stepsPerEpoch;
    } else throw new ArgumentError(`${O}: give totalSteps, or epochs and stepsPerEpoch`);
    const pct = opts.pctStart ?? 0.3;
    inRange(O, 'pctStart', pct, 0, 1);
    this.annealStrategy = opts.annealStrategy ?? 'cos';
    oneOf(O, 'annealStrategy', this.annealStrategy, ['cos', 'linear']);
    const divFactor = opts.divFactor ?? 25;
    const finalDivFactor = opts.finalDivFactor ?? 1e4;
    positive(O, 'divFactor', divFactor);
    positive(O, 'finalDivFactor', finalDivFactor);
    boolean(O, 'threePhase', opts.threePhase ?? false);
    const n = this.totalSteps;
    this.phases = opts.threePhase
      ? [
          {
            endStep: pct * n - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pct * n - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: n - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pct * n - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: n - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    const groups = this.groups;
    const maxLrs = perGroup(O, 'maxLr', maxLr, groups.length);
    maxLrs.forEach((m, i) => positive(O, `maxLr[${i}]`, m));
    groups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = (g.initialLr as number) / finalDivFactor;
    });
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.cycleMomentum = opts.cycleMomentum ?? true;
    boolean(O, 'cycleMomentum', this.cycleMomentum);
    const defaults = this.optimizer.defaults as unknown as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    if (this.cycleMomentum) {
      if (!('momentum' in defaults) && !this.useBeta1)
        throw new ArgumentError(
          `${O}: cycleMomentum needs an optimizer with momentum or betas (or cycleMomentum: false)`,
        );
      const maxM = perGroup(O, 'maxMomentum', opts.maxMomentum ?? 0.95, groups.length);
      const baseM = perGroup(O, 'baseMomentum', opts.baseMomentum ?? 0.85, groups.length);
      groups.forEach((g, i) => {
        this.setMomentum(g, maxM[i]);
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
    }
    this._initialStep();
  }

  private setMomentum(g: Record<string, unknown>, m: number): void {
    if (this.useBeta1) g.betas = [m, (g.betas as number[])[1]];
    else g.momentum = m;
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps)
      throw new ArgumentError(
        `OneCycleLR: tried to step ${t + 1} times; the specified number of total steps is ${this.totalSteps}`,
      );
    return this.groups.map((g) => {
      const G = g as unknown as Record<string, number>;
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (t <= ph.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (ph.endStep - start);
          if (this.cycleMomentum)
            this.setMomentum(g, this.anneal(G[ph.startMomentum], G[ph.endMomentum], pct));
          return this.anneal(G[ph.startLr], G[ph.endLr], pct);
        }
        start = ph.endStep;
      }
      return g.lr;
    });
  }

  override stateDict() {
    const s = super.stateDict();
    s.phases = this.phases.map((p) => ({ ...p }));
    return s;
  }

  override loadStateDict(state: Record<string, import('../types.js').Json>): void {
    super.loadStateDict(state);
    if (Array.isArray(state.phases))
      this.phases = (state.phases as unknown as Phase[]).map((p) => ({ ...p }));
  }
}
