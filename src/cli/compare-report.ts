// What `gradlab compare` prints: the table (each cost also relative to bp), the learning curves, the --json document.
import type * as gl from '../index.js';
import type { JsonObject } from '../store/index.js';
import { formatBytes } from '../lab/memory/table.js';
import { formatNumber, table } from './format.js';
import { multiPlot } from './multi-plot.js';

type Result = gl.train.CompareResult;
type Row = gl.train.CompareRow;

function pct(v: number): string {
  return (100 * v).toFixed(1);
}

function times(r: number | null | undefined): string {
  return r === null || r === undefined ? '' : ` (${formatNumber(r, 3)}×)`;
}

function seconds(s: number): string {
  return s >= 10 ? `${s.toFixed(1)}s` : s >= 1 ? `${s.toFixed(2)}s` : `${Math.round(s * 1000)}ms`;
}

/**
 * The comparison table, one row per rule: test accuracy mean ± sd over seeds (and the difference
 * to bp in points), time per epoch, peak saved bytes and backward calls per step (each with its
 * ratio to bp), the largest backward sub-graph, parameter tensors updated per step, forward passes.
 */
export function compareTable(result: Result): string {
  const hasBp = result.rows.some((r) => r.rule === 'bp');
  const header = [
    'RULE',
    'TEST ACC %',
    ...(hasBp ? ['VS BP'] : []),
    'TIME/EPOCH',
    'PEAK SAVED',
    'BWD/STEP',
    'LARGEST BWD',
    'PARAMS/STEP',
    'FWD PASSES',
  ];
  const rows = result.rows.map((r: Row) => {
    const v = r.vsBp;
    const acc = `${pct(r.testAccuracy.mean)} ± ${pct(r.testAccuracy.sd)}`;
    const diff =
      v === null ? '-' : r.rule === 'bp' ? '' : `${v.testAccuracy >= 0 ? '+' : ''}${pct(v.testAccuracy)}`;
    return [
      r.rule,
      acc,
      ...(hasBp ? [diff] : []),
      seconds(r.secondsPerEpoch.mean) + times(v?.secondsPerEpoch),
      formatBytes(r.peakSavedBytes) + times(v?.peakSavedBytes),
      formatNumber(r.backwardCallsPerStep, 3) + times(v?.backwardCallsPerStep),
      `${r.largestBackwardOps} ops`,
      formatNumber(r.paramsUpdatedPerStep, 3),
      `${Math.round(r.forwardPasses)} (${formatNumber(r.forwardPassesPerStep, 3)}/step)`,
    ];
  });
  return table(header, rows);
}

/** The learning curves: test accuracy (mean over seeds) against examples seen, one marker per rule. */
export function compareCurves(result: Result, width = 60, height = 12): string {
  const series = result.rows.map((r) => {
    const curves = r.seeds.map((s) => s.curve);
    const len = Math.min(...curves.map((c) => c.examples.length));
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < len; i++) {
      xs.push(curves.reduce((a, c) => a + c.examples[i], 0) / curves.length);
      ys.push((100 * curves.reduce((a, c) => a + c.testAccuracy[i], 0)) / curves.length);
    }
    return { label: r.rule, xs, ys };
  });
  return multiPlot(series, {
    width,
    height,
    title: `test accuracy % (mean over ${result.seeds.length} seed${result.seeds.length === 1 ? '' : 's'})`,
    xLabel: 'training examples seen',
    formatY: (v) => v.toFixed(1),
  });
}

/** The --json document's row of one rule: its numbers, per-seed values, the run ids. */
export function jsonRow(r: Row, runIds: Record<string, string>): JsonObject {
  const nul = (v: number | null | undefined): number | null =>
    v === undefined || v === null || !Number.isFinite(v) ? null : v;
  return {
    rule: r.rule,
    summary: r.summary,
    testAccuracy: r.testAccuracy.mean,
    testAccuracySd: r.testAccuracy.sd,
    testAccuracyPerSeed: r.seeds.map((s) => s.testAccuracy),
    secondsPerEpoch: r.secondsPerEpoch.mean,
    secondsPerEpochSd: r.secondsPerEpoch.sd,
    peakSavedBytes: r.peakSavedBytes,
    backwardCallsPerStep: r.backwardCallsPerStep,
    largestBackwardOps: r.largestBackwardOps,
    paramsUpdatedPerStep: r.paramsUpdatedPerStep,
    forwardPasses: r.forwardPasses,
    forwardPassesPerStep: r.forwardPassesPerStep,
    examplesSeen: r.examplesSeen,
    vsBp:
      r.vsBp === null
        ? null
        : {
            testAccuracy: r.vsBp.testAccuracy,
            secondsPerEpoch: nul(r.vsBp.secondsPerEpoch),
            peakSavedBytes: nul(r.vsBp.peakSavedBytes),
            backwardCallsPerStep: nul(r.vsBp.backwardCallsPerStep),
          },
    perSeed: r.seeds.map((s) => ({
      seed: s.seed,
      runId: runIds[`${r.rule}/${s.seed}`] ?? null,
      testAccuracy: s.testAccuracy,
      secondsPerEpoch: s.secondsPerEpoch,
      trainSeconds: s.trainSeconds,
      steps: s.steps,
      examplesSeen: s.examplesSeen,
      forwardPasses: s.forwardPasses,
      backwardCalls: s.backwardCalls,
      peakSavedBytes: s.peakSavedBytes,
      largestBackwardOps: s.largestBackwardOps,
      paramsUpdated: s.paramsUpdated,
      curve: {
        examples: s.curve.examples,
        testAccuracy: s.curve.testAccuracy,
        trainLoss: s.curve.trainLoss.map((v) => nul(v)),
      },
    })),
  };
}
