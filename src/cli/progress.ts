// Progress reporting: a redrawn bar with rate, ETA and live metrics on a TTY; log lines otherwise.
import { ArgumentError } from '../core/errors.js';
import type { OutStream } from './context.js';
import { formatEta, formatMetrics, formatRate } from './format.js';

// The formatters live in format.ts (one module for every number the CLI prints); re-exported here.
export { formatEta, formatMetrics, formatRate };

/** Options of `ProgressReporter`. */
export interface ProgressOptions {
  /** Number of steps to do; 0 when unknown (no bar, no ETA). */
  total: number;
  /** Text before the bar, e.g. "epoch 2/5". */
  label?: string;
  /** Where to write. Default process.stderr (stdout stays free for results). */
  stream?: OutStream;
  /** Redrawn bar (true) or log lines (false). Default: `stream.isTTY`. */
  tty?: boolean;
  /** Print nothing at all. */
  quiet?: boolean;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Least time between two redraws of the bar. Default 100 ms (at most ~10 redraws/s). */
  redrawMs?: number;
  /** Time between two log lines when not on a TTY. Default 5000 ms. */
  logIntervalMs?: number;
  /** What one step is called in the rate ("it/s"). Default "it". */
  unit?: string;
  /** Characters inside the bar's brackets. Default 24. */
  barWidth?: number;
}

/**
 * A bar of `width` cells inside brackets: `[=========>          ]`; `[====...====]` when full.
 *
 * @example
 * renderBar(0.5, 10); // '[=====>    ]'
 */
export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.floor(f * width);
  if (full >= width) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(full)}>${' '.repeat(width - full - 1)}]`;
}

/**
 * Reports the progress of a loop. On a TTY it redraws one line in place at most every
 * `redrawMs`; elsewhere it prints a plain line every `logIntervalMs` and at the end; with
 * `quiet` it prints nothing.
 *
 * @example
 * const bar = new ProgressReporter({ total: steps, label: 'epoch 1/3' });
 * for (let i = 0; i < steps; i++) bar.update(i + 1, { loss: lossValue });
 * bar.finish();
 */
export class ProgressReporter {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: OutStream;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private readonly redrawMs: number;
  private readonly logIntervalMs: number;
  private readonly unit: string;
  private readonly barWidth: number;
  private readonly start: number;
  private done = 0;
  private metrics: Record<string, number> = {};
  private lastDraw = -Infinity;
  private lastLog: number;
  private drawn = false;
  private finished = false;

  constructor(options: ProgressOptions) {
    if (!(Number.isInteger(options.total) && options.total >= 0)) {
      throw new ArgumentError(`ProgressReporter: total must be a non-negative integer, got ${options.total}`);
    }
    this.total = options.total;
    this.label = options.label ?? '';
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.quiet = options.quiet ?? false;
    this.now = options.now ?? (() => performance.now());
    this.redrawMs = options.redrawMs ?? 100;
    this.logIntervalMs = options.logIntervalMs ?? 5000;
    this.unit = options.unit ?? 'it';
    this.barWidth = options.barWidth ?? 24;
    this.start = this.now();
    this.lastLog = this.start;
  }

  /** Sets the number of steps done and the latest metric values (merged with earlier ones). */
  update(done: number, metrics?: Record<string, number>): void {
    this.done = done;
    if (metrics !== undefined) this.metrics = { ...this.metrics, ...metrics };
    if (this.quiet || this.finished) return;
    const t = this.now();
    if (this.tty) {
      if (t - this.lastDraw >= this.redrawMs) this.draw(t);
    } else if (t - this.lastLog >= this.logIntervalMs) {
      this.lastLog = t;
      this.stream.write(this.logLine(t) + '\n');
    }
  }

  /** Advances by `n` steps. */
  tick(n = 1, metrics?: Record<string, number>): void {
    this.update(this.done + n, metrics);
  }

  /** Prints a message on its own line (above the bar on a TTY); nothing when quiet. */
  log(message: string): void {
    if (this.quiet) return;
    if (this.tty && this.drawn && !this.finished) {
      this.stream.write(`\r\x1b[K${message}\n`);
      this.draw(this.now());
    } else {
      this.stream.write(message + '\n');
    }
  }

  /** Final line: total time and rate, last metrics. Further updates are ignored. */
  finish(metrics?: Record<string, number>): void {
    if (this.finished) return;
    if (metrics !== undefined) this.metrics = { ...this.metrics, ...metrics };
    if (this.quiet) {
      this.finished = true;
      return;
    }
    const t = this.now();
    if (this.tty) {
      this.draw(t, true);
      this.stream.write('\n');
    } else {
      this.stream.write(this.logLine(t, true) + '\n');
    }
    this.finished = true;
  }

  /** Seconds left at the current average rate (Infinity when unknown). */
  etaSeconds(t = this.now()): number {
    const rate = this.rate(t);
    if (this.total === 0 || rate <= 0) return Infinity;
    return Math.max(0, this.total - this.done) / rate;
  }

  /** The text of the TTY line at time t (without the carriage return). */
  barLine(t = this.now(), final = false): string {
    const parts: string[] = [];
    if (this.label !== '') parts.push(this.label);
    if (this.total > 0) {
      parts.push(renderBar(this.done / this.total, this.barWidth));
      parts.push(`${String(Math.floor((100 * this.done) / this.total)).padStart(3)}%`);
      parts.push(`${this.done}/${this.total}`);
    } else {
      parts.push(`${this.done}`);
    }
    parts.push(formatRate(this.rate(t), this.unit));
    parts.push(final ? `in ${formatEta((t - this.start) / 1000)}` : `ETA ${formatEta(this.etaSeconds(t))}`);
    const m = formatMetrics(this.metrics);
    if (m !== '') parts.push(m);
    const line = parts.join(' ');
    const cols = this.stream.columns;
    return cols !== undefined && cols > 1 && line.length > cols - 1 ? line.slice(0, cols - 1) : line;
  }

  /** The text of a non-TTY log line at time t. */
  logLine(t = this.now(), final = false): string {
    const parts: string[] = [];
    if (this.label !== '') parts.push(this.label);
    if (this.total > 0) {
      parts.push(
        `${final ? 'done ' : ''}${this.done}/${this.total} (${Math.floor((100 * this.done) / this.total)}%)`,
      );
    } else {
      parts.push(`${final ? 'done ' : ''}${this.done}`);
    }
    parts.push(formatRate(this.rate(t), this.unit));
    parts.push(final ? `in ${formatEta((t - this.start) / 1000)}` : `ETA ${formatEta(this.etaSeconds(t))}`);
    const m = formatMetrics(this.metrics, '=');
    if (m !== '') parts.push(m);
    return parts.join(' ');
  }

  private rate(t: number): number {
    const elapsed = (t - this.start) / 1000;
    return elapsed > 0 ? this.done / elapsed : 0;
  }

  private draw(t: number, final = false): void {
    this.lastDraw = t;
    this.drawn = true;
    this.stream.write(`\r${this.barLine(t, final)}\x1b[K`);
  }
}
