// Fused elementwise expressions through the addon: the tree compiled once to a postfix program, run block by block.
import type { TensorView } from '../backend.js';
import { BackendError } from '../../core/errors.js';
import type { ElementwiseExpr, MapKernel } from '../../core/fused-kernels.js';
import { outShape } from '../../core/fused-map.js';
import { broadcastView, numel } from '../../core/shape.js';
import type { JsStorage } from '../js/index.js';
import { isDense } from '../js/strided.js';
import type { NativeAddon } from './addon.js';
import { binaryCode, unaryCode } from './codes.js';
import { meta } from './meta.js';

/** Instruction codes, as native/src/fusedmap.cc reads them. */
const OP = { input: 0, const: 1, unary: 2, binary: 3, where: 4 } as const;
/** Deepest operand stack and most inputs the native evaluator has room for. */
const MAX_STACK = 8;
const MAX_INPUTS = 4;

/** A compiled expression: (code, argument) pairs, its constants, and whether a transcendental op is in it. */
export interface MapProgram {
  code: Int32Array;
  consts: Float32Array;
  costly: boolean;
  inputs: number;
}

const COSTLY = new Set(['exp', 'log', 'sigmoid', 'tanh']);

/**
 * Compiles an expression tree to the addon's postfix program, or null when it needs a deeper stack than
 * the evaluator has. Constants are rounded to float32 (as a float32 scalar operand of the ops is).
 * @example compileMap({ op: 'neg', args: [{ input: 0 }] }).code // Int32Array [0, 0, 2, 0]
 */
export function compileMap(expr: ElementwiseExpr): MapProgram | null {
  const code: number[] = [];
  const consts: number[] = [];
  let costly = false;
  let inputs = 0;
  let maxDepth = 0;
  const emit = (e: ElementwiseExpr, depth: number): void => {
    maxDepth = Math.max(maxDepth, depth + 1);
    if ('input' in e) {
      code.push(OP.input, e.input);
      inputs = Math.max(inputs, e.input + 1);
    } else if ('value' in e) {
      code.push(OP.const, consts.length);
      consts.push(e.value);
    } else {
      e.args.forEach((a, i) => emit(a, depth + i));
      if (e.op === 'where') code.push(OP.where, 0);
      else if (e.args.length === 1) {
        costly ||= COSTLY.has(e.op);
        code.push(OP.unary, unaryCode[e.op as keyof typeof unaryCode]);
      } else code.push(OP.binary, binaryCode[e.op as keyof typeof binaryCode]);
    }
  };
  emit(expr, 0);
  if (maxDepth > MAX_STACK || inputs > MAX_INPUTS) return null;
  return {
    code: Int32Array.from(code),
    // never empty: the addon takes the constants' data pointer even when there are none
    consts: Float32Array.from(consts.length ? consts : [0]),
    costly,
    inputs,
  };
}

/** True when every element of the view is the same one (all strides of non-unit dims are 0). */
function isScalarView(v: TensorView): boolean {
  return v.shape.every((d, i) => d === 1 || v.strides[i] === 0);
}

/**
 * For a vector broadcast along one dim (a bias over channels: stride 1 in one dim of size > 1, 0 in
 * every other dim of size > 1), [inner, count]: element i of the output reads (i / inner) % count.
 */
function channelView(v: TensorView): [number, number] | null {
  let dim = -1;
  for (let i = 0; i < v.shape.length; i++) {
    if (v.shape[i] === 1 || v.strides[i] === 0) continue;
    if (dim >= 0 || v.strides[i] !== 1) return null;
    dim = i;
  }
  if (dim < 0) return null;
  return [numel(v.shape.slice(dim + 1)), v.shape[dim]];
}

const data = (v: TensorView) => (v.storage as JsStorage).data as Float32Array;

/**
 * The addon's `expression` kernel: float32 only, each input dense over the output's shape, one value
 * broadcast to it, or a vector broadcast along one dim (a bias over channels or columns). Programs are cached per expression object (the backward rules pass the same
 * constant trees each time).
 */
export function nativeExpression(A: NativeAddon): MapKernel<ElementwiseExpr> {
  const programs = new WeakMap<ElementwiseExpr, MapProgram | null>();
  const program = (expr: ElementwiseExpr) => {
    let prog = programs.get(expr);
    if (prog === undefined) programs.set(expr, (prog = compileMap(expr)));
    return prog;
  };
  return {
    accepts(inputs, expr) {
      const prog = program(expr);
      if (!prog || inputs.length < prog.inputs || inputs.length > MAX_INPUTS) return false;
      const shape = outShape(inputs);
      return inputs.every((v) => {
        if (v.dtype !== 'float32' || v.storage.disposed) return false;
        const b = broadcastView(v, shape);
        return isScalarView(b) || isDense(b) || channelView(b) !== null;
      });
    },
    run(inputs, out, expr) {
      const prog = program(expr)!;
      meta[0] = out.offset;
      meta[1] = inputs.length;
      for (let k = 0; k < inputs.length; k++) {
        const v = broadcastView(inputs[k], out.shape);
        const channel = isScalarView(v) || isDense(v) ? null : channelView(v);
        meta[2 + 2 * k] = v.offset;
        meta[3 + 2 * k] = isScalarView(v) ? 1 : channel ? 2 : 0;
        meta[2 + 2 * inputs.length + 2 * k] = channel ? channel[0] : 0;
        meta[3 + 2 * inputs.length + 2 * k] = channel ? channel[1] : 0;
      }
      const n = numel(out.shape);
      const arrays = inputs.map(data);
      if (!A.fusedMap(prog.code, prog.consts, n, prog.costly ? 1 : 0, data(out), ...arrays))
        throw new BackendError('native expression: the addon refused views it accepted');
    },
  };
}
