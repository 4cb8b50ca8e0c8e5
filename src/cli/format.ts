// The one formatter module of the CLI: numbers, metrics, rates, ETAs, durations, local times and aligned tables.

/**
 * A metric value in at most `digits` significant digits, without exponent noise for ordinary
 * magnitudes: 0.123456 → "0.1235", 1234.5 → "1235", 1.5e-7 → "1.5e-7".
 */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4)
    return v
      .toExponential(Math.max(0, digits - 1))
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  if (a >= 10 ** digits) return String(Math.round(v));
  return String(Number(v.toPrecision(digits)));
}

/** A duration in ms as "850ms", "12.3s", "4m05s" or "2h03m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.floor(s);
  if (total < 3600) return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

/** Local date and time "2024-06-12 14:32" (with seconds when `seconds`). */
export function formatTime(ms: number, seconds = false): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${date} ${p(d.getHours())}:${p(d.getMinutes())}${seconds ? ':' + p(d.getSeconds()) : ''}`;
}

/** Shortens `s` to `max` characters with a trailing "…". */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.max(0, max - 1)) + '…';
}

/**
 * Left-aligned columns separated by two spaces; the last column is not padded.
 *
 * @example
 * table(['ID', 'STATUS'], [['k7m2xq', 'completed']]); // 'ID      STATUS\nk7m2xq  completed\n'
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/**
 * The few metrics worth a column in a run list: numeric results first, else the last logged
 * values, names with "loss" or "acc" preferred; at most `max`.
 */
export function keyMetrics(
  results: Record<string, unknown> | null,
  lastMetrics: Record<string, number>,
  max = 3,
): [string, number][] {
  const rank = (name: string): number => (/acc/i.test(name) ? 0 : /loss/i.test(name) ? 1 : 2);
  const pick = (entries: [string, number][]): [string, number][] =>
    entries.sort((a, b) => rank(a[0]) - rank(b[0])).slice(0, max);
  const fromResults = Object.entries(results ?? {}).filter(
    (e): e is [string, number] => typeof e[1] === 'number',
  );
  return fromResults.length > 0 ? pick(fromResults) : pick(Object.entries(lastMetrics));
}

/** "m:ss" or "h:mm:ss" for a number of seconds; "--:--" when unknown. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** "12.3 it/s", or "2.50 s/it" below one step a second; "-- it/s" when unknown. */
export function formatRate(perSecond: number, unit = 'it'): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return `-- ${unit}/s`;
  if (perSecond < 1) return `${(1 / perSecond).toFixed(2)} s/${unit}`;
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)} ${unit}/s`;
}

/** "loss 0.3456 acc 0.912" (`sep` between name and value; "=" in log lines). */
export function formatMetrics(metrics: Record<string, number>, sep = ' '): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}${sep}${formatNumber(v)}`)
    .join(' ');
}
