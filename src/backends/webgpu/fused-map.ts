// Elementwise expression chains as one WGSL kernel: an expression tree compiled to a WGSL expression, pipelines cached by its shape.
import type { ElementwiseExpr, MapKernel } from '../../core/fused-kernels.js';
import { broadcastView } from '../../core/shape.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { mapKernel } from './elementwise.js';
import { floatBits } from './wgsl.js';

/** WGSL of each float op on already compiled operands (the same expressions as elementwise.ts). */
const OPS: Record<string, (x: string[]) => string> = {
  relu: ([a]) => `select(${a}, 0.0, ${a} <= 0.0)`,
  neg: ([a]) => `(-${a})`,
  exp: ([a]) => `exp(${a})`,
  log: ([a]) => `log(${a})`,
  sigmoid: ([a]) => `sigmoid_(${a})`,
  tanh: ([a]) => `tanh_(${a})`,
  abs: ([a]) => `abs(${a})`,
  add: ([a, b]) => `(${a} + ${b})`,
  sub: ([a, b]) => `(${a} - ${b})`,
  mul: ([a, b]) => `(${a} * ${b})`,
  div: ([a, b]) => `(${a} / ${b})`,
  // comparisons give 1.0 or 0.0 (the CPU backends' bool cast to float)
  gt: ([a, b]) => `select(0.0, 1.0, ${a} > ${b})`,
  ge: ([a, b]) => `select(0.0, 1.0, ${a} >= ${b})`,
  lt: ([a, b]) => `select(0.0, 1.0, ${a} < ${b})`,
  le: ([a, b]) => `select(0.0, 1.0, ${a} <= ${b})`,
  eq: ([a, b]) => `select(0.0, 1.0, ${a} == ${b})`,
  ne: ([a, b]) => `select(1.0, 0.0, ${a} == ${b})`, // not-eq: SwiftShader folds != into an ordered compare (false on NaN)
  where: ([c, a, b]) => `select(${a}, ${b}, ${c} == 0.0)`, // a NaN condition is true, as on the CPU backends
};

/**
 * Compiles `e` to a WGSL expression over the input letters a, b, c, d. Constants become parameter
 * slots (`prm[base + j]`, values appended to `constants`), so the source, and with it the pipeline
 * key, depends only on the tree's shape: one pipeline per expression whatever its constants.
 */
export function compileExpr(e: ElementwiseExpr, constBase: number, constants: number[]): string {
  if ('input' in e) return 'abcd'[e.input];
  if ('value' in e) {
    constants.push(floatBits(e.value));
    return `bitcast<f32>(prm[${constBase + constants.length - 1}])`;
  }
  const f = OPS[e.op];
  return f(e.args.map((a) => compileExpr(a, constBase, constants)));
}

/** The number of distinct inputs an expression reads (inputs are numbered 0..n-1). */
function inputCount(e: ElementwiseExpr): number {
  if ('input' in e) return e.input + 1;
  if ('value' in e) return 0;
  return Math.max(0, ...e.args.map(inputCount));
}

/** webgpu's `expression` kernel: float32 expressions of up to 4 inputs, one dispatch each. */
export function webgpuExpression(be: WebGPUBackend): MapKernel<ElementwiseExpr> {
  return {
    accepts: (inputs, expr) =>
      inputs.length <= 4 && inputs.length >= inputCount(expr) && inputs.every((v) => v.dtype === 'float32'),
    run(inputs, out, expr) {
      const constants: number[] = [];
      // mapKernel's meta: [n, rank, offsets of out and the inputs, extra...]: extras start at 3 + K
      const code = compileExpr(expr, 3 + inputs.length, constants);
      const views = inputs.map((v) => broadcastView(v, out.shape));
      mapKernel(
        be,
        'fused',
        views,
        out,
        views.map(() => 'X'),
        code,
        constants,
      );
    },
  };
}
