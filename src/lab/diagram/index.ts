// gl.lab.diagram: circuit diagrams of a model's forward (paper 14) with shapes, named axes, FLOPs and saved bytes per op.
export { diagram } from './trace.js';
export type {
  Diagram,
  DiagramOp,
  DiagramInput,
  DiagramWire,
  DiagramSaved,
  DiagramOptions,
  WireSource,
} from './trace.js';
export { flopsOf, PRIMITIVE_FLOPS, COMPOSITE_FLOPS } from './flops.js';
export type { FlopCount, FlopContext, FlopKind } from './flops.js';
export type { AxisNames } from './axes.js';
export { wireLabel, fmtFlops, fmtBytes } from './table.js';
