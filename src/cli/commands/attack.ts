// `gradlab attack <run-id>`: attacks a stored model on its test set, prints the robustness report, writes adversarial examples as PNG.
import fs from 'node:fs';
import path from 'node:path';
import * as gl from '../../index.js';
import { RunStore, resolveStorePath } from '../../store/index.js';
import { defaultBackend, requestedBackend, useBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { formatNumber, table } from '../format.js';

const WHERE = 'gradlab attack';
const usage = (message: string) => new UsageError(`${WHERE}: ${message}`, WHERE);

/** The radii of --eps: a comma-separated list of numbers >= 0. */
function parseEps(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const eps = parts.map(Number);
  const bad = parts.findIndex((p, i) => p === '' || !Number.isFinite(eps[i]) || eps[i] < 0);
  if (bad >= 0)
    throw usage(
      `--eps expects comma-separated numbers >= 0 (e.g. 0.05,0.1), got '${parts[bad]}' in '${text}'`,
    );
  return eps;
}

/** The stored run's configuration and newest checkpoint file. */
function locateRun(storeFile: string, id: string): { run: ReturnType<RunStore['getRun']>; file: string } {
  if (!fs.existsSync(storeFile))
    throw usage(`no run store at ${storeFile} (train a model first: gradlab train)`);
  const store = RunStore.open(storeFile, { create: false });
  try {
    let run: ReturnType<RunStore['getRun']>;
    try {
      run = store.getRun(id);
    } catch (e) {
      if (e instanceof gl.StoreError) throw usage(e.message);
      throw e;
    }
    const files = [...run.checkpoints].sort((a, b) => a.step - b.step).filter((c) => fs.existsSync(c.path));
    if (files.length === 0)
      throw new gl.FileError(`${WHERE}: run ${run.id} has no checkpoint file left to load the model from`);
    return { run, file: files[files.length - 1].path };
  } finally {
    store.close();
  }
}

/** `gradlab attack`. */
export const attackCommand = defineCommand({
  summary: 'attack a stored model on its test set: robustness report and adversarial examples (PNG)',
  description:
    'Loads the model of a run trained by `gradlab train` (its newest checkpoint), attacks the first --examples ' +
    'test examples at each radius of --eps with gl.attacks, and prints clean accuracy, robust accuracy, attack ' +
    'success rate and perturbation norms. With --out it writes adversarial-<eps>.png (rows: clean | adversarial | ' +
    'perturbation) and report.json there. Inputs must lie in [0, 1] (the image datasets do).',
  options: {
    method: {
      type: 'string',
      choices: gl.attacks.ATTACK_NAMES,
      default: 'pgd',
      description: 'the attack (cw and deepfool are minimum-norm attacks and ignore --eps)',
    },
    eps: {
      type: 'string',
      valueName: 'list',
      default: '0.1',
      description: 'comma-separated radii, e.g. 0.05,0.1 (default 0.1)',
    },
    steps: {
      type: 'number',
      integer: true,
      min: 1,
      description: 'attack iterations (default: 10; cw 50; deepfool 50)',
    },
    alpha: { type: 'number', min: 0, description: 'step size of pgd / bim / pgd-l2 (default eps / 4)' },
    c: { type: 'number', min: 0, description: 'the trade-off constant of cw (default 1)' },
    examples: {
      type: 'number',
      integer: true,
      min: 1,
      default: 200,
      description: 'test examples attacked (default 200)',
    },
    batchSize: {
      type: 'number',
      integer: true,
      min: 1,
      default: 100,
      description: 'examples per attack call (default 100)',
    },
    seed: {
      type: 'number',
      integer: true,
      min: 0,
      default: 0,
      description: 'seed of random starts (default 0)',
    },
    out: {
      type: 'string',
      valueName: 'dir',
      description: 'write adversarial-<eps>.png and report.json to this folder',
    },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  positionals: [{ name: 'id', description: 'run id (or a unique prefix) of a run trained by gradlab train' }],
  examples: [
    'gradlab attack k7m2xq --method fgsm --eps 0.05,0.1,0.2 --examples 50',
    'gradlab attack k7m2xq --method pgd --eps 0.1 --steps 20 --examples 50 --out adv/',
  ],
  async run({ options: o, positionals, global }, ctx) {
    const minNorm = o.method === 'cw' || o.method === 'deepfool'; // minimum-norm attacks: no radius
    const eps = minNorm ? [0] : parseEps(o.eps);
    const storeFile = resolveStorePath(global.store, ctx.env, ctx.cwd);
    const { run, file } = locateRun(storeFile, positionals.id);
    const cfg = run.config as {
      modelSpec?: gl.train.ModelSpec;
      data?: string;
      dataPath?: string | null;
      seed?: number;
    };
    if (cfg.modelSpec === undefined || typeof cfg.data !== 'string')
      throw usage(`run ${run.id} was not made by gradlab train (its config has no model spec and dataset)`);
    const backend = requestedBackend(global, ctx, WHERE) ?? defaultBackend();
    await useBackend(backend);
    if (!gl.backendCapabilities().syncRead)
      throw usage(
        `the attacks read per-example values synchronously; backend '${backend}' cannot (use js or native)`,
      );
    const ds = gl.data.loadDataset(cfg.data, { path: cfg.dataPath ?? undefined, seed: cfg.seed ?? 0 });
    const model = gl.train.buildModel(cfg.modelSpec, ds.inputShape, ds.numClasses);
    const ck = gl.train.readCheckpoint(file);
    try {
      const weights = new Map<string, gl.Tensor>();
      for (const [k, t] of Object.entries(ck.tensors)) if (k.startsWith('model.')) weights.set(k.slice(6), t);
      model.loadStateDict(weights);
    } finally {
      for (const t of Object.values(ck.tensors)) t.dispose();
    }
    model.eval();
    const n = Math.min(o.examples, ds.test.x.shape[0]);
    const x = ds.test.x.narrow(0, 0, n).contiguous();
    const y = ds.test.y.narrow(0, 0, n).contiguous();
    const settings = { steps: o.steps, alpha: o.alpha, c: o.c, generator: new gl.Generator(o.seed) };
    let report: gl.attacks.RobustnessReport;
    try {
      report = gl.attacks.robustnessReport(model, x, y, {
        ...settings,
        attack: o.method,
        eps,
        batchSize: o.batchSize,
      });
    } catch (e) {
      if (e instanceof gl.attacks.AttackInputError) throw usage(`dataset '${cfg.data}': ${e.message}`);
      throw e;
    }
    const written: string[] = [];
    if (o.out !== undefined) {
      const dir = path.resolve(ctx.cwd, o.out);
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw new gl.FileError(
          `${WHERE}: cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      const shown = Math.min(8, n);
      const xs = x.narrow(0, 0, shown).contiguous();
      const ys = y.narrow(0, 0, shown).contiguous();
      for (const e of eps) {
        const adv = gl.attacks.ATTACKS[o.method](model, xs, ys, e, {
          ...settings,
          generator: new gl.Generator(o.seed),
        });
        const img = ds.inputShape.length === 1 ? null : gl.attacks.adversarialGrid(xs, adv);
        adv.dispose();
        if (img === null) break; // flat inputs (tabular data) have no picture
        const f = path.join(dir, minNorm ? `adversarial-${o.method}.png` : `adversarial-${e}.png`);
        fs.writeFileSync(f, gl.png.encodeImagePng(img));
        written.push(f);
      }
      const jf = path.join(dir, 'report.json');
      fs.writeFileSync(
        jf,
        JSON.stringify({ run: run.id, checkpoint: file, data: cfg.data, ...report }, null, 2) + '\n',
      );
      written.push(jf);
    }
    if (o.json) {
      ctx.stdout.write(
        JSON.stringify({ run: run.id, checkpoint: file, data: cfg.data, ...report }, null, 2) + '\n',
      );
    } else {
      ctx.stdout.write(
        `${o.method} on run ${run.id} (${cfg.data}, ${n} test examples): clean accuracy ${formatNumber(report.cleanAccuracy)}\n`,
      );
      const f = (v: number) => (Number.isNaN(v) ? '-' : formatNumber(v));
      ctx.stdout.write(
        table(
          ['EPS', 'ROBUST ACC', 'SUCCESS', 'MEAN L2', 'MEDIAN L2', 'MEAN LINF', 'MEDIAN LINF'],
          report.rows.map((r) => [
            minNorm ? '-' : f(r.eps),
            f(r.robustAccuracy),
            f(r.successRate),
            f(r.meanL2),
            f(r.medianL2),
            f(r.meanLinf),
            f(r.medianLinf),
          ]),
        ),
      );
      for (const w of written) ctx.stdout.write(`wrote ${path.relative(ctx.cwd, w) || w}\n`);
    }
    return 0;
  },
});
