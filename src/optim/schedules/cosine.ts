// Cosine annealing, plain (CosineAnnealingLR) and with warm restarts (SGDR, CosineAnnealingWarmRestarts).
import { ArgumentError } from '../../core/errors.js';
import { integer, knownKeys, nonNegative } from '../validate.js';
import { LRScheduler } from './base.js';

/**
 * Anneals the lr from its initial value to `etaMin` along half a cosine over `tMax` steps
 * (PyTorch's recursive form; past tMax it rises again).
 * @example const sched = new gl.optim.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Steps of the half cosine (an integer >= 1). */
  tMax: number;
  /** The lowest lr, reached at step tMax (default 0). */
  etaMin: number;

  constructor(optimizer: unknown, tMax: number, opts: { etaMin?: number } = {}) {
    super('CosineAnnealingLR', optimizer);
    knownKeys('CosineAnnealingLR', opts, ['etaMin']);
    integer('CosineAnnealingLR', 'tMax', tMax, 1);
    this.tMax = tMax;
    this.etaMin = opts.etaMin ?? 0;
    nonNegative('CosineAnnealingLR', 'etaMin', this.etaMin);
    this._initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0)
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    if ((t - 1 - T) % (2 * T) === 0)
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return this.groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }
}

/**
 * Cosine annealing with warm restarts (SGDR): the lr restarts at its initial value after `t0`
 * steps, then after `t0 * tMult`, `t0 * tMult^2`... steps. `step(epoch)` also accepts a
 * fractional epoch (e.g. `epoch + batch / batches`), as in PyTorch.
 * @example const sched = new gl.optim.CosineAnnealingWarmRestarts(opt, 10, { tMult: 2 });
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Steps of the first cycle. */
  t0: number;
  /** Steps of the current cycle. */
  tI: number;
  /** Growth factor of the cycle length after each restart (an integer >= 1; default 1). */
  tMult: number;
  /** The lowest lr (default 0). */
  etaMin: number;
  /** Steps (possibly fractional) since the last restart. */
  tCur: number;

  constructor(optimizer: unknown, t0: number, opts: { tMult?: number; etaMin?: number } = {}) {
    super('CosineAnnealingWarmRestarts', optimizer);
    knownKeys('CosineAnnealingWarmRestarts', opts, ['tMult', 'etaMin']);
    integer('CosineAnnealingWarmRestarts', 't0', t0, 1);
    this.t0 = this.tI = t0;
    this.tMult = opts.tMult ?? 1;
    integer('CosineAnnealingWarmRestarts', 'tMult', this.tMult, 1);
    this.etaMin = opts.etaMin ?? 0;
    nonNegative('CosineAnnealingWarmRestarts', 'etaMin', this.etaMin);
    this.tCur = this.lastEpoch;
    this._initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2,
    );
  }

  /** Advances one step, or jumps to `epoch` (may be fractional). */
  override step(epoch?: number): void {
    this.stepCount++;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (!(epoch >= 0))
        throw new ArgumentError(`CosineAnnealingWarmRestarts: expected a non-negative epoch, got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = epoch % this.t0;
        else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.getLr());
  }

  override _stepTo(epoch: number): void {
    this.step(epoch);
  }
}
