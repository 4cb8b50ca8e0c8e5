// The results table: one row per workload, one column per system, then gradlab's ratio to each peer (>1 = gradlab faster).
import type { SystemInfo, WorkloadResult } from './result.js';
import type { WorkloadSpec } from './workloads.js';

export interface Ratio {
  workload: string;
  peer: string;
  /** gradlab's figure over the peer's (inverted for lower-is-better figures): > 1 means gradlab is faster. */
  ratio: number;
  /** With several rounds: each round's ratio, in round order (`ratio` is their median). */
  perRound?: number[];
}

/** Ratios of gradlab to each peer where both measured the workload. */
export function ratios(specs: readonly WorkloadSpec[], results: readonly WorkloadResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const spec of specs) {
    const g = results.find((r) => r.system === 'gradlab' && r.workload === spec.id);
    if (g?.status !== 'ok' || !g.value) continue;
    for (const p of results) {
      if (p.system === 'gradlab' || p.workload !== spec.id || p.status !== 'ok' || !p.value) continue;
      out.push({
        workload: spec.id,
        peer: p.system,
        ratio: spec.direction === 'higher' ? g.value / p.value : p.value / g.value,
      });
    }
  }
  return out;
}

/** A figure with three significant digits (no exponent for the sizes seen here). */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v))));
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.min(digits, 4), minimumFractionDigits: 0 });
}

const cell = (r: WorkloadResult | undefined): string => {
  if (!r) return 'n/a';
  if (r.status === 'ok') return fmt(r.value!);
  return r.status;
};

/** Pads a table of strings into aligned columns (first column left-aligned, others right-aligned). */
function align(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  '))
    .join('\n');
}

/** How `table` labels and which ratios it prints. */
export interface TableOptions {
  /** Put every system's backend in its column head (the GPU run: `torch (cuda)`), not only gradlab's. */
  labelAll?: boolean;
  /** Ratios to print (e.g. the median over rounds); by default computed from `results`. */
  ratios?: readonly Ratio[];
}

/** A ratio cell: the ratio, and with several rounds the lowest and highest round's. */
function ratioCell(r: Ratio | undefined): string {
  if (!r) return '–';
  if (!r.perRound || r.perRound.length < 2) return `${fmt(r.ratio)}×`;
  return `${fmt(r.ratio)}× [${fmt(Math.min(...r.perRound))}–${fmt(Math.max(...r.perRound))}]`;
}

/**
 * The human-readable table and the notes explaining every cell that is not a figure.
 * @example console.log(table(specs, systems, results, infos))
 */
export function table(
  specs: readonly WorkloadSpec[],
  systems: readonly string[],
  results: readonly WorkloadResult[],
  infos: ReadonlyMap<string, SystemInfo>,
  opts: TableOptions = {},
): string {
  const labelAll = opts.labelAll ?? false;
  const label = (s: string) =>
    (s === 'gradlab' || labelAll) && infos.get(s) ? `${s} (${infos.get(s)!.backend})` : s;
  const peers = systems.filter((s) => s !== 'gradlab');
  const hasGradlab = systems.includes('gradlab');
  const rs = opts.ratios ?? ratios(specs, results);
  const head = [
    'workload',
    'unit',
    ...systems.map(label),
    ...(hasGradlab ? peers.map((p) => `vs ${p}`) : []),
  ];
  const rows = [head];
  for (const spec of specs) {
    const row = [
      spec.title,
      spec.unit,
      ...systems.map((s) => cell(results.find((r) => r.system === s && r.workload === spec.id))),
    ];
    if (hasGradlab)
      for (const p of peers) {
        row.push(ratioCell(rs.find((x) => x.workload === spec.id && x.peer === p)));
      }
    rows.push(row);
  }
  // one note per system and reason, naming the workloads it applies to
  const grouped = new Map<string, string[]>();
  for (const r of results) {
    const text = r.status !== 'ok' ? `${r.status}${r.reason ? ': ' + r.reason : ''}` : r.note;
    if (!text) continue;
    const key = `${r.system}\u0000${text}`;
    grouped.set(key, [...(grouped.get(key) ?? []), r.workload]);
  }
  const notes = [...grouped].map(([key, ws]) => {
    const [system, text] = key.split('\u0000');
    return `${system} / ${ws.join(', ')}: ${text}`;
  });
  return (
    align(rows) +
    '\n\nratio = gradlab ÷ peer for throughput, peer ÷ gradlab for times: > 1 means gradlab is faster.' +
    (rs.some((r) => (r.perRound?.length ?? 0) > 1)
      ? "\nwith rounds: figures are the median over rounds; a ratio is the median of the rounds' ratios, [lowest–highest round]."
      : '') +
    (notes.length ? '\n' + notes.map((n) => '  ' + n).join('\n') : '')
  );
}
