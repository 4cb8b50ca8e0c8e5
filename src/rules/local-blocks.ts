// Local learning's building blocks: a Sequential split into gradient-isolated blocks, shape probes, fresh clones of layers.
import { noGrad } from '../core/state.js';
import { tidy } from '../core/tensor.js';
import type { Tensor } from '../core/tensor.js';
import { zeros } from '../ops/creation.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/normalization.js';
import { Conv2d } from '../nn/conv.js';
import { Sequential } from '../nn/containers.js';
import { Flatten, Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { Residual } from '../nn/residual.js';
import { RuleModelError } from './errors.js';
import type { TaskSpec } from './types.js';

/** A gradient-isolated piece of a Sequential: one layer with parameters and the parameter-free layers around it. */
export interface Block {
  /** The model's children in this block, in order. */
  layers: Module[];
  /** Index of the block's first child in the Sequential. */
  start: number;
  /** Output shape of the block for one example (no batch dim), from a probe forward. */
  outShape: number[];
}

function hasParams(m: Module): boolean {
  return m.parameters().length > 0;
}

/** The name a module is reported by in errors (its class). */
export function layerName(m: Module): string {
  return m.constructor.name;
}

/** Runs `layers` in order. */
export function runLayers(layers: readonly Module[], x: Tensor): Tensor {
  let h = x;
  for (const m of layers) h = m.forward(h) as Tensor;
  return h;
}

/** The output shape (no batch dim) of `layers` on a zero batch of two examples of shape `inShape`, in eval mode. */
export function probeShape(rule: string, layers: readonly Module[], inShape: readonly number[]): number[] {
  const modes = layers.map((m) => m.training);
  try {
    layers.forEach((m) => m.eval());
    return noGrad(() =>
      tidy(() => {
        const out = runLayers(layers, zeros([2, ...inShape]));
        return [...out.shape.slice(1)];
      }),
    );
  } catch (e) {
    throw new RuleModelError(
      `${rule}: the model cannot run on inputs of shape [N, ${inShape.join(', ')}]: ${(e as Error).message}`,
    );
  } finally {
    layers.forEach((m, i) => m.train(modes[i]));
  }
}

/**
 * Splits a Sequential into blocks: a new block starts at every child with parameters (parameter-free children
 * such as activations, pooling and Flatten join the block before them; leading ones join the first). The
 * last block is the output block; it must produce `[N, task.outputs]`.
 */
export function splitBlocks(rule: string, model: Module, task: TaskSpec, minBlocks = 2): Block[] {
  if (!(model instanceof Sequential))
    throw new RuleModelError(
      `${rule}: needs a gl.nn.Sequential (its children are split into gradient-isolated blocks), got ${layerName(model)}`,
    );
  const children = [...model];
  const groups: { layers: Module[]; start: number }[] = [];
  children.forEach((m, i) => {
    const last = groups[groups.length - 1];
    if (!last || (hasParams(m) && last.layers.some(hasParams))) groups.push({ layers: [m], start: i });
    else last.layers.push(m);
  });
  const withParams = groups.filter((g) => g.layers.some(hasParams)).length;
  if (withParams < minBlocks)
    throw new RuleModelError(
      `${rule}: needs at least ${minBlocks} layers with parameters (one per local block), the model has ${withParams}`,
    );
  let shape: number[] = [...task.inputShape];
  const blocks = groups.map((g) => {
    shape = probeShape(rule, g.layers, shape);
    return { layers: g.layers, start: g.start, outShape: shape };
  });
  const out = blocks[blocks.length - 1].outShape;
  if (out.length !== 1 || out[0] !== task.outputs)
    throw new RuleModelError(
      `${rule}: the model must end in [N, ${task.outputs}] outputs, its last block gives [N, ${out.join(', ')}]`,
    );
  return blocks;
}

/** Conv2d keeps its padding private; the fresh clone reads it (symmetric paddings only). */
function convPadding(c: Conv2d): [number, number] | null {
  const pads = (c as unknown as { pads: [number, number][] }).pads;
  if (!Array.isArray(pads) || !pads.every(([a, b]) => a === b)) return null;
  return [pads[0][0], pads[1][0]];
}

/**
 * A freshly initialised copy of `m`'s architecture (not its weights) taking inputs of shape `inShape`: the first
 * Linear/Conv2d adapts its input width to what arrives (a Flatten is put before a Linear fed an image).
 * Parameter-free layers are shared (they hold no state that training changes). Throws RuleModelError for a layer
 * with parameters it does not know how to rebuild.
 */
export function freshClone(rule: string, m: Module, inShape: readonly number[]): Module {
  if (!hasParams(m)) return m;
  if (m instanceof Linear) {
    const flat = inShape.reduce((a, b) => a * b, 1);
    const lin = new Linear(flat, m.outFeatures, { bias: m.bias !== null });
    return inShape.length === 1 ? lin : new Sequential(new Flatten(), lin);
  }
  if (m instanceof Conv2d) {
    const padding = convPadding(m);
    if (inShape.length !== 3 || padding === null)
      throw new RuleModelError(
        `${rule}: cannot rebuild Conv2d for inputs [N, ${inShape.join(', ')}] (needs [N, C, H, W] and symmetric padding)`,
      );
    const groups = inShape[0] % m.groups === 0 && m.outChannels % m.groups === 0 ? m.groups : 1;
    return new Conv2d(inShape[0], m.outChannels, m.kernelSize, {
      stride: m.stride,
      padding,
      dilation: m.dilation,
      groups,
      bias: m.bias !== null,
    });
  }
  if (m instanceof BatchNorm2d || m instanceof BatchNorm1d) {
    const Ctor = m instanceof BatchNorm2d ? BatchNorm2d : BatchNorm1d;
    return new Ctor(inShape[0], { eps: m.eps, momentum: m.momentum, affine: m.weight !== null });
  }
  if (m instanceof Sequential) return new Sequential(...freshChain(rule, [...m], inShape));
  if (m instanceof Residual) {
    const body = freshClone(rule, m.body, inShape);
    const shortcut = m.shortcut ? freshClone(rule, m.shortcut, inShape) : null;
    if (!shortcut) {
      const out = probeShape(rule, [body], inShape);
      if (out.join() !== inShape.join())
        throw new RuleModelError(
          `${rule}: an identity Residual cannot take [N, ${inShape.join(', ')}] (its body gives [N, ${out.join(', ')}])`,
        );
    }
    return new Residual(body, shortcut);
  }
  throw new RuleModelError(
    `${rule}: cannot rebuild a fresh ${layerName(m)} for an auxiliary network (it rebuilds Linear, Conv2d, BatchNorm1d/2d, Sequential and Residual); use 'dgl' for this model`,
  );
}

/** Fresh clones of `layers` chained from `inShape` (each adapted to what the previous one gives). */
export function freshChain(rule: string, layers: readonly Module[], inShape: readonly number[]): Module[] {
  let shape = [...inShape];
  return layers.map((m) => {
    const c = freshClone(rule, m, shape);
    shape = probeShape(rule, [c], shape);
    return c;
  });
}
