// `gradlab runs`, `runs show <id>`, `runs export <id>`: list, inspect and export stored runs.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RunStore, resolveStorePath } from '../../store/index.js';
import type { JsonValue, RunDetail, RunStatus } from '../../store/index.js';
import type { GlobalOptions } from '../args.js';
import { defineCommand, defineGroup } from '../command.js';
import type { CliContext } from '../context.js';
import { formatDuration, formatNumber, formatTime, keyMetrics, table, truncate } from '../format.js';
import { asciiPlot } from '../plot.js';

const STATUSES = ['running', 'completed', 'failed', 'interrupted'] as const satisfies readonly RunStatus[];

/** The store named by --store / $GRADLAB_STORE / the default, which must exist already. */
function openExisting(global: GlobalOptions, ctx: CliContext): RunStore {
  return RunStore.open(resolveStorePath(global.store, ctx.env, ctx.cwd), { create: false });
}

function duration(run: { startedAt: number; finishedAt: number | null }, now: number): string {
  return formatDuration((run.finishedAt ?? now) - run.startedAt);
}

/** `gradlab runs [list]`. */
export const listCommand = defineCommand({
  summary: 'list runs, most recent first',
  options: {
    kind: {
      type: 'string',
      valueName: 'kind',
      description: "only runs of this kind ('train', 'recipe', ...)",
    },
    status: { type: 'string', choices: STATUSES, description: 'only runs with this status' },
    name: { type: 'string', valueName: 'text', description: 'only runs whose name contains this text' },
    group: {
      type: 'string',
      valueName: 'id',
      description: 'only runs of this group (the comparison id `gradlab compare` prints)',
    },
    limit: { type: 'number', integer: true, min: 1, default: 20, description: 'show at most this many runs' },
    json: { type: 'boolean', description: 'print the runs as JSON (one array) instead of a table' },
  },
  positionals: [],
  examples: ['gradlab runs', 'gradlab runs --status completed --limit 5', 'gradlab runs --store /tmp/exp'],
  run({ options, global }, ctx) {
    const file = resolveStorePath(global.store, ctx.env, ctx.cwd);
    if (!existsSync(file)) {
      if (options.json) ctx.stdout.write('[]\n');
      else ctx.stdout.write(`No runs yet (no run store at ${file}).\n`);
      return 0;
    }
    const store = openExisting(global, ctx);
    try {
      const runs = store.listRuns({
        kind: options.kind,
        status: options.status,
        name: options.name,
        group: options.group,
        limit: options.limit,
      });
      if (options.json) {
        ctx.stdout.write(JSON.stringify(runs, null, 2) + '\n');
        return 0;
      }
      if (runs.length === 0) {
        ctx.stdout.write(`No runs match in ${file}.\n`);
        return 0;
      }
      const now = ctx.now();
      const rows = runs.map((r) => [
        r.id,
        r.kind,
        truncate(r.name ?? '-', 24),
        r.status,
        formatTime(r.startedAt),
        duration(r, now),
        keyMetrics(r.results, r.lastMetrics)
          .map(([k, v]) => `${k} ${formatNumber(v)}`)
          .join('  '),
      ]);
      ctx.stdout.write(table(['ID', 'KIND', 'NAME', 'STATUS', 'STARTED', 'DURATION', 'METRICS'], rows));
      return 0;
    } finally {
      store.close();
    }
  },
});

/** Flattens nested config objects to dotted keys for display. */
function flatten(value: JsonValue, prefix: string, out: [string, string][]): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return out;
}

