// Model specs: a small JSON format (a list of layers) and the built-in mlp/cnn/linear, built with shape checking.
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import * as nn from '../nn/index.js';
import type { Module } from '../nn/module.js';

/** Number of outputs of a layer: a count, or "classes" (the dataset's number of classes). */
export type Width = number | 'classes';

/** One layer of a JSON model spec; `type` names it, the other keys are its options. */
export type LayerSpec =
  | {
      /** A fully connected layer on flat input. */
      type: 'linear';
      /** Output features. */
      out: Width;
      /** Add a bias (default true). */
      bias?: boolean;
    }
  | {
      /** A 2-D convolution on [C, H, W] input. */
      type: 'conv2d';
      /** Output channels. */
      out: number;
      /** Square kernel size. */
      kernel: number;
      /** Stride (default 1). */
      stride?: number;
      /** Zero padding on each side (default 0). */
      padding?: number;
      /** Add a bias (default true). */
      bias?: boolean;
    }
  | {
      /** Max or average pooling on [C, H, W] input. */
      type: 'maxpool2d' | 'avgpool2d';
      /** Square window size. */
      kernel: number;
      /** Stride (default: the kernel size). */
      stride?: number;
    }
  | {
      /** A layer without options: flatten to [features], or an activation. */
      type: 'flatten' | 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'silu' | 'elu';
    }
  | {
      /** Leaky ReLU. */
      type: 'leakyrelu';
      /** Slope for negative inputs (default 0.01). */
      slope?: number;
    }
  | {
      /** Dropout. */
      type: 'dropout';
      /** Drop probability (default 0.5). */
      p?: number;
    }
  | {
      /** A normalization layer over the current shape's features or channels. */
      type: 'batchnorm1d' | 'batchnorm2d' | 'layernorm';
    };

/** A JSON model spec: `{ "layers": [...] }` (or just the array). */
export interface ModelSpec {
  /** The layers, in order; shapes are checked as the model is built. */
  layers: LayerSpec[];
}

/** The built-in models by name. */
export const BUILTIN_MODELS: Readonly<Record<'linear' | 'mlp' | 'cnn', ModelSpec>> = {
  linear: { layers: [{ type: 'flatten' }, { type: 'linear', out: 'classes' }] },
  mlp: {
    layers: [
      { type: 'flatten' },
      { type: 'linear', out: 256 },
      { type: 'relu' },
      { type: 'linear', out: 128 },
      { type: 'relu' },
      { type: 'linear', out: 'classes' },
    ],
  },
  cnn: {
    layers: [
      { type: 'conv2d', out: 32, kernel: 3, padding: 1 },
      { type: 'relu' },
      { type: 'maxpool2d', kernel: 2 },
      { type: 'conv2d', out: 64, kernel: 3, padding: 1 },
      { type: 'relu' },
      { type: 'maxpool2d', kernel: 2 },
      { type: 'flatten' },
      { type: 'linear', out: 128 },
      { type: 'relu' },
      { type: 'linear', out: 'classes' },
    ],
  },
};

const OPTIONS: Record<string, readonly string[]> = {
  linear: ['out', 'bias'],
  conv2d: ['out', 'kernel', 'stride', 'padding', 'bias'],
  maxpool2d: ['kernel', 'stride'],
  avgpool2d: ['kernel', 'stride'],
  flatten: [],
  relu: [],
  tanh: [],
  sigmoid: [],
  gelu: [],
  silu: [],
  elu: [],
  leakyrelu: ['slope'],
  dropout: ['p'],
  batchnorm1d: [],
  batchnorm2d: [],
  layernorm: [],
};

/**
 * Checks that `json` is a model spec (an object with `layers`, or an array of layers) and returns it.
 * @example
 * const spec = gl.train.parseModelSpec(JSON.parse('{"layers": [{"type": "flatten"}, {"type": "linear", "out": "classes"}]}'));
 * const model = gl.train.buildModel(spec, [1, 8, 8], 10);
 */
