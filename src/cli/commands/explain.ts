// `gradlab explain <run-id>`: attribution maps of a stored run's model on test images, written as PNG files, with a summary.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as gl from '../../index.js';
import { RunStore, resolveStorePath } from '../../store/index.js';
import { defaultBackend, requestedBackend, useBackend, type CliBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { formatNumber, table } from '../format.js';

const WHERE = 'gradlab explain';

/** The methods the command offers (gl.explain classes). */
export const EXPLAIN_METHODS = [
  'saliency',
  'inputxgradient',
  'ig',
  'smoothgrad',
  'guided',
  'deconv',
  'deeplift',
  'occlusion',
  'gradcam',
] as const;
type Method = (typeof EXPLAIN_METHODS)[number];

/** The last Conv2d of a model (Grad-CAM's layer), or null. */
function lastConv(model: gl.nn.Module): gl.nn.Module | null {
  const convs = model.modules().filter((m) => m instanceof gl.nn.Conv2d);
  return convs.length ? convs[convs.length - 1] : null;
}

/** Attributions [B, ...input shape] (Grad-CAM: [B, 1, H, W]) of `method` for the target classes. */
function attribute(
  method: Method,
  model: gl.nn.Module,
  x: gl.Tensor,
  target: number[],
  steps: number,
): gl.Tensor {
  const e = gl.explain;
  switch (method) {
    case 'saliency':
      return new e.Saliency(model).attribute(x, { target });
    case 'inputxgradient':
      return new e.InputXGradient(model).attribute(x, { target });
    case 'ig':
      return new e.IntegratedGradients(model).attribute(x, { target, nSteps: steps });
    case 'smoothgrad':
      return new e.NoiseTunnel(new e.Saliency(model)).attribute(x, {
        target,
        ntSamples: steps,
        stdevs: 0.15,
        generator: new gl.Generator(0),
      });
    case 'guided':
      return new e.GuidedBackprop(model).attribute(x, { target });
    case 'deconv':
      return new e.Deconvolution(model).attribute(x, { target });
    case 'deeplift':
      return new e.DeepLift(model).attribute(x, { target });
    case 'occlusion': {
      const w = x.shape
        .slice(1)
        .map((n, i) => (i === 0 && x.ndim === 4 ? n : Math.max(1, Math.round(n / 7))));
      return new e.Occlusion(model).attribute(x, {
        target,
        slidingWindowShapes: w,
        strides: w.map((v, i) => (i === 0 && x.ndim === 4 ? v : Math.max(1, Math.floor(v / 2)))),
        perturbationsPerEval: 16,
      });
    }
    case 'gradcam': {
      const layer = lastConv(model);
      if (!layer)
        throw new UsageError(
          `${WHERE}: --method gradcam needs a model with a Conv2d layer (this one has none)`,
          WHERE,
        );
      if (x.ndim !== 4)
        throw new UsageError(`${WHERE}: --method gradcam needs image inputs [C, H, W]`, WHERE);
      return new e.GradCam(model, layer).attribute(x, { target });
    }
  }
}

export const explainCommand = defineCommand({
  summary: "attribution maps of a stored run's model on test images, as PNG files",
  description:
    "Loads the run's model from its newest checkpoint, takes the first --images test examples of the run's dataset and " +
    'writes, per example, a PNG with the input, the attribution map and the map over the input (blue negative, red positive; ' +
    "Grad-CAM and saliency as magnitudes), plus a grid of all of them. The target class is the model's prediction unless --target label. " +
    'Prints a summary table (or JSON with --json).',
  options: {
    method: {
      type: 'string',
      choices: EXPLAIN_METHODS,
      default: 'ig',
      description: 'attribution method (gl.explain): integrated gradients by default',
    },
    images: {
      type: 'number',
      integer: true,
      min: 1,
      max: 256,
      default: 4,
      description: 'how many test images (the first n)',
    },
    out: { type: 'string', valueName: 'dir', description: 'output folder (default ./explain-<run id>)' },
    target: {
      type: 'string',
      choices: ['pred', 'label'] as const,
      default: 'pred',
      description: 'explain the predicted class or the true label',
    },
    steps: {
      type: 'number',
      integer: true,
      min: 1,
      max: 1000,
      default: 32,
      description: 'IG steps / SmoothGrad samples',
    },
    scale: {
      type: 'number',
      integer: true,
      min: 1,
      max: 32,
      default: 8,
      description: 'enlargement of the PNGs (nearest neighbour)',
    },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  positionals: [
    { name: 'run', description: 'the id of a stored run with a checkpoint (gradlab runs lists them)' },
  ],
  examples: [
    'gradlab explain k7m2xq',
    'gradlab explain k7m2xq --method occlusion --images 8 --out maps',
    'gradlab explain k7m2xq --method deeplift --target label --json',
  ],
  async run({ options, positionals, global }, ctx) {
    const runId = positionals.run as string;
    const storeFile = resolveStorePath(global.store, ctx.env, ctx.cwd);
    if (!existsSync(storeFile))
      throw new UsageError(
        `${WHERE}: no run store at ${storeFile} (train a run first, or pass --store)`,
        WHERE,
      );
    const store = RunStore.open(storeFile, { create: false });
    let run: ReturnType<RunStore['getRun']>;
    try {
      try {
        run = store.getRun(runId);
      } catch (e) {
        if (e instanceof gl.StoreError && e.name === 'RunNotFoundError')
          throw new UsageError(`${WHERE}: ${e.message}`, WHERE);
        throw e;
      }
    } finally {
      store.close();
    }
    const config = run.config as Record<string, unknown>;
    if (run.kind !== 'train' || typeof config.data !== 'string' || config.modelSpec === undefined)
      throw new UsageError(
        `${WHERE}: run ${run.id} is a '${run.kind}' run; explain needs a run of gradlab train`,
        WHERE,
      );
    const files = [...run.checkpoints].sort((a, b) => a.step - b.step).filter((c) => existsSync(c.path));
    if (!files.length) throw new gl.FileError(`${WHERE}: run ${run.id} has no checkpoint file left`);
    await useBackend(requestedBackend(global, ctx, WHERE) ?? (defaultBackend() as CliBackend));
    const ds = gl.data.loadDataset(config.data, {
      path: typeof config.dataPath === 'string' ? config.dataPath : undefined,
      seed: typeof config.seed === 'number' ? config.seed : undefined,
    });
    const model = gl.train.buildModel(config.modelSpec as gl.train.ModelSpec, ds.inputShape, ds.numClasses);
    const ck = gl.train.readCheckpoint(files[files.length - 1].path);
    const weights = new Map<string, gl.Tensor>();
    for (const [k, t] of Object.entries(ck.tensors)) if (k.startsWith('model.')) weights.set(k.slice(6), t);
    model.loadStateDict(weights);
    model.eval();
    const n = Math.min(options.images, ds.test.x.shape[0]);
    const x = ds.test.x.narrow(0, 0, n).float();
    const labels = Array.from(ds.test.y.narrow(0, 0, n).dataSync(), Number);
    const probs = gl.noGrad(() => gl.softmax(model.forward(x), -1));
    const preds = Array.from(probs.argmax(1).dataSync(), Number);
    const target = options.target === 'label' ? labels : preds;
    const method = options.method as Method;
    const attr = attribute(method, model, x, target, options.steps);
    const outDir = path.resolve(ctx.cwd, options.out ?? `explain-${run.id}`);
    const rows: {
      index: number;
      label: number;
      predicted: number;
      target: number;
      probability: number;
      attributionSum: number;
      maxAbs: number;
      file: string;
    }[] = [];
    const tiles: gl.png.RgbImage[] = [];
    const isImage = x.ndim === 4;
    const magnitude = method === 'saliency' || method === 'gradcam' || method === 'smoothgrad';
    for (let i = 0; i < n; i++) {
      const xi = x.select(0, i);
      const ai = attr.select(0, i);
      const pix = isImage ? xi : xi.reshape([1, -1]);
      const map = isImage ? ai.sum(0) : ai.reshape([1, -1]);
      const base = gl.png.imageFromTensor(pix.ndim === 3 && pix.shape[0] !== 3 ? pix.sum(0) : pix);
      const heat = gl.png.heatmap(map, magnitude ? { sign: 'absolute', colormap: 'hot' } : { sign: 'all' });
      const tile = gl.png.imageGrid([base, heat, gl.png.overlay(base, heat, 0.6)], { pad: 1 });
      const file = path.join(outDir, `${method}-${i}.png`);
      gl.saveImagePng(file, gl.png.upscale(tile, options.scale));
      tiles.push(tile);
      const vals = Array.from(ai.dataSync(), Number);
      rows.push({
        index: i,
        label: labels[i],
        predicted: preds[i],
        target: target[i],
        probability: probs.select(0, i).dataSync()[target[i]],
        attributionSum: vals.reduce((a, b) => a + b, 0),
        maxAbs: vals.reduce((a, b) => Math.max(a, Math.abs(b)), 0),
        file: path.relative(ctx.cwd, file) || file,
      });
    }
    const gridFile = path.join(outDir, `${method}-grid.png`);
    gl.saveImagePng(
      gridFile,
      gl.png.upscale(
        gl.png.imageGrid(tiles, { cols: 1, pad: 2 }),
        Math.max(1, Math.floor(options.scale / 2)),
      ),
    );
    if (options.json) {
      ctx.stdout.write(
        JSON.stringify(
          {
            run: run.id,
            method,
            data: config.data,
            grid: path.relative(ctx.cwd, gridFile) || gridFile,
            images: rows,
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    ctx.stdout.write(
      `${method} attributions of run ${run.id} (${config.data}, model ${String(config.model)}) on ${n} test image${n === 1 ? '' : 's'}\n` +
        table(
          ['#', 'label', 'pred', 'target', 'p(target)', 'sum attr', 'max |attr|', 'file'],
          rows.map((r) => [
            String(r.index),
            String(r.label),
            String(r.predicted),
            String(r.target),
            formatNumber(r.probability),
            formatNumber(r.attributionSum),
            formatNumber(r.maxAbs),
            r.file,
          ]),
        ) +
        `grid: ${path.relative(ctx.cwd, gridFile) || gridFile}\n`,
    );
    return 0;
  },
});
