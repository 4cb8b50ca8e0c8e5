// Run export formats: a wide CSV of metrics (one row per step) and the full run record as JSON.
import type { RunDetail } from './types.js';

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The run's metrics as CSV: header `step,<metric names sorted>`, then one row per logged step in
 * ascending order; a metric not logged at a step leaves its cell empty. Numbers are written in
 * JavaScript's shortest round-trip form (`NaN`, `Infinity` as such).
 *
 * @example
 * runToCsv(run); // 'step,acc,loss\n0,0.1,2.30\n1,,2.1\n'
 */
export function runToCsv(run: Pick<RunDetail, 'metrics'>): string {
  const names = Object.keys(run.metrics).sort();
  const byStep = new Map<number, (number | undefined)[]>();
  names.forEach((name, col) => {
    const s = run.metrics[name];
    for (let i = 0; i < s.steps.length; i++) {
      let row = byStep.get(s.steps[i]);
      if (row === undefined) byStep.set(s.steps[i], (row = new Array<number | undefined>(names.length)));
      row[col] = s.values[i];
    }
  });
  const lines = [['step', ...names].map(csvField).join(',')];
  for (const step of [...byStep.keys()].sort((a, b) => a - b)) {
    const row = byStep.get(step)!;
    lines.push(
      [String(step), ...names.map((_, c) => (row[c] === undefined ? '' : String(row[c])))].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The whole run record (config, env, results, metric series, events, checkpoints) as indented JSON.
 * @example
 * const store = RunStore.open('exp');
 * const id = store.createRun({ kind: 'train', config: { lr: 0.1 } });
 * store.logMetrics(id, 0, { loss: 2.3 });
 * const json = runToJson(store.getRun(id)); // config, env, metrics, events... as indented JSON
 * store.close();
 */
export function runToJson(run: RunDetail): string {
  return JSON.stringify(run, null, 2) + '\n';
}