/** Aligned "key  value" lines, indented by `indent`. */
function keyValues(pairs: [string, string][], indent: string): string {
  if (pairs.length === 0) return `${indent}(none)\n`;
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

function section(title: string, pairs: [string, string][]): string {
  return `${title}\n${keyValues(pairs, '  ')}`;
}

/** The metric plotted by default: 'loss', else the first with 'loss' in its name, else the first. */
function defaultMetric(run: RunDetail): string | undefined {
  const names = Object.keys(run.metrics);
  return names.includes('loss') ? 'loss' : (names.find((n) => /loss/i.test(n)) ?? names[0]);
}

/** `gradlab runs show <id>`. */
export const showCommand = defineCommand({
  summary: "print a run's config, environment, final metrics and loss curve",
  options: {
    metric: {
      type: 'string',
      valueName: 'name',
      description: "metric to plot (default: 'loss', else the first with 'loss' in its name)",
    },
    width: {
      type: 'number',
      integer: true,
      min: 10,
      max: 400,
      default: 60,
      description: 'plot width in columns',
    },
    height: {
      type: 'number',
      integer: true,
      min: 3,
      max: 100,
      default: 12,
      description: 'plot height in rows',
    },
    logY: { type: 'boolean', description: 'logarithmic y axis' },
  },
  positionals: [{ name: 'id', description: 'run id, or a unique prefix of one' }],
  examples: ['gradlab runs show k7m2xq', 'gradlab runs show k7m --metric valAccuracy --log-y'],
  run({ options, positionals, global }, ctx) {
    const store = openExisting(global, ctx);
    let run: RunDetail;
    try {
      run = store.getRun(positionals.id);
    } finally {
      store.close();
    }
    const now = ctx.now();
    const o: string[] = [];
    o.push(`run ${run.id}  ${run.kind}${run.name !== null ? `  "${run.name}"` : ''}`);
    o.push(
      keyValues(
        [
          ['status', run.status + (run.error !== null ? ` (${run.error})` : '')],
          ['started', formatTime(run.startedAt, true)],
          ['finished', run.finishedAt !== null ? formatTime(run.finishedAt, true) : '-'],
          ['duration', duration(run, now)],
          ['store', store.path],
        ],
        '',
      ),
    );
    o.push(section('config', flatten(run.config, '', [])));
    o.push(section('environment', flatten(run.env as JsonValue, '', [])));
    if (run.results !== null) o.push(section('results', flatten(run.results, '', [])));
    const finals: [string, string][] = Object.entries(run.metrics).map(([name, s]) => {
      const last = s.values.length - 1;
      let best = 0;
      for (let i = 1; i < s.values.length; i++) if (s.values[i] < s.values[best]) best = i;
      return [
        name,
        `${formatNumber(s.values[last])} at step ${s.steps[last]}  (min ${formatNumber(s.values[best])} at step ${s.steps[best]}, ${s.values.length} values)`,
      ];
    });
    o.push(section('final metrics', finals));
    if (run.checkpoints.length > 0) {
      const shown = run.checkpoints.slice(-5);
      o.push(
        section(
          `checkpoints (${run.checkpoints.length}${run.checkpoints.length > shown.length ? ', last 5' : ''})`,
          shown.map((c) => [
            `step ${c.step}`,
            (path.relative(ctx.cwd, c.path) || c.path) + (existsSync(c.path) ? '' : '  (file deleted)'),
          ]),
        ),
      );
    }
    const metric = options.metric ?? defaultMetric(run);
    if (metric === undefined) {
      o.push('(no metrics logged)\n');
    } else {
      const series = run.metrics[metric];
      if (series === undefined) {
        ctx.stdout.write(o.join('\n'));
        ctx.stderr.write(
          `gradlab runs show: run ${run.id} has no metric '${metric}'; it has: ${Object.keys(run.metrics).join(', ') || 'none'}\n`,
        );
        return 1;
      }
      o.push(
        asciiPlot(series.steps, series.values, {
          width: options.width,
          height: options.height,
          logY: options.logY,
          title: `${metric}${options.logY ? ' (log scale)' : ''}`,
        }) + '\n',
      );
    }
    ctx.stdout.write(o.join('\n'));
    return 0;
  },
});

/** `gradlab runs export <id>`. */
export const exportCommand = defineCommand({
  summary: "write a run's metrics as CSV or the whole run as JSON",
  description:
    'CSV has one row per step and one column per metric (empty where a metric was not logged).\n' +
    'JSON holds the whole run: config, environment, results, metric series, events, checkpoints.',
  options: {
    format: {
      type: 'string',
      choices: ['csv', 'json'],
      description: 'output format (default: from the --out extension, else csv)',
    },
    out: {
      type: 'string',
      short: 'o',
      valueName: 'file',
      description: 'write to this file instead of stdout',
    },
  },
  positionals: [{ name: 'id', description: 'run id, or a unique prefix of one' }],
  examples: ['gradlab runs export k7m2xq > run.csv', 'gradlab runs export k7m2xq --out run.json'],
  run({ options, positionals, global }, ctx) {
    const format = options.format ?? (options.out?.toLowerCase().endsWith('.json') ? 'json' : 'csv');
    const store = openExisting(global, ctx);
    let text: string;
    let id: string;
    try {
      id = store.getRun(positionals.id).id;
      text = store.exportRun(id, format);
    } finally {
      store.close();
    }
    if (options.out === undefined) {
      ctx.stdout.write(text);
      return 0;
    }
    // Write then rename, so a failed write never leaves a half-written file behind.
    const target = path.resolve(ctx.cwd, options.out);
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, target);
    ctx.stdout.write(`wrote run ${id} as ${format} to ${options.out}\n`);
    return 0;
  },
});

/** The `runs` group: list by default. */
export const runsGroup = defineGroup({
  summary: 'list, inspect and export stored runs',
  subcommands: { list: listCommand, show: showCommand, export: exportCommand },
  defaultSubcommand: 'list',
});
