// Several rounds of the same suite: each system's figure is the median over rounds, each ratio the median of the rounds' ratios.
import type { Ratio } from './report.js';
import { ratios } from './report.js';
import type { WorkloadResult } from './result.js';
import type { WorkloadSpec } from './workloads.js';

/**
 * The order systems run in during round `r` (0-based): as given in even rounds, reversed in odd ones,
 * so no system always runs right after the same neighbour (this machine's speed drifts over seconds).
 * @example roundOrder(['gradlab', 'torch'], 1) // ['torch', 'gradlab']
 */
export function roundOrder<T>(systems: readonly T[], r: number): T[] {
  return r % 2 === 0 ? [...systems] : [...systems].reverse();
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One result per (system, workload) from the rounds' results. The figure is the median of the rounds
 * that measured it (`roundValues` lists them in round order); the other fields (step times, spread,
 * warm-up) come from the round whose figure is the lower middle one. A system that failed in some
 * rounds keeps the figure of the others, and its note says how many failed and why; one that never
 * measured the workload keeps the first round's status.
 */
export function combineResults(rounds: readonly (readonly WorkloadResult[])[]): WorkloadResult[] {
  if (rounds.length === 1) return [...rounds[0]];
  const out: WorkloadResult[] = [];
  for (const first of rounds[0]) {
    const all = rounds.map((rs) =>
      rs.find((r) => r.system === first.system && r.workload === first.workload),
    );
    const ok = all.filter((r): r is WorkloadResult => r?.status === 'ok' && r.value !== undefined);
    if (ok.length === 0) {
      out.push(first);
      continue;
    }
    const byValue = [...ok].sort((a, b) => a.value! - b.value!);
    const base = byValue[(byValue.length - 1) >> 1];
    const failed = all.filter((r) => r?.status !== 'ok');
    const failNote = failed.length
      ? `${failed.length} of ${rounds.length} rounds gave no figure (${failed[0]?.status ?? 'no result'}${failed[0]?.reason ? ': ' + failed[0].reason : ''})`
      : undefined;
    out.push({
      ...base,
      value: median(ok.map((r) => r.value!)),
      roundValues: ok.map((r) => r.value!),
      note: [base.note, failNote].filter(Boolean).join('; ') || undefined,
    });
  }
  return out;
}

/**
 * gradlab's ratio to each peer, per round, then the median over the rounds where both measured the
 * workload (`perRound` lists the rounds' ratios in order). With one round this is `ratios` itself.
 * Pairing by round compares figures taken seconds apart, which a slow drift of the machine's speed
 * affects far less than figures taken minutes apart.
 */
export function combineRatios(
  specs: readonly WorkloadSpec[],
  rounds: readonly (readonly WorkloadResult[])[],
): Ratio[] {
  if (rounds.length === 1) return ratios(specs, rounds[0]);
  const perRound = rounds.map((rs) => ratios(specs, rs));
  const out: Ratio[] = [];
  for (const spec of specs)
    for (const peer of new Set(perRound.flat().map((r) => r.peer))) {
      const rs = perRound.flatMap((list) =>
        list.filter((r) => r.workload === spec.id && r.peer === peer).map((r) => r.ratio),
      );
      if (rs.length) out.push({ workload: spec.id, peer, ratio: median(rs), perRound: rs });
    }
  return out;
}

/**
 * The workloads in run order, grouped: the plain and tidy loops of one family, and the per-example methods,
 * form one group each (their rounds interleave), every other workload is a group of its own.
 * @example familyGroups([mlp(), mlp(undefined, undefined, 'tidy')]) // [[mlp, mlp-tidy]]
 */
export function familyGroups(specs: readonly WorkloadSpec[]): WorkloadSpec[][] {
  const groups: WorkloadSpec[][] = [];
  const byFamily = new Map<string, WorkloadSpec[]>();
  for (const s of specs) {
    if (s.family !== 'mlp' && s.family !== 'cnn' && s.family !== 'per-example') {
      groups.push([s]);
      continue;
    }
    let g = byFamily.get(s.family);
    if (!g) {
      byFamily.set(s.family, (g = []));
      groups.push(g);
    }
    g.push(s);
  }
  return groups;
}

/** gradlab's plain-loop figure over its tidy-loop figure for one family: the median of the rounds' ratios. */
export interface LoopRatio {
  family: string;
  ratio: number;
  perRound: number[];
}

/** For every family measured with both loops, gradlab's plain ÷ tidy per round and their median. */
export function loopRatios(
  specs: readonly WorkloadSpec[],
  rounds: readonly (readonly WorkloadResult[])[],
): LoopRatio[] {
  const out: LoopRatio[] = [];
  for (const plain of specs) {
    if ((plain.family !== 'mlp' && plain.family !== 'cnn') || plain.loop !== 'plain') continue;
    const tidy = specs.find((s) => s.family === plain.family && s.id !== plain.id);
    if (!tidy) continue;
    const value = (rs: readonly WorkloadResult[], id: string) =>
      rs.find((r) => r.system === 'gradlab' && r.workload === id && r.status === 'ok')?.value;
    const perRound: number[] = [];
    for (const rs of rounds) {
      const p = value(rs, plain.id);
      const t = value(rs, tidy.id);
      if (p !== undefined && t !== undefined) perRound.push(p / t);
    }
    if (perRound.length) out.push({ family: plain.family, ratio: median(perRound), perRound });
  }
  return out;
}

/** One line of the report: `gradlab plain loop ÷ tidy loop, MLP: 0.98× [0.91–1.04]`. */
export function loopLine(l: LoopRatio): string {
  const f = (v: number) => v.toPrecision(3);
  return `gradlab plain loop ÷ tidy loop, ${l.family.toUpperCase()}: ${f(l.ratio)}× [${f(Math.min(...l.perRound))}–${f(Math.max(...l.perRound))}] (median of ${l.perRound.length} rounds)`;
}

/** One per-example figure over another (`gradlab per-example-fast` ÷ `gradlab per-example-loop`), per round. */
export interface MethodRatio {
  /** The numerator: `<system> <workload>`. */
  a: string;
  /** The denominator: `<system> <workload>`. */
  b: string;
  ratio: number;
  perRound: number[];
}

/**
 * Per-example throughput ratios, per round and their median: every system's fast path and vmap path over its own
 * loop of single-example backward calls, and gradlab's fast path over each peer's vmap (PyTorch has no fast path).
 * @example perExampleRatios([perExample('fast'), perExample('loop')], rounds) // [{ a: 'gradlab per-example-fast', b: 'gradlab per-example-loop', ... }]
 */
export function perExampleRatios(
  specs: readonly WorkloadSpec[],
  rounds: readonly (readonly WorkloadResult[])[],
): MethodRatio[] {
  const systems = [...new Set(rounds.flat().map((r) => r.system))];
  const pairs: [string, string, string, string][] = [];
  for (const system of systems)
    for (const m of ['fast', 'vmap']) pairs.push([system, `per-example-${m}`, system, 'per-example-loop']);
  for (const peer of systems.filter((s) => s !== 'gradlab'))
    pairs.push(['gradlab', 'per-example-fast', peer, 'per-example-vmap']);
  const out: MethodRatio[] = [];
  for (const [sa, wa, sb, wb] of pairs) {
    if (!specs.some((s) => s.id === wa) || !specs.some((s) => s.id === wb)) continue;
    const value = (rs: readonly WorkloadResult[], system: string, w: string) =>
      rs.find((r) => r.system === system && r.workload === w && r.status === 'ok')?.value;
    const perRound: number[] = [];
    for (const rs of rounds) {
      const x = value(rs, sa, wa);
      const y = value(rs, sb, wb);
      if (x !== undefined && y !== undefined) perRound.push(x / y);
    }
    if (perRound.length) out.push({ a: `${sa} ${wa}`, b: `${sb} ${wb}`, ratio: median(perRound), perRound });
  }
  return out;
}

/** One line of the report: `torch per-example-vmap ÷ torch per-example-loop: 18.1× [13.6–25.2] (median of 3 rounds)`. */
export function methodLine(l: MethodRatio): string {
  const f = (v: number) => v.toPrecision(3);
  return `${l.a} ÷ ${l.b}: ${f(l.ratio)}× [${f(Math.min(...l.perRound))}–${f(Math.max(...l.perRound))}] (median of ${l.perRound.length} rounds)`;
}
