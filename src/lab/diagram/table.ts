// Text forms of a traced diagram: wire labels with named axes, human-readable FLOPs and bytes, the per-op table.
import type { AxisNames } from './axes.js';
import type { Diagram } from './trace.js';

/**
 * A wire's label: each axis as `name size` (or its size alone), e.g. `[batch 64, 256]`.
 * @example gl.lab.wireLabel([64, 256], ['batch', null]); // '[batch 64, 256]'
 */
export function wireLabel(shape: readonly number[], axes: AxisNames): string {
  return '[' + shape.map((s, i) => (axes[i] ? `${axes[i]} ${s}` : String(s))).join(', ') + ']';
}

/** FLOPs with an SI prefix (k, M, G, T), e.g. `3.21 MFLOP`; `?` for an op without a rule. */
export function fmtFlops(n: number | null): string {
  if (n === null) return '?';
  const units = ['', 'k', 'M', 'G', 'T'];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? String(Math.round(v)) : v.toPrecision(3)} ${units[u]}FLOP`;
}

/** Bytes with a binary prefix, e.g. `96 B`, `64.0 KiB`. */
export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** The per-op table of `d` (folded parameter views are left out: they cost nothing). */
export function diagramTable(d: Diagram): string {
  const rows = d.ops
    .filter((o) => !o.folded)
    .map((o) => [
      String(o.id),
      o.op + (o.learned ? '*' : ''),
      o.scope.split('/').join('.') || '-',
      wireLabel(o.outputs[0]?.shape ?? [], o.outputs[0]?.axes ?? []),
      fmtFlops(o.flops.forward),
      fmtFlops(o.flops.backward),
      fmtBytes(o.savedBytes),
    ]);
  const head = ['id', 'op', 'module', 'output', 'forward', 'backward', 'saved'];
  const all = [head, ...rows];
  const w = head.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r: string[]): string =>
    r.map((c, j) => (j >= 4 ? c.padStart(w[j]) : c.padEnd(w[j]))).join('  ');
  const t = d.totals;
  return [
    line(head),
    ...rows.map(line),
    `total  forward ${fmtFlops(t.forwardFlops)}  backward ${fmtFlops(t.backwardFlops)}  saved ${fmtBytes(t.savedBytes)}` +
      (t.uncounted.length ? `  (no FLOP rule: ${t.uncounted.join(', ')})` : ''),
    '* learned (a parameter enters the op)',
  ].join('\n');
}