export function parseModelSpec(json: unknown): ModelSpec {
  const layers = Array.isArray(json) ? json : (json as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new ArgumentError(
      'model spec: expected { "layers": [ {"type": "linear", "out": 10}, ... ] } with at least one layer',
    );
  layers.forEach((l: unknown, i) => {
    const where = `model spec: layer ${i}`;
    if (l === null || typeof l !== 'object' || Array.isArray(l))
      throw new ArgumentError(
        `${where}: expected an object such as {"type": "relu"}, got ${JSON.stringify(l)}`,
      );
    const { type, ...rest } = l as Record<string, unknown>;
    if (typeof type !== 'string' || !(type in OPTIONS))
      throw new ArgumentError(
        `${where}: unknown type ${JSON.stringify(type)} (expected one of ${Object.keys(OPTIONS).join(', ')})`,
      );
    for (const [k, v] of Object.entries(rest)) {
      if (!OPTIONS[type].includes(k))
        throw new ArgumentError(
          `${where} (${type}): unknown option '${k}'${OPTIONS[type].length ? ` (expected ${OPTIONS[type].join(', ')})` : ' (it takes none)'}`,
        );
      const ok =
        k === 'bias'
          ? typeof v === 'boolean'
          : k === 'out' && type === 'linear'
            ? v === 'classes' || (Number.isInteger(v) && (v as number) >= 1)
            : k === 'p'
              ? typeof v === 'number' && v >= 0 && v < 1
              : k === 'slope'
                ? typeof v === 'number' && Number.isFinite(v)
                : k === 'padding'
                  ? Number.isInteger(v) && (v as number) >= 0
                  : Number.isInteger(v) && (v as number) >= 1;
      if (!ok) throw new ArgumentError(`${where} (${type}): bad value for '${k}': ${JSON.stringify(v)}`);
    }
    for (const need of type === 'linear' || type === 'conv2d' ? ['out'] : []) {
      if (!(need in rest)) throw new ArgumentError(`${where} (${type}): missing '${need}'`);
    }
    if ((type === 'conv2d' || type.endsWith('pool2d')) && !('kernel' in rest))
      throw new ArgumentError(`${where} (${type}): missing 'kernel'`);
  });
  return { layers: layers as LayerSpec[] };
}

/**
 * Builds a Sequential from a spec for examples of shape `inputShape` (without the batch
 * dimension) and `numClasses` classes, following the shape through the layers: a layer that
 * cannot take the shape it gets, or a last layer that does not output `[numClasses]`, is a
 * ShapeError naming the layer.
 *
 * @example
 * const model = gl.train.buildModel('mlp', [1, 28, 28], 10);
 * const custom = gl.train.buildModel({ layers: [{ type: 'flatten' }, { type: 'linear', out: 'classes' }] }, [64], 10);
 */
export function buildModel(
  spec: ModelSpec | keyof typeof BUILTIN_MODELS,
  inputShape: readonly number[],
  numClasses: number,
): nn.Sequential {
  const layers = typeof spec === 'string' ? BUILTIN_MODELS[spec].layers : parseModelSpec(spec).layers;
  let shape = [...inputShape];
  const mods: Module[] = [];
  layers.forEach((l, i) => {
    const where = `layer ${i} (${l.type})`;
    const needImage = (): [number, number, number] => {
      if (shape.length !== 3)
        throw new ShapeError(
          `${where} needs image input [channels, height, width], got examples of shape ${fmtShape(shape)}`,
        );
      return shape as [number, number, number];
    };
    switch (l.type) {
      case 'flatten':
        mods.push(new nn.Flatten());
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'linear': {
        if (shape.length !== 1)
          throw new ShapeError(
            `${where} needs flat input [features], got ${fmtShape(shape)} (add {"type": "flatten"} before it)`,
          );
        const out = l.out === 'classes' ? numClasses : l.out;
        mods.push(new nn.Linear(shape[0], out, { bias: l.bias ?? true }));
        shape = [out];
        break;
      }
      case 'conv2d': {
        const [c, h, w] = needImage();
        const stride = l.stride ?? 1;
        const pad = l.padding ?? 0;
        const oh = Math.floor((h + 2 * pad - l.kernel) / stride) + 1;
        const ow = Math.floor((w + 2 * pad - l.kernel) / stride) + 1;
        if (oh < 1 || ow < 1)
          throw new ShapeError(
            `${where}: kernel ${l.kernel} does not fit input ${fmtShape(shape)} (padding ${pad})`,
          );
        mods.push(new nn.Conv2d(c, l.out, l.kernel, { stride, padding: pad, bias: l.bias ?? true }));
        shape = [l.out, oh, ow];
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        const [c, h, w] = needImage();
        const stride = l.stride ?? l.kernel;
        const oh = Math.floor((h - l.kernel) / stride) + 1;
        const ow = Math.floor((w - l.kernel) / stride) + 1;
        if (oh < 1 || ow < 1)
          throw new ShapeError(`${where}: kernel ${l.kernel} does not fit input ${fmtShape(shape)}`);
        mods.push(
          l.type === 'maxpool2d'
            ? new nn.MaxPool2d(l.kernel, { stride })
            : new nn.AvgPool2d(l.kernel, { stride }),
        );
        shape = [c, oh, ow];
        break;
      }
      case 'batchnorm1d':
        if (shape.length !== 1)
          throw new ShapeError(`${where} needs flat input [features], got ${fmtShape(shape)}`);
        mods.push(new nn.BatchNorm1d(shape[0]));
        break;
      case 'batchnorm2d':
        mods.push(new nn.BatchNorm2d(needImage()[0]));
        break;
      case 'layernorm':
        mods.push(new nn.LayerNorm([shape[shape.length - 1]]));
        break;
      case 'dropout':
        mods.push(new nn.Dropout(l.p ?? 0.5));
        break;
      case 'leakyrelu':
        mods.push(new nn.LeakyReLU(l.slope ?? 0.01));
        break;
      case 'relu':
        mods.push(new nn.ReLU());
        break;
      case 'tanh':
        mods.push(new nn.Tanh());
        break;
      case 'sigmoid':
        mods.push(new nn.Sigmoid());
        break;
      case 'gelu':
        mods.push(new nn.GELU());
        break;
      case 'silu':
        mods.push(new nn.SiLU());
        break;
      case 'elu':
        mods.push(new nn.ELU());
        break;
    }
  });
  if (shape.length !== 1 || shape[0] !== numClasses)
    throw new ShapeError(
      `the model's output per example is ${fmtShape(shape)}, but the data has ${numClasses} classes (end with {"type": "linear", "out": "classes"})`,
    );
  return new nn.Sequential(...mods);
}
