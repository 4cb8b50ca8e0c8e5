// Plain-text helpers for the lab's printouts: byte sizes and aligned tables.

/**
 * 1536 → '1.5 KiB'.
 * @example gl.lab.memory.formatBytes(1536); // '1.5 KiB'
 */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * Columns padded to their widest cell; the first column left-aligned, the others right-aligned.
 * @example console.log(gl.lab.memory.formatTable(['layer', 'bytes'], [['fc1', '1.5 KiB'], ['fc2', '512 B']]));
 */
export function formatTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}
