// `gradlab diagram`: the circuit diagram of a model spec (or saved weights + spec) as SVG, with a per-op FLOP and saved-bytes table.
import fs from 'node:fs';
import path from 'node:path';
import * as gl from '../../index.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { readModelSpec } from '../model-spec-arg.js';

const WHERE = 'gradlab diagram';
const usage = (m: string): UsageError => new UsageError(`${WHERE}: ${m}`, WHERE);

/** A spec from a built-in name, inline JSON or a .json file. */
function readSpec(text: string, cwd: string, what: string): gl.train.ModelSpec {
  return readModelSpec(text, cwd, {
    source: `the ${what}`,
    usage,
    missing: (t, file) =>
      `${what} must be mlp, cnn, linear, a JSON model spec, a .json spec file or a .safetensors file (with --spec); '${t}' is none of these (no such file ${file})`,
  });
}

/** "1,28,28" → [1, 28, 28]. */
function parseDims(text: string, what: string): number[] {
  const dims = text.split(',').map((s) => Number(s.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1))
    throw usage(`${what} must be positive integers separated by commas (e.g. 1,28,28), got '${text}'`);
  return dims;
}

/** The default axis names of one example input [batch, ...shape]. */
function defaultAxes(shape: readonly number[]): string[] {
  return [
    'batch',
    ...(shape.length === 3
      ? ['c', 'h', 'w']
      : shape.length === 1
        ? ['feature']
        : shape.map((_, i) => `d${i}`)),
  ];
}

/** `gradlab diagram`. */
export const diagramCommand = defineCommand({
  summary: 'draw a model as a circuit diagram (SVG): shapes, FLOPs and saved bytes per op',
  description:
    'Traces one forward pass of the model on a batch of zeros and prints, per recorded op, the output shape with ' +
    'named axes, forward and backward FLOPs (backward counts only the inputs that need gradients: the parameters, ' +
    'and the input with --input-grad) and the bytes it saves for backward. --out writes the diagram as SVG. ' +
    'The model is mlp, cnn, linear, a JSON model spec, a .json spec file, or a .safetensors file of weights ' +
    'together with --spec (the weights are loaded into the model, which checks they fit). See docs/diagram.md.',
  options: {
    spec: {
      type: 'string',
      valueName: 'spec',
      description: 'the model spec (name, JSON or .json file) of a .safetensors model',
    },
    inputShape: {
      type: 'string',
      valueName: 'dims',
      default: '1,28,28',
      description: 'shape of one example, without the batch dim',
    },
    classes: { type: 'number', integer: true, min: 1, default: 10, description: 'number of classes' },
    batch: {
      type: 'number',
      integer: true,
      min: 1,
      default: 64,
      description: 'batch size of the traced forward',
    },
    axisNames: {
      type: 'string',
      valueName: 'names',
      description:
        'names of the input axes, batch first, comma-separated (default batch,c,h,w or batch,feature)',
    },
    inputGrad: {
      type: 'boolean',
      description: 'count the input gradient too (as when the model is not first)',
    },
    out: { type: 'string', valueName: 'file', description: 'write the diagram as SVG to this file' },
    json: { type: 'boolean', description: 'print the diagram (ops, inputs, outputs, totals) as JSON' },
  },
  positionals: [
    { name: 'model', description: 'mlp, cnn, linear, a JSON spec, a .json file or a .safetensors file' },
  ],
  examples: [
    'gradlab diagram mlp --out mlp.svg',
    'gradlab diagram cnn --batch 32 --out cnn.svg',
    `gradlab diagram '{"layers": [{"type": "linear", "out": 32}, {"type": "tanh"}, {"type": "linear", "out": "classes"}]}' --input-shape 12 --classes 2 --json > d.json`,
  ],
  run({ options, positionals }, ctx) {
    const shape = parseDims(options.inputShape, '--input-shape');
    const isWeights = positionals.model.endsWith('.safetensors');
    if (!isWeights && options.spec !== undefined)
      throw usage(`--spec goes with a .safetensors model; '${positionals.model}' is a spec already`);
    if (isWeights && options.spec === undefined)
      throw usage(`a .safetensors model needs --spec (the layers the weights belong to)`);
    const spec = readSpec(
      isWeights ? options.spec! : positionals.model,
      ctx.cwd,
      isWeights ? '--spec' : 'model',
    );
    let model: gl.nn.Sequential;
    try {
      model = gl.train.buildModel(spec, shape, options.classes);
    } catch (e) {
      if (e instanceof gl.ShapeError)
        throw usage(
          `the model does not fit examples of shape [${shape}] and ${options.classes} classes: ${e.message} (see --input-shape, --classes)`,
        );
      throw e;
    }
    if (isWeights) {
      const file = path.resolve(ctx.cwd, positionals.model);
      if (!fs.existsSync(file)) throw usage(`no such weights file ${file}`);
      const { tensors } = gl.loadSafetensors(file);
      try {
        model.loadStateDict(tensors);
      } catch (e) {
        if (e instanceof gl.GradlabError)
          throw usage(`the weights in ${positionals.model} do not fit the spec: ${e.message}`);
        throw e;
      }
    }
    model.eval();
    const axes =
      options.axisNames === undefined
        ? defaultAxes(shape)
        : options.axisNames.split(',').map((s) => s.trim());
    if (axes.length !== shape.length + 1)
      throw usage(
        `--axis-names must name ${shape.length + 1} axes (batch first) for input [batch, ${shape}], got ${axes.length}`,
      );
    const d = gl.lab.diagram(model, [gl.zeros([options.batch, ...shape])], {
      axisNames: [axes],
      inputsRequireGrad: options.inputGrad,
    });
    if (options.out !== undefined) {
      const file = path.resolve(ctx.cwd, options.out);
      try {
        fs.writeFileSync(file, d.toSVG());
      } catch (e) {
        throw new gl.FileError(`cannot write the diagram to ${file}: ${(e as Error).message}`);
      }
    }
    if (options.json) {
      const { inputs, ops, outputs, modules, totals } = d;
      ctx.stdout.write(JSON.stringify({ inputs, ops, outputs, modules, totals }, null, 2) + '\n');
    } else {
      ctx.stdout.write(d.toString() + '\n');
      if (options.out !== undefined) ctx.stdout.write(`wrote ${options.out}\n`);
    }
    return 0;
  },
});
